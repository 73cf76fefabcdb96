"""WHO ICTRP exports: one `<Trial>` element of the XML export, or one row of the CSV export.

Both exports carry the same fields (the CSV headers with spaces where the XML tags have
`_`), so one field map `FIELD_MAPS["ictrp"]` serves both. Quirks handled here: criteria in
two fields, each usually led by its own heading and broken by `<br>`; primary outcomes
joined by `;` with their time frames written in several registries' styles.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Mapping

from flows.parse.converters import clean_text
from flows.parse.ctgov_xml import parse_xml_text
from flows.parse.export_parts import (
    build_record,
    contact,
    criteria_from_text,
    criteria_in_raw,
    endpoint,
    languages_of,
    reject,
    renumber,
    without_spans,
)
from flows.parse.fieldmap import FIELD_MAPS, RowSource, apply_field_map
from flows.parse.raw_spans import RawField, csv_field_spans, find_xml_element_text
from flows.records import Contact, Criterion, Document, Endpoint, TrialRecord

RawFieldLocator = Callable[[str], RawField | None]
_HTML_BREAK = re.compile(r"\r?<br\s*/?>", re.IGNORECASE)
_CRITERIA_FIELDS = (("Inclusion_Criteria", "inclusion"), ("Exclusion_Criteria", "exclusion"))
_OUTCOME_FIELDS = (("Primary_outcome", "primary"), ("Secondary_outcome", "secondary"))
# EUCTR writes labelled parts: "Timepoint(s) of evaluation of this end point: ...;Primary end point(s): ..."
_EUCTR_PART = re.compile(
    r"(Primary end point\(s\)|Secondary end point\(s\)|Timepoint\(s\) of evaluation of this "
    r"end point|Main Objective|Secondary Objective)\s*:\s*",
    re.IGNORECASE,
)
_IRCT_TIMEPOINT = re.compile(
    r"^(?P<measure>.*?)\.\s*Timepoint:\s*(?P<time>.*?)\.?\s*(?:Method of measurement:.*)?$", re.S
)
_BRACKETED_TIME = re.compile(r"^(?P<measure>.*?)\s*\[(?P<time>[^\[\]]+)\]\s*$", re.S)


def field_name(header: str) -> str:
    return "_".join(header.split())


def parse_xml(doc: Document) -> TrialRecord:
    text = doc.text or ""
    root = parse_xml_text(text)
    if root.tag != "Trial":
        reject(f"root element is <{root.tag}>, not <Trial>")
    row = {child.tag: child.text or "" for child in root if isinstance(child.tag, str)}

    def locate(name: str) -> RawField | None:
        span = find_xml_element_text(text, (name,))
        return RawField(text, *span, "xml") if span else None

    return parse_row(row, locate)


def parse_csv(doc: Document) -> TrialRecord:
    text = doc.text or ""
    rows = list(csv.reader(io.StringIO(text, newline="")))
    rows = [r for r in rows if any(cell.strip() for cell in r)]
    if len(rows) != 2:
        reject(f"expected a header and one row, found {len(rows)} rows")
    header, values = rows
    if len(values) != len(header):
        reject(f"row has {len(values)} fields, the header {len(header)}")
    names = [field_name(h.lstrip("\ufeff")) for h in header]
    row = dict(zip(names, values, strict=True))
    raw_spans = _csv_row_spans(text, len(names))

    def locate(name: str) -> RawField | None:
        return RawField(text, *raw_spans[names.index(name)], "csv") if raw_spans else None

    return parse_row(row, locate)


def _csv_row_spans(text: str, n_fields: int) -> list[tuple[int, int]] | None:
    header_spans, row_start = csv_field_spans(text, 0)
    spans, _ = csv_field_spans(text, row_start)
    return spans if len(header_spans) == n_fields == len(spans) else None


def parse_row(row: Mapping[str, str], locate: RawFieldLocator) -> TrialRecord:
    mapped = apply_field_map(RowSource(row), FIELD_MAPS["ictrp"])
    if not row.get("TrialID", "").strip():
        reject("no TrialID")
    return build_record(
        mapped,
        criteria=read_criteria(row, locate),
        endpoints=read_endpoints(row),
        contacts=_contacts(row),
        languages=languages_of(row.get("Public_title"), row.get("Inclusion_Criteria")),
    )


def read_criteria(row: Mapping[str, str], locate: RawFieldLocator) -> tuple[Criterion, ...]:
    found: list[Criterion] = []
    for name, kind in _CRITERIA_FIELDS:
        value = row.get(name, "")
        if not value.strip():
            continue
        raw_field = locate(name)
        if raw_field is not None and raw_field.value == value:
            raw_field.value = _HTML_BREAK.sub(lambda m: " " * (len(m.group()) - 1) + "\n", value)
            found.extend(criteria_in_raw(raw_field, kind))
        else:
            found.extend(without_spans(criteria_from_text(_HTML_BREAK.sub("\n", value), kind)))
    return renumber(found)


def read_endpoints(row: Mapping[str, str]) -> tuple[Endpoint, ...]:
    endpoints: list[Endpoint] = []
    for name, kind in _OUTCOME_FIELDS:
        outcomes = split_outcomes(row.get(name, ""))
        endpoints.extend(endpoint(kind, seq, measure, time) for seq, (measure, time) in enumerate(outcomes, 1))
    return tuple(endpoints)


def split_outcomes(value: str) -> list[tuple[str, str | None]]:
    """(measure, time frame as written) of each outcome in an ICTRP outcome field."""
    text = _HTML_BREAK.sub("\n", value).strip()
    if not text:
        return []
    if _EUCTR_PART.search(text):
        return _euctr_outcomes(text)
    outcomes: list[tuple[str, str | None]] = []
    for item in _split_top_level(text):
        irct = _IRCT_TIMEPOINT.match(item)
        bracketed = _BRACKETED_TIME.match(item)
        if irct:
            outcomes.append((clean_text(irct.group("measure")), clean_text(irct.group("time"))))
        elif bracketed and bracketed.group("measure").strip():
            outcomes.append((clean_text(bracketed.group("measure")), clean_text(bracketed.group("time"))))
        else:
            outcomes.append((clean_text(item), None))
    return [(measure, time) for measure, time in outcomes if measure]


def _euctr_outcomes(text: str) -> list[tuple[str, str | None]]:
    parts: dict[str, str] = {}
    pieces = _EUCTR_PART.split(text)
    for label, body in zip(pieces[1::2], pieces[2::2], strict=True):
        parts.setdefault(label.casefold(), clean_text(body).strip(" ;"))
    measure = parts.get("primary end point(s)")
    time = parts.get("timepoint(s) of evaluation of this end point")
    return [(measure, time or None)] if measure else []


def _split_top_level(text: str) -> list[str]:
    """Split on `;` outside brackets (a time frame in brackets may hold `;`)."""
    items: list[str] = []
    depth = start = 0
    for position, char in enumerate(text):
        if char in "[(":
            depth += 1
        elif char in "])":
            depth = max(depth - 1, 0)
        elif char == ";" and depth == 0:
            items.append(text[start:position])
            start = position + 1
    items.append(text[start:])
    return [item.strip() for item in items if item.strip()]


def _contacts(row: Mapping[str, str]) -> tuple[Contact, ...]:
    name = clean_text(f"{row.get('Contact_Firstname', '')} {row.get('Contact_Lastname', '')}")
    item = contact(
        "contact",
        name or None,
        clean_text(row.get("Contact_Email", "")) or None,
        clean_text(row.get("Contact_Tel", "")) or None,
    )
    return (item,) if item is not None else ()

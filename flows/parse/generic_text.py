"""The generic registry-text parser: segmented fields -> TrialRecord.

Carries any text that writes its facts under the headings of `flows/vocab/headings.csv`,
including web pages after text extraction (`parse_text`). The per-format modules start
from `parse_text` and replace only what their format writes peculiarly.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from flows.parse.eligibility import parse_eligibility
from flows.parse.field_values import (
    VocabReader,
    ages_from_criteria,
    icd10_codes,
    read_ages,
    read_count,
    read_date,
    registry_identity,
)
from flows.parse.languages import detect_languages
from flows.parse.outlines import generic_arms, generic_endpoints
from flows.parse.sections import Line, Segmentation, first_paragraph, list_item_texts, segment
from flows.records import Document, TrialRecord
from flows.vocab import lookup, normalise, table

FORMAT = "generic_text"
_STUDY_TYPE_SENTENCE = re.compile(r"\bThis is an? (interventional|observational)\b", re.IGNORECASE)
_MAX_TITLE_CHARS = 400


@dataclass
class Problems:
    """Labelled values that could not be read: each makes the document `partial`."""

    reasons: list[str] = field(default_factory=list)

    def check(self, column: str, source: str | None, parsed: object) -> None:
        if source is not None and parsed is None:
            self.reasons.append(f"{column}: cannot read {source[:80]!r}")


def parse(doc: Document) -> TrialRecord:
    return parse_text(_text_of(doc))


def parse_generic(doc: Document) -> tuple[Segmentation, TrialRecord, VocabReader]:
    """The generic reading of a text document, for a format module to add its quirks to:
    its segmentation, the generic record, and a vocabulary reader that keeps the record's unmapped values."""
    text = _text_of(doc)
    seg = segment(text)
    record = parse_text(text, seg)
    return seg, record, VocabReader(list(record.unmapped))


def _text_of(doc: Document) -> str:
    if doc.text is None:
        raise ValueError("document has no text")
    return doc.text


def parse_text(text: str, seg: Segmentation | None = None, document_kind: str = "registry_record") -> TrialRecord:
    """Every field the headings vocabulary finds in `text`; spans index `text`."""
    seg = seg or segment(text)
    reader = VocabReader()
    problems = Problems()
    registry, registry_id, secondary = registry_identity(seg.value_of("registry_id"), text)
    criteria = parse_eligibility(seg)
    low, high = _ages(seg, problems)
    if low is None and high is None:
        low, high = ages_from_criteria(criteria)
    start, start_precision = _date(
        seg, problems, "start_date", "actual_start_date", "start_date", "expected_start_date"
    )
    return TrialRecord(
        registry=registry,
        registry_id=registry_id,
        document_kind=document_kind,
        title=seg.value_of("title") or leading_title(seg),
        brief_title=seg.value_of("brief_title"),
        secondary_ids=secondary,
        phase=reader.read("phase", seg.value_of("phase")),
        study_type=reader.read("study_type", _study_type_text(seg)),
        overall_status=reader.read("overall_status", seg.value_of("overall_status")),
        enrollment=_count(seg, problems),
        min_age_years=low,
        max_age_years=high,
        sex=reader.read("sex", seg.value_of("sex")),
        start_date=start,
        start_date_precision=start_precision,
        completion_date=_date(seg, problems, "completion_date", "completion_date")[0],
        registration_date=_date(seg, problems, "registration_date", "registration_date")[0],
        conditions=conditions(seg),
        condition_codes=icd10_codes([v for f in seg.all("icd10_code") if (v := seg.value(f))]),
        sponsor=seg.value_of("lead_sponsor") or _first_line(seg, "sponsors"),
        countries=countries(seg),
        languages=detect_languages(text),
        arms=generic_arms(seg, reader),
        criteria=criteria,
        endpoints=generic_endpoints(seg),
        unmapped=tuple(reader.unmapped),
        partial_reasons=tuple(problems.reasons),
    )


def _ages(seg: Segmentation, problems: Problems) -> tuple[float | None, float | None]:
    age, minimum, maximum = seg.value_of("age"), seg.value_of("min_age"), seg.value_of("max_age")
    low, high = read_ages(age, minimum, maximum)
    problems.check("min_age_years", minimum, low)
    problems.check("max_age_years", maximum, high)
    return low, high


def _date(seg: Segmentation, problems: Problems, column: str, *names: str) -> tuple[date | None, str | None]:
    source = seg.value_of(*names)
    parsed, precision = read_date(source)
    problems.check(column, source, parsed)
    return parsed, precision


def _count(seg: Segmentation, problems: Problems) -> int | None:
    source = seg.value_of("enrollment")
    count = read_count(source)
    problems.check("enrollment", source, count)
    return count


def _study_type_text(seg: Segmentation) -> str | None:
    labelled = seg.value_of("study_type")
    if labelled is not None:
        return labelled
    sentence = _STUDY_TYPE_SENTENCE.search(seg.value_of("summary") or "")
    return sentence.group(1) if sentence else None


def _first_line(seg: Segmentation, name: str) -> str | None:
    for item in seg.all(name):
        items = list_item_texts(seg.value_lines(item))
        if items:
            return items[0]
    return None


def leading_lines(seg: Segmentation) -> list[Line]:
    """Content lines before the first label: a page's title block."""
    first_label = min(seg.label_lines, default=len(seg.lines))
    return [line for index, line in enumerate(seg.lines[:first_label]) if index not in seg.chrome_lines]


def leading_title(seg: Segmentation) -> str | None:
    """The first line of a text that opens with its title rather than with a label."""
    lines = leading_lines(seg)
    if not lines or lines[0].bullet or len(lines[0].text) > _MAX_TITLE_CHARS:
        return None
    return lines[0].text


def conditions(seg: Segmentation) -> tuple[str, ...]:
    """The first paragraph of each conditions field, one condition a line."""
    found: list[str] = []
    for item in seg.all("conditions"):
        found.extend(list_item_texts(first_paragraph(seg.value_lines(item))))
    return tuple(dict.fromkeys(found))


def countries(seg: Segmentation) -> tuple[str, ...]:
    """Countries listed under a countries heading, and location lines that are a country's name."""
    found: list[str] = []
    for item in seg.all("countries"):
        for text in list_item_texts(seg.value_lines(item)):
            found.extend(part.strip() for part in re.split(r"[;,]", text) if part.strip())
    for item in seg.all("locations"):
        found.extend(c for text in list_item_texts(seg.value_lines(item)) if (c := lookup("countries", text)))
    return tuple(dict.fromkeys(found))


def detect(head: str) -> tuple[float, str]:
    """Any text with several known headings; scored low so that a specific format wins."""
    if head.lstrip()[:1] in ("<", "{", "["):
        return 0.0, "markup or JSON, not a text"
    headings = table("headings")
    seen = {name for line in head.splitlines() if (name := headings.get(_heading_key(line)))}
    if len(seen) < 3:
        return 0.0, f"{len(seen)} known headings"
    return min(0.5, 0.1 * len(seen)), f"{len(seen)} known headings: {', '.join(sorted(seen)[:6])}"


def _heading_key(line: str) -> str:
    return normalise(line.split(":", 1)[0]) if len(line) < 120 else ""

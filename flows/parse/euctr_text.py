"""EU Clinical Trials Register plain-text download (format `euctr_text`).

The register's text download writes one protocol field a line, `<code> <label>: <value>`
(`A.3 Full title of the trial: ...`, `E.7.3 Therapeutic confirmatory (Phase III): Yes`),
after a summary block of unnumbered `Label: value` lines (`EudraCT Number: ...`); a value
may run on over the following lines (the criteria and end-point lists). The field codes
are the register's published field list, so this format is read by code, not by heading.

- Phase comes from the E.7.x yes/no flags (Phase I..IV; two adjacent flags = a combined phase).
- Age bounds come from the F.1.x age-band flags (under 18 / 18-64 / 65 and over).
- registry_id is the bare EudraCT number; the member state of the record is in `countries`.
- Every trial in the register is a clinical trial of a medicine: study_type INTERVENTIONAL.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from flows.parse.criteria import split_criteria
from flows.parse.field_values import VocabReader, read_count, read_date
from flows.parse.languages import detect_languages
from flows.parse.timepoints import parse_time_frame
from flows.records import Criterion, Document, Endpoint, TrialRecord

FORMAT = "euctr_text"
_FIELD_LINE = re.compile(
    r"^(?:(?P<code>[A-P](?:\.\d+)*\.?)[ \t]+)?(?P<label>[A-Za-z(][^:\n]{0,200}?):[ \t]*(?P<value>.*)$",
    re.MULTILINE,
)
# "B. Sponsor Information" section headings and "B.Sponsor: 1" group counters end a value
_SECTION_LINE = re.compile(r"^(?:[A-P]\.[ \t]+[A-Z][^:\n]*|[A-P]\.[A-Za-z]+:.*)$", re.MULTILINE)
_ITEM_START = re.compile(r"^\s*\(?\d{1,2}[.)]\s+", re.MULTILINE)
_EUDRACT = re.compile(r"\b\d{4}-\d{6}-\d{2}\b")
_REGISTRY_ID_FIELDS = ("A.5.1", "A.5.2", "A.5.4")
_PHASE_FLAGS = (("E.7.1", 1), ("E.7.2", 2), ("E.7.3", 3), ("E.7.4", 4))
_PHASES = {(1,): "PHASE1", (2,): "PHASE2", (3,): "PHASE3", (4,): "PHASE4", (1, 2): "PHASE1_PHASE2"}
_PHASES[(2, 3)] = "PHASE2_PHASE3"


@dataclass(frozen=True, slots=True)
class EuField:
    code: str  # "E.3"; "" for the summary lines
    label: str
    value_start: int
    value_end: int


def detect(head: str) -> tuple[float, str]:
    if not re.search(r"^EudraCT Number:\s*\d{4}-\d{6}-\d{2}", head, re.MULTILINE):
        return 0.0, "no 'EudraCT Number:' line"
    coded = len(re.findall(r"^[A-P]\.\d+(?:\.\d+)*\s+[A-Z]", head, re.MULTILINE))
    return (0.9, f"EudraCT Number line and {coded} coded fields") if coded >= 3 else (0.4, "EudraCT line")


def read_fields(text: str) -> list[EuField]:
    """Every field line; a value runs to the line before the next field line."""
    found = list(_FIELD_LINE.finditer(text))
    first_coded = next((m.start() for m in found if m.group("code")), len(text))
    matches = [m for m in found if m.group("code") or m.start() < first_coded]  # summary lines lead
    boundaries = sorted({m.start() for m in matches} | {m.start() for m in _SECTION_LINE.finditer(text)})
    fields: list[EuField] = []
    for match in matches:
        end = next((b for b in boundaries if b > match.start()), len(text))
        start = match.start("value")
        while end > start and text[end - 1].isspace():
            end -= 1
        code = (match.group("code") or "").rstrip(".:")
        fields.append(EuField(code, match.group("label").strip(), start, max(start, end)))
    return fields


def parse(doc: Document) -> TrialRecord:
    from flows.parse import ParseError  # flows.parse imports the format registry, which imports this

    text = doc.text or ""
    fields = read_fields(text)
    values = _Values(text, fields)
    number = values.get("A.2") or values.summary("EudraCT Number")
    eudract = _EUDRACT.search(number or "")
    if eudract is None:
        raise ParseError("no EudraCT number (A.2 or 'EudraCT Number:')")
    reader = VocabReader()
    status = values.get("P", "End of Trial Status") or values.summary("Trial Status")
    low, high = _age_bounds(values)
    return TrialRecord(
        registry="euctr",
        registry_id=eudract.group(0),
        document_kind="registry_record",
        title=values.get("A.3"),
        brief_title=values.get("A.3.1"),
        secondary_ids=tuple(v for code in _REGISTRY_ID_FIELDS if (v := values.get(code))),
        phase=_phase(values),
        study_type="INTERVENTIONAL",
        overall_status=reader.read("overall_status", status),
        enrollment=read_count(values.get("F.4.2.2") or values.get("F.4.2.1")),
        min_age_years=low,
        max_age_years=high,
        sex=_sex(values),
        registration_date=read_date(values.summary("first entered in the EudraCT database"))[0],
        conditions=tuple(v for v in [values.get("E.1.1")] if v),
        sponsor=values.get("B.1.1"),
        countries=_countries(values),
        languages=detect_languages(text) or ("en",),
        criteria=_criteria(text, fields),
        endpoints=_endpoints(values),
        unmapped=tuple(reader.unmapped),
    )


class _Values:
    def __init__(self, text: str, fields: list[EuField]) -> None:
        self.text = text
        self.fields = fields

    def get(self, code: str, label: str | None = None) -> str | None:
        for item in self.fields:
            if item.code == code and (label is None or item.label == label):
                value = " ".join(self.text[item.value_start : item.value_end].split())
                if value:
                    return value
        return None

    def raw(self, code: str) -> str | None:
        item = next((f for f in self.fields if f.code == code), None)
        return self.text[item.value_start : item.value_end] if item else None

    def summary(self, label_part: str) -> str | None:
        for item in self.fields:
            if not item.code and label_part.casefold() in item.label.casefold():
                return " ".join(self.text[item.value_start : item.value_end].split()) or None
        return None

    def flag(self, code: str) -> bool | None:
        value = (self.get(code) or "").casefold()
        return True if value == "yes" else False if value == "no" else None


def _phase(values: _Values) -> str | None:
    stated = tuple(phase for code, phase in _PHASE_FLAGS if values.flag(code))
    return _PHASES.get(stated)


def _sex(values: _Values) -> str | None:
    female, male = values.flag("F.2.1"), values.flag("F.2.2")
    if female and male:
        return "ALL"
    return "FEMALE" if female else "MALE" if male else None


def _age_bounds(values: _Values) -> tuple[float | None, float | None]:
    """The register states age bands (under 18, 18-64, 65+), so the bounds are the bands' edges."""
    minors, adults, elderly = values.flag("F.1.1"), values.flag("F.1.2"), values.flag("F.1.3")
    low = 18.0 if minors is False and (adults or elderly) else None
    high = 64.0 if elderly is False and adults else 17.0 if minors and adults is False and elderly is False else None
    return low, high


def _countries(values: _Values) -> tuple[str, ...]:
    found: list[str] = []
    member_state = values.get("A.1")
    if member_state:
        found.append(member_state.split(" - ")[0].strip())
    outside = values.get("E.8.6.3")
    if outside:
        found.extend(part.strip() for part in re.split(r"[;,\n]", outside) if part.strip())
    return tuple(dict.fromkeys(found))


def _criteria(text: str, fields: list[EuField]) -> tuple[Criterion, ...]:
    found: list[Criterion] = []
    for code, kind in (("E.3", "inclusion"), ("E.4", "exclusion")):
        for item in fields:
            if item.code == code and item.value_end > item.value_start:
                body = text[item.value_start : item.value_end]
                found.extend(split_criteria(body, item.value_start, kind))
    return tuple(found)


def _endpoints(values: _Values) -> tuple[Endpoint, ...]:
    """One endpoint per numbered item of E.5.1 / E.5.2, each with its field's timepoints."""
    endpoints: list[Endpoint] = []
    for code, kind in (("E.5.1", "primary"), ("E.5.2", "secondary")):
        time_frame = values.get(f"{code}.1")
        days = parse_time_frame(time_frame) if time_frame else None
        for seq, measure in enumerate(_numbered_items(values.raw(code)), start=1):
            endpoints.append(Endpoint(kind, seq, measure, time_frame, days))
    return tuple(endpoints)


def _numbered_items(raw: str | None) -> list[str]:
    if not raw:
        return []
    pieces = _ITEM_START.split(raw) if _ITEM_START.match(raw) else [raw]
    return [" ".join(piece.split()) for piece in pieces if piece.strip()]

"""Parts shared by the structured-export parsers (ClinicalTrials.gov XML/JSON, WHO ICTRP).

Criteria from an eligibility text field with spans carried back into the raw document,
endpoints with their timepoints, arms joined to their interventions, and the final
assembly of a `TrialRecord` from mapped values.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import fields as dataclass_fields
from dataclasses import replace
from typing import NoReturn

from flows.parse.criteria import split_criteria
from flows.parse.eligibility import may_hold_region, parse_eligibility
from flows.parse.fieldmap import Mapped
from flows.parse.languages import detect_languages
from flows.parse.outlines import strip_intervention_prefix
from flows.parse.raw_spans import RawField
from flows.parse.sections import segment
from flows.parse.timepoints import parse_time_frame
from flows.records import Arm, Contact, Criterion, Endpoint, TrialRecord, Unmapped
from flows.vocab import lookup

_RECORD_COLUMNS = frozenset(f.name for f in dataclass_fields(TrialRecord))


def reject(message: str) -> NoReturn:
    """Refuse a document that holds no usable record (imported late: flows.parse imports us)."""
    from flows.parse import ParseError

    raise ParseError(message)


def criteria_from_text(value: str, default_kind: str) -> tuple[Criterion, ...]:
    """Criteria of an eligibility text; headings switch the kind, text without them is `default_kind`."""
    if not value.strip():
        return ()
    found = parse_eligibility(segment(value)) if may_hold_region(value) else ()
    if found:
        return found
    return tuple(split_criteria(value, offset=0, kind=default_kind))


def criteria_in_raw(raw_field: RawField, default_kind: str) -> tuple[Criterion, ...]:
    """Criteria of one escaped field value, spans into the document where the raw text reads the same."""
    return tuple(_in_raw(raw_field, c) for c in criteria_from_text(raw_field.value, default_kind))


def criteria_of_field(raw_field: RawField | None, value: str, default_kind: str) -> tuple[Criterion, ...]:
    """Criteria with spans into the raw text when it holds the value verbatim, else without spans."""
    if raw_field is None or raw_field.value != value:
        return without_spans(criteria_from_text(value, default_kind))
    return criteria_in_raw(raw_field, default_kind)


def _in_raw(raw_field: RawField, criterion: Criterion) -> Criterion:
    """`criterion` with its span carried into the document (None where the raw text reads otherwise)."""
    if criterion.span_start is None or criterion.span_end is None:
        return _with_span(criterion, None, None)
    return _with_span(criterion, *raw_field.raw_span(criterion.span_start, criterion.span_end, criterion.text))


def _with_span(c: Criterion, start: int | None, end: int | None) -> Criterion:
    """`c` with another span (built directly: dataclasses.replace is several times slower)."""
    return Criterion(c.kind, c.seq, c.text, start, end, c.thresholds)


def without_spans(criteria: Iterable[Criterion]) -> tuple[Criterion, ...]:
    return tuple(_with_span(c, None, None) for c in criteria)


def renumber(criteria: Iterable[Criterion]) -> tuple[Criterion, ...]:
    """Sequence numbers 1..n per kind in document order (criteria merged from several fields)."""
    counts: dict[str, int] = {}
    numbered: list[Criterion] = []
    for criterion in criteria:
        counts[criterion.kind] = counts.get(criterion.kind, 0) + 1
        numbered.append(replace(criterion, seq=counts[criterion.kind]))
    return tuple(numbered)


def endpoint(kind: str, seq: int, measure: str, time_frame: str | None) -> Endpoint:
    timepoints = parse_time_frame(time_frame) if time_frame else None
    return Endpoint(kind, seq, measure, time_frame, timepoints)


def intervention_name(name: str) -> str:
    return strip_intervention_prefix(name)


def make_arm(
    seq: int,
    label: str | None,
    type_value: str | None,
    description: str | None,
    interventions: Iterable[str],
    unmapped: list[Unmapped],
) -> Arm:
    arm_type = lookup("arm_type", type_value)
    if type_value and arm_type is None:
        unmapped.append(Unmapped("arm_type", type_value))
    names = tuple(dict.fromkeys(intervention_name(n) for n in interventions if n.strip()))
    return Arm(seq, label, arm_type, description, names)


def contact(role: str | None, name: str | None, email: str | None, phone: str | None) -> Contact | None:
    if not any((name, email, phone)):
        return None
    return Contact(role, name, email, phone)


def languages_of(*texts: str | None) -> tuple[str, ...]:
    """The languages the record's texts are written in; English when nothing else shows."""
    found = detect_languages(" ".join(t for t in texts if t))
    return found or ("en",)


def build_record(mapped: Mapped, **parts: object) -> TrialRecord:
    """A registry record from the mapped values plus the structured parts (arms, criteria, ...)."""
    values = {k: v for k, v in mapped.values.items() if k in _RECORD_COLUMNS}
    values.update(parts)
    values.setdefault("unmapped", tuple(mapped.unmapped))
    values.setdefault("partial_reasons", tuple(mapped.problems))
    values.setdefault("registry", None)
    values.setdefault("registry_id", None)
    return TrialRecord(document_kind="registry_record", **values)  # type: ignore[arg-type]

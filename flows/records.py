"""The records that flow between the stages: Document (extract) -> TrialRecord (parse).

Plain frozen dataclasses, no behaviour: every stage reads and writes these, and
`schemas/frames.py` turns them into the contract's tables.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True, slots=True)
class Document:
    """One unit of source text: a file, or one record of a multi-record export."""

    document_id: str  # sha256 hex of the document's bytes
    source_path: str  # the file as found under the source path ("archive.tgz!member" inside archives)
    record_index: int  # 0 for a single-record file
    n_bytes: int
    encoding: str | None  # None when the bytes could not be decoded
    text: str | None  # decoded text that character spans refer to
    format_hint: str | None = None  # set by a splitter that already knows the format
    reject_reason: str | None = None  # set by extract when the bytes are unusable
    partial_reason: str | None = None  # set by extract when the bytes were repaired or cut


@dataclass(frozen=True, slots=True)
class Threshold:
    """One numeric condition of a criterion, as written and in the parameter's canonical unit."""

    parameter: str  # vocabulary: flows/vocab/parameters.csv
    op: str  # < <= > >= = between
    value: float | None
    value_high: float | None = None  # upper bound of `between`
    unit: str | None = None  # as written
    value_canonical: float | None = None
    value_high_canonical: float | None = None
    unit_canonical: str | None = None
    alt_group: int = 0  # thresholds of one criterion sharing a non-zero group are OR-alternatives
    population: str | None = None  # applies only to this group ("women of childbearing potential")
    subject: str | None = None  # what a time window constrains ("biologics", "dialysis")
    negated: bool = False  # the criterion says the condition must NOT hold ("no ... > 2 x ULN")


@dataclass(frozen=True, slots=True)
class Criterion:
    kind: str  # inclusion | exclusion
    seq: int  # 1..n within kind, document order
    text: str
    span_start: int | None  # offsets into Document.text; None only for escaped structured exports
    span_end: int | None
    thresholds: tuple[Threshold, ...] = ()


@dataclass(frozen=True, slots=True)
class Arm:
    seq: int
    label: str | None
    arm_type: str | None  # vocabulary: flows/vocab/arm_type.csv
    description: str | None
    interventions: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Endpoint:
    kind: str  # primary | secondary | other
    seq: int
    measure: str
    time_frame: str | None
    timepoints_days: tuple[int, ...] | None  # None when the time frame cannot be read


@dataclass(frozen=True, slots=True)
class Unmapped:
    """A source value that maps to no vocabulary entry: kept visible, never guessed."""

    column: str
    source_value: str


@dataclass(frozen=True, slots=True)
class TrialRecord:
    registry: str | None
    registry_id: str | None
    document_kind: str  # registry_record | abstract | other
    title: str | None = None
    brief_title: str | None = None
    secondary_ids: tuple[str, ...] = ()
    phase: str | None = None
    study_type: str | None = None
    overall_status: str | None = None
    enrollment: int | None = None
    min_age_years: float | None = None
    max_age_years: float | None = None
    sex: str | None = None
    start_date: date | None = None
    start_date_precision: str | None = None  # day | month | year
    completion_date: date | None = None
    registration_date: date | None = None
    conditions: tuple[str, ...] = ()
    condition_codes: tuple[str, ...] = ()
    sponsor: str | None = None
    countries: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    arms: tuple[Arm, ...] = ()
    criteria: tuple[Criterion, ...] = ()
    endpoints: tuple[Endpoint, ...] = ()
    unmapped: tuple[Unmapped, ...] = ()
    partial_reasons: tuple[str, ...] = ()  # fields that could not be read: the document is `partial`
    contacts: tuple[Contact, ...] = ()


@dataclass(frozen=True, slots=True)
class Contact:
    """Personal data from a registry page; kept out of the analyst tables."""

    role: str | None
    name: str | None
    email: str | None
    phone: str | None


@dataclass(frozen=True, slots=True)
class ParseOutcome:
    """What became of one document: a record, or the reason there is none."""

    document: Document
    source_format: str | None
    record: TrialRecord | None
    reject_reason: str | None = None
    extra: dict[str, str] = field(default_factory=dict)

"""ClinicalTrials.gov study text as re-published by trial-finder pages ("About this trial",
"Eligibility Criteria", "Arms of the Study").

Peculiar to it: the title block (title, then the conditions, one a line) before the first
heading, and the arms table flattened column by column: `Arm 1`, `Arm 2`, then the arm
types, then the arm names, then the descriptions, each in arm order.
"""

from __future__ import annotations

import re
from dataclasses import replace

from flows.parse.field_values import VocabReader
from flows.parse.generic_text import leading_lines, parse_generic
from flows.parse.sections import Line, Segmentation, clean_value
from flows.records import Arm, Document, TrialRecord

FORMAT = "ctgov_text"
_ARM_NUMBER = re.compile(r"Arm \d+", re.IGNORECASE)
_TRIAL_FOR = re.compile(r"\btrial for (?P<conditions>.+?) focused on\b")
_MARKERS = (
    ("About this trial", 0.25),
    ("Arms of the Study", 0.3),
    ("Eligibility Criteria", 0.15),
    ("Sites / Locations", 0.15),
)


def detect(head: str) -> tuple[float, str]:
    found = [(marker, weight) for marker, weight in _MARKERS if marker in head]
    if re.search(r"This is an? (?:interventional|observational) \w+ (?:trial|study) for", head):
        found.append(("This is an ... trial for", 0.25))
    score = float(sum(weight for _, weight in found))
    return min(score, 1.0), " + ".join(f"'{marker}'" for marker, _ in found) or "no ClinicalTrials.gov text marker"


def parse(doc: Document) -> TrialRecord:
    seg, record, reader = parse_generic(doc)
    arms, problem = _flattened_arms(seg, reader)
    return replace(
        record,
        conditions=record.conditions or _conditions(seg),
        arms=arms if arms else record.arms,
        unmapped=tuple(reader.unmapped),
        partial_reasons=record.partial_reasons + ((problem,) if problem else ()),
    )


def _conditions(seg: Segmentation) -> tuple[str, ...]:
    """The lines between the title and the first heading; else 'trial for X focused on'."""
    block = [line.text for line in leading_lines(seg)[1:]]
    if block:
        return tuple(block)
    sentence = _TRIAL_FOR.search(seg.value_of("summary") or "")
    return (sentence.group("conditions"),) if sentence else ()


def _flattened_arms(seg: Segmentation, reader: VocabReader) -> tuple[tuple[Arm, ...], str | None]:
    opening = seg.first("arms")
    if opening is None:
        return (), None
    lines = seg.value_lines(opening)
    count = next((i for i, line in enumerate(lines) if not _ARM_NUMBER.fullmatch(line.text)), len(lines))
    if count == 0:
        return (), None
    columns = lines[count:]
    if len(columns) < 2 * count:
        return (), f"arms: {count} arms but {len(columns)} table cells"
    return tuple(_arm(i, count, columns, reader) for i in range(count)), None


def _arm(index: int, count: int, cells: list[Line], reader: VocabReader) -> Arm:
    """Arm `index` of a table flattened as [types x count, names x count, descriptions x count]."""
    arm_type = reader.read("arm_type", cells[index].text)
    label = clean_value(cells[count + index].text)
    description_cell = 2 * count + index
    description = clean_value(cells[description_cell].text) if description_cell < len(cells) else None
    return Arm(index + 1, label, arm_type, description)

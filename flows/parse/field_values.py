"""Field value text -> typed record values: vocabulary terms, dates, ages, counts, ids.

Each reader returns None for what it cannot read; vocabulary misses are collected as
`Unmapped` by `VocabReader`, never guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from flows.parse.ages import parse_age_range, parse_age_years
from flows.parse.dates import parse_date
from flows.parse.registry_ids import find_registry_ids
from flows.records import Criterion, Unmapped
from flows.vocab import lookup

_FIRST_INTEGER = re.compile(r"\d[\d,]*")
_AGE_CRITERION = re.compile(r"\s*ages?\b\s*:", re.IGNORECASE)
_ICD10 = re.compile(r"\b[A-TV-Z]\d{2}(?:\.\d{1,4})?\b")


@dataclass
class VocabReader:
    """Maps source values through the vocabularies and remembers what did not map."""

    unmapped: list[Unmapped] = field(default_factory=list)

    def read(self, vocabulary: str, source_value: str | None, column: str | None = None) -> str | None:
        if source_value is None:
            return None
        value = lookup(vocabulary, source_value)
        miss = Unmapped(column or vocabulary, source_value)
        if value is None and miss not in self.unmapped:
            self.unmapped.append(miss)
        return value


def read_date(text: str | None) -> tuple[date | None, str | None]:
    """(date, precision) of the first readable date, (None, None) otherwise."""
    if text is None:
        return None, None
    parsed = parse_date(text)
    return (parsed[0], parsed[1]) if parsed else (None, None)


def read_count(text: str | None) -> int | None:
    match = _FIRST_INTEGER.search(text or "")
    return int(match.group().replace(",", "")) if match else None


def read_ages(age: str | None, minimum: str | None, maximum: str | None) -> tuple[float | None, float | None]:
    """Separate minimum/maximum fields win over a combined `Age` range."""
    low, high = parse_age_range(age) if age else (None, None)
    if minimum is not None:
        low = parse_age_years(minimum)
    if maximum is not None:
        high = parse_age_years(maximum)
    return low, high


def ages_from_criteria(criteria: tuple[Criterion, ...]) -> tuple[float | None, float | None]:
    """The age bounds an inclusion criterion states ("Ages: 18-60 years old")."""
    low: float | None = None
    high: float | None = None
    for criterion in criteria:
        if criterion.kind != "inclusion":
            continue
        for threshold in criterion.thresholds:
            if threshold.parameter != "age" or threshold.alt_group or threshold.population:
                continue
            if threshold.op == "between":
                low, high = threshold.value, threshold.value_high
            elif threshold.op in (">", ">="):
                low = threshold.value
            elif threshold.op in ("<", "<="):
                high = threshold.value
    if low is None and high is None:
        stated = next((c.text for c in criteria if c.kind == "inclusion" and _AGE_CRITERION.match(c.text)), None)
        if stated is not None:
            return parse_age_range(stated)
    return low, high


def icd10_codes(texts: list[str]) -> tuple[str, ...]:
    codes = [f"ICD10:{code}" for text in texts for code in _ICD10.findall(text)]
    return tuple(dict.fromkeys(codes))


def registry_identity(labelled_id: str | None, text: str) -> tuple[str | None, str | None, tuple[str, ...]]:
    """(registry, registry id, secondary ids): the labelled id first, else the first id in the text."""
    found = find_registry_ids(labelled_id) if labelled_id else []
    found += [pair for pair in find_registry_ids(text) if pair not in found]
    if not found:
        return None, None, ()
    registry, registry_id = found[0]
    secondary = tuple(dict.fromkeys(other for _, other in found[1:] if other != registry_id))
    return registry, registry_id, secondary

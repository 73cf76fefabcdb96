"""The time vocabulary of `flows/vocab/time_units.csv`: unit words, number words, day-0 words.

Shared by the time-frame parser (lengths in days) and the age parser (lengths in years).
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction
from functools import cache

from flows.vocab import VOCAB_DIR


@dataclass(frozen=True, slots=True)
class TimeVocabulary:
    unit_days: dict[str, Fraction]  # "weeks" -> 7
    unit_years: dict[str, Fraction]  # "months" -> 1/12
    number_words: dict[str, int]  # "twenty-four" -> 24
    baseline_words: frozenset[str]  # words that name day 0


@cache
def time_vocabulary() -> TimeVocabulary:
    unit_days: dict[str, Fraction] = {}
    unit_years: dict[str, Fraction] = {}
    numbers: dict[str, int] = {}
    baseline: set[str] = set()
    with (VOCAB_DIR / "time_units.csv").open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            source = row["source"].strip().casefold()
            if source.startswith("#"):
                continue
            if row["kind"] == "unit":
                unit_days[source] = Fraction(row["value"])
                unit_years[source] = Fraction(row["years"])
            elif row["kind"] == "number":
                numbers[source] = int(row["value"])
            elif row["kind"] == "baseline":
                baseline.add(source)
    return TimeVocabulary(unit_days, unit_years, numbers, frozenset(baseline))


def alternation(words: Iterable[str]) -> str:
    """A regex alternation of `words`, longest first so that "weeks" wins over "w"."""
    ordered = sorted(words, key=len, reverse=True)
    return "|".join(re.escape(w).replace(r"\-", "[- ]") for w in ordered)


def replace_number_words(text: str) -> str:
    """'one, three and six months' -> '1, 3 and 6 months' (text already case-folded)."""
    words = time_vocabulary().number_words
    pattern = _number_word_pattern()
    return pattern.sub(lambda m: str(words[re.sub(r"[- ]", "-", m.group(0))]), text)


@cache
def _number_word_pattern() -> re.Pattern[str]:
    return re.compile(rf"\b(?:{alternation(time_vocabulary().number_words)})\b")

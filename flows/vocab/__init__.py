"""Vocabularies kept as data: one CSV per vocabulary, `source,value` rows.

`lookup("phase", "Phase 1/Phase 2")` -> "PHASE1_PHASE2". Source values are compared
case-folded with runs of white space, `-`, `_` and `/` folded, so a CSV row covers the
common spellings of one value. A value that maps to nothing returns None: callers record
it as `Unmapped`, never guess.
"""

from __future__ import annotations

import csv
import re
from functools import cache
from pathlib import Path

VOCAB_DIR = Path(__file__).parent
_FOLD = re.compile(r"[\s\-_/]+")


def normalise(value: str) -> str:
    return _FOLD.sub(" ", value.casefold()).strip(" .:;,")


@cache
def table(name: str) -> dict[str, str]:
    """The vocabulary `name` as {normalised source value: contract value}."""
    with (VOCAB_DIR / f"{name}.csv").open(encoding="utf-8", newline="") as handle:
        return {normalise(row["source"]): row["value"] for row in csv.DictReader(handle)}


def values(name: str) -> frozenset[str]:
    """The contract values of a vocabulary (the right-hand column)."""
    return frozenset(v for v in table(name).values() if v)


@cache
def contract_values(vocabulary: str) -> tuple[str, ...]:
    """The values CONTRACT.md allows for `vocabulary` (flows/vocab/contract_values.csv)."""
    with (VOCAB_DIR / "contract_values.csv").open(encoding="utf-8", newline="") as handle:
        return tuple(row["value"] for row in csv.DictReader(handle) if row["vocabulary"] == vocabulary)


def lookup(name: str, source_value: str | None) -> str | None:
    if source_value is None:
        return None
    return table(name).get(normalise(source_value)) or None

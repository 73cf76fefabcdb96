"""When two documents describe the same trial_id, which source's record is kept.

A registry's own record beats an aggregator's copy, which beats a web page; ties go to
the document loaded last. Ranks are data: flows/vocab/source_rank.csv.
"""

from __future__ import annotations

import csv
from functools import cache

from flows.vocab import VOCAB_DIR

DEFAULT_RANK = 0


@cache
def _ranks() -> dict[str, int]:
    with (VOCAB_DIR / "source_rank.csv").open(encoding="utf-8", newline="") as handle:
        return {row["source_format"]: int(row["rank"]) for row in csv.DictReader(handle)}


def source_rank(source_format: str | None) -> int:
    return _ranks().get(source_format or "", DEFAULT_RANK)

"""The pure work of one batch: raw records -> documents -> records -> validated frames.

No Prefect and no DuckDB here, so a batch can run in a worker process or a Dask worker
and tests can call it directly.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import pandas as pd

from flows.extract.decode import to_document
from flows.extract.splitters import RawRecord
from flows.parse import parse_document
from flows.records import ParseOutcome
from schemas.frames import build_frames, trial_id_for
from schemas.validate import validate_frames


@dataclass
class BatchResult:
    frames: dict[str, pd.DataFrame]
    quarantine: list[dict[str, Any]]
    seconds: dict[str, float] = field(default_factory=dict)  # decode+parse, frames+validate


def keep_best_duplicates(outcomes: list[ParseOutcome]) -> list[ParseOutcome]:
    """Two documents of one batch naming the same trial: the later one's record wins (ties by order).

    The loser keeps its document row, marked partial with the reason (as the loader does for
    conflicts across batches and runs, settled by source rank).
    """
    from flows.precedence import source_rank

    best: dict[str, int] = {}
    for i, outcome in enumerate(outcomes):
        if outcome.record is None:
            continue
        trial_id = trial_id_for(outcome.record, outcome.document.document_id)
        previous = best.get(trial_id)
        if previous is None or source_rank(outcome.source_format) >= source_rank(outcomes[previous].source_format):
            best[trial_id] = i
    winners = set(best.values())
    result = []
    for i, outcome in enumerate(outcomes):
        if outcome.record is not None and i not in winners:
            trial_id = trial_id_for(outcome.record, outcome.document.document_id)
            kept = outcomes[best[trial_id]].document.source_path
            reason = f"trial {trial_id} kept from {kept} (same or better source)"
            outcome = ParseOutcome(outcome.document, outcome.source_format, None, extra={"superseded": reason})
        result.append(outcome)
    return result


def process_batch(raws: Sequence[RawRecord], run_id: str, loaded_at: datetime) -> BatchResult:
    started = time.perf_counter()
    outcomes = keep_best_duplicates([parse_document(to_document(raw)) for raw in raws])
    parsed = time.perf_counter()
    validated = validate_frames(build_frames(outcomes, run_id, loaded_at))
    done = time.perf_counter()
    return BatchResult(validated.frames, validated.quarantine, {"parse": parsed - started, "validate": done - parsed})


def warm_up() -> None:
    """Validate an empty batch. pandera builds its validators on first use, half a second here: a
    process that will parse batches pays that while it would otherwise wait."""
    process_batch([], "warm-up", datetime.now())

"""The Prefect flow: thin tasks over the pure stages. Read it top to bottom to follow the data.

extract (files -> raw records, hashed) -> parse batches (decode, detect, parse, frames,
pandera) -> load (one DuckDB transaction per run) -> Parquet export -> run summary.
"""

from __future__ import annotations

import time
import uuid
from collections import Counter, deque
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from prefect import flow, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE
from prefect.futures import PrefectFuture

from flows.batch import BatchResult, process_batch
from flows.extract.sources import iter_raw_records
from flows.extract.splitters import RawRecord
from flows.settings import load_settings
from warehouse import load

EXPORTED_TABLES = ("documents", "trials", "arms", "criteria", "criteria_thresholds", "endpoints",
                   "unmapped_values", "quarantine", "runs")


class StrictModeFailure(RuntimeError):
    pass


@dataclass
class RunSummary:
    run_id: str
    sources: list[str]
    documents: Counter[str] = field(default_factory=Counter)  # seen, loaded, partial, rejected, skipped
    rows: dict[str, int] = field(default_factory=dict)  # rows per table after the run
    seconds: Counter[str] = field(default_factory=Counter)  # per stage
    quarantined: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {"run_id": self.run_id, "sources": self.sources, "documents": dict(self.documents),
                "rows": self.rows, "seconds": {k: round(v, 3) for k, v in self.seconds.items()},
                "quarantined": self.quarantined}

    def markdown(self) -> str:
        docs = self.documents
        lines = [f"# Run {self.run_id}", "",
                 "| seen | loaded | partial | rejected | skipped (unchanged) |", "|---|---|---|---|---|",
                 f"| {docs['seen']} | {docs['loaded']} | {docs['partial']} | {docs['rejected']} | {docs['skipped']} |",
                 "", "| table | rows |", "|---|---|"]
        lines += [f"| {table} | {count} |" for table, count in self.rows.items()]
        return "\n".join(lines)


@task(name="parse-batch", cache_policy=NO_CACHE)
def parse_batch(raws: Sequence[RawRecord], run_id: str, loaded_at: datetime) -> BatchResult:
    return process_batch(raws, run_id, loaded_at)


def batched(records: Iterator[RawRecord], size: int) -> Iterator[list[RawRecord]]:
    batch: list[RawRecord] = []
    for record in records:
        batch.append(record)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _load_result(con: Any, result: BatchResult, summary: RunSummary, strict: bool) -> None:
    started = time.perf_counter()
    if strict and result.quarantine:
        first = result.quarantine[0]
        raise StrictModeFailure(f"--strict: {len(result.quarantine)} row(s) failed validation, first: {first}")
    load.load_batch(con, result.frames, result.quarantine, summary.run_id)
    summary.documents.update(result.status_counts())
    summary.quarantined += len(result.quarantine)
    summary.seconds.update(result.seconds)
    summary.seconds["load"] += time.perf_counter() - started


@flow(name="trials-etl", log_prints=False, validate_parameters=False)
def etl(sources: list[str], db: str, parquet: str, strict: bool = False, export_contacts: bool = False) -> dict:
    settings = load_settings()
    run_id = uuid.uuid4().hex[:12]
    summary = RunSummary(run_id, sources)
    started_at = datetime.now()
    con = load.connect(Path(db), settings.lock_timeout_s)
    try:
        con.execute("BEGIN TRANSACTION")
        try:
            load.apply_ddl(con)
            _run(con, summary, settings, [Path(s) for s in sources], strict, started_at)
            staging = _finish(con, summary, Path(parquet), export_contacts, started_at)
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
        load.swap_in(staging, Path(parquet))
    finally:
        con.close()
    create_markdown_artifact(summary.markdown(), key="trials-etl-run-summary", description="trials run summary")
    return summary.as_dict()


def _run(con: Any, summary: RunSummary, settings: Any, sources: list[Path], strict: bool,
         loaded_at: datetime) -> None:
    pending: deque[PrefectFuture[BatchResult]] = deque()
    max_pending = max(2, settings.workers * 2)  # bounded: never hold the corpus in memory
    extract_started = time.perf_counter()
    for batch in batched(iter_raw_records(sources, settings.max_document_bytes), settings.batch_size):
        summary.documents["seen"] += len(batch)
        summary.seconds["extract"] += time.perf_counter() - extract_started
        pending.append(parse_batch.submit(batch, summary.run_id, loaded_at))
        while len(pending) >= max_pending:
            _load_result(con, pending.popleft().result(), summary, strict)
        extract_started = time.perf_counter()
    while pending:
        _load_result(con, pending.popleft().result(), summary, strict)


def _finish(con: Any, summary: RunSummary, parquet: Path, export_contacts: bool, started_at: datetime) -> Path:
    docs = summary.documents
    con.execute(
        "INSERT INTO runs VALUES (?, ?, ?, 'completed', ?, ?, ?, ?, ?, ?)",
        [summary.run_id, started_at, datetime.now(), summary.sources, docs["seen"], docs["loaded"],
         docs["partial"], docs["rejected"], docs["skipped"]],
    )
    tables = EXPORTED_TABLES + (load.PRIVATE_TABLES if export_contacts else ())
    summary.rows = load.table_counts(con, EXPORTED_TABLES + load.PRIVATE_TABLES)
    started = time.perf_counter()
    staging = load.export_parquet(con, parquet, tables)
    summary.seconds["export"] += time.perf_counter() - started
    return staging

"""The Prefect flow: thin tasks over the pure stages. Read it top to bottom to follow the data.

extract (files -> raw records, hashed) -> parse batches (decode, detect, parse, frames,
pandera) -> load (one committed transaction per batch, into a working copy of the warehouse)
-> links (in a fresh worker process) alongside the Parquet export, runs row -> the copy replaces
the warehouse -> run summary.
"""

from __future__ import annotations

import os
import shutil
import time
import uuid
from collections import Counter, defaultdict, deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

from prefect import flow, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE
from prefect.futures import PrefectFuture
from prefect.utilities.annotations import quote

from flows import memory, parse_pool
from flows.batch import BatchResult, process_batch, warm_up
from flows.extract.quick_check import QuickCheck
from flows.extract.sources import distinct_sources, iter_files, with_ids
from flows.extract.splitters import RawRecord
from flows.runners import make_task_runner, pool_workers
from flows.settings import load_settings
from warehouse import links, load, quality, source_files
from warehouse.source_files import FileStamps
from warehouse.stored import SeenPlaces, StoredDocuments, document_key
from warehouse.workspace import Workspace

T = TypeVar("T")
LOOKUP_CHUNK = 500  # records whose stored documents are looked up together
# from this many trials the links are computed in a worker process even when no parse pool runs (a small run
# into a large warehouse), so that the export overlaps them: 9 s over 100,000 trials, against a fork
LINKS_WORKER_TRIALS = 10_000

EXPORTED_TABLES = (
    "documents",
    "trials",
    "arms",
    "criteria",
    "criteria_thresholds",
    "endpoints",
    "unmapped_values",
    "quarantine",
    "runs",
    "trial_versions",
    "trial_links",
    "trial_cluster_ids",
)
LINK_TABLES = ("trial_links", "trial_cluster_ids")  # what links.store writes


class StrictModeFailure(RuntimeError):
    pass


@dataclass
class RunSummary:
    run_id: str
    sources: list[str]
    documents: Counter[str] = field(default_factory=Counter)  # seen, loaded, partial, rejected, skipped
    rows: dict[str, int] = field(default_factory=dict)  # rows per table after the run
    seconds: defaultdict[str, float] = field(default_factory=lambda: defaultdict(float))  # per stage
    quarantined: int = 0
    quality_report: str = ""
    links: int | None = None  # cross-registry links stored by the run (None: kept, no trial changed what they compare)

    def as_dict(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "sources": self.sources,
            "documents": dict(self.documents),
            "rows": self.rows,
            "seconds": {k: round(v, 3) for k, v in self.seconds.items()},
            "quarantined": self.quarantined,
            "links_recomputed": self.links is not None,
        }

    def markdown(self) -> str:
        docs = self.documents
        lines = [
            f"# Run {self.run_id}",
            "",
            "| seen | loaded | partial | rejected | skipped (unchanged) | removed |",
            "|---|---|---|---|---|---|",
            f"| {docs['seen']} | {docs['loaded']} | {docs['partial']} | {docs['rejected']} | {docs['skipped']} "
            f"| {docs['removed']} |",
            "",
            "| table | rows |",
            "|---|---|",
        ]
        lines += [f"| {table} | {count} |" for table, count in self.rows.items()]
        return "\n".join(lines)


class PublishError(RuntimeError):
    """The run committed but its Parquet export could not be put in place."""


def transient_io_failure(task: Any, task_run: Any, state: Any) -> bool:
    """Retry only what a second attempt can fix: I/O errors and a worker process that died."""
    try:
        state.result()
    except (OSError, BrokenProcessPool):
        return True
    except Exception:
        return False
    return False


@task(name="parse-batch", cache_policy=NO_CACHE, retries=1, retry_condition_fn=transient_io_failure)
def parse_batch(raws: Sequence[RawRecord], run_id: str, loaded_at: datetime, workers: int, inline: bool) -> BatchResult:
    return parse_pool.run(process_batch, raws, run_id, loaded_at, workers=workers, inline=inline)


@task(
    name="publish-parquet",
    cache_policy=NO_CACHE,
    retries=2,
    retry_delay_seconds=2,
    retry_condition_fn=transient_io_failure,
)
def _swap_in(staging: Path, target: Path) -> None:
    load.swap_in(staging, target)


def publish_parquet(staging: Path, target: Path) -> None:
    """Put the committed run's export in place (retried on I/O errors); the database is already updated."""
    try:
        _swap_in(staging, target)
    except Exception as exc:
        raise PublishError(
            f"the database was updated, but the Parquet export is not in place ({exc}); it is complete in {staging}"
        ) from exc


def batched(records: Iterator[RawRecord], size: int) -> Iterator[list[RawRecord]]:
    batch: list[RawRecord] = []
    for record in records:
        batch.append(record)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _in_transaction(con: Any, work: Callable[[Any], T]) -> T:
    """work(con) in one transaction. DuckDB trap: after a failed statement COMMIT would silently discard all."""
    con.execute("BEGIN TRANSACTION")
    try:
        result = work(con)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return result


def _batch_connection(workspace: Workspace) -> Any:
    """The working copy, with the schema applied when it is first made."""
    if not workspace.copied:
        _in_transaction(workspace.writable(), load.apply_ddl)
    return workspace.con


@dataclass
class HeldBatches:
    """The batches of a small run, parsed but not loaded: they are loaded in the run's last transaction."""

    results: list[BatchResult]
    replacing: dict[tuple[str, int], str]


def _load_result(
    workspace: Workspace,
    result: BatchResult,
    summary: RunSummary,
    strict: bool,
    replacing: dict[tuple[str, int], str],
    check: QuickCheck,
) -> None:
    """One batch, one committed transaction in the working copy (its commit, most of the time, counted in `load`),
    with the files read whole so far (with 530,000 files recorded in its last transaction instead, a run ran out
    of DuckDB's memory exporting the documents)."""

    def load_batch(con: Any) -> None:
        _load_into(con, result, summary, strict, replacing)
        source_files.add(con, check.take_new(), summary.run_id)

    started = time.perf_counter()
    _in_transaction(_batch_connection(workspace), load_batch)
    summary.seconds["load"] += time.perf_counter() - started


def _load_into(
    con: Any, result: BatchResult, summary: RunSummary, strict: bool, replacing: dict[tuple[str, int], str]
) -> None:
    """The batch's rows, in the caller's transaction."""
    if strict and result.quarantine:
        first = result.quarantine[0]
        raise StrictModeFailure(f"--strict: {len(result.quarantine)} row(s) failed validation, first: {first}")
    documents = result.frames["documents"]
    places = zip(documents["source_path"], documents["record_index"], strict=True)
    stored = [d for d in (replacing.pop(place, None) for place in places) if d is not None]
    load.load_batch(con, result.frames, result.quarantine, summary.run_id, stored)
    summary.quarantined += len(result.quarantine)
    for stage, seconds in result.seconds.items():
        summary.seconds[stage] += seconds
    # Prefect's task state can keep the result alive until the garbage collector runs: free the rows now
    result.frames.clear()
    result.quarantine.clear()
    memory.release_freed()


@flow(name="trials-etl", log_prints=False, validate_parameters=False)
def etl(
    sources: list[str],
    db: str,
    parquet: str,
    strict: bool = False,
    export_contacts: bool = False,
    full_refresh: bool = False,
) -> dict:
    settings = load_settings()
    memory.use_system_allocator()
    run_id = uuid.uuid4().hex[:12]
    summary = RunSummary(run_id, sources)
    started_at = datetime.now()
    con = load.connect(Path(db), settings.lock_timeout_s)
    try:
        workspace = Workspace(con, Path(db), settings.duckdb_memory_limit)
        try:
            seen, check, held = _run(workspace, summary, settings, sources, strict, full_refresh, started_at)
            workspace.take_cores()
            committing = time.perf_counter()
            workspace.write_loaded()
            summary.seconds["commit"] += time.perf_counter() - committing
            staging = _in_transaction(
                workspace.con,
                lambda c: _finish(
                    c,
                    summary,
                    seen,
                    check,
                    held,
                    strict,
                    Path(parquet),
                    export_contacts,
                    full_refresh,
                    started_at,
                    workspace,
                ),
            )
            committing = time.perf_counter()
            workspace.publish()
            summary.seconds["commit"] += time.perf_counter() - committing
        except BaseException:
            workspace.discard()
            raise
        publish_parquet(staging, Path(parquet))
    finally:
        con.close()
    report = _write_report(Path(db), summary)
    create_markdown_artifact(summary.markdown(), key="trials-etl-run-summary", description="trials run summary")
    create_markdown_artifact(summary.quality_report, key="trials-etl-data-quality", description=str(report))
    return summary.as_dict() | {"quality_report": str(report)}


def _write_report(db: Path, summary: RunSummary) -> Path:
    """The data-quality report as Markdown beside the database: reports/<run id>.md and latest.md."""
    folder = db.parent / "reports"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"data-quality-{summary.run_id}.md"
    path.write_text(summary.quality_report, encoding="utf-8")
    (folder / "data-quality-latest.md").write_text(summary.quality_report, encoding="utf-8")
    return path


def _changed_only(
    records: Iterator[RawRecord],
    stored: StoredDocuments,
    full_refresh: bool,
    summary: RunSummary,
    seen: SeenPlaces,
    replacing: dict[tuple[str, int], str],
) -> Iterator[RawRecord]:
    """Skip documents whose bytes are unchanged since they were last loaded (same sha256), unless
    `full_refresh`. Notes in `replacing` the stored document each yielded record replaces."""
    for chunk in batched(records, LOOKUP_CHUNK):
        keys = [document_key(record.source_path, record.record_index) for record in chunk]
        for record, key, stored_id in zip(chunk, keys, stored.document_ids(keys), strict=True):
            seen.add(key)
            if stored_id == record.document_id and record.error is None and not full_refresh:
                summary.documents["seen"] += 1
                summary.documents["skipped"] += 1
                continue
            if stored_id is not None:
                replacing[(record.source_path, record.record_index)] = stored_id
            yield record


def _run(
    workspace: Workspace,
    summary: RunSummary,
    settings: Any,
    sources: list[str],
    strict: bool,
    full_refresh: bool,
    loaded_at: datetime,
) -> tuple[SeenPlaces, QuickCheck, HeldBatches | None]:
    """Parse and load every changed document; returns the places (path, record) read under the sources
    and the quick check's files, kept unread and read whole.

    A run of fewer changed documents than `in_place_max` loads nothing here: its batches are returned,
    to be loaded in the run's last transaction, straight into the warehouse, which is then never copied
    (copying a large warehouse took most of a small nightly run). Until a run has read that many, its
    batches wait parsed rather than loaded."""
    pending: deque[PrefectFuture[BatchResult]] = deque()
    changed_count = 0
    max_pending = settings.workers + 1  # bounded: never hold the corpus in memory
    stored = StoredDocuments.read(workspace.live)
    seen = SeenPlaces()
    replacing: dict[tuple[str, int], str] = {}  # (path, record) -> stored document, for the batches in flight
    check = QuickCheck(
        FileStamps.read(workspace.live) if settings.quick_check and not full_refresh else FileStamps.empty()
    )
    files = check.files_to_read(iter_files(distinct_sources(Path(s) for s in sources)))
    records = with_ids(check.records(files, settings.max_document_bytes))
    changed = _changed_only(records, stored, full_refresh, summary, seen, replacing)
    extract_started = time.perf_counter()
    for batch in batched(changed, settings.batch_size):
        summary.documents["seen"] += len(batch)
        changed_count += len(batch)
        summary.seconds["extract"] += time.perf_counter() - extract_started
        only_batch = len(batch) < settings.batch_size and not pending  # a small run: no pool start-up
        if not only_batch and workspace.loading_threads is None:
            workspace.share_cores(_cores_left(settings))
        # quoted, Prefect does not walk every record of the batch looking for futures; the Dask runner
        # would hand a quoted batch's records to Dask, which takes tuples for tasks of its own
        records_arg = batch if settings.task_runner == "dask" else quote(batch)
        pending.append(parse_batch.submit(records_arg, summary.run_id, loaded_at, pool_workers(settings), only_batch))
        while len(pending) >= max_pending and changed_count >= settings.in_place_max:
            _load_result(workspace, _wait(pending.popleft(), summary), summary, strict, replacing, check)
        extract_started = time.perf_counter()
    summary.seconds["extract"] += time.perf_counter() - extract_started  # the tail, or all of a no-op run
    summary.documents["seen"] += check.kept_documents
    summary.documents["skipped"] += check.kept_documents
    if pending and changed_count < settings.in_place_max and not workspace.copied:
        return seen, check, HeldBatches([_wait(future, summary) for future in pending], replacing)
    while pending:
        _load_result(workspace, _wait(pending.popleft(), summary), summary, strict, replacing, check)
    return seen, check, None


def _cores_left(settings: Any) -> int:
    """The cores of this machine that its parse processes leave to the loading, at least one."""
    local_workers = 0 if settings.dask_address else settings.workers
    return max(1, (os.cpu_count() or 1) - local_workers)


def _wait(future: PrefectFuture[BatchResult], summary: RunSummary) -> BatchResult:
    """The batch's result; the flow thread's idle time while workers parse is the `wait` stage."""
    started = time.perf_counter()
    result = future.result()
    summary.seconds["wait"] += time.perf_counter() - started
    return result


def _finish(
    con: Any,
    summary: RunSummary,
    seen: SeenPlaces,
    check: QuickCheck,
    held: HeldBatches | None,
    strict: bool,
    parquet: Path,
    export_contacts: bool,
    full_refresh: bool,
    started_at: datetime,
    workspace: Workspace,
) -> Path:
    """A small run's batches, removals, links, the runs row, the quality report and the export: the run's
    last transaction. The working copy got the schema; the warehouse of a run that copied nothing has not."""
    if not workspace.copied:
        load.apply_ddl(con)
    if held is not None:
        started = time.perf_counter()
        for result in held.results:
            _load_into(con, result, summary, strict, held.replacing)
        summary.seconds["load"] += time.perf_counter() - started
    docs = summary.documents
    docs["removed"] += load.mark_removed(con, summary.sources, seen, check.untouched(), summary.run_id)
    source_files.add(con, check.take_new(), summary.run_id)
    source_files.forget_unread(con, summary.sources, check.kept, summary.run_id)
    check.release()  # 45 MB after a no-op run over 530,000 files, not to be held through the export
    changed = docs["seen"] > docs["skipped"] or bool(docs["removed"])
    computed_links = None
    started = time.perf_counter()
    links_inputs = stored = links.stored_inputs(con)
    if changed:
        links_inputs = links.inputs_fingerprint(con)
    if links_inputs != stored or (changed and full_refresh):
        # computed in a fresh worker process while this process exports the other tables
        candidates = links.write_candidates(con, workspace.links_folder)
        computed_links = parse_pool.run_later(
            links.compute, workspace.links_folder, in_worker=candidates >= LINKS_WORKER_TRIALS
        )
    summary.seconds["links"] += time.perf_counter() - started
    # final statuses: a document loaded early in the run may have become partial when a later
    # document of a better source took its trial over
    final = dict(
        con.execute(
            "SELECT status, count(*) FROM documents WHERE run_id = ? GROUP BY status", [summary.run_id]
        ).fetchall()
    )
    for status in ("loaded", "partial", "rejected", "removed"):
        docs[status] = final.get(status, 0)
    con.execute(
        "INSERT INTO runs VALUES (?, ?, ?, 'completed', ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            summary.run_id,
            started_at,
            datetime.now(),
            summary.sources,
            docs["seen"],
            docs["loaded"],
            docs["partial"],
            docs["rejected"],
            docs["skipped"],
            docs["removed"],
            links_inputs,
        ],
    )
    tables = EXPORTED_TABLES + (load.PRIVATE_TABLES if export_contacts else ())
    # with links being computed: the other tables first, then the links, then the documents, whose export is
    # the run's largest memory and so waits until the links worker is gone
    later = (*LINK_TABLES, "documents") if computed_links is not None else ()
    started = time.perf_counter()
    staging = load.export_parquet(con, parquet, _without(tables, later))
    summary.seconds["export"] += time.perf_counter() - started
    if computed_links is not None:
        started = time.perf_counter()
        summary.links = links.store(con, computed_links())
        shutil.rmtree(workspace.links_folder)
        summary.seconds["links"] += time.perf_counter() - started
        started = time.perf_counter()
        load.export_into(con, staging, later, parquet)
        summary.seconds["export"] += time.perf_counter() - started
    started = time.perf_counter()
    summary.rows = load.table_counts(con, EXPORTED_TABLES + load.PRIVATE_TABLES)
    summary.quality_report = quality.report_markdown(con, summary.run_id)
    summary.seconds["quality"] += time.perf_counter() - started
    return staging


def _without(tables: tuple[str, ...], left_out: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(t for t in tables if t not in left_out)


def prepare_parsing(settings: Any) -> None:
    """Ready what the first batch would otherwise wait for: the pool's forkserver, started here and
    warming up in its own process, and this process's validators, for a batch parsed inline."""
    if pool_workers(settings) > 1:
        parse_pool.start_forkserver()
    warm_up()


def run_etl(**parameters: Any) -> dict:
    """The flow with the task runner the settings choose (threads, processes or Dask)."""
    runner = make_task_runner(load_settings())
    return etl.with_options(task_runner=runner)(**parameters)

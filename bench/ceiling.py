"""What bounds a run's throughput: the CPU each step of the chain takes per document, and the parse
alone on every worker.

On the ClinicalTrials.gov archive, in this process, without Prefect, one step at a time:

- extract: reading the archive, splitting it into documents and hashing each (the flow process's part);
- decode, parse, frames, validate: a parse worker's part, batch by batch;
- load: the batches into a new DuckDB file as the run loads its working copy, one transaction each, then
  its checkpoint (`checkpoint`) and the Parquet export of every table (`export`).

DuckDB runs on one thread, so that each figure is one core's time. Their sum is the CPU a document costs
with no orchestration at all, and the cores over that sum the most documents per second the chain could
reach here. Then the parse alone (decode to validate) runs through the flow's process pool on every
worker, fed from memory, with nothing else running: its rate is a ceiling that no change outside the
parser can lift. Run with `python -m bench.ceiling`, or as the `ceiling` case of `make bench`.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

import duckdb
import psutil

from bench.measure import TreeCpu, process_tree
from flows import parse_pool
from flows.batch import keep_best_duplicates, process_batch, warm_up
from flows.etl import EXPORTED_TABLES, _in_transaction, batched
from flows.extract.decode import to_document
from flows.extract.sources import file_records, with_ids
from flows.extract.splitters import RawRecord
from flows.parse import parse_document
from flows.settings import load_settings
from schemas.frames import build_frames
from schemas.validate import Validated, validate_frames
from warehouse import load

CTGOV_ARCHIVE = "ctgov-xml.tar.gz"
STEPS = ("extract", "decode", "parse", "frames", "validate", "load", "checkpoint", "export")
RUN_ID = "ceiling"
T = TypeVar("T")


class StepClock:
    """CPU seconds of this process (every thread, DuckDB's included) spent in each step."""

    def __init__(self) -> None:
        self.seconds = dict.fromkeys(STEPS, 0.0)

    def time(self, step: str, work: Callable[[], T]) -> T:
        started = time.process_time()
        try:
            return work()
        finally:
            self.seconds[step] += time.process_time() - started


def read_documents(archive: Path, clock: StepClock) -> list[RawRecord]:
    """Every document of the archive, as the flow's extract gives them, hashed."""
    records: Iterator[RawRecord] = with_ids(file_records(archive, load_settings().max_document_bytes))
    return clock.time("extract", lambda: list(records))


def chain_one_core(raws: list[RawRecord], batch_size: int, folder: Path, clock: StepClock) -> dict[str, int]:
    """Each batch through every step in turn, into a new warehouse under `folder`; returns its row counts."""
    loaded_at = datetime.now()
    con = duckdb.connect(str(folder / "trials.duckdb"))
    try:
        con.execute("SET threads = 1")
        con.execute(f"SET memory_limit = '{load_settings().duckdb_memory_limit}'")
        con.execute("SET checkpoint_threshold = '16GB'")  # as the run's working copy: one checkpoint, at the end
        load.apply_ddl(con)
        for batch in batched(iter(raws), batch_size):
            documents = clock.time("decode", lambda b=batch: [to_document(raw) for raw in b])
            outcomes = clock.time("parse", lambda d=documents: keep_best_duplicates([parse_document(x) for x in d]))
            frames = clock.time("frames", lambda o=outcomes: build_frames(o, RUN_ID, loaded_at))
            validated = clock.time("validate", lambda f=frames: validate_frames(f))
            clock.time("load", lambda v=validated: _load(con, v))
        clock.time("checkpoint", lambda: con.execute("CHECKPOINT"))
        clock.time("export", lambda: load.export_parquet(con, folder / "parquet", EXPORTED_TABLES))
        return load.table_counts(con, ("documents", "trials", "criteria", "criteria_thresholds"))
    finally:
        con.close()


def _load(con: duckdb.DuckDBPyConnection, validated: Validated) -> None:
    """One batch in a transaction of its own, as a run loads its working copy."""
    _in_transaction(con, lambda c: load.load_batch(c, validated.frames, validated.quarantine, RUN_ID, []))


def _children_cpu_s() -> float:
    """CPU seconds of this process's descendants: the forkserver and the parse workers."""
    children = TreeCpu()
    children.sample(process_tree(psutil.Process())[1:])
    return children.total()


def parse_on_every_worker(raws: list[RawRecord], batch_size: int, workers: int) -> dict[str, float]:
    """The parse stage alone through the flow's process pool: wall seconds, documents/s, workers' CPU/doc.

    The pool is started and each worker warmed up before the clock starts; batches are handed over
    from as many threads as the flow keeps batches in flight."""
    loaded_at = datetime.now()
    parse_pool.start_forkserver()
    try:

        def parse(batch: list[RawRecord]) -> None:
            parse_pool.run(process_batch, batch, RUN_ID, loaded_at, workers=workers)

        warm = [raws[i : i + 10] for i in range(0, 10 * workers, 10)]
        with ThreadPoolExecutor(workers) as threads:
            list(threads.map(parse, warm))
        cpu_before, wall_before = _children_cpu_s(), time.perf_counter()
        with ThreadPoolExecutor(workers + 1) as threads:
            list(threads.map(parse, batched(iter(raws), batch_size)))
        wall, cpu = time.perf_counter() - wall_before, _children_cpu_s() - cpu_before
    finally:
        parse_pool.shutdown()
    return {
        "workers": workers,
        "wall_s": round(wall, 2),
        "docs_per_s": round(len(raws) / wall),
        "worker_cpu_ms_per_doc": round(cpu / len(raws) * 1000, 3),
    }


def measure(archive: Path) -> dict[str, Any]:
    settings = load_settings()
    warm_up()  # pandera's validators, built on first use, are not a document's cost
    clock = StepClock()
    raws = read_documents(archive, clock)
    with tempfile.TemporaryDirectory(prefix="trials-ceiling-") as folder:
        rows = chain_one_core(raws, settings.batch_size, Path(folder), clock)
    per_doc = {step: round(seconds / len(raws) * 1000, 3) for step, seconds in clock.seconds.items()}
    chain_ms = sum(clock.seconds.values()) / len(raws) * 1000
    cores = os.cpu_count() or 1
    return {
        "documents": len(raws),
        "rows": rows,
        "cpu_ms_per_doc": per_doc,
        "chain_cpu_ms_per_doc": round(chain_ms, 3),
        "cores": cores,
        "chain_bound_docs_per_s": round(cores / chain_ms * 1000),
        "parse_alone": parse_on_every_worker(raws, settings.batch_size, settings.workers),
    }


def beyond_chain(figures: dict[str, Any], flow_run: dict[str, Any]) -> dict[str, float]:
    """What the real flow spent per document on the same records beyond the chain's steps: Prefect, the
    hand-offs between processes, the links, the quality report, the run's own bookkeeping."""
    flow_ms = flow_run["marginal_cpu_ms_per_doc"]
    return {
        "flow_cpu_ms_per_doc": flow_ms,
        "beyond_chain_ms_per_doc": round(flow_ms - figures["chain_cpu_ms_per_doc"], 3),
    }


def table(figures: dict[str, Any]) -> str:
    steps = figures["cpu_ms_per_doc"]
    alone = figures["parse_alone"]
    lines = [
        " | ".join(("step", *STEPS, "chain")),
        " | ".join("---" for _ in range(len(STEPS) + 2)),
        " | ".join(("CPU ms/doc", *(str(steps[s]) for s in STEPS), str(figures["chain_cpu_ms_per_doc"]))),
        "",
        f"{figures['documents']} documents; the chain on {figures['cores']} cores at most "
        f"{figures['chain_bound_docs_per_s']} docs/s; the parse alone on {alone['workers']} workers: "
        f"{alone['docs_per_s']} docs/s ({alone['worker_cpu_ms_per_doc']} ms of worker CPU a document)",
    ]
    if "flow_cpu_ms_per_doc" in figures:
        lines.append(
            f"the flow on the same records: {figures['flow_cpu_ms_per_doc']} ms/doc, "
            f"{figures['beyond_chain_ms_per_doc']} beyond the chain"
        )
    return "\n".join(lines)


def main() -> dict[str, Any]:
    archive = load_settings().corpora_dir / CTGOV_ARCHIVE
    if not archive.is_file():
        raise FileNotFoundError(f"corpus archive missing: {archive} (set TRIALS_CORPORA)")
    figures = measure(archive)
    print(table(figures))
    return figures


if __name__ == "__main__":
    print(json.dumps(main(), indent=1))

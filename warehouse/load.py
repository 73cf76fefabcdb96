"""DuckDB side of a run: schema, batch loads (each in its own transaction), Parquet export.

DuckDB traps guarded against here and in the flow: a failed statement inside BEGIN aborts the
transaction and a later COMMIT silently discards everything, so every error rolls back
explicitly; and a writing process locks the file against all others, so opening waits a
bounded time and then names the lock.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pyarrow as pa

from flows.extract.archives import MEMBER_SEPARATOR
from flows.precedence import source_rank
from warehouse.export import EXPORT_ORDER, export_into, export_parquet, swap_in
from warehouse.stored import FILE_KEY_SQL, KEY_SQL, SeenPlaces, under_sources

# the run's export, re-exported
__all__ = ["EXPORT_ORDER", "export_into", "export_parquet", "swap_in"]

DDL_DIR = Path(__file__).parent
TRIAL_TABLES = ("trials", "arms", "criteria", "criteria_thresholds", "endpoints", "unmapped_values", "contacts")
PRIVATE_TABLES = ("contacts",)
# the rows a trial_versions snapshot holds
VERSIONED_TABLES = ("trials", "arms", "criteria", "criteria_thresholds", "endpoints")


class WarehouseLocked(RuntimeError):
    pass


class WarehouseError(RuntimeError):
    pass


def is_lock_error(exc: BaseException) -> bool:
    return ("lock" in str(exc).lower() and "conflicting" in str(exc).lower()) or "Could not set lock" in str(exc)


def connect(path: Path, timeout_s: float, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open the warehouse, waiting up to `timeout_s` for another process's lock."""
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            return duckdb.connect(str(path), read_only=read_only)
        except duckdb.IOException as exc:
            if not is_lock_error(exc):
                raise
            if time.monotonic() >= deadline:
                raise WarehouseLocked(
                    f"{path} is locked by another process (a run is loading it); waited {timeout_s:.0f} s. "
                    f"DuckDB said: {exc}"
                ) from exc
            time.sleep(0.5)


def apply_ddl(con: duckdb.DuckDBPyConnection) -> None:
    _load_parameter_units(con)
    for sql_file in sorted(DDL_DIR.glob("*.sql")):
        con.execute(sql_file.read_text(encoding="utf-8"))


def _load_parameter_units(con: duckdb.DuckDBPyConnection) -> None:
    """parameter -> the canonical unit a patient value is given in (flows/vocab/units.csv), for SQL matching."""
    from flows.match import primary_unit
    from flows.parse.units import unit_table

    rows = pd.DataFrame([(p, primary_unit(p)) for p in sorted(unit_table())], columns=["parameter", "unit_canonical"])
    con.register("parameter_units_frame", rows)
    try:
        con.execute("CREATE OR REPLACE TABLE parameter_units AS SELECT * FROM parameter_units_frame")
    finally:
        con.unregister("parameter_units_frame")


@contextmanager
def registered(con: duckdb.DuckDBPyConnection, frames: dict[str, pd.DataFrame | pa.Table]) -> Iterator[None]:
    """Each frame as the view batch_<name>. Handed over as Arrow: DuckDB reads pandas' Arrow-backed
    string columns through a conversion to Python objects, which cost more than the inserts."""
    for name, frame in frames.items():
        table = pa.Table.from_pandas(frame, preserve_index=False) if isinstance(frame, pd.DataFrame) else frame
        con.register(f"batch_{name}", table)
    try:
        yield
    finally:
        for name in frames:
            con.unregister(f"batch_{name}")


def _conflicts(con: duckdb.DuckDBPyConnection, trials: pd.DataFrame) -> tuple[dict[str, str], dict[str, str]]:
    """Stored records of this batch's trials that came from other documents, settled by source rank.

    Returns (new trials that lose, with the reason; stored documents whose trial is taken over, with the reason).
    """
    if trials.empty:
        return {}, {}
    stored = con.execute(
        """SELECT t.trial_id, t.source_format, t.document_id, d.source_path, nd.source_path
           FROM trials t JOIN batch_trials b USING (trial_id)
           LEFT JOIN documents d ON d.document_id = t.document_id
           LEFT JOIN batch_documents nd ON nd.document_id = b.document_id
           WHERE t.document_id <> b.document_id"""
    ).fetchall()
    new_format = dict(zip(trials["trial_id"], trials["source_format"], strict=True))
    losers, displaced = {}, {}
    for trial_id, fmt, old_document, old_path, new_path in stored:
        if source_rank(fmt) > source_rank(new_format[trial_id]):
            losers[trial_id] = f"trial {trial_id} kept from {old_path} ({fmt}), a better source"
        else:
            displaced[old_document] = f"trial {trial_id} now taken from {new_path} (same or better source)"
    return losers, displaced


def _mark_displaced(con: duckdb.DuckDBPyConnection, displaced: dict[str, str], run_id: str) -> None:
    """A stored document whose trial a later document took over is `partial`, saying which."""
    if not displaced:
        return
    frame = pd.DataFrame(list(displaced.items()), columns=["document_id", "reason"])
    with registered(con, {"displaced": frame}):
        con.execute(
            """UPDATE documents d SET status = 'partial', reason = x.reason, run_id = ?
               FROM batch_displaced x WHERE d.document_id = x.document_id AND d.status = 'loaded'""",
            [run_id],
        )


def load_batch(
    con: duckdb.DuckDBPyConnection,
    frames: dict[str, pd.DataFrame],
    quarantine: list[dict[str, Any]],
    run_id: str,
    stored: list[str],
) -> dict[str, int]:
    """Replace the rows of this batch's documents and trials; returns rows inserted per table.

    `stored`: the document ids stored at this batch's (source_path, record_index) keys, which the
    flow knows from the start of the run.
    """
    with registered(con, {"trials": frames["trials"], "documents": frames["documents"]}):
        losers, displaced = _conflicts(con, frames["trials"])
    frames = _drop_superseded(frames, losers)
    counts: dict[str, int] = {}
    with registered(con, frames):
        _delete_replaced(con, stored)
        _stage(con, frames)
        for table, frame in frames.items():
            source = f"stage_{table}" if table in VERSIONED_TABLES else f"batch_{table}"
            if not frame.empty:
                con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM {source}")
            counts[table] = len(frame)
        _record_versions(con, run_id)
    _mark_displaced(con, displaced, run_id)
    if quarantine:
        rows = pd.DataFrame([{**row, "run_id": run_id} for row in quarantine])
        with registered(con, {"quarantine": rows}):
            con.execute("INSERT INTO quarantine BY NAME SELECT * FROM batch_quarantine")
    return counts


def _delete_replaced(con: duckdb.DuckDBPyConnection, stored_ids: list[str]) -> None:
    """Delete the stored rows this batch replaces: its trials, and everything of the documents it re-reads.

    Most batches of a large run are new documents and trials; they skip the deletes, each a scan of a table."""
    with registered(con, {"stored": pd.DataFrame({"document_id": stored_ids}, dtype=object)}):
        con.execute(
            """CREATE OR REPLACE TEMP TABLE replaced_trials AS
               SELECT trial_id FROM trials WHERE trial_id IN (SELECT trial_id FROM batch_trials)
               UNION
               SELECT trial_id FROM trials WHERE document_id IN (SELECT document_id FROM batch_stored)"""
        )
    if con.execute("SELECT count(*) FROM replaced_trials").fetchone() != (0,):
        for table in TRIAL_TABLES:
            con.execute(f"DELETE FROM {table} WHERE trial_id IN (SELECT trial_id FROM replaced_trials)")
    if stored_ids:
        con.execute(
            """DELETE FROM documents d USING batch_documents b
               WHERE d.source_path = b.source_path AND d.record_index = b.record_index"""
        )


def _stage(con: duckdb.DuckDBPyConnection, frames: dict[str, pd.DataFrame]) -> None:
    """The batch's versioned rows with the stored tables' column types, so that a version snapshot
    made from them is exactly the stored rows."""
    for table in VERSIONED_TABLES:
        con.execute(f"CREATE OR REPLACE TEMP TABLE stage_{table} AS SELECT * FROM {table} LIMIT 0")
        if not frames[table].empty:
            con.execute(f"INSERT INTO stage_{table} BY NAME SELECT * FROM batch_{table}")


def _child_json(table: str) -> str:
    """A trial's child rows as a JSON list in key order. The key columns lead each child table (see
    EXPORT_ORDER), so sorting the row structs sorts by key; ORDER BY inside list() costs three times more."""
    return (
        f"LEFT JOIN (SELECT trial_id, to_json(list_sort(list(x)))::VARCHAR AS rows "
        f"FROM stage_{table} x GROUP BY trial_id) {table} USING (trial_id)"
    )


def _record_versions(con: duckdb.DuckDBPyConnection, run_id: str) -> None:
    """Open a new version for each trial of the batch whose document differs from its current one."""
    con.execute(
        """CREATE OR REPLACE TEMP TABLE changed_trials AS
           SELECT b.trial_id, b.document_id, coalesce(max(v.version), 0) + 1 AS version,
                  count(v.version) > 0 AS has_versions
           FROM batch_trials b LEFT JOIN trial_versions v ON v.trial_id = b.trial_id
           GROUP BY ALL
           HAVING NOT bool_or(coalesce(v.valid_to IS NULL AND v.document_id = b.document_id, false))"""
    )
    if con.execute("SELECT count(*) FROM changed_trials WHERE has_versions").fetchone() != (0,):
        con.execute(
            "UPDATE trial_versions SET valid_to = now()::TIMESTAMP WHERE valid_to IS NULL "
            "AND trial_id IN (SELECT trial_id FROM changed_trials)"
        )
    children = [t for t in VERSIONED_TABLES if t != "trials"]
    joins = "\n".join(_child_json(t) for t in children)
    con.execute(
        f"""INSERT INTO trial_versions
            SELECT c.trial_id, c.version, c.document_id, now()::TIMESTAMP, NULL, ?, to_json(t)::VARCHAR,
                   {", ".join(f"{name}.rows" for name in children)}
            FROM changed_trials c JOIN stage_trials t USING (trial_id)
            {joins}
            ORDER BY c.trial_id""",
        [run_id],
    )


def mark_removed(
    con: duckdb.DuckDBPyConnection, sources: list[str], seen: SeenPlaces, kept_files: SeenPlaces, run_id: str
) -> int:
    """Documents under this run's sources that were not found again: marked removed, their trials ended.

    Found again: a place the run read (`seen`), or any document of a file the quick check kept unread
    (`kept_files`, keys of file paths): a document whose source_path is the file's, or a member of it."""
    if not sources:
        return 0
    under, values = under_sources("source_path", sources)
    with registered(
        con, {"seen": pa.table({"key": seen.as_arrow()}), "kept": pa.table({"key": kept_files.as_arrow()})}
    ):
        con.execute(
            f"""CREATE OR REPLACE TEMP TABLE gone AS
                WITH unseen AS (
                    SELECT source_path, record_index, document_id FROM documents
                    WHERE status <> 'removed' AND ({under}) AND {KEY_SQL} NOT IN (SELECT key FROM batch_seen)),
                files AS (  -- each path that may be the file: the whole source_path, and what precedes each separator
                    SELECT source_path,
                           unnest([array_to_string(parts[1:k], ?) for k in range(1, len(parts) + 1)]) AS file_path
                    FROM (SELECT DISTINCT source_path, string_split(source_path, ?) AS parts FROM unseen))
                SELECT * FROM unseen
                WHERE source_path NOT IN (SELECT source_path FROM files
                                          WHERE {FILE_KEY_SQL} IN (SELECT key FROM batch_kept))""",
            [*values, MEMBER_SEPARATOR, MEMBER_SEPARATOR],
        )
    gone = con.execute("SELECT count(*) FROM gone").fetchone()[0]  # type: ignore[index]
    if not gone:
        return 0
    con.execute("""CREATE OR REPLACE TEMP TABLE gone_trials AS
                   SELECT trial_id FROM trials WHERE document_id IN (SELECT document_id FROM gone)""")
    con.execute(
        "UPDATE trial_versions SET valid_to = now()::TIMESTAMP WHERE valid_to IS NULL "
        "AND trial_id IN (SELECT trial_id FROM gone_trials)"
    )
    for table in TRIAL_TABLES:
        con.execute(f"DELETE FROM {table} WHERE trial_id IN (SELECT trial_id FROM gone_trials)")
    con.execute(
        """UPDATE documents d SET status = 'removed', run_id = ?, loaded_at = now()::TIMESTAMP,
                  reason = 'no longer found under the source path'
           FROM gone g WHERE d.source_path = g.source_path AND d.record_index = g.record_index""",
        [run_id],
    )
    return int(gone)


def _drop_superseded(frames: dict[str, pd.DataFrame], losers: dict[str, str]) -> dict[str, pd.DataFrame]:
    if not losers:
        return frames
    out = {t: (f[~f["trial_id"].isin(list(losers))] if t in TRIAL_TABLES else f) for t, f in frames.items()}
    docs = out["documents"].copy()
    trials = frames["trials"]
    for trial_id, reason in losers.items():
        document_id = trials.loc[trials["trial_id"] == trial_id, "document_id"].iloc[0]
        mask = docs["document_id"] == document_id
        docs.loc[mask, "status"] = "partial"
        docs.loc[mask, "reason"] = reason
    out["documents"] = docs
    return out


def table_counts(con: duckdb.DuckDBPyConnection, tables: Iterable[str]) -> dict[str, int]:
    return {t: int(con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]) for t in tables}  # type: ignore[index]

"""Parquet export: every table into a staging folder that `swap_in` makes current after the run.

Small tables are one file, `<table>.parquet`. The large ones are hive-partitioned folders of the
same name, `<table>.parquet/registry=<registry>/data_0.parquet` (zstd), so a reader that wants
one registry opens only its files; DuckDB (`read_parquet('criteria.parquet/*/*.parquet')`) and
pyarrow (`pq.read_table('criteria.parquet')`) give `registry` back as a column. `trials` is
partitioned by its own `registry`; `documents` and the child tables get their trial's registry
by a join at export time (a document without a trial, and so without a registry, is in
`registry=__HIVE_DEFAULT_PARTITION__`).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterable
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from warehouse.redact import contact_span_rows, mask_spans

# each table's key order: the export's row order for the small tables, and the order of child rows in
# trial_versions snapshots
EXPORT_ORDER = {
    "documents": "source_path, record_index",
    "trials": "trial_id",
    "arms": "trial_id, arm_seq",
    "criteria": "trial_id, kind, criterion_seq",
    "criteria_thresholds": "trial_id, kind, criterion_seq, threshold_seq",
    "endpoints": "trial_id, kind, endpoint_seq",
    "unmapped_values": "trial_id, column_name, source_value",
    "quarantine": "run_id, table_name, trial_id, column_name",
    "runs": "started_at, run_id",
    "trial_versions": "trial_id, version",
    "trial_links": "trial_id, linked_trial_id",
    "trial_cluster_ids": "trial_id",
}
# the tables that grow with the corpus: partitioned by registry
PARTITIONED = ("documents", "trials", "criteria", "criteria_thresholds")
# tables too large to sort within the run's memory limit: streamed, in no particular row order
UNSORTED = (*PARTITIONED, "trial_versions")
# documents read at a time for the export (and for finding contact spans, where their texts become
# Python strings, and the heap grown to hold a larger batch stays with the process)
REDACTED_BATCH_ROWS = 200
ROW_GROUP_ROWS = 1000  # rows per row group of the redacted documents files: 1,000 texts, about 15 MB
# a Parquet writer holds a whole row group in memory, one per thread
PARQUET_OPTIONS = "FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 8192"
# a row of trial_versions holds a whole trial as JSON (about 7 KB): 8,192 of them per thread ran out of
# the run's 256 MB at 200,000 trials, with the working copy's unwritten rows holding the rest; 2,048 is
# the smallest row group DuckDB writes
WIDE_ROWS_OPTIONS = "FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 2048"
WIDE_ROWS = ("trial_versions",)


def table_path(folder: Path, table: str) -> Path:
    return folder / f"{table}.parquet"


def export_parquet(con: duckdb.DuckDBPyConnection, target: Path, tables: Iterable[str]) -> Path:
    """Write every table to a fresh folder beside `target`; `swap_in` makes it current after commit."""
    staging = target.with_name(target.name + ".new")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    export_into(con, staging, tables)
    return staging


def export_into(con: duckdb.DuckDBPyConnection, staging: Path, tables: Iterable[str]) -> None:
    """Write `tables` into a folder `export_parquet` made."""
    # The unsorted tables need no particular row order; DuckDB otherwise buffers rows to keep the scan's
    # order, and trial_versions at 100,000 trials outgrows a 256 MB memory limit doing so.
    con.execute("SET preserve_insertion_order = false")
    for table in tables:
        if table == "documents":
            _export_documents_redacted(con, table_path(staging, table))
        else:
            _export_table(con, table, table_path(staging, table))
    # not in a `finally`: after a failed statement the run's transaction is aborted, a RESET would fail
    # too and hide the error; the failed run closes the connection anyway
    con.execute("RESET preserve_insertion_order")


def _export_table(con: duckdb.DuckDBPyConnection, table: str, path: Path) -> None:
    if table not in PARTITIONED:
        order = EXPORT_ORDER.get(table) if table not in UNSORTED else None
        query = f"SELECT * FROM {table}" + (f" ORDER BY {order}" if order else "")
        con.execute(f"COPY ({query}) TO '{path}' ({WIDE_ROWS_OPTIONS if table in WIDE_ROWS else PARQUET_OPTIONS})")
        return
    if table == "trials":
        query = "SELECT * FROM trials"
    else:
        query = f"SELECT x.*, t.registry FROM {table} x LEFT JOIN trials t USING (trial_id)"
    con.execute(f"COPY ({query}) TO '{path}' ({PARQUET_OPTIONS}, PARTITION_BY (registry))")
    if not any(path.iterdir()):  # an empty table: still one file with the table's columns
        con.execute(f"COPY ({query} LIMIT 0) TO '{path / 'data_0.parquet'}' (FORMAT parquet)")


SPANS_TYPE = pa.list_(pa.struct([("span_start", pa.int32()), ("span_end", pa.int32())]))


def _export_documents_redacted(con: duckdb.DuckDBPyConnection, path: Path) -> None:
    """documents with contact details masked in `text` (same length, so spans still hold), streamed. The
    parse workers found where they are (documents.contact_spans); the rows stored before that column get
    theirs here, once."""
    fill_contact_spans(con)
    reader = con.execute(
        "SELECT d.*, t.registry FROM documents d LEFT JOIN trials t ON t.document_id = d.document_id"
    ).to_arrow_reader(REDACTED_BATCH_ROWS)
    path.mkdir()
    partitions = _RegistryFiles(path)
    try:
        for batch in reader:
            partitions.add(_redacted(batch), batch.column("registry").to_pylist())
    finally:
        partitions.close()
    if not partitions.writers:  # no documents: still one file with the table's columns
        empty = "SELECT * EXCLUDE (contact_spans) FROM documents LIMIT 0"
        con.execute(f"COPY ({empty}) TO '{path / 'data_0.parquet'}' (FORMAT parquet)")


def _redacted(batch: pa.RecordBatch) -> pa.Table:
    """The batch's documents columns, `text` with its contact spans masked. Most documents have none:
    only the texts of those that do become Python strings."""
    spans = batch.column("contact_spans")
    if spans.null_count:
        raise ValueError("documents without contact_spans would be exported unredacted: fill_contact_spans first")
    columns = {name: batch.column(name) for name in batch.schema.names if name not in ("contact_spans", "registry")}
    has_spans = pc.greater(pc.list_value_length(spans), 0)
    rows = pc.indices_nonzero(has_spans)
    if len(rows):
        texts = pc.take(columns["text"], rows).to_pylist()
        masked = [
            mask_spans(text, [(span["span_start"], span["span_end"]) for span in text_spans])
            for text, text_spans in zip(texts, pc.take(spans, rows).to_pylist(), strict=True)
        ]
        columns["text"] = pc.replace_with_mask(columns["text"], has_spans, pa.array(masked, columns["text"].type))
    return pa.table(columns)


def fill_contact_spans(con: duckdb.DuckDBPyConnection) -> int:
    """Find the contact spans of the documents stored without them (a warehouse made before the column);
    returns how many there were."""
    reader = con.execute(
        """WITH known AS (
                SELECT t.document_id, list(x ORDER BY c.contact_seq, k) AS known
                FROM contacts c JOIN trials t USING (trial_id),
                     unnest([c.email, c.phone]) WITH ORDINALITY AS u(x, k)
                WHERE x IS NOT NULL GROUP BY t.document_id)
            SELECT d.document_id, d.text, known.known
            FROM documents d LEFT JOIN known USING (document_id) WHERE d.contact_spans IS NULL"""
    ).to_arrow_reader(REDACTED_BATCH_ROWS)
    found = [pa.table({"document_id": batch.column("document_id"), "spans": _spans_of(batch)}) for batch in reader]
    if not found:
        return 0
    con.register("found_spans", pa.concat_tables(found))
    try:
        # a document found at two places is read twice (DISTINCT over the texts would hold them all)
        con.execute(
            """UPDATE documents d SET contact_spans = s.spans
               FROM (SELECT document_id, any_value(spans) AS spans FROM found_spans GROUP BY document_id) s
               WHERE s.document_id = d.document_id"""
        )
    finally:
        con.unregister("found_spans")
    return sum(len(table) for table in found)  # places, not distinct documents


def _spans_of(batch: pa.RecordBatch) -> pa.Array:
    texts, known = batch.column("text").to_pylist(), batch.column("known").to_pylist()
    spans = [contact_span_rows(text, values or ()) for text, values in zip(texts, known, strict=True)]
    return pa.array(spans, type=SPANS_TYPE)


class _RegistryFiles:
    """`registry=<registry>/data_0.parquet` under a folder, one writer each, in row groups of ROW_GROUP_ROWS."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.writers: dict[str | None, pq.ParquetWriter] = {}
        self.pending: dict[str | None, list[pa.Table]] = {}

    def add(self, table: pa.Table, registries: list[str | None]) -> None:
        present = dict.fromkeys(registries)
        for registry in present:
            rows = table if len(present) == 1 else table.filter(pa.array([r == registry for r in registries]))
            pending = self.pending.setdefault(registry, [])
            pending.append(rows)
            if sum(len(t) for t in pending) >= ROW_GROUP_ROWS:
                self._flush(registry)

    def close(self) -> None:
        try:
            for registry in list(self.pending):
                self._flush(registry)
        finally:
            for writer in self.writers.values():
                writer.close()

    def _flush(self, registry: str | None) -> None:
        rows = pa.concat_tables(self.pending.pop(registry))
        writer = self.writers.get(registry)
        if writer is None:
            folder = self.path / f"registry={registry if registry is not None else '__HIVE_DEFAULT_PARTITION__'}"
            folder.mkdir()
            writer = pq.ParquetWriter(folder / "data_0.parquet", rows.schema, compression="zstd")
            self.writers[registry] = writer
        writer.write_table(rows, row_group_size=ROW_GROUP_ROWS)


def link_unchanged(current: Path, staging: Path, tables: Iterable[str]) -> bool:
    """Hard-link the current export of `tables` into staging (a run that changed nothing in them).

    Returns False, having linked nothing, when the current export lacks one of them.
    """
    sources = [table_path(current, t) for t in tables]
    if not all(s.exists() for s in sources):
        return False
    for source in sources:
        target = table_path(staging, source.name.removesuffix(".parquet"))
        if source.is_dir():
            shutil.copytree(source, target, copy_function=os.link)
        else:
            os.link(source, target)
    return True


def swap_in(staging: Path, target: Path) -> None:
    old = target.with_name(target.name + ".old")
    shutil.rmtree(old, ignore_errors=True)
    if target.exists():
        target.rename(old)
    staging.rename(target)
    shutil.rmtree(old, ignore_errors=True)

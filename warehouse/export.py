"""Parquet export: every table into a staging folder that `swap_in` makes current after the run.

Small tables are one file, `<table>.parquet`. The large ones are hive-partitioned folders of the
same name, `<table>.parquet/registry=<registry>/data_0.parquet` (zstd), so a reader that wants
one registry opens only its files; DuckDB (`read_parquet('criteria.parquet/*/*.parquet')`) and
pyarrow (`pq.read_table('criteria.parquet')`) give `registry` back as a column. `trials` is
partitioned by its own `registry`; `documents` and the child tables get their trial's registry
by a join at export time (a document without a trial, and so without a registry, is in
`registry=__HIVE_DEFAULT_PARTITION__`).

Each part of the export (a small table's file, a large table's registry folder) has a fingerprint
of the rows it holds, kept in `_export.json` beside the files. A part whose rows have the same
fingerprint as in the current export is hard-linked from it instead of written again: a run that
changed one registry's trials rewrites that registry's parts and the tables that changed.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Iterable
from functools import cache
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from warehouse import redact
from warehouse.redact import contact_span_rows, mask_spans
from warehouse.versions import code_version

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
MANIFEST = "_export.json"  # each part's fingerprint
DEFAULT_PARTITION = "__HIVE_DEFAULT_PARTITION__"  # the folder of rows without a registry
PART_SQL = f"'registry=' || coalesce(registry, '{DEFAULT_PARTITION}')"  # a partitioned row's folder
# columns a fingerprint leaves out, each determined by columns it keeps: a document's text (and where its
# contact details are) by its document_id, a trial version's snapshot by its trial_id and version
UNHASHED = {
    "documents": ("text", "contact_spans"),
    "trial_versions": ("trial", "arms", "criteria", "criteria_thresholds", "endpoints"),
}


def table_path(folder: Path, table: str) -> Path:
    return folder / f"{table}.parquet"


def export_parquet(con: duckdb.DuckDBPyConnection, target: Path, tables: Iterable[str]) -> Path:
    """Write every table to a fresh folder beside `target`, the current export, hard-linking from it the
    parts whose rows are unchanged; `swap_in` makes the folder current after commit."""
    staging = target.with_name(target.name + ".new")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    export_into(con, staging, tables, target)
    return staging


def export_into(
    con: duckdb.DuckDBPyConnection, staging: Path, tables: Iterable[str], current: Path | None = None
) -> None:
    """Write `tables` into a folder `export_parquet` made, linking the unchanged parts of `current`."""
    # The unsorted tables need no particular row order; DuckDB otherwise buffers rows to keep the scan's
    # order, and trial_versions at 100,000 trials outgrows a 256 MB memory limit doing so.
    con.execute("SET preserve_insertion_order = false")
    manifest = read_manifest(staging)
    before = read_manifest(current) if current is not None else {}
    for table in tables:
        if table == "documents":
            fill_contact_spans(con)
        prints = fingerprints(con, table)
        unchanged = _unchanged_parts(current, table, prints, before.get(table, {}))
        if table == "documents":
            _export_documents_redacted(con, table_path(staging, table), unchanged)
        else:
            _export_table(con, table, table_path(staging, table), unchanged)
        if current is not None:
            for part in unchanged:
                _link(_part_path(current, table, part), _part_path(staging, table, part))
        manifest[table] = prints
    (staging / MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=True), encoding="utf-8")
    # not in a `finally`: after a failed statement the run's transaction is aborted, a RESET would fail
    # too and hide the error; the failed run closes the connection anyway
    con.execute("RESET preserve_insertion_order")


def source_query(table: str, columns: str = "x.*") -> str:
    """The rows a table exports (the table is `x`); a partitioned table's with their registry."""
    if table == "documents":
        return f"SELECT {columns}, t.registry FROM documents x LEFT JOIN trials t ON t.document_id = x.document_id"
    if table in PARTITIONED and table != "trials":
        return f"SELECT {columns}, t.registry FROM {table} x LEFT JOIN trials t USING (trial_id)"
    return f"SELECT {columns} FROM {table} x"


def _changed_parts_query(table: str, unchanged: set[str]) -> str:
    """source_query without the rows of the `unchanged` partitions. Their rows are found from the keys alone
    and the others fetched by rowid: filtered after the join, every text was read first (4 s for 572 of
    101,705 documents, against 0.04 s)."""
    query = source_query(table)
    if not unchanged:
        return query
    keys = source_query(table, "x.rowid AS row_id" + (", x.registry" if table == "trials" else ""))
    listed = ", ".join("'" + part.replace("'", "''") + "'" for part in sorted(unchanged))
    return f"{query} WHERE x.rowid IN (SELECT row_id FROM ({keys}) WHERE {PART_SQL} NOT IN ({listed}))"


def fingerprints(con: duckdb.DuckDBPyConnection, table: str) -> dict[str, str]:
    """Each part of the table's export ('' for a table in one file, else its `registry=` folder) -> a
    fingerprint of its rows: the export code and the columns' names and types, the row count, and the XOR
    and the sum of a hash of each row. Every row a run writes carries its run_id, so its part's changes."""
    query = source_query(table)
    described = con.execute(f"DESCRIBE {query}").fetchall()
    shape = hashlib.sha256(f"{_code_version()} {[row[:2] for row in described]}".encode()).hexdigest()[:12]
    hashed = ", ".join(f'"{row[0]}"' for row in described if row[0] not in UNHASHED.get(table, ()))
    aggregates = f"count(*), bit_xor(hash({hashed})), sum(hash({hashed}))"
    if table in PARTITIONED:
        rows = con.execute(f"SELECT {PART_SQL}, {aggregates} FROM ({query}) GROUP BY 1").fetchall()
    else:  # one part, also when empty
        rows = con.execute(f"SELECT '', {aggregates} FROM ({query})").fetchall()
    return {name: f"{shape}:{count}:{xor}:{total}" for name, count, xor, total in rows}


@cache
def _code_version() -> str:
    """An export written by other export code, or other library versions, is written again."""
    return code_version((__file__, redact.__file__), (duckdb.__version__, pa.__version__))


def read_manifest(folder: Path) -> dict[str, dict[str, str]]:
    """The fingerprints of an export's parts; none for a folder without (an export of an older release)."""
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return manifest if isinstance(manifest, dict) else {}


def _unchanged_parts(current: Path | None, table: str, prints: dict[str, str], before: dict[str, str]) -> set[str]:
    """The parts of `table` the current export holds with the same fingerprint."""
    if current is None:
        return set()
    return {p for p, print_ in prints.items() if before.get(p) == print_ and _part_path(current, table, p).exists()}


def _part_path(folder: Path, table: str, part: str) -> Path:
    return table_path(folder, table) / part if part else table_path(folder, table)


def _link(source: Path, target: Path) -> None:
    if source.is_dir():
        shutil.copytree(source, target, copy_function=os.link)
    else:
        os.link(source, target)


def _export_table(con: duckdb.DuckDBPyConnection, table: str, path: Path, unchanged: set[str]) -> None:
    if table not in PARTITIONED:
        if unchanged:  # its one file is linked
            return
        order = EXPORT_ORDER.get(table) if table not in UNSORTED else None
        query = source_query(table) + (f" ORDER BY {order}" if order else "")
        con.execute(f"COPY ({query}) TO '{path}' ({WIDE_ROWS_OPTIONS if table in WIDE_ROWS else PARQUET_OPTIONS})")
        return
    query = _changed_parts_query(table, unchanged)
    con.execute(f"COPY ({query}) TO '{path}' ({PARQUET_OPTIONS}, PARTITION_BY (registry))")
    path.mkdir(exist_ok=True)
    if not unchanged and not any(path.iterdir()):  # an empty table: still one file with the table's columns
        con.execute(f"COPY ({query} LIMIT 0) TO '{path / 'data_0.parquet'}' (FORMAT parquet)")


SPANS_TYPE = pa.list_(pa.struct([("span_start", pa.int32()), ("span_end", pa.int32())]))


def _export_documents_redacted(con: duckdb.DuckDBPyConnection, path: Path, unchanged: set[str]) -> None:
    """documents with contact details masked in `text` (same length, so spans still hold), streamed, but for
    the partitions in `unchanged`. The parse workers found where they are (documents.contact_spans); the rows
    stored before that column get theirs from `fill_contact_spans`, once."""
    reader = con.execute(_changed_parts_query("documents", unchanged)).to_arrow_reader(REDACTED_BATCH_ROWS)
    path.mkdir()
    partitions = _RegistryFiles(path)
    try:
        for batch in reader:
            partitions.add(_redacted(batch), batch.column("registry").to_pylist())
    finally:
        partitions.close()
    if not partitions.writers and not unchanged:  # no documents: still one file with the table's columns
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
            folder = self.path / f"registry={registry if registry is not None else DEFAULT_PARTITION}"
            folder.mkdir()
            writer = pq.ParquetWriter(folder / "data_0.parquet", rows.schema, compression="zstd")
            self.writers[registry] = writer
        writer.write_table(rows, row_group_size=ROW_GROUP_ROWS)


def swap_in(staging: Path, target: Path) -> None:
    old = target.with_name(target.name + ".old")
    shutil.rmtree(old, ignore_errors=True)
    if target.exists():
        target.rename(old)
    staging.rename(target)
    shutil.rmtree(old, ignore_errors=True)

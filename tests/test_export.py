"""The redacted documents export on the seeds warehouse: every document once, in its registry's
partition, its text redacted, in row groups of the configured size (small sizes here, so that the
five seeds cross batch and row-group boundaries and batches that mix registries)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

from tests.conftest import Warehouse
from tests.reliability.test_privacy import SEED_EMAILS, SEED_PHONES
from warehouse import export
from warehouse.load import apply_ddl
from warehouse.redact import redact


@pytest.fixture()
def small_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(export, "REDACTED_BATCH_ROWS", 2)
    monkeypatch.setattr(export, "ROW_GROUP_ROWS", 2)


def _exported(seed_warehouse: Warehouse, tmp_path: Path) -> Path:
    with duckdb.connect(str(seed_warehouse.db), read_only=True) as con:
        path = tmp_path / "documents.parquet"
        export._export_documents_redacted(con, path, set())
    return path


def test_each_document_once_in_its_registry_partition(
    seed_warehouse: Warehouse, tmp_path: Path, small_batches: None
) -> None:
    path = _exported(seed_warehouse, tmp_path)
    stored = dict(
        seed_warehouse.query(
            "SELECT d.document_id, coalesce(t.registry, '__HIVE_DEFAULT_PARTITION__') FROM documents d "
            "LEFT JOIN trials t ON t.document_id = d.document_id"
        )
    )
    exported = {
        document_id: file.parent.name.removeprefix("registry=")
        for file in path.glob("registry=*/data_0.parquet")
        for document_id in pq.read_table(file, columns=["document_id"]).column("document_id").to_pylist()
    }
    assert exported == stored
    assert len(set(stored.values())) >= 3  # the seeds span registries, so batches of two mix them


def test_texts_are_the_stored_texts_redacted(seed_warehouse: Warehouse, tmp_path: Path, small_batches: None) -> None:
    path = _exported(seed_warehouse, tmp_path)
    known = dict(
        seed_warehouse.query(
            "SELECT t.document_id, list(x ORDER BY c.contact_seq, k) FROM contacts c JOIN trials t USING (trial_id), "
            "unnest([c.email, c.phone]) WITH ORDINALITY AS u(x, k) WHERE x IS NOT NULL GROUP BY t.document_id"
        )
    )
    stored = dict(seed_warehouse.query("SELECT document_id, text FROM documents"))
    exported = pq.read_table(path).to_pydict()
    texts = dict(zip(exported["document_id"], exported["text"], strict=True))
    assert texts == {doc: redact(text, known.get(doc, ())) for doc, text in stored.items()}
    assert sum(text != redact(text) for text in stored.values()) >= 1  # some seed does carry contact details


def test_documents_hold_where_their_contact_details_are(seed_warehouse: Warehouse) -> None:
    """The parse workers store each document's contact spans; the export only applies them."""
    masked = {
        text[span["span_start"] : span["span_end"]]
        for text, spans in seed_warehouse.query("SELECT text, contact_spans FROM documents")
        for span in spans
    }
    assert masked >= SEED_EMAILS | SEED_PHONES


def test_a_warehouse_made_before_contact_spans_gets_them_at_export(
    seed_warehouse: Warehouse, tmp_path: Path, small_batches: None
) -> None:
    copy = tmp_path / "trials.duckdb"
    copy.write_bytes(seed_warehouse.db.read_bytes())
    with duckdb.connect(str(copy)) as con:
        con.execute("ALTER TABLE documents DROP COLUMN contact_spans")
        apply_ddl(con)  # as the next run does: the column is back, empty
        # one document also found at a second place: the same bytes, read twice, filled in once each
        con.execute(
            "INSERT INTO documents SELECT * REPLACE ('copy/' || source_path AS source_path) FROM documents LIMIT 1"
        )
        assert con.execute("SELECT count(*) FROM documents WHERE contact_spans IS NULL").fetchone() == (6,)
        assert export.fill_contact_spans(con) == 6
        assert export.fill_contact_spans(con) == 0  # once filled in, never again
        con.execute("DELETE FROM documents WHERE source_path LIKE 'copy/%'")
        export._export_documents_redacted(con, tmp_path / "old.parquet", set())
        filled = dict(con.execute("SELECT document_id, contact_spans FROM documents").fetchall())
    assert filled == dict(seed_warehouse.query("SELECT document_id, contact_spans FROM documents"))
    assert _rows(tmp_path / "old.parquet") == _rows(_exported(seed_warehouse, tmp_path))


def _rows(path: Path) -> dict[str, dict]:
    rows = pq.read_table(path).to_pylist()
    return {row["document_id"]: row for row in rows}


def test_row_groups_hold_row_group_rows(seed_warehouse: Warehouse, tmp_path: Path, small_batches: None) -> None:
    path = _exported(seed_warehouse, tmp_path)
    sizes: Counter[int] = Counter()
    for file in path.glob("registry=*/data_0.parquet"):
        metadata = pq.ParquetFile(file).metadata
        for group in range(metadata.num_row_groups):
            sizes[metadata.row_group(group).num_rows] += 1
    assert set(sizes) <= {1, 2}
    assert sum(rows * count for rows, count in sizes.items()) == seed_warehouse.scalar("SELECT count(*) FROM documents")


def test_an_export_that_fails_in_the_run_transaction_reports_its_own_error(
    seed_warehouse: Warehouse, tmp_path: Path
) -> None:
    """The export runs inside the run's last transaction. A statement that fails as it runs (running out
    of memory, say) aborts the transaction, and the error the user reads must be that statement's, not
    the "transaction is aborted" of whatever the export would do next."""
    copy = tmp_path / "trials.duckdb"
    copy.write_bytes(seed_warehouse.db.read_bytes())
    staging = tmp_path / "parquet.new"
    staging.mkdir()
    with duckdb.connect(str(copy)) as con:
        con.execute("CREATE VIEW failing AS SELECT CAST(title AS INTEGER) AS title FROM trials")  # fails per row
        con.execute("BEGIN TRANSACTION")
        with pytest.raises(duckdb.ConversionException):
            export.export_into(con, staging, ["trials", "failing"])
        con.execute("ROLLBACK")
    assert pq.read_table(staging / "trials.parquet").num_rows == 5


def test_trial_versions_are_written_in_smaller_row_groups(seed_warehouse: Warehouse, tmp_path: Path) -> None:
    """5,000 snapshots made from the seeds' five: row groups of 2,048 rows, where 8,192 would be one group."""
    copy = tmp_path / "trials.duckdb"
    copy.write_bytes(seed_warehouse.db.read_bytes())
    with duckdb.connect(str(copy)) as con:
        con.execute(
            "INSERT INTO trial_versions SELECT v.* REPLACE (v.trial_id || '-' || r.range AS trial_id) "
            "FROM trial_versions v, range(999) r"
        )
        con.execute("SET threads = 1")  # one writer: row groups of exactly the size asked for
        export.export_into(con, tmp_path, ["trial_versions", "arms"])
    written = pq.ParquetFile(tmp_path / "trial_versions.parquet").metadata
    sizes = [written.row_group(i).num_rows for i in range(written.num_row_groups)]
    assert sum(sizes) == 5000 and len(sizes) == 3  # about 2,048 each (DuckDB cuts at a chunk's end)

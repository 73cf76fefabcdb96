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
from warehouse import export
from warehouse.redact import redact


@pytest.fixture()
def small_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(export, "REDACTED_BATCH_ROWS", 2)
    monkeypatch.setattr(export, "ROW_GROUP_ROWS", 2)


def _exported(seed_warehouse: Warehouse, tmp_path: Path) -> Path:
    with duckdb.connect(str(seed_warehouse.db), read_only=True) as con:
        path = tmp_path / "documents.parquet"
        export._export_documents_redacted(con, path)
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


def test_row_groups_hold_row_group_rows(seed_warehouse: Warehouse, tmp_path: Path, small_batches: None) -> None:
    path = _exported(seed_warehouse, tmp_path)
    sizes: Counter[int] = Counter()
    for file in path.glob("registry=*/data_0.parquet"):
        metadata = pq.ParquetFile(file).metadata
        for group in range(metadata.num_row_groups):
            sizes[metadata.row_group(group).num_rows] += 1
    assert set(sizes) <= {1, 2}
    assert sum(rows * count for rows, count in sizes.items()) == seed_warehouse.scalar("SELECT count(*) FROM documents")

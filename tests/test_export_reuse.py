"""A run's export writes again only the parts whose rows changed and hard-links the rest from the current
export, and holds exactly what a full export of the database holds.

Fixtures: copies of the seeds in a temporary folder, one edited as a registry update would (IRCT's
target sample size 20 -> 24).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import pytest

from flows.etl import EXPORTED_TABLES
from tests.conftest import SEEDS, Warehouse, build_warehouse, seed_path
from warehouse import export

# the other registries' partitions, and the tables without rows
UNCHANGED = sorted(
    [
        f"{table}.parquet/registry={registry}/data_0.parquet"
        for table in ("criteria", "criteria_thresholds", "documents", "trials")
        for registry in ("__HIVE_DEFAULT_PARTITION__", "ctgov")
    ]
    + ["quarantine.parquet", "trial_cluster_ids.parquet", "trial_links.parquet"]
)


def _inodes(folder: Path) -> dict[str, int]:
    return {str(p.relative_to(folder)): p.stat().st_ino for p in folder.rglob("*") if p.is_file()}


def _rows(folder: Path, table: str) -> list[tuple]:
    path = export.table_path(folder, table)
    files = f"{path}/*/*.parquet" if path.is_dir() else str(path)
    with duckdb.connect() as con:
        return con.execute(f"SELECT * FROM read_parquet('{files}', hive_partitioning = true) ORDER BY ALL").fetchall()


@pytest.fixture(scope="module")
def edited_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Warehouse, dict[str, int], dict[str, int]]:
    """The seeds loaded, IRCT's sample size edited, loaded again: the export's files before and after."""
    root = tmp_path_factory.mktemp("reuse")
    source = root / "source"
    shutil.copytree(SEEDS, source)
    first = build_warehouse(root, source)
    before = _inodes(first.parquet)
    irct = source / seed_path("002").name
    irct.write_text(
        irct.read_text(encoding="utf-8").replace("Target sample size: **20**", "Target sample size: **24**"),
        encoding="utf-8",
    )
    second = build_warehouse(root, source)
    return second, before, _inodes(second.parquet)


def test_only_the_changed_registry_and_tables_are_written_again(edited_run) -> None:
    warehouse, before, after = edited_run
    assert sorted(before) == sorted(after)
    kept = sorted(path for path, inode in after.items() if before[path] == inode)
    assert kept == UNCHANGED  # IRCT's partitions, the tables holding its rows and the manifest are new
    assert (
        warehouse.scalar(
            "SELECT enrollment FROM read_parquet(?)",
            [str(warehouse.parquet / "trials.parquet/registry=irct/data_0.parquet")],
        )
        == 24
    )


def test_the_export_holds_what_a_full_export_holds(edited_run, tmp_path: Path) -> None:
    warehouse, _, _ = edited_run
    with duckdb.connect(str(warehouse.db), read_only=True) as con:
        full = export.export_parquet(con, tmp_path / "parquet", EXPORTED_TABLES)  # no current export: all written
    assert _inodes(full).keys() == _inodes(warehouse.parquet).keys()
    for table in EXPORTED_TABLES:
        assert _rows(warehouse.parquet, table) == _rows(full, table), table
    assert json.loads((full / export.MANIFEST).read_text()) == json.loads(
        (warehouse.parquet / export.MANIFEST).read_text()
    )


def test_a_run_that_changed_nothing_writes_only_its_runs_row(edited_run) -> None:
    warehouse, _, _ = edited_run
    before = _inodes(warehouse.parquet)
    build_warehouse(warehouse.db.parent, warehouse.db.parent / "source")
    after = _inodes(warehouse.parquet)
    written = sorted(path for path, inode in after.items() if before.get(path) != inode)
    assert written == ["_export.json", "runs.parquet"]


def test_an_export_without_fingerprints_is_written_again_whole(edited_run) -> None:
    """An export of an earlier release (no manifest), or one whose fingerprints differ (other export code):
    nothing is linked from it."""
    warehouse, _, _ = edited_run
    (warehouse.parquet / export.MANIFEST).unlink()
    before = _inodes(warehouse.parquet)
    build_warehouse(warehouse.db.parent, warehouse.db.parent / "source")
    after = _inodes(warehouse.parquet)
    assert not [path for path, inode in after.items() if before.get(path) == inode]


def test_a_removed_document_leaves_its_registry_for_the_default_partition(tmp_path: Path) -> None:
    """The ClinicalTrials.gov seed (004) deleted from the source: its trial goes, its document stays, marked
    removed and without a registry. Both partitions change, and the export is a full export's."""
    source = tmp_path / "source"
    shutil.copytree(SEEDS, source)
    build_warehouse(tmp_path, source)
    (source / seed_path("004").name).unlink()
    warehouse = build_warehouse(tmp_path, source)

    assert warehouse.scalar("SELECT count(*) FROM trials WHERE registry = 'ctgov'") == 0
    with duckdb.connect(str(warehouse.db), read_only=True) as con:
        full = export.export_parquet(con, tmp_path / "full" / "parquet", EXPORTED_TABLES)
    assert _inodes(full).keys() == _inodes(warehouse.parquet).keys()
    for table in EXPORTED_TABLES:
        assert _rows(warehouse.parquet, table) == _rows(full, table), table
    statuses = _rows(warehouse.parquet, "documents")
    assert sum(1 for row in statuses if "removed" in row) == 1

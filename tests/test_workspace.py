"""The run's working copy: changes reach the warehouse only by the final rename.

Input: a small DuckDB file written here (one table, three rows).
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from warehouse.workspace import Workspace


def _warehouse(tmp_path: Path) -> Path:
    db = tmp_path / "trials.duckdb"
    with duckdb.connect(str(db)) as con:
        con.execute("CREATE TABLE trials (trial_id VARCHAR PRIMARY KEY)")
        con.execute("INSERT INTO trials VALUES ('NCT00000001'), ('NCT00000002'), ('NCT00000003')")
    return db


def _trial_ids(db: Path) -> list[str]:
    with duckdb.connect(str(db), read_only=True) as con:
        return [row[0] for row in con.execute("SELECT trial_id FROM trials ORDER BY 1").fetchall()]


def _change(workspace: Workspace) -> None:
    con = workspace.writable()
    con.execute("DELETE FROM trials WHERE trial_id = 'NCT00000001'")
    con.execute("INSERT INTO trials VALUES ('NCT00000004')")


def test_published_copy_becomes_the_warehouse(tmp_path: Path) -> None:
    db = _warehouse(tmp_path)
    live = duckdb.connect(str(db))
    workspace = Workspace(live, db, "256MB")
    _change(workspace)
    assert live.execute("SELECT count(*) FROM trials WHERE trial_id = 'NCT00000001'").fetchone() == (1,)
    workspace.publish()
    live.close()

    assert _trial_ids(db) == ["NCT00000002", "NCT00000003", "NCT00000004"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["trials.duckdb"]


def test_discarded_copy_leaves_the_warehouse_as_it_was(tmp_path: Path) -> None:
    db = _warehouse(tmp_path)
    live = duckdb.connect(str(db))
    workspace = Workspace(live, db, "256MB")
    _change(workspace)
    workspace.discard()
    live.close()

    assert _trial_ids(db) == ["NCT00000001", "NCT00000002", "NCT00000003"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["trials.duckdb"]


def test_copy_left_by_a_killed_run_is_deleted_by_the_next(tmp_path: Path) -> None:
    db = _warehouse(tmp_path)
    (tmp_path / "trials.duckdb.run").write_bytes(b"half a database")
    (tmp_path / "trials.duckdb.run.wal").write_bytes(b"half a log")
    (tmp_path / "trials.duckdb.run.links").mkdir()
    (tmp_path / "trials.duckdb.run.links" / "candidates.parquet").write_bytes(b"half the links' candidates")
    live = duckdb.connect(str(db))
    workspace = Workspace(live, db, "256MB")

    assert sorted(p.name for p in tmp_path.iterdir()) == ["trials.duckdb"]
    assert not workspace.copied
    workspace.publish()  # nothing copied: nothing to put in place
    live.close()
    assert _trial_ids(db) == ["NCT00000001", "NCT00000002", "NCT00000003"]


def _threads(con: duckdb.DuckDBPyConnection) -> int:
    return int(con.execute("SELECT current_setting('threads')").fetchone()[0])  # type: ignore[index]


def test_loading_leaves_the_workers_their_cores_and_the_finish_takes_them_back(tmp_path: Path) -> None:
    db = _warehouse(tmp_path)
    live = duckdb.connect(str(db))
    default = _threads(live)
    workspace = Workspace(live, db, "256MB")
    workspace.share_cores(1)
    copy = workspace.writable()  # made while batches load: it gets the loading threads too
    assert (_threads(live), _threads(copy)) == (1, 1)
    _change(workspace)
    workspace.take_cores()
    assert (_threads(live), _threads(copy)) == (default, default)
    workspace.publish()
    live.close()
    assert _trial_ids(db) == ["NCT00000002", "NCT00000003", "NCT00000004"]


def test_the_loaded_rows_are_written_to_the_copy_before_the_last_transaction(tmp_path: Path) -> None:
    """After the batches, the copy's log is written into its file, so the export has DuckDB's memory to itself."""
    db = _warehouse(tmp_path)
    live = duckdb.connect(str(db))
    workspace = Workspace(live, db, "256MB")
    _change(workspace)
    log = workspace.copy_path.with_name(workspace.copy_path.name + ".wal")
    assert log.stat().st_size > 0  # the batch's rows are only in the log
    workspace.write_loaded()
    assert not log.exists() or log.stat().st_size == 0
    workspace.discard()
    live.close()
    assert _trial_ids(db) == ["NCT00000001", "NCT00000002", "NCT00000003"]  # a checkpointed copy still goes


def test_a_run_without_a_copy_writes_nothing_early(tmp_path: Path) -> None:
    db = _warehouse(tmp_path)
    live = duckdb.connect(str(db))
    workspace = Workspace(live, db, "256MB")
    workspace.write_loaded()  # nothing loaded into a copy: nothing to write, and no copy made
    assert not workspace.copied
    assert not workspace.copy_path.exists()
    live.close()

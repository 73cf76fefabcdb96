"""A run is all or nothing: killed with SIGKILL while it writes, or failing with an exception,
it leaves the database and the Parquet folder exactly as they were.

Inputs: the warehouse of the five seeds (built once per session by the real command),
copied; generated notebook pages (text no registry format claims, heavy to commit); the
seeds again under a new folder (so the failing run replaces every trial before it fails).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from tests.conftest import SEEDS, Warehouse
from tests.reliability.runs import (
    copy_warehouse,
    folder_digest,
    is_locked,
    kill_run,
    snapshot,
    start_run,
    wait_until,
    write_notebook_pages,
)

FAILING_EXPORT = """
import sys
import warehouse.load as load

original_export = load.export_parquet


def export_then_fail(con, target, tables):
    original_export(con, target, tables)
    raise OSError(28, "No space left on device")


load.export_parquet = export_then_fail
from flows.cli import main

sys.exit(main(sys.argv[1:]))
"""


def test_sigkill_while_writing_leaves_the_database_as_it_was(seed_warehouse: Warehouse, tmp_path: Path) -> None:
    db, parquet = copy_warehouse(seed_warehouse.db, seed_warehouse.parquet, tmp_path / "warehouse")
    before, parquet_before = snapshot(db), folder_digest(parquet)
    notebooks = tmp_path / "notebooks"
    write_notebook_pages(notebooks, 600)
    working_copy_wal = db.with_name(db.name + ".run.wal")

    run = start_run([notebooks], db, parquet, tmp_path / "log", TRIALS_BATCH_SIZE="50", TRIALS_IN_PLACE_MAX="50")
    wait_until(lambda: is_locked(db), run, 240, "it locked the database")
    wait_until(
        lambda: working_copy_wal.exists(),
        run,
        600,
        "it committed a batch to its working copy",
        interval_s=0.01,
    )
    kill_run(run)

    assert run.returncode == -9
    assert db.with_name(db.name + ".run").exists()  # left behind; the next run deletes it
    duckdb.connect(str(db)).close()  # opens for writing: the lock is gone and the WAL (if any) replays
    after = snapshot(db)
    assert after["documents"] == before["documents"]
    assert after == before
    assert folder_digest(parquet) == parquet_before


@pytest.mark.parametrize("in_place_max", ["1000", "2"])
def test_failed_run_leaves_everything_as_it_was_and_says_so(
    seed_warehouse: Warehouse, tmp_path: Path, in_place_max: str
) -> None:
    """The export fails (disk full) after every batch was loaded: rolled back, exit 1, the cause named.
    Five documents in batches of two: with fewer than `in_place_max` the run wrote into the warehouse
    itself, with more into a working copy."""
    db, parquet = copy_warehouse(seed_warehouse.db, seed_warehouse.parquet, tmp_path / "warehouse")
    before, parquet_before = snapshot(db), folder_digest(parquet)
    again = tmp_path / "seeds again"
    shutil.copytree(SEEDS, again)

    started = time.monotonic()
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            FAILING_EXPORT,
            "run",
            "--source",
            str(again),
            "--db",
            str(db),
            "--parquet",
            str(parquet),
        ],
        capture_output=True,
        text=True,
        timeout=600,
        env=os.environ | {"TRIALS_BATCH_SIZE": "2", "TRIALS_IN_PLACE_MAX": in_place_max},
    )

    assert result.returncode == 1, result.stderr
    assert "run failed, the database is unchanged: OSError" in result.stderr
    assert "No space left on device" in result.stderr
    assert snapshot(db) == before
    assert folder_digest(parquet) == parquet_before
    assert time.monotonic() - started < 600

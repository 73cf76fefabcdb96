"""While a run loads the database, a second run waits TRIALS_LOCK_TIMEOUT seconds and exits 3
naming the lock, `trials sql` exits 3 saying a run is loading it, and the first run completes.

The first run is the real command with one hook: before its Parquet export (inside its
transaction, lock held) it waits for the test to open a gate, so the test decides how long
the lock is held instead of racing the second run's start-up.

Inputs: the warehouse of the five seeds (session fixture), copied; the first 50 records of
the ClinicalTrials.gov XML corpus, written as files.
"""

from __future__ import annotations

import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from tests.conftest import SEEDS, Warehouse, run_trials
from tests.reliability.runs import copy_warehouse, kill_run, wait_until

CORPUS_RECORDS = 50
GATED_RUN = """
import sys
import time
from pathlib import Path

import warehouse.load as load

gate = Path(sys.argv[1])
original_export = load.export_parquet


def export_when_gate_opens(con, target, tables):
    (gate.parent / "waiting").touch()
    deadline = time.monotonic() + 300
    while not gate.exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    return original_export(con, target, tables)


load.export_parquet = export_when_gate_opens
from flows.cli import main

sys.exit(main(sys.argv[2:]))
"""


def write_corpus_slice(archive: Path, folder: Path, count: int) -> list[str]:
    folder.mkdir(parents=True)
    names: list[str] = []
    with tarfile.open(archive, "r|gz") as tar:
        for member in tar:
            extracted = tar.extractfile(member) if member.isfile() else None
            if extracted is None:
                continue
            (folder / Path(member.name).name).write_bytes(extracted.read())
            names.append(Path(member.name).stem)
            if len(names) == count:
                break
    return names


def test_second_run_and_sql_give_way_to_a_loading_run(
    seed_warehouse: Warehouse, corpora: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db, parquet = copy_warehouse(seed_warehouse.db, seed_warehouse.parquet, tmp_path / "warehouse")
    nct_ids = write_corpus_slice(corpora / "ctgov-xml.tar.gz", tmp_path / "ctgov", CORPUS_RECORDS)
    gate = tmp_path / "gate" / "open"
    gate.parent.mkdir()
    first = subprocess.Popen(
        [
            sys.executable,
            "-c",
            GATED_RUN,
            str(gate),
            "run",
            "--source",
            str(tmp_path / "ctgov"),
            "--db",
            str(db),
            "--parquet",
            str(parquet),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        wait_until((gate.parent / "waiting").exists, first, 300, "it loaded its batches and holds the lock")

        sql = run_trials("sql", "--db", str(db), "SELECT count(*) FROM trials", check=False)
        assert sql.returncode == 3
        assert "is locked: a run is loading it right now" in sql.stderr

        monkeypatch.setenv("TRIALS_LOCK_TIMEOUT", "2")
        second = run_trials(
            "run", "--source", str(SEEDS), "--db", str(db), "--parquet", str(tmp_path / "pq2"), check=False
        )
        assert second.returncode == 3, second.stderr
        assert f"{db} is locked by another process (a run is loading it); waited 2 s" in second.stderr
        assert first.poll() is None
    finally:
        gate.touch()
    try:
        _, stderr = first.communicate(timeout=300)
    except subprocess.TimeoutExpired:
        kill_run(first)
        raise
    assert first.returncode == 0, stderr.decode()

    loaded = run_trials(
        "sql",
        "--db",
        str(db),
        "--format",
        "csv",
        "SELECT count(*) FILTER (registry = 'ctgov' AND registry_id IN "
        f"({', '.join(repr(n) for n in nct_ids)})), count(*) FILTER (trial_id = "
        "'irct:IRCT2016090729747N1') FROM trials",
    )
    assert loaded.stdout.splitlines()[1] == f"{CORPUS_RECORDS},1"

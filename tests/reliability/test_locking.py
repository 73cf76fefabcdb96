"""While a run loads the database, a second run waits TRIALS_LOCK_TIMEOUT seconds and exits 3
naming the lock, `trials sql` exits 3 saying a run is loading it, and the first run completes.

Inputs: the warehouse of the five seeds (session fixture), copied; the first 400 records
of the ClinicalTrials.gov XML corpus, written as files (enough to keep the first run busy
while the second starts).
"""

from __future__ import annotations

import tarfile
from pathlib import Path

import pytest

from tests.conftest import SEEDS, Warehouse, run_trials
from tests.reliability.runs import copy_warehouse, is_locked, start_run, wait_until

CORPUS_RECORDS = 400


def write_corpus_slice(archive: Path, folder: Path, count: int) -> list[str]:
    folder.mkdir(parents=True)
    names: list[str] = []
    with tarfile.open(archive, "r|gz") as tar:
        for member in tar:
            extracted = tar.extractfile(member) if member.isfile() else None
            if extracted is None:
                continue
            name = Path(member.name).name
            (folder / name).write_bytes(extracted.read())
            names.append(name.removesuffix(".xml"))
            if len(names) == count:
                break
    return names


def test_second_run_and_sql_give_way_to_a_loading_run(
    seed_warehouse: Warehouse, corpora: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db, parquet = copy_warehouse(seed_warehouse.db, seed_warehouse.parquet, tmp_path / "warehouse")
    nct_ids = write_corpus_slice(corpora / "ctgov-xml.tar.gz", tmp_path / "ctgov", CORPUS_RECORDS)
    first = start_run([tmp_path / "ctgov"], db, parquet, tmp_path / "log")
    wait_until(lambda: is_locked(db), first, 240, "it locked the database")

    sql = run_trials("sql", "--db", str(db), "SELECT count(*) FROM trials", check=False)
    assert sql.returncode == 3
    assert "a run is loading it" in sql.stderr

    monkeypatch.setenv("TRIALS_LOCK_TIMEOUT", "2")
    second = run_trials(
        "run", "--source", str(SEEDS), "--db", str(db), "--parquet", str(tmp_path / "pq2"), check=False
    )
    assert first.poll() is None, "the first run ended before the second one tried the lock: enlarge its input"
    assert second.returncode == 3, second.stderr
    assert "is locked by another process (a run is loading it); waited 2 s" in second.stderr

    assert first.wait(timeout=900) == 0, (tmp_path / "log" / "stderr").read_text()
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

"""The parse stage on a local Dask cluster gives the same warehouse as the default runner.

Real data: the five seeds plus the first 50 records of the ClinicalTrials.gov XML archive
(read from the corpora folder, written as files to tmp_path). Small batches (10 documents)
so both runners really spread the work: over the local process pool, and over two Dask
worker processes.
"""

from __future__ import annotations

import tarfile
from pathlib import Path

import duckdb
import pytest

from flows.settings import load_settings
from tests.conftest import SEEDS, Warehouse, build_warehouse

CTGOV_ARCHIVE = "ctgov-xml.tar.gz"
RECORDS = 50
# differ between two runs of the same input by design
VOLATILE_COLUMNS = {"run_id", "loaded_at", "started_at", "finished_at", "valid_from", "valid_to"}


def write_ctgov_slice(target: Path, count: int) -> Path:
    archive = load_settings().corpora_dir / CTGOV_ARCHIVE
    assert archive.is_file(), f"corpus archive missing: {archive} (set TRIALS_CORPORA)"
    target.mkdir(parents=True)
    written = 0
    with tarfile.open(archive, "r|*") as tar:
        for member in tar:
            if written >= count:
                break
            handle = tar.extractfile(member) if member.isfile() and member.name.endswith(".xml") else None
            if handle is not None:
                (target / Path(member.name).name).write_bytes(handle.read())
                written += 1
    return target


def stable_content(db: Path) -> dict[str, list[tuple]]:
    """Every base table's rows, sorted, without the columns that name the run or its time."""
    content: dict[str, list[tuple]] = {}
    with duckdb.connect(str(db), read_only=True) as con:
        tables = [
            t
            for (t,) in con.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_type = 'BASE TABLE' ORDER BY 1"
            ).fetchall()
        ]
        for table in tables:
            columns = [
                c
                for (c,) in con.execute(
                    "SELECT column_name FROM information_schema.columns WHERE table_name = ? ORDER BY ordinal_position",
                    [table],
                ).fetchall()
                if c not in VOLATILE_COLUMNS
            ]
            # version snapshots embed each row as JSON, run id included: blank it there too
            select = ", ".join(
                f"""regexp_replace("{c}"::VARCHAR, '"run_id":"[0-9a-f]+"', '"run_id":""', 'g')""" for c in columns
            )
            content[table] = sorted(con.execute(f"SELECT {select} FROM {table}").fetchall(), key=repr)
    return content


def run_with(runner: str, tmp: Path, sources: list[Path], monkeypatch: pytest.MonkeyPatch) -> Warehouse:
    monkeypatch.setenv("TRIALS_TASK_RUNNER", runner)
    monkeypatch.setenv("TRIALS_WORKERS", "2")
    monkeypatch.setenv("TRIALS_BATCH_SIZE", "10")
    monkeypatch.delenv("TRIALS_DASK_ADDRESS", raising=False)
    return build_warehouse(tmp, *sources)


@pytest.mark.flow
@pytest.mark.corpus
def test_dask_runner_builds_the_same_warehouse_as_the_local_runner(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sources = [SEEDS, write_ctgov_slice(tmp_path / "ctgov", RECORDS)]
    local = run_with("local", tmp_path / "local", sources, monkeypatch)
    dask = run_with("dask", tmp_path / "dask", sources, monkeypatch)

    assert local.scalar("SELECT count(*) FROM documents") == RECORDS + 5
    assert local.scalar("SELECT count(*) FROM trials WHERE registry = 'ctgov'") >= RECORDS
    assert dask.scalar("SELECT documents_seen FROM runs") == RECORDS + 5
    expected, actual = stable_content(local.db), stable_content(dask.db)
    assert sorted(actual) == sorted(expected)
    for table, rows in expected.items():
        assert actual[table] == rows, f"{table} differs between the local and the Dask runner"

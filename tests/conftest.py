"""Shared fixtures: the seeds, the corpora path, and a warehouse built by the real `trials run`."""

from __future__ import annotations

import subprocess
import sys
import tarfile
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from flows.settings import PROJECT_ROOT, load_settings

SEEDS = PROJECT_ROOT / "seeds"
TRIALS = str(Path(sys.executable).with_name("trials"))


@dataclass
class Warehouse:
    db: Path
    parquet: Path
    stdout: str

    def query(self, sql: str, params: list | None = None) -> list[tuple]:
        with duckdb.connect(str(self.db), read_only=True) as con:
            return con.execute(sql, params or []).fetchall()

    def scalar(self, sql: str, params: list | None = None):
        return self.query(sql, params)[0][0]


def run_trials(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    result = subprocess.run([TRIALS, *args], capture_output=True, text=True, timeout=600)
    if check and result.returncode != 0:
        raise AssertionError(f"trials {' '.join(args)} exited {result.returncode}:\n{result.stderr}")
    return result


def build_warehouse(tmp: Path, *sources: Path | str, extra: tuple[str, ...] = ()) -> Warehouse:
    db, parquet = tmp / "trials.duckdb", tmp / "parquet"
    args = [a for s in sources for a in ("--source", str(s))]
    result = run_trials("run", *args, "--db", str(db), "--parquet", str(parquet), *extra)
    return Warehouse(db, parquet, result.stdout)


@pytest.fixture(scope="session")
def seed_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Warehouse:
    """The five seeds loaded by the real command, once per test session."""
    return build_warehouse(tmp_path_factory.mktemp("seeds"), SEEDS)


@pytest.fixture(scope="session")
def corpora() -> Path:
    """../shared/corpora; a test that needs it fails (never skips) when it is missing."""
    path = load_settings().corpora_dir
    if not (path / "ctgov-xml.tar.gz").exists():
        pytest.fail(f"corpus not found at {path}: set TRIALS_CORPORA to the folder of the shared corpora")
    return path


@pytest.fixture(scope="session")
def pages(corpora: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real saved registry pages of ../shared/corpora/registry-pages.tar.gz, unpacked once."""
    folder = tmp_path_factory.mktemp("pages")
    with tarfile.open(corpora / "registry-pages.tar.gz") as archive:
        archive.extractall(folder, filter="data")
    return folder / "registry-pages"


def seed_path(prefix: str) -> Path:
    return next(SEEDS.glob(f"{prefix}_*.txt"))

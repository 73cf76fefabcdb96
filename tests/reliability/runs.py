"""Helpers to start, watch and kill a real `trials run`, and to snapshot a warehouse."""

from __future__ import annotations

import contextlib
import os
import random
import shutil
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

import duckdb

from tests.conftest import TRIALS

SnapShot = dict[str, list[tuple[Any, ...]]]


def snapshot(db: Path) -> SnapShot:
    """Every row of every table, sorted, so two states of one database compare with ==."""
    with duckdb.connect(str(db), read_only=True) as con:
        tables = [
            row[0]
            for row in con.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_type = 'BASE TABLE' ORDER BY 1"
            ).fetchall()
        ]
        return {table: sorted(con.execute(f'SELECT * FROM "{table}"').fetchall(), key=repr) for table in tables}


def folder_digest(folder: Path) -> dict[str, int]:
    """File name -> size of every file under a folder (Parquet files are rewritten whole, never in place)."""
    return {str(p.relative_to(folder)): p.stat().st_size for p in sorted(folder.rglob("*")) if p.is_file()}


def copy_warehouse(db: Path, parquet: Path, target: Path) -> tuple[Path, Path]:
    target.mkdir(parents=True, exist_ok=True)
    shutil.copy(db, target / db.name)
    shutil.copytree(parquet, target / parquet.name)
    return target / db.name, target / parquet.name


def start_run(sources: list[Path], db: Path, parquet: Path, log_dir: Path, **env: str) -> subprocess.Popen[bytes]:
    """A `trials run` in its own process group, so that it and every process it starts can be killed."""
    args = [
        TRIALS,
        "run",
        *[a for s in sources for a in ("--source", str(s))],
        "--db",
        str(db),
        "--parquet",
        str(parquet),
    ]
    log_dir.mkdir(parents=True, exist_ok=True)
    return subprocess.Popen(
        args,
        env={**os.environ, **env},
        stdout=(log_dir / "stdout").open("wb"),
        stderr=(log_dir / "stderr").open("wb"),
        start_new_session=True,
    )


def kill_run(process: subprocess.Popen[bytes]) -> None:
    """SIGKILL the run's process group (the run, its parse workers and its Prefect server)."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=60)


def is_locked(db: Path) -> bool:
    """Whether another process holds the database's write lock (a short read-only probe)."""
    try:
        duckdb.connect(str(db), read_only=True).close()
    except duckdb.IOException as exc:
        if "lock" in str(exc).lower():
            return True
        raise
    return False


def wait_until(
    condition: Any, process: subprocess.Popen[bytes], timeout_s: float, what: str, interval_s: float = 0.2
) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if process.poll() is not None:
            raise AssertionError(f"the run ended (exit {process.returncode}) before {what}")
        if time.monotonic() > deadline:
            kill_run(process)
            raise AssertionError(f"timed out after {timeout_s:.0f} s waiting until {what}")
        time.sleep(interval_s)


def write_notebook_pages(folder: Path, count: int, size: int = 100_000) -> None:
    """`count` text files of `size` bytes that no registry format claims (rejected, text kept):
    cheap to parse, heavy to commit, so a run spends seconds writing the database file."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(20)
    words = ["".join(rng.choices("abcdefghijklmnopqrstuvwxyz", k=rng.randint(2, 9))) for _ in range(4000)]
    for index in range(count):
        lines = [f"Laboratory notebook, page {index}"]
        while sum(len(line) + 1 for line in lines) < size:
            lines.append(" ".join(rng.choices(words, k=12)))
        (folder / f"notebook {index:04d}.txt").write_text("\n".join(lines), encoding="utf-8")

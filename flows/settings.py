"""The one place that reads the environment. Every knob has a default that works from a clone."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    return int(raw) if raw else default


@dataclass(frozen=True, slots=True)
class Settings:
    db_path: Path
    parquet_dir: Path
    corpora_dir: Path  # ../shared/corpora: real registry data, read in place, never copied
    batch_size: int  # documents per parse task
    in_place_max: int  # a run with fewer changed documents commits into the warehouse itself, no copy
    workers: int  # parse processes
    max_document_bytes: int  # single-record files above this are rejected (exports are streamed)
    lock_timeout_s: float  # how long a run waits for another process's lock on the database
    task_runner: str  # local (process pool) | dask: where parse batches run
    dask_address: str | None  # scheduler of an existing Dask cluster (implies task_runner dask)
    duckdb_memory_limit: str  # DuckDB's memory cap while loading; beyond it DuckDB writes to disk
    quick_check: bool  # skip files unchanged in size and modification time unread (else hash every document)


def load_settings() -> Settings:
    return Settings(
        db_path=Path(os.environ.get("TRIALS_DB", PROJECT_ROOT / "warehouse" / "trials.duckdb")),
        parquet_dir=Path(os.environ.get("TRIALS_PARQUET", PROJECT_ROOT / "warehouse" / "parquet")),
        corpora_dir=Path(os.environ.get("TRIALS_CORPORA", PROJECT_ROOT.parent / "shared" / "corpora")),
        batch_size=_env_int("TRIALS_BATCH_SIZE", 500),
        in_place_max=_env_int("TRIALS_IN_PLACE_MAX", 1000),
        workers=_env_int("TRIALS_WORKERS", os.cpu_count() or 1),
        max_document_bytes=_env_int("TRIALS_MAX_DOCUMENT_BYTES", 20 * 1024 * 1024),
        lock_timeout_s=float(os.environ.get("TRIALS_LOCK_TIMEOUT", "30")),
        task_runner=os.environ.get("TRIALS_TASK_RUNNER")
        or ("dask" if os.environ.get("TRIALS_DASK_ADDRESS") else "local"),
        dask_address=os.environ.get("TRIALS_DASK_ADDRESS") or None,
        duckdb_memory_limit=os.environ.get("TRIALS_DUCKDB_MEMORY", "256MB"),
        quick_check=os.environ.get("TRIALS_QUICK_CHECK", "1").strip().lower() not in ("0", "false", "no", "off"),
    )

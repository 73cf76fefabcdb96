"""Where a run writes: a working copy of the warehouse, committed batch by batch, renamed into place at the end.

Holding a whole run in one DuckDB transaction keeps every uncommitted row in memory, so memory
grew with the corpus. Instead, the first batch that changes anything copies the warehouse file
to `<db>.run`; each batch is one committed transaction in the copy (DuckDB then writes rows
out and frees them, within `memory_limit`); when the run, export included, has succeeded, the
copy replaces the warehouse in one rename. A failed run deletes the copy; a killed run leaves
it behind and the next run deletes it. Either way the warehouse is as it was.

The warehouse itself stays open for writing for the whole run: that lock keeps other runs
and writers out, and readers see the previous state until the rename. A small run (its changed
documents fit in one batch, or none changed) never copies: its one transaction goes straight
into the warehouse, and a failure rolls it back. Copying is what such a run would spend most
of its time on in a large warehouse (a 2.4 GB file at 100,000 documents), and it would need
the warehouse's size again in free disk.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb

# the working copy's write-ahead log before DuckDB checkpoints: about 25 KB per ClinicalTrials.gov record,
# so a run of up to some 600,000 records checkpoints once, when it publishes
COPY_CHECKPOINT_THRESHOLD = "16GB"
ALLOCATOR_FLUSH_THRESHOLD = "16MB"
LINKS_FOLDER_SUFFIX = ".links"


def _sidecars(path: Path) -> list[Path]:
    """The copy, what DuckDB keeps beside it (write-ahead log, spill folder) and the links' folder."""
    return [path, *(path.with_name(path.name + suffix) for suffix in (".wal", ".tmp", LINKS_FOLDER_SUFFIX))]


def _copy_file(source: Path, target: Path) -> None:
    """Copy in a child process: closing any descriptor of a file drops all of this process's POSIX
    locks on it, DuckDB's write lock included, so this process must never open the warehouse itself."""
    subprocess.run(
        [sys.executable, "-c", "import shutil, sys; shutil.copyfile(sys.argv[1], sys.argv[2])", source, target],
        check=True,
        capture_output=True,
    )


class Workspace:
    def __init__(self, live: duckdb.DuckDBPyConnection, db: Path, memory_limit: str) -> None:
        self.live = live
        self.db = db
        self.copy_path = db.with_name(db.name + ".run")
        self.memory_limit = memory_limit
        self.loading_threads: int | None = None  # DuckDB's threads while parse workers run, else its default
        self._copy: duckdb.DuckDBPyConnection | None = None
        self._remove_copy()  # left by a killed run; we hold the lock, so no run is using it
        self._tune(live)

    @property
    def copied(self) -> bool:
        return self._copy is not None

    @property
    def links_folder(self) -> Path:
        """Where the run hands the links' candidate rows to the process that computes them."""
        return self.copy_path.with_name(self.copy_path.name + LINKS_FOLDER_SUFFIX)

    @property
    def con(self) -> duckdb.DuckDBPyConnection:
        """The connection that sees this run's changes so far."""
        return self._copy if self._copy is not None else self.live

    def writable(self) -> duckdb.DuckDBPyConnection:
        """The working copy, made on first use."""
        if self._copy is None:
            self.live.execute("CHECKPOINT")  # the file alone then holds every committed row
            _copy_file(self.db, self.copy_path)
            self._copy = duckdb.connect(str(self.copy_path))
            self._tune(self._copy)
            # The copy is thrown away if the run fails, so its write-ahead log protects nothing. Checkpoints
            # during the run cost more the larger the copy got (up to 22 s each at 96,000 documents); at
            # 100,000 documents they took 30 s of the load and left a file a third larger than the one
            # checkpoint at publish does.
            self._copy.execute(f"SET checkpoint_threshold = '{COPY_CHECKPOINT_THRESHOLD}'")
        return self._copy

    def _tune(self, con: duckdb.DuckDBPyConnection) -> None:
        con.execute(f"SET memory_limit = '{self.memory_limit}'")
        if self.loading_threads is not None:
            con.execute(f"SET threads = {self.loading_threads}")
        # DuckDB's allocator returns freed memory only past these thresholds (128 MB, and 512 MB after a
        # bulk free), outside memory_limit; at 16 MB the 100,000-document export peaked 60 MB lower and
        # loading 48,000 documents 50 MB lower, no slower
        for setting in ("allocator_flush_threshold", "allocator_bulk_deallocation_flush_threshold"):
            con.execute(f"SET {setting} = '{ALLOCATOR_FLUSH_THRESHOLD}'")

    def _connections(self) -> list[duckdb.DuckDBPyConnection]:
        return [self.live] if self._copy is None else [self.live, self._copy]

    def share_cores(self, threads: int) -> None:
        """Batches are about to load while parse workers keep the cores busy: DuckDB's threads beyond the
        cores the workers leave would only contend with them (with one thread on two cores, the flow process
        took 83 CPU seconds instead of 95 over 100,000 documents, and 20,346 records 32 s instead of 33)."""
        self.loading_threads = threads
        for con in self._connections():
            con.execute(f"SET threads = {threads}")

    def take_cores(self) -> None:
        """The workers are done: DuckDB gets every core back for the links' inputs, the export and the checkpoint."""
        if self.loading_threads is None:
            return
        self.loading_threads = None
        for con in self._connections():
            con.execute("RESET threads")

    def write_loaded(self) -> None:
        """Checkpoint the working copy once its batches are loaded, before the run's last transaction. Until
        then the loaded rows are held in DuckDB's memory or spilled, not written to the file, and they took
        the memory the export needs: at 530,000 ClinicalTrials.gov records the sorted `endpoints` export ran
        out of 256 MB beside them. The checkpoint at publish then writes only the last transaction's rows."""
        if self._copy is not None:
            self._copy.execute("CHECKPOINT")

    def publish(self) -> None:
        """Make the working copy the warehouse (one rename). A run without a copy committed into the
        warehouse: its log is written into the file now rather than when the warehouse is closed."""
        if self._copy is None:
            self.live.execute("CHECKPOINT")
            return
        self._copy.execute("CHECKPOINT")
        self._copy.close()
        self._copy = None
        os.replace(self.copy_path, self.db)

    def discard(self) -> None:
        if self._copy is not None:
            try:
                self._copy.close()
            finally:
                self._copy = None
        self._remove_copy()

    def _remove_copy(self) -> None:
        for path in _sidecars(self.copy_path):
            if path.is_dir():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)

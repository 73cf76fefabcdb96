"""A run's memory as the kernel counts it: the run in a memory cgroup of its own, with a cap.

The sum of the processes' resident sizes counts a page that several processes share (the parse
workers share their forkserver's imports) once in each of them. The kernel charges every page once
to the cgroup of the process that brought it in, so the cgroup's anonymous resident memory
(`total_rss` in memory.stat: heaps, Arrow buffers, DuckDB's memory, not the page cache) is the
memory the run holds. Its limit (`memory.limit_in_bytes`) makes the kernel reclaim the page cache
first and kill a process of the run if the run needs more than that: a run that completes under
the cap never held more.

This needs the cgroup v1 memory controller at /sys/fs/cgroup/memory and the right to make a cgroup
there (root). `MemoryCgroup.create` returns None where that is missing.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import signal
import time
from pathlib import Path

V1_MEMORY = Path("/sys/fs/cgroup/memory")
_names = itertools.count()


class MemoryCgroup:
    def __init__(self, path: Path, cap_bytes: int | None) -> None:
        self.path = path
        self.cap_bytes = cap_bytes
        self.peak_anon_bytes = 0

    @classmethod
    def create(cls, cap_bytes: int | None, root: Path = V1_MEMORY) -> MemoryCgroup | None:
        """A new, empty cgroup capped at `cap_bytes` (None: no cap); None where cgroups cannot be made."""
        path = root / f"trials-bench-{os.getpid()}-{next(_names)}"
        try:
            path.mkdir()
        except OSError:
            return None
        group = cls(path, cap_bytes)
        try:
            if cap_bytes is not None:
                (path / "memory.limit_in_bytes").write_text(str(cap_bytes))
            group.anon_bytes()
        except (OSError, ValueError):
            group.remove()
            return None
        return group

    def join(self) -> None:
        """Move the calling process into the cgroup; its children are born in it. Meant as the `preexec_fn`
        of the run's subprocess, so that every process of the run is counted from its start."""
        (self.path / "cgroup.procs").write_text(str(os.getpid()))

    def anon_bytes(self) -> int:
        """The anonymous resident memory of every process in the cgroup now (each page once)."""
        for line in (self.path / "memory.stat").read_text().splitlines():
            name, value = line.split()
            if name == "total_rss":
                return int(value)
        raise ValueError(f"no total_rss in {self.path / 'memory.stat'}")

    def sample(self) -> None:
        with contextlib.suppress(OSError, ValueError):
            self.peak_anon_bytes = max(self.peak_anon_bytes, self.anon_bytes())

    def oom_kills(self) -> int:
        """How many processes of the cgroup the kernel killed for going over the cap."""
        for line in (self.path / "memory.oom_control").read_text().splitlines():
            name, value = line.split()
            if name == "oom_kill":
                return int(value)
        return 0

    def kill_all(self) -> None:
        """SIGKILL every process left in the cgroup. After the kernel killed one process of a run, the others
        (Prefect's server, the parse workers) would otherwise live on and hold the run's output pipes open."""
        for pid in (self.path / "cgroup.procs").read_text().split():
            with contextlib.suppress(ProcessLookupError):
                os.kill(int(pid), signal.SIGKILL)

    def peak_usage_bytes(self) -> int:
        """The cgroup's largest charge, page cache included (up to the cap, where the cache is reclaimed)."""
        return int((self.path / "memory.max_usage_in_bytes").read_text())

    def remove(self, wait_s: float = 2.0) -> None:
        """Remove the cgroup (its page cache then counts in the parent's), waiting up to `wait_s` for the
        processes killed at the end of a run to leave it."""
        deadline = time.monotonic() + wait_s
        while True:
            try:
                self.path.rmdir()
                return
            except FileNotFoundError:
                return
            except OSError:  # busy: a process is still in it
                if time.monotonic() >= deadline:
                    return
                time.sleep(0.05)

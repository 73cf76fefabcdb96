"""Measuring one `trials run`: wall time, peak memory and CPU seconds of its process tree, the run's
stage seconds.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psutil

from bench.cgroup import MemoryCgroup

TRIALS = str(Path(sys.executable).with_name("trials"))
SAMPLE_SECONDS = 0.2
# the proportional set size (each shared page divided among the processes sharing it) is read every
# PSS_EVERY samples only: the kernel walks every page to give it, about 14 ms per 700 MB process
PSS_EVERY = 5
SERVER_APP = "prefect.server.api.server:create_app"  # in the command line of Prefect's temporary server
FORKSERVER = "multiprocessing.forkserver"  # in the command line of the parse pool's forkserver and its workers


def process_tree(root: psutil.Process) -> list[psutil.Process]:
    """`root` and its descendants, root first; empty once root has exited."""
    try:
        return [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return []


@dataclass
class TreeMemory:
    """Peak resident memory of a process and its descendants, sampled while it runs."""

    peak_tree_bytes: int = 0  # the largest sum over the tree at one moment
    peak_process_bytes: int = 0  # the largest single process
    peak_main_bytes: int = 0  # the flow process itself
    # the largest sum of proportional set sizes: the pages the workers share with their forkserver
    # counted once, where the sum of resident sizes counts them in every process
    peak_pss_tree_bytes: int = 0
    samples: int = 0

    def sample(self, processes: list[psutil.Process]) -> None:
        """One sample of `process_tree(root)`."""
        if not processes:
            return
        sizes = []
        for process in processes:
            try:
                sizes.append(process.memory_info().rss)
            except psutil.Error:
                sizes.append(0)
        self.peak_tree_bytes = max(self.peak_tree_bytes, sum(sizes))
        self.peak_process_bytes = max(self.peak_process_bytes, max(sizes))
        self.peak_main_bytes = max(self.peak_main_bytes, sizes[0])
        if self.samples % PSS_EVERY == 0:
            self.peak_pss_tree_bytes = max(self.peak_pss_tree_bytes, sum(_pss(process) for process in processes))
        self.samples += 1


def _pss(process: psutil.Process) -> int:
    try:
        return int(process.memory_full_info().pss)
    except (psutil.Error, AttributeError):  # gone, or a system without it
        return 0


@dataclass
class TreeCpu:
    """CPU seconds (user + system) of each process of the tree as last sampled, so a process's last
    SAMPLE_SECONDS before it exits go uncounted (the workers and the server idle by then)."""

    processes: dict[int, tuple[str, float]] = field(default_factory=dict)  # pid -> (role, seconds)

    def sample(self, processes: list[psutil.Process]) -> None:
        """One sample of `process_tree(root)`: the first process is the root."""
        for process in processes:
            try:
                times = process.cpu_times()
                role = self.processes[process.pid][0] if process.pid in self.processes else _role(processes[0], process)
            except psutil.Error:
                continue
            self.processes[process.pid] = (role, times.user + times.system)

    def by_role(self) -> dict[str, float]:
        totals = dict.fromkeys(("flow", "parse_workers", "prefect_server", "other"), 0.0)
        for role, seconds in self.processes.values():
            totals[role] += seconds
        return {role: round(seconds, 2) for role, seconds in totals.items()}

    def total(self) -> float:
        return sum(seconds for _role, seconds in self.processes.values())


def _role(root: psutil.Process, process: psutil.Process) -> str:
    if process.pid == root.pid:
        return "flow"
    command = " ".join(process.cmdline())
    if SERVER_APP in command:
        return "prefect_server"
    if FORKSERVER in command and FORKSERVER in " ".join(psutil.Process(process.ppid()).cmdline()):
        return "parse_workers"  # forked by the forkserver, so its command line is the forkserver's
    return "other"


@dataclass
class RunMeasure:
    label: str
    wall_s: float
    returncode: int
    memory: TreeMemory
    cpu: TreeCpu = field(default_factory=TreeCpu)
    summary: dict[str, Any] = field(default_factory=dict)
    stderr_tail: str = ""
    kernel_memory: dict[str, Any] = field(default_factory=dict)  # the run's cgroup, when it ran in one

    @property
    def documents(self) -> int:
        return int(self.summary.get("documents", {}).get("seen", 0))

    @property
    def stages(self) -> dict[str, float]:
        return dict(self.summary.get("seconds", {}))

    def flow_thread_seconds(self) -> float:
        """Seconds the flow thread spent in named stages (parse and validate run in workers, in parallel)."""
        in_workers = {"parse", "validate"}
        return sum(v for k, v in self.stages.items() if k not in in_workers)

    def as_dict(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "documents": self.documents,
            "wall_s": round(self.wall_s, 2),
            "returncode": self.returncode,
            "peak_rss_tree_mb": round(self.memory.peak_tree_bytes / 2**20, 1),
            "peak_rss_process_mb": round(self.memory.peak_process_bytes / 2**20, 1),
            "peak_rss_main_mb": round(self.memory.peak_main_bytes / 2**20, 1),
            "peak_pss_tree_mb": round(self.memory.peak_pss_tree_bytes / 2**20, 1),
            **self.kernel_memory,
            "cpu_s": self.cpu.by_role(),
            "stage_seconds": self.stages,
            "prefect_and_startup_s": round(self.wall_s - self.flow_thread_seconds(), 2),
            "rows": self.summary.get("rows", {}),
            "document_counts": self.summary.get("documents", {}),
        }


def run_trials(
    label: str,
    sources: list[Path],
    db: Path,
    parquet: Path,
    env: dict[str, str] | None = None,
    cgroup: MemoryCgroup | None = None,
) -> RunMeasure:
    """One real `trials run` in a subprocess, sampling the memory and CPU time of its process tree, and
    the anonymous memory of `cgroup` when the run is started in it."""
    summary_file = db.with_suffix(f".{label}.summary.json")
    command = [TRIALS, "run", *[a for s in sources for a in ("--source", str(s))]]
    command += ["--db", str(db), "--parquet", str(parquet), "--summary-json", str(summary_file)]
    memory, cpu = TreeMemory(), TreeCpu()
    started = time.perf_counter()
    process = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **(env or {})},
        preexec_fn=cgroup.join if cgroup is not None else None,
    )
    root = psutil.Process(process.pid)
    done = threading.Event()

    def sampler() -> None:
        while not done.is_set():
            processes = process_tree(root)
            memory.sample(processes)
            cpu.sample(processes)
            if cgroup is not None:
                cgroup.sample()
                if cgroup.oom_kills():
                    cgroup.kill_all()  # the run is over: what the kernel left of it would run on
            done.wait(SAMPLE_SECONDS)

    thread = threading.Thread(target=sampler, daemon=True)
    thread.start()
    _stdout, stderr = process.communicate()
    wall = time.perf_counter() - started
    done.set()
    thread.join()
    summary = json.loads(summary_file.read_text()) if summary_file.exists() else {}
    kernel = kernel_memory(cgroup) if cgroup is not None else {}
    return RunMeasure(label, wall, process.returncode, memory, cpu, summary, stderr[-2000:], kernel)


def kernel_memory(cgroup: MemoryCgroup) -> dict[str, Any]:
    """The run's memory as its cgroup counted it (see bench/cgroup.py)."""
    return {
        "peak_anon_mb": round(cgroup.peak_anon_bytes / 2**20, 1),
        "peak_charge_mb": round(cgroup.peak_usage_bytes() / 2**20, 1),
        "memory_cap_mb": round(cgroup.cap_bytes / 2**20, 1) if cgroup.cap_bytes is not None else None,
        "oom_kills": cgroup.oom_kills(),
    }

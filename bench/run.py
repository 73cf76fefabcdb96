"""`make bench`: the real `trials run` at growing scale, with the floor and the criteria figures.

Cases (TRIALS_BENCH_CASES, comma-separated, default all but `server`):

- seeds:   the five seeds into a new warehouse, three times: the median is the fixed cost of a run.
- ctgov:   the real ClinicalTrials.gov XML archive (6,782 records), read in place.
- scaled:  TRIALS_BENCH_SCALE (default 100,000) replicated records with new ids (bench/scale.py).
- noop:    the scaled run again over the same warehouse: every document unchanged.
- delta:   the five seeds into that warehouse: a small run (a nightly update) into a large warehouse.
- server:  the seeds twice against a `prefect server start` (the fixed cost with a server).
- criteria: bench.criteria.main() (precision/recall, criteria/s).
- ceiling: bench.ceiling.main(): the CPU each step of the chain takes per document, without Prefect,
           and the parse alone on every worker (what bounds the throughput).

Marginal throughput = documents / (wall - fixed cost of the seeds run). Writes bench/results.json.

Where the machine allows it, each run is started in a memory cgroup of its own (bench/cgroup.py),
capped at TRIALS_BENCH_MEMORY_CAP (default 1.5GB; `none` measures without a cap): the kernel then
counts the run's memory with each shared page once, and kills the run if it ever needs more.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import psutil

from bench import ceiling, criteria, floor
from bench.cgroup import MemoryCgroup
from bench.measure import RunMeasure, run_trials
from bench.scale import ensure_scaled_corpus
from flows.prefect_env import api_healthy
from flows.settings import PROJECT_ROOT, load_settings

RESULTS = PROJECT_ROOT / "bench" / "results.json"
DEFAULT_CASES = "seeds,ctgov,scaled,noop,delta,criteria,ceiling"
CTGOV_ARCHIVE = "ctgov-xml.tar.gz"
SEED_RUNS = 3
FLOOR_PASSES = 3  # of the archive's floor; the scaled corpus's takes a minute and is timed once
DEFAULT_MEMORY_CAP = "1.5GB"
_UNITS = {"GB": 10**9, "MB": 10**6, "KB": 10**3, "B": 1}


def memory_cap(text: str) -> int | None:
    """'1.5GB' -> 1,500,000,000 bytes (decimal units, as the target is given); 'none' -> no cap."""
    value = text.strip().upper()
    if value in ("NONE", "OFF", "0"):
        return None
    for unit, factor in _UNITS.items():
        if value.endswith(unit):
            return int(float(value.removesuffix(unit)) * factor)
    return int(value)


def _workdir() -> Path:
    root = os.environ.get("TRIALS_BENCH_WORKDIR")
    return Path(root) if root else Path(tempfile.gettempdir()) / "trials-bench"


def _fresh(folder: Path) -> Path:
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    return folder


def _run_case(label: str, sources: list[Path], folder: Path, env: dict[str, str] | None = None) -> RunMeasure:
    print(f"[bench] {label}: trials run over {', '.join(map(str, sources))}", flush=True)
    cap = memory_cap(os.environ.get("TRIALS_BENCH_MEMORY_CAP", DEFAULT_MEMORY_CAP))
    cgroup = MemoryCgroup.create(cap)
    if cgroup is None:
        print(f"[bench] {label}: no memory cgroup here (needs root and cgroup v1): no cap", flush=True)
    try:
        measure = run_trials(label, sources, folder / "trials.duckdb", folder / "parquet", env, cgroup)
    finally:
        if cgroup is not None:
            cgroup.remove()
    if measure.kernel_memory.get("oom_kills"):
        raise RuntimeError(
            f"{label}: the kernel killed a process of the run: it needed more than the "
            f"{measure.kernel_memory['memory_cap_mb']} MB cap (TRIALS_BENCH_MEMORY_CAP)"
        )
    if measure.returncode != 0:
        raise RuntimeError(f"{label}: trials run exited {measure.returncode}:\n{measure.stderr_tail}")
    print(f"[bench] {label}: {measure.documents} documents in {measure.wall_s:.1f} s", flush=True)
    return measure


def marginal(
    measure: RunMeasure, fixed_s: float, floor_s: float | None, fixed_cpu_s: float | None = None
) -> dict[str, Any]:
    """Figures beyond the fixed cost. With the fixed cost's CPU seconds, also the CPU the documents
    took in all processes, and the throughput that CPU allows on this machine's cores: the bound."""
    seconds = max(measure.wall_s - fixed_s, 1e-9)
    figures: dict[str, Any] = {
        "marginal_s": round(seconds, 2),
        "marginal_docs_per_s": round(measure.documents / seconds, 1),
    }
    if floor_s:
        figures["floor_s"] = round(floor_s, 2)
        figures["marginal_over_floor"] = round(seconds / floor_s, 2)
    if fixed_cpu_s is not None and measure.documents:
        cpu_s = max(measure.cpu.total() - fixed_cpu_s, 0.0)
        figures["marginal_cpu_s"] = round(cpu_s, 1)
        figures["marginal_cpu_ms_per_doc"] = round(1000 * cpu_s / measure.documents, 2)
        if cpu_s > 0:  # a small no-op run can take less CPU than the seeds run: no bound to give
            figures["cpu_bound_docs_per_s"] = round((psutil.cpu_count() or 1) * measure.documents / cpu_s, 1)
    return figures


def fixed_cost_runs(work: Path) -> dict[str, Any]:
    """The seeds run SEED_RUNS times: the median run is the fixed cost (one run varies by seconds here)."""
    runs = sorted(
        (_run_case("seeds", [PROJECT_ROOT / "seeds"], _fresh(work / "seeds")) for _ in range(SEED_RUNS)),
        key=lambda run: run.wall_s,
    )
    median = runs[len(runs) // 2]
    return median.as_dict() | {"wall_s_of_each_run": [run.wall_s for run in runs], "cpu_total_s": median.cpu.total()}


def _wait_healthy(url: str, timeout_s: float) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if api_healthy(url):
            return True
        time.sleep(0.5)
    return False


def server_case(work: Path) -> dict[str, Any]:
    """Fixed cost with a running Prefect server: start one (own PREFECT_HOME), run the seeds twice."""
    home = work / "prefect-server-home"
    home.mkdir(parents=True, exist_ok=True)
    port = os.environ.get("TRIALS_BENCH_SERVER_PORT", "4299")
    env = {
        **os.environ,
        "PREFECT_HOME": str(home),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_SERVER_UI_ENABLED": "false",
        "DO_NOT_TRACK": "1",
    }
    prefect = str(Path(sys.executable).with_name("prefect"))
    started = time.perf_counter()
    server = subprocess.Popen(
        [prefect, "server", "start", "--port", port],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/api"
    try:
        if not _wait_healthy(url, 120):
            raise RuntimeError("prefect server start did not become healthy in 120 s")
        startup = time.perf_counter() - started
        client_env = {"PREFECT_API_URL": url, "PREFECT_HOME": str(home)}
        runs = [
            _run_case(f"server{i}", [PROJECT_ROOT / "seeds"], _fresh(work / f"server{i}"), client_env) for i in (1, 2)
        ]
    finally:
        server.terminate()
        server.wait(30)
    return {"server_start_s": round(startup, 1), "runs": [r.as_dict() for r in runs]}


def run_cases(cases: set[str], scale: int) -> dict[str, Any]:
    work = _workdir()
    work.mkdir(parents=True, exist_ok=True)
    archive = load_settings().corpora_dir / CTGOV_ARCHIVE
    results: dict[str, Any] = {
        "scale": scale,
        "workers": load_settings().workers,
        "memory_cap": os.environ.get("TRIALS_BENCH_MEMORY_CAP", DEFAULT_MEMORY_CAP),
        "cases": {},
    }
    fixed_s, fixed_cpu_s = 0.0, None
    if "seeds" in cases:
        seeds = fixed_cost_runs(work)
        fixed_s, fixed_cpu_s = seeds["wall_s"], seeds["cpu_total_s"]
        results["cases"]["seeds"] = seeds
    results["fixed_s"] = round(fixed_s, 2)
    if "ctgov" in cases:
        if not archive.is_file():
            raise FileNotFoundError(f"corpus archive missing: {archive} (set TRIALS_CORPORA)")
        # the least of three passes (1.9 to 2.2 s): the floor is ElementTree at its fastest here
        floor_s = min(floor.measure("archive", archive)[1] for _ in range(FLOOR_PASSES))
        run = _run_case("ctgov", [archive], _fresh(work / "ctgov"))
        results["cases"]["ctgov"] = run.as_dict() | marginal(run, fixed_s, floor_s, fixed_cpu_s)
    if cases & {"scaled", "noop", "delta"}:
        corpus = ensure_scaled_corpus(archive, work / f"scaled-{scale}", scale)
        _files, floor_s = floor.measure("folder", corpus)
        folder = work / "scaled-run"
        if "scaled" in cases or not (folder / "trials.duckdb").exists():
            run = _run_case("scaled", [corpus], _fresh(folder))
            results["cases"]["scaled"] = run.as_dict() | marginal(run, fixed_s, floor_s, fixed_cpu_s)
        if "noop" in cases:
            rerun = _run_case("noop", [corpus], folder)
            results["cases"]["noop"] = rerun.as_dict() | marginal(rerun, fixed_s, None, fixed_cpu_s)
        if "delta" in cases:  # last: it adds the seeds to the scaled warehouse
            results["cases"]["delta"] = _run_case("delta", [PROJECT_ROOT / "seeds"], folder).as_dict()
    if "server" in cases:
        results["cases"]["server"] = server_case(work)
    if "criteria" in cases:
        results["criteria"] = criteria.main()
    if "ceiling" in cases:
        results["ceiling"] = ceiling.measure(archive)
        if "ctgov" in results["cases"]:  # the same records through the real flow
            results["ceiling"] |= ceiling.beyond_chain(results["ceiling"], results["cases"]["ctgov"])
    return results


def table(results: dict[str, Any]) -> str:
    stages = ("extract", "wait", "parse", "validate", "load", "links", "quality", "export", "commit")
    header = [
        "case",
        "docs",
        "wall s",
        "marginal docs/s",
        "x floor",
        "CPU ms/doc",
        "CPU-bound docs/s",
        "peak RSS MB",
        "flow RSS MB",
        "peak PSS MB",
        "peak anon MB (cgroup)",
        *stages,
        "prefect+startup s",
    ]
    lines = [" | ".join(header), " | ".join("---" for _ in header)]
    for label, case in results["cases"].items():
        for run in case["runs"] if label == "server" else [case]:
            row = [
                run["label"],
                run["documents"],
                run["wall_s"],
                run.get("marginal_docs_per_s", ""),
                run.get("marginal_over_floor", ""),
                run.get("marginal_cpu_ms_per_doc", ""),
                run.get("cpu_bound_docs_per_s", ""),
                run["peak_rss_tree_mb"],
                run["peak_rss_main_mb"],
                run.get("peak_pss_tree_mb", ""),
                run.get("peak_anon_mb", ""),
            ]
            row += [run["stage_seconds"].get(stage, "") for stage in stages]
            row.append(run["prefect_and_startup_s"])
            lines.append(" | ".join(str(v) for v in row))
    return "\n".join(lines)


def main() -> dict[str, Any]:
    if {"-h", "--help"} & set(sys.argv[1:]):
        print(__doc__)
        sys.exit(0)
    cases = {c.strip() for c in os.environ.get("TRIALS_BENCH_CASES", DEFAULT_CASES).split(",") if c.strip()}
    scale = int(os.environ.get("TRIALS_BENCH_SCALE", "100000"))
    results = run_cases(cases, scale)
    RESULTS.write_text(json.dumps(results, indent=1, default=str), encoding="utf-8")
    print()
    print(table(results))
    if "ceiling" in results:
        print()
        print(ceiling.table(results["ceiling"]))
    print(f"\nresults: {RESULTS}")
    return results


if __name__ == "__main__":
    main()

"""The benchmark's scaled corpus and figures.

Real data: the first records of the ClinicalTrials.gov XML archive, read from the corpora folder;
real processes for the CPU sampling.
"""

from __future__ import annotations

import itertools
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import psutil
import pytest

from bench import floor
from bench.ceiling import STEPS, StepClock, chain_one_core
from bench.cgroup import MemoryCgroup
from bench.measure import RunMeasure, TreeCpu, TreeMemory, process_tree
from bench.run import marginal, memory_cap
from bench.scale import read_ctgov_records, replicate, write_scaled_corpus
from flows.extract.decode import to_document
from flows.extract.sources import file_records, with_ids
from flows.parse import parse_document
from flows.settings import load_settings

ARCHIVE = load_settings().corpora_dir / "ctgov-xml.tar.gz"


def first_records(count: int) -> list[tuple[str, bytes]]:
    assert ARCHIVE.is_file(), f"corpus archive missing: {ARCHIVE} (set TRIALS_CORPORA)"
    return list(itertools.islice(read_ctgov_records(ARCHIVE), count))


def test_a_replica_names_a_new_trial_everywhere_the_record_named_itself() -> None:
    name, data = first_records(1)[0]
    own = Path(name).stem.encode()  # the archive names each file after its NCT id
    new_id, replica = replicate(data, copy=3, record=42)
    assert new_id == b"NCT90300042"
    assert data.count(own) >= 2  # <nct_id> and the record's URL
    assert replica.count(new_id) == data.count(own)
    assert own not in replica
    assert len(replica) == len(data)  # ids have the same length: nothing else moves


def test_the_scaled_corpus_holds_the_asked_number_of_distinct_trials(tmp_path: Path) -> None:
    written = write_scaled_corpus(ARCHIVE, tmp_path, 7000)  # more than one copy of 6,782 records
    files = sorted(tmp_path.rglob("*.xml"))
    assert written == len(files) == 7000
    assert len({f.stem for f in files}) == 7000
    assert {f.parent.parent.name for f in files} == {"copy00", "copy01"}


def test_marginal_throughput_subtracts_the_fixed_cost() -> None:
    run = RunMeasure("ctgov", 40.0, 0, TreeMemory(), summary={"documents": {"seen": 6000}})
    figures = marginal(run, fixed_s=10.0, floor_s=2.0)
    assert figures == {
        "marginal_s": 30.0,
        "marginal_docs_per_s": 200.0,
        "floor_s": 2.0,
        "marginal_over_floor": 15.0,
    }


def test_the_cpu_the_documents_took_bounds_the_throughput_on_this_machines_cores() -> None:
    cpu = TreeCpu({101: ("flow", 30.0), 102: ("parse_workers", 40.0), 103: ("parse_workers", 10.0)})
    run = RunMeasure("ctgov", 40.0, 0, TreeMemory(), cpu, {"documents": {"seen": 6000}})
    figures = marginal(run, fixed_s=10.0, floor_s=None, fixed_cpu_s=20.0)
    cores = psutil.cpu_count()
    assert figures["marginal_cpu_s"] == 60.0
    assert figures["marginal_cpu_ms_per_doc"] == 10.0
    assert figures["cpu_bound_docs_per_s"] == round(cores * 100.0, 1)
    assert run.as_dict()["cpu_s"] == {"flow": 30.0, "parse_workers": 50.0, "prefect_server": 0.0, "other": 0.0}


def test_a_run_that_took_less_cpu_than_the_fixed_cost_gives_no_bound() -> None:
    """A no-op rerun of a small corpus can take less CPU than the seeds run it is measured against."""
    cpu = TreeCpu({101: ("flow", 5.0)})
    run = RunMeasure("noop", 7.0, 0, TreeMemory(), cpu, {"documents": {"seen": 20000}})
    figures = marginal(run, fixed_s=6.0, floor_s=None, fixed_cpu_s=8.5)
    assert (figures["marginal_cpu_s"], figures["marginal_cpu_ms_per_doc"]) == (0.0, 0.0)
    assert "cpu_bound_docs_per_s" not in figures


def test_cpu_sampling_counts_each_process_of_the_tree_under_its_role() -> None:
    busy = "import time\nend = time.process_time() + 0.5\nwhile time.process_time() < end: pass\ntime.sleep(5)"
    child = subprocess.Popen([sys.executable, "-c", busy])
    try:
        cpu, child_process = TreeCpu(), psutil.Process(child.pid)
        while child_process.cpu_times().user + child_process.cpu_times().system < 0.5:
            cpu.sample(process_tree(psutil.Process()))
        cpu.sample(process_tree(psutil.Process()))
    finally:
        child.kill()
        child.wait()
    roles = cpu.by_role()
    assert roles["other"] >= 0.5  # the child: neither the flow, a parse worker nor Prefect's server
    assert roles["flow"] > 0  # this process, the tree's root
    assert roles["parse_workers"] == roles["prefect_server"] == 0


def test_memory_sampling_counts_shared_pages_once_in_the_proportional_sum() -> None:
    """A second interpreter shares its executable and libraries' pages with this one: the sum of resident
    sizes counts them twice, the sum of proportional set sizes once."""
    child = subprocess.Popen(
        [sys.executable, "-c", "import time; print('started', flush=True); time.sleep(5)"], stdout=subprocess.PIPE
    )
    try:
        assert child.stdout is not None
        child.stdout.readline()  # sampled before its interpreter had loaded, the child shared next to nothing
        memory = TreeMemory()
        memory.sample(process_tree(psutil.Process()))
    finally:
        child.kill()
        child.wait()
    own = psutil.Process().memory_info().rss
    assert memory.peak_tree_bytes > own  # this process and the child
    assert 0 < memory.peak_pss_tree_bytes < memory.peak_tree_bytes
    assert memory.peak_main_bytes <= memory.peak_tree_bytes


def test_the_memory_cap_is_read_in_decimal_units_as_the_target_is_given() -> None:
    assert memory_cap("1.5GB") == 1_500_000_000
    assert memory_cap("800mb") == 800_000_000
    assert memory_cap("123456") == 123_456
    assert memory_cap("none") is None


# a process that fills 200 MB, then forks two children that share those pages and never write to them
SHARED_200_MB = """
import os, sys, time
data = bytearray(200 * 2**20)
for i in range(0, len(data), 4096):
    data[i] = 1
children = []
for _ in range(2):
    pid = os.fork()
    if pid == 0:
        time.sleep(30)
        os._exit(0)
    children.append(pid)
print("ready", flush=True)
sys.stdin.readline()
for pid in children:
    os.kill(pid, 9)
"""


def _cgroup(cap_bytes: int | None) -> MemoryCgroup:
    cgroup = MemoryCgroup.create(cap_bytes)
    if cgroup is None:
        pytest.skip("no memory cgroup can be made here (needs root and the cgroup v1 memory controller)")
    return cgroup


def test_the_cgroup_counts_pages_that_processes_share_once() -> None:
    cgroup = _cgroup(None)
    child = subprocess.Popen(
        [sys.executable, "-c", SHARED_200_MB],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        preexec_fn=cgroup.join,
    )
    try:
        assert child.stdout is not None and child.stdin is not None
        child.stdout.readline()
        tree = TreeMemory()
        tree.sample(process_tree(psutil.Process(child.pid)))
        cgroup.sample()
        child.stdin.write(b"done\n")
        child.stdin.flush()
        child.wait(30)
        assert cgroup.oom_kills() == 0
    finally:
        child.kill()
        child.wait()
        cgroup.remove()
    assert tree.peak_tree_bytes > 3 * 200 * 2**20  # the resident sizes count the 200 MB in all three processes
    assert 200 * 2**20 < cgroup.peak_anon_bytes < 300 * 2**20  # the kernel once


def test_a_run_that_needs_more_than_the_cap_is_killed_and_counted() -> None:
    cgroup = _cgroup(100 * 10**6)
    try:
        child = subprocess.run(
            [sys.executable, "-c", "data = bytearray(300 * 2**20)\nfor i in range(0, len(data), 4096): data[i] = 1"],
            preexec_fn=cgroup.join,
            timeout=60,
        )
        assert child.returncode == -9  # SIGKILL from the kernel's out-of-memory killer
        assert cgroup.oom_kills() == 1
        assert cgroup.peak_usage_bytes() <= 100 * 10**6
    finally:
        cgroup.remove()


def test_killing_what_is_left_of_a_run_ends_every_process_in_the_cgroup() -> None:
    """A run the kernel cut short leaves processes that hold its output pipe: all of them are killed."""
    cgroup = _cgroup(None)
    run = subprocess.Popen(["sh", "-c", "sleep 60 & sleep 60 & wait"], stdout=subprocess.PIPE, preexec_fn=cgroup.join)
    try:
        while len((cgroup.path / "cgroup.procs").read_text().split()) < 3:
            time.sleep(0.01)
        cgroup.kill_all()
        run.communicate(timeout=10)  # the pipe closes: no process holds it any more
        assert run.returncode == -9
    finally:
        cgroup.kill_all()
        cgroup.remove()
    assert not cgroup.path.exists()


def test_the_ceiling_times_each_step_of_the_chain_into_a_real_warehouse(tmp_path: Path) -> None:
    records = with_ids(file_records(ARCHIVE, load_settings().max_document_bytes))
    raws = list(itertools.islice(records, 60))
    parsed = [parse_document(to_document(raw)).record for raw in raws]
    clock = StepClock()
    rows = chain_one_core(raws, 25, tmp_path, clock)  # three batches
    assert rows["documents"] == rows["trials"] == 60
    assert rows["criteria"] == sum(len(record.criteria) for record in parsed if record is not None)
    assert {step for step, seconds in clock.seconds.items() if seconds > 0} == set(STEPS) - {"extract"}
    trials = tmp_path / "parquet.new" / "trials.parquet"  # the export before it is put in place
    pattern = trials / "**" / "*.parquet" if trials.is_dir() else trials
    assert duckdb.sql(f"SELECT count(*) FROM read_parquet('{pattern}')").fetchone() == (60,)


def test_the_floor_parses_every_xml_file_of_a_folder_in_a_fresh_interpreter(tmp_path: Path) -> None:
    for name, data in first_records(3):
        (tmp_path / Path(name).name).write_bytes(data)
    (tmp_path / "notes.txt").write_text("not XML, not counted")
    files, seconds = floor.measure("folder", tmp_path)
    assert files == 3
    assert seconds > 0

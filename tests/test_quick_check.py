"""The quick check: files unchanged in size and modification time since a run read them are not read again.

Fixtures: copies of the five seeds (single-record files), of ../shared/corpora/ictrp-results-2020-03.xml.gz
(a real WHO ICTRP export of 577 trials, gzipped: one file, many records) and of registry-pages.tar.gz
(real saved registry pages in an archive: one file, many members), with their modification time set a
day back. One seed is edited as a registry update would be (IRCT's target sample size 20 -> 24, the
same number of bytes) with its modification time put back, which only a full read can see.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from flows.extract.quick_check import QuickCheck
from tests.conftest import SEEDS, Warehouse, build_warehouse, seed_path
from tests.test_seeds_warehouse import IRCT
from warehouse import load, source_files
from warehouse.source_files import FileStamps, NewStamps
from warehouse.stored import SeenPlaces, file_key

DAY_AGO_NS = time.time_ns() - 86_400 * 10**9
ICTRP = "ictrp-results-2020-03.xml.gz"
PAGES = "registry-pages.tar.gz"


def _stamped(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    return con.execute("SELECT file_path, bytes, mtime_ns, documents, run_id FROM source_files ORDER BY 1").fetchall()


def test_recorded_files_are_found_by_path_size_and_time(tmp_path: Path) -> None:
    con = duckdb.connect(str(tmp_path / "trials.duckdb"))
    load.apply_ddl(con)
    new = NewStamps()
    new.add("/data/a/NCT1.xml", 2773, 1_767_225_600_000_000_000, 1)
    new.add("/data/a/registres/étude 試験.xml.gz", 353_017, 1_767_225_600_123_456_789, 577)  # not ASCII
    source_files.add(con, new, "first")
    stamps = FileStamps.read(con)
    assert len(stamps) == 2
    keys = [file_key("/data/a/registres/étude 試験.xml.gz"), file_key("/data/a/NCT1.xml")]
    assert stamps.unchanged(keys, [353_017, 2773], [1_767_225_600_123_456_789, 1_767_225_600_000_000_000]) == [577, 1]
    # one nanosecond later, one byte more, another file
    assert stamps.unchanged(keys, [353_017, 2774], [1_767_225_600_123_456_790, 1_767_225_600_000_000_000]) == [
        None,
        None,
    ]
    assert stamps.unchanged([file_key("/data/a/NCT2.xml")], [2773], [1_767_225_600_000_000_000]) == [None]


def test_a_run_keeps_the_stamps_of_files_kept_or_outside_its_sources_and_replaces_the_rest(tmp_path: Path) -> None:
    con = duckdb.connect(str(tmp_path / "trials.duckdb"))
    load.apply_ddl(con)
    first = NewStamps()
    for path in ("/data/a/kept.xml", "/data/a/reread.xml", "/data/a/gone.xml", "/data/ab/other.xml"):
        first.add(path, 10, 1, 1)
    source_files.add(con, first, "first")
    kept = SeenPlaces()
    kept.add(file_key("/data/a/kept.xml"))
    second = NewStamps()
    second.add("/data/a/reread.xml", 12, 2, 1)
    source_files.add(con, second, "second")
    source_files.forget_unread(con, ["/data/a"], kept, "second")
    assert _stamped(con) == [
        ("/data/a/kept.xml", 10, 1, 1, "first"),
        ("/data/a/reread.xml", 12, 2, 1, "second"),
        ("/data/ab/other.xml", 10, 1, 1, "first"),  # /data/ab is not under /data/a
    ]


def test_only_files_settled_before_they_are_read_get_a_stamp(tmp_path: Path) -> None:
    """A file modified in the last two seconds could change again within its timestamp's granularity."""
    settled, fresh = tmp_path / "settled.txt", tmp_path / "fresh.txt"
    settled.write_text("Trial registration: NCT00000102", encoding="utf-8")
    fresh.write_text("Trial registration: NCT00000104", encoding="utf-8")
    os.utime(settled, ns=(DAY_AGO_NS, DAY_AGO_NS))
    check = QuickCheck(FileStamps.empty())
    records = list(check.records(check.files_to_read([fresh, settled]), max_bytes=1024))
    assert [r.source_path for r in records] == [str(fresh), str(settled)]
    table = check.new.as_arrow().to_pylist()
    assert table == [{"file_path": str(settled), "bytes": 31, "mtime_ns": DAY_AGO_NS, "documents": 1}]


@dataclass
class Runs:
    source: Path
    summaries: list[dict]
    stamps: list[list[tuple]]  # source_files after each run
    enrollments: list[int]  # IRCT's after each run
    warehouse: Warehouse | None = None  # after the last run


def _run(tmp_path: Path, source: Path, runs: Runs, *options: str) -> None:
    summary = tmp_path / f"run{len(runs.summaries)}.json"
    runs.warehouse = build_warehouse(tmp_path, source, extra=("--summary-json", str(summary), *options))
    runs.summaries.append(json.loads(summary.read_text()))
    with duckdb.connect(str(runs.warehouse.db), read_only=True) as con:
        runs.stamps.append(_stamped(con))
        runs.enrollments.append(con.execute("SELECT enrollment FROM trials WHERE trial_id = ?", [IRCT]).fetchone()[0])


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory, corpora: Path) -> Runs:
    """Five runs: the first reads everything, its files stored with its batches; the second changes
    nothing; before the third one seed is edited (same size, time put back) and another only touched;
    the fourth reads every file in full; the archive is deleted before the fifth."""
    root = tmp_path_factory.mktemp("quick-check")
    source = root / "source"
    shutil.copytree(SEEDS, source)
    for name in (ICTRP, PAGES):
        shutil.copy(corpora / name, source / name)
    for file in source.iterdir():
        os.utime(file, ns=(DAY_AGO_NS, DAY_AGO_NS))
    result = Runs(source, [], [], [])
    with pytest.MonkeyPatch.context() as env:  # the first run loads batches of 100 into a working copy
        env.setenv("TRIALS_BATCH_SIZE", "100")
        env.setenv("TRIALS_IN_PLACE_MAX", "100")
        _run(root, source, result)
    _run(root, source, result)

    irct = source / seed_path("002").name
    edited = irct.read_text(encoding="utf-8").replace("Target sample size: **20**", "Target sample size: **24**")
    irct.write_text(edited, encoding="utf-8")
    os.utime(irct, ns=(DAY_AGO_NS, DAY_AGO_NS))
    os.utime(source / seed_path("000").name, ns=(DAY_AGO_NS + 10**9, DAY_AGO_NS + 10**9))
    _run(root, source, result)
    with pytest.MonkeyPatch.context() as env:
        env.setenv("TRIALS_QUICK_CHECK", "0")
        _run(root, source, result)
    (source / PAGES).unlink()
    _run(root, source, result)
    return result


def _documents(runs: Runs, at: int) -> dict[str, int]:
    return {k: v for k, v in runs.summaries[at]["documents"].items() if v}


def test_every_file_read_whole_is_recorded_with_its_documents(runs: Runs, corpora: Path) -> None:
    first = runs.summaries[0]["documents"]
    assert first["seen"] == first["loaded"] + first["partial"] + first["rejected"] == 5 + 577 + 14
    stamped = {Path(path).name: (size, mtime, documents) for path, size, mtime, documents, _ in runs.stamps[0]}
    expected = {file.name: (file.stat().st_size, DAY_AGO_NS, 1) for file in SEEDS.glob("*.txt")}
    expected[ICTRP] = ((corpora / ICTRP).stat().st_size, DAY_AGO_NS, 577)
    expected[PAGES] = ((corpora / PAGES).stat().st_size, DAY_AGO_NS, 14)
    assert stamped == expected


def test_a_run_that_changes_nothing_reads_no_file(runs: Runs) -> None:
    assert _documents(runs, 1) == {"seen": 596, "skipped": 596}
    assert runs.stamps[1] == runs.stamps[0]  # all as the first run recorded them


def test_a_file_with_its_size_and_time_unchanged_is_not_read_until_a_run_reads_every_file(runs: Runs) -> None:
    """rsync's quick check: an edit that keeps the size and puts the time back is seen only when every
    file is read (TRIALS_QUICK_CHECK=0, or --full-refresh)."""
    assert _documents(runs, 2) == {"seen": 596, "skipped": 596}
    assert _documents(runs, 3) == {"seen": 596, "loaded": 1, "skipped": 595}
    assert runs.enrollments == [20, 20, 20, 24, 24]
    assert {run_id for *_, run_id in runs.stamps[3]} == {runs.summaries[3]["run_id"]}  # every file recorded again


def test_a_touched_file_is_read_and_its_new_time_recorded(runs: Runs) -> None:
    touched = str(runs.source / seed_path("000").name)
    assert [row[2:] for row in runs.stamps[2] if row[0] == touched] == [
        (DAY_AGO_NS + 10**9, 1, runs.summaries[2]["run_id"])
    ]
    assert len(runs.stamps[2]) == 7


def test_the_documents_of_a_deleted_archive_are_removed_and_those_of_kept_files_stay(runs: Runs) -> None:
    wh = runs.warehouse
    assert wh is not None
    assert _documents(runs, 4) == {"seen": 582, "skipped": 582, "removed": 14}
    removed = wh.query("SELECT DISTINCT split_part(source_path, '!', 1) FROM documents WHERE status = 'removed'")
    assert removed == [(str(runs.source / PAGES),)]
    kept = "SELECT count(*) FROM documents WHERE status <> 'removed' AND source_path = ?"
    assert wh.scalar(kept, [str(runs.source / ICTRP)]) == 577
    assert [Path(row[0]).name for row in runs.stamps[4]] == sorted(p.name for p in runs.source.iterdir())

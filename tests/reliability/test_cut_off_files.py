"""Files that cannot be read to their end: the run goes on, says why, and loses no stored document.

Inputs: ../shared/corpora/ictrp-results-2020-03.xml.gz (a real WHO ICTRP export of 577 trials,
gzipped) and registry-pages.tar.gz (real saved registry pages, 14 members), each cut off halfway as an
interrupted download leaves it; a file that starts like a gzip and holds nothing else of one; seeds
002 and 003 as they are. Three runs: the whole files; the cut-off ones in their place, plus the
corrupt one; the whole files back.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from tests.conftest import build_warehouse, seed_path

ICTRP = "ictrp-results-2020-03.xml.gz"
PAGES = "registry-pages.tar.gz"
CORRUPT = "download.xml.gz"


@dataclass
class Run:
    summary: dict
    documents: list[tuple]  # name of the file (an archive's for its members), record_index, status, reason
    trials: int


def _run(root: Path, source: Path, label: str) -> Run:
    summary = root / f"{label}.json"
    warehouse = build_warehouse(root, source, extra=("--summary-json", str(summary)))
    with duckdb.connect(str(warehouse.db), read_only=True) as con:
        documents = con.execute(
            "SELECT split_part(split_part(source_path, '!', 1), '/', -1), record_index, status, reason FROM documents"
        ).fetchall()
        trials = con.execute("SELECT count(*) FROM trials").fetchone()[0]  # type: ignore[index]
    return Run(json.loads(summary.read_text()), documents, trials)


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory, corpora: Path) -> list[Run]:
    root = tmp_path_factory.mktemp("cut-off")
    source = root / "source"
    source.mkdir()
    for prefix in ("002", "003"):
        shutil.copy(seed_path(prefix), source / seed_path(prefix).name)
    for name in (ICTRP, PAGES):
        shutil.copy(corpora / name, source / name)
    first = _run(root, source, "whole")
    for name in (ICTRP, PAGES):
        whole = (corpora / name).read_bytes()
        (source / name).write_bytes(whole[: len(whole) // 2])
    (source / CORRUPT).write_bytes(b"\x1f\x8b\x08\x00" + bytes(range(256)) * 4)
    second = _run(root, source, "cut-off")
    for name in (ICTRP, PAGES):
        shutil.copy(corpora / name, source / name)
    (source / CORRUPT).unlink()
    third = _run(root, source, "restored")
    return [first, second, third]


def _unreadable(run: Run) -> dict[str, tuple[str, str]]:
    return {name: (status, reason) for name, index, status, reason in run.documents if index == -1}


def test_a_file_cut_off_is_a_rejected_document_that_says_why_and_the_run_goes_on(runs: list[Run]) -> None:
    cut = runs[1]
    assert cut.summary["documents"]["rejected"] == 3
    unreadable = _unreadable(cut)
    assert set(unreadable) == {ICTRP, PAGES, CORRUPT}
    assert {status for status, _ in unreadable.values()} == {"rejected"}
    assert unreadable[ICTRP][1].startswith("file unreadable after ")
    assert unreadable[ICTRP][1].endswith("EOFError: Compressed file ended before the end-of-stream marker was reached")
    assert unreadable[CORRUPT][1].startswith("file unreadable after 0 document(s): ")


def test_the_documents_a_cut_off_file_no_longer_holds_are_not_removed(runs: list[Run]) -> None:
    whole, cut = runs[0], runs[1]
    assert cut.summary["documents"]["removed"] == 0
    assert cut.trials == whole.trials == 2 + 577 + 11 - 1  # 073-011 twice among the pages: one trial
    kept = [row for row in cut.documents if row[0] in (ICTRP, PAGES) and row[1] >= 0]
    assert len(kept) == 577 + 14 and all(status != "removed" for _, _, status, _ in kept)


def test_the_whole_file_back_replaces_the_rejection(runs: list[Run]) -> None:
    restored = runs[2]
    assert {name: status for name, (status, _) in _unreadable(restored).items()} == {
        ICTRP: "removed",
        PAGES: "removed",
        CORRUPT: "removed",
    }
    assert restored.trials == runs[0].trials
    assert restored.summary["documents"]["removed"] == 3

"""Which files a source folder gives, and in which order (the order decides which of two documents of a
batch naming the same trial wins, so it must not change between runs).

Inputs: folders laid out here the way registry downloads are (nested per-range folders, a readme,
hidden editor files, links); ../shared/corpora/ictrp-results-2020-03.xml.gz (a real WHO ICTRP export of
577 trials) cut off halfway, as an interrupted download leaves it.
"""

from __future__ import annotations

import gzip
from pathlib import Path

from flows.extract.sources import UNREADABLE_INDEX, file_records, iter_files

XML = b"<clinical_study><id_info><nct_id>NCT00000102</nct_id></id_info></clinical_study>\n"


def _write(root: Path, relative: str) -> None:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(XML)


def test_files_come_in_sorted_path_order_without_hidden_files(tmp_path: Path) -> None:
    for relative in (
        "NCT0001xxxx/NCT00010002.xml",
        "NCT0001xxxx/NCT00010001.xml",
        "NCT0000xxxx/NCT00000102.xml",
        "NCT0000xxxx.xml",  # a file named like a sibling folder, sorted after it
        "NCT0000xxxx/.NCT00000102.xml.swp",
        "B-readme.txt",
        "a/b/c.xml",
        "a-b.xml",
        ".cache/kept.xml",  # a hidden folder's files are read; only hidden files are left out
    ):
        _write(tmp_path, relative)
    got = [str(path.relative_to(tmp_path)) for path in iter_files([tmp_path])]
    assert got == [
        ".cache/kept.xml",
        "B-readme.txt",
        "NCT0000xxxx/NCT00000102.xml",
        "NCT0000xxxx.xml",
        "NCT0001xxxx/NCT00010001.xml",
        "NCT0001xxxx/NCT00010002.xml",
        "a/b/c.xml",
        "a-b.xml",
    ]
    # the order a sorted list of every path gave, which earlier warehouses were loaded in
    earlier = sorted(p for p in tmp_path.rglob("*") if p.is_file() and not p.name.startswith("."))
    assert got == [str(p.relative_to(tmp_path)) for p in earlier]


def test_links_to_files_are_read_and_links_to_folders_are_not_followed(tmp_path: Path) -> None:
    _write(tmp_path, "data/NCT00000102.xml")
    (tmp_path / "data" / "latest.xml").symlink_to(tmp_path / "data" / "NCT00000102.xml")
    (tmp_path / "data" / "loop").symlink_to(tmp_path / "data")
    got = [str(path.relative_to(tmp_path)) for path in iter_files([tmp_path])]
    assert got == ["data/NCT00000102.xml", "data/latest.xml"]


def test_a_file_given_as_source_is_itself(tmp_path: Path) -> None:
    _write(tmp_path, "one.xml")
    assert list(iter_files([tmp_path / "one.xml"])) == [tmp_path / "one.xml"]


def test_each_folder_is_listed_only_when_the_walk_reaches_it(tmp_path: Path) -> None:
    """What keeps a 530,000-file source from being held as one list of paths for the whole run."""
    _write(tmp_path, "NCT0000xxxx/NCT00000102.xml")
    (tmp_path / "NCT0001xxxx").mkdir()
    files = iter_files([tmp_path])
    assert next(files) == tmp_path / "NCT0000xxxx" / "NCT00000102.xml"
    _write(tmp_path, "NCT0001xxxx/NCT00010001.xml")  # after the walk began
    assert list(files) == [tmp_path / "NCT0001xxxx" / "NCT00010001.xml"]


def test_a_file_cut_off_gives_its_whole_records_then_one_that_says_why(tmp_path: Path, corpora: Path) -> None:
    whole = (corpora / "ictrp-results-2020-03.xml.gz").read_bytes()
    cut = tmp_path / "ictrp.xml.gz"
    cut.write_bytes(whole[: len(whole) // 2])
    records = list(file_records(cut, max_bytes=1 << 20))
    *complete, last = records
    assert 200 < len(complete) < 400
    assert [r.record_index for r in complete] == list(range(len(complete)))
    assert complete[-1].data.rstrip() in gzip.decompress(whole)  # the last one read is whole
    assert not any(r.unreadable or r.error for r in complete)
    assert (last.source_path, last.record_index, last.unreadable, last.data) == (str(cut), UNREADABLE_INDEX, True, b"")
    assert last.error == (
        f"file unreadable after {len(complete)} document(s): "
        "EOFError: Compressed file ended before the end-of-stream marker was reached"
    )


def test_a_corrupt_archive_says_so_and_a_file_gone_gives_nothing(tmp_path: Path) -> None:
    corrupt = tmp_path / "pages.tar.gz"
    corrupt.write_bytes(b"\x1f\x8b\x08\x00" + bytes(range(256)) * 4)
    (record,) = file_records(corrupt, max_bytes=1 << 20)
    assert record.unreadable and record.record_index == UNREADABLE_INDEX
    assert record.error is not None and record.error.startswith("file unreadable after 0 document(s): ")
    assert list(file_records(tmp_path / "gone.xml", max_bytes=1 << 20)) == []

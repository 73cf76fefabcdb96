"""Which files a source folder gives, and in which order (the order decides which of two documents of a
batch naming the same trial wins, so it must not change between runs).

Inputs: folders laid out here the way registry downloads are (nested per-range folders, a readme,
hidden editor files, links).
"""

from __future__ import annotations

from pathlib import Path

from flows.extract.sources import iter_files

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

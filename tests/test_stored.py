"""Document places held compactly: the stored document at each (source_path, record_index), the
places a run read, and the removals worked out from them in DuckDB.

Inputs: the five seeds (their real paths and sha256 ids) and archive-member paths as the run
names them; a warehouse schema applied here to an empty DuckDB file.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import duckdb
import pytest

from flows.extract.sources import distinct_sources
from tests.conftest import SEEDS
from warehouse import load
from warehouse.stored import KEY_SQL, REMOVED, SeenPlaces, StoredDocuments, document_key, file_key

PLACES = [(str(path), 0) for path in sorted(SEEDS.glob("*.txt"))] + [
    ("/data/ctgov-xml.tar.gz!ctgov-xml/NCT00000102.xml", 0),
    ("/data/ictrp/ICTRP-Results.xml", 1873),
    ("/data/registres/étude clinique 試験.txt", 0),  # not ASCII: hashed as UTF-8 on both sides
]


def _ids() -> list[str]:
    return [hashlib.sha256(f"document {i}".encode()).hexdigest() for i in range(len(PLACES))]


def _warehouse(tmp_path: Path, rows: list[tuple[str, int, str, str]]) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(str(tmp_path / "trials.duckdb"))
    load.apply_ddl(con)
    for path, index, document_id, status in rows:
        con.execute(
            "INSERT INTO documents (document_id, source_path, record_index, source_format, status, bytes, loaded_at, "
            "text, run_id) VALUES (?, ?, ?, 'ctgov_xml', ?, 10, now()::TIMESTAMP, 'text', 'first')",
            [document_id, path, index, status],
        )
    return con


def test_the_key_is_the_same_in_python_and_in_duckdb() -> None:
    con = duckdb.connect()
    for path, index in PLACES:
        in_sql = con.execute(f"SELECT {KEY_SQL} FROM (SELECT ? AS source_path, ? AS record_index)", [path, index])
        assert in_sql.fetchall()[0][0].encode() == document_key(path, index)


def test_stored_documents_are_found_by_place(tmp_path: Path) -> None:
    ids = _ids()
    con = _warehouse(tmp_path, [(path, index, ids[i], "loaded") for i, (path, index) in enumerate(PLACES)])
    stored = StoredDocuments.read(con)
    assert len(stored) == len(PLACES)
    assert stored.document_ids([document_key(*place) for place in reversed(PLACES)]) == ids[::-1]
    elsewhere = [document_key(PLACES[0][0], 1), document_key("/data/elsewhere.txt", 0)]  # another record, file
    assert stored.document_ids([elsewhere[0], document_key(*PLACES[2]), elsewhere[1]]) == [None, ids[2], None]
    assert stored.document_ids([]) == []


def test_a_new_warehouse_holds_no_documents() -> None:
    stored = StoredDocuments.read(duckdb.connect())
    assert len(stored) == 0 and stored.document_ids([document_key(*PLACES[0])]) == [None]


def test_seen_places_reach_duckdb_as_the_same_keys() -> None:
    seen = SeenPlaces()
    for place in PLACES:
        seen.add(document_key(*place))
    assert len(seen) == len(PLACES)
    assert seen.as_arrow().to_pylist() == [document_key(*place).decode() for place in PLACES]


def test_only_unseen_documents_under_the_run_sources_are_removed(tmp_path: Path) -> None:
    ids = _ids()
    rows = [
        ("/data/a/NCT1.xml", 0, ids[0], "loaded"),  # read again: stays
        ("/data/a/NCT2.xml", 0, ids[1], "loaded"),  # gone from /data/a: removed
        ("/data/a.tar.gz!x/NCT3.xml", 0, ids[2], "loaded"),  # a member of an archive given as a source: removed
        ("/data/ab/NCT4.xml", 0, ids[3], "loaded"),  # /data/ab is not under /data/a: stays
        ("/data/b/NCT5.xml", 0, ids[4], "loaded"),  # another source, not part of this run: stays
        ("/data/a/NCT6.xml", 0, ids[5], "removed"),  # removed before: left as it is
    ]
    con = _warehouse(tmp_path, rows)
    seen = SeenPlaces()
    seen.add(document_key("/data/a/NCT1.xml", 0))
    assert load.mark_removed(con, ["/data/a", "/data/a.tar.gz"], seen, SeenPlaces(), "second") == 2
    statuses = con.execute("SELECT source_path, status, run_id FROM documents ORDER BY source_path").fetchall()
    assert statuses == [
        ("/data/a.tar.gz!x/NCT3.xml", "removed", "second"),
        ("/data/a/NCT1.xml", "loaded", "first"),
        ("/data/a/NCT2.xml", "removed", "second"),
        ("/data/a/NCT6.xml", "removed", "first"),
        ("/data/ab/NCT4.xml", "loaded", "first"),
        ("/data/b/NCT5.xml", "loaded", "first"),
    ]


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        (["seeds", "seeds"], ["seeds"]),
        (["seeds/000_6d0bc36e39212bdc.txt", "seeds"], ["seeds"]),
        (["seeds", "corpora/ctgov-xml.tar.gz"], ["seeds", "corpora/ctgov-xml.tar.gz"]),
        (["seeds-2024", "seeds"], ["seeds-2024", "seeds"]),  # a name that starts alike is not inside
    ],
)
def test_sources_inside_another_source_are_read_once(given: list[str], kept: list[str]) -> None:
    assert distinct_sources(Path(p) for p in given) == [Path(p) for p in kept]


def test_a_source_emptied_since_the_last_run_has_all_its_documents_removed(tmp_path: Path) -> None:
    ids = _ids()
    rows = [("/data/a/NCT1.xml", 0, ids[0], "loaded"), ("/data/a/NCT2.xml", 0, ids[1], "loaded")]
    rows.append(("/data/b/NCT5.xml", 0, ids[2], "loaded"))
    con = _warehouse(tmp_path, rows)
    assert load.mark_removed(con, ["/data/a"], SeenPlaces(), SeenPlaces(), "second") == 2
    assert con.execute("SELECT count(*) FROM documents WHERE status = 'removed'").fetchall() == [(2,)]


def test_the_documents_of_files_kept_unread_are_not_removed(tmp_path: Path) -> None:
    """A file the quick check kept unread stands for every document in it: its records, its archive's
    members. A file name may hold the member separator itself."""
    ids = _ids()
    rows = [
        ("/data/a/ictrp.xml", 0, ids[0], "loaded"),  # records of a multi-record file kept unread: stay
        ("/data/a/ictrp.xml", 1, ids[1], "loaded"),
        ("/data/a/pages.tar.gz!pages/NCT1.html", 0, ids[2], "loaded"),  # members of a kept archive: stay
        ("/data/a/pages.tar.gz!pages/NCT2.html", 0, ids[3], "loaded"),
        ("/data/a/news!.tar.gz!NCT3.xml", 0, ids[4], "loaded"),  # a kept archive named with the separator: stays
        ("/data/a/pages.tar.gz.old!NCT4.xml", 0, ids[5], "loaded"),  # a name that starts alike, not kept: removed
        ("/data/a/gone.xml", 0, ids[6], "loaded"),  # neither read nor kept: removed
    ]
    con = _warehouse(tmp_path, rows)
    kept = SeenPlaces()
    for file in ("/data/a/ictrp.xml", "/data/a/pages.tar.gz", "/data/a/news!.tar.gz"):
        kept.add(file_key(file))
    assert load.mark_removed(con, ["/data/a"], SeenPlaces(), kept, "second") == 2
    removed = con.execute("SELECT source_path FROM documents WHERE status = 'removed' ORDER BY 1").fetchall()
    assert removed == [("/data/a/gone.xml",), ("/data/a/pages.tar.gz.old!NCT4.xml",)]


def test_a_place_marked_removed_matches_no_document(tmp_path: Path) -> None:
    """So that a file restored unchanged is read and loaded again rather than skipped as unchanged."""
    ids = _ids()
    con = _warehouse(tmp_path, [(PLACES[0][0], 0, ids[0], "removed"), (PLACES[1][0], 0, ids[1], "loaded")])
    stored = StoredDocuments.read(con)
    assert stored.document_ids([document_key(PLACES[0][0], 0), document_key(PLACES[1][0], 0)]) == [REMOVED, ids[1]]

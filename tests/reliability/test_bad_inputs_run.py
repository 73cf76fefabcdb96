"""One real `trials run` over a folder of every bad input plus good seeds: the bad ones are
rejected or partial with their reason, the good ones load, and the run exits 0.

Inputs: the bad inputs of tests/reliability/bad_inputs.py (built from seed 001, the
ClinicalTrials.gov XML and registry-pages corpora and the API v2 fixtures), seeds 002 and
003 as they are, and seed 004 under a file name with spaces and non-ASCII letters.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import Warehouse, build_warehouse, seed_path
from tests.reliability.bad_inputs import BadInput, bad_inputs
from tests.reliability.warehouse_scan import duckdb_strings, parquet_strings

MAX_BYTES = 100_000
SECRET = "secret-token-e2e-51c0"
UNICODE_NAME = "试验记录 – NCT06737380 (copie).txt"


@pytest.fixture(scope="module")
def bad_run(tmp_path_factory: pytest.TempPathFactory, corpora: Path) -> tuple[Warehouse, Path, list[BadInput]]:
    root = tmp_path_factory.mktemp("bad-inputs")
    secret = root / "secret.txt"  # outside the source folder: only an XXE could bring it in
    secret.write_text(f"{SECRET}\n", encoding="utf-8")
    source = root / "registry folder"
    source.mkdir()
    cases = bad_inputs(corpora, secret, MAX_BYTES)
    for case in cases:
        (source / case.file_name).write_bytes(case.data)
    for prefix in ("002", "003"):
        shutil.copy(seed_path(prefix), source / seed_path(prefix).name)
    shutil.copy(seed_path("004"), source / UNICODE_NAME)
    with pytest.MonkeyPatch.context() as env:
        env.setenv("TRIALS_MAX_DOCUMENT_BYTES", str(MAX_BYTES))
        warehouse = build_warehouse(root / "out", source)
    return warehouse, source, cases


def document_rows(warehouse: Warehouse, path: Path) -> list[tuple[str, str | None, str | None]]:
    return warehouse.query(
        "SELECT status, reason, encoding FROM documents WHERE source_path = ? ORDER BY record_index",
        [str(path)],
    )


def test_every_bad_file_has_its_status_and_reason(bad_run: tuple[Warehouse, Path, list[BadInput]]) -> None:
    warehouse, source, cases = bad_run
    problems = []
    for case in cases:
        rows = document_rows(warehouse, source / case.file_name)
        if not rows:
            problems.append(f"{case.file_name}: no documents row")
        for status, reason, encoding in rows:
            words_missing = [w for w in case.reason_words if w not in (reason or "").lower()]
            if status not in case.statuses or words_missing or (case.encoding and encoding != case.encoding):
                problems.append(f"{case.file_name}: {status} {encoding} ({reason})")
    assert not problems, "\n".join(problems)


def test_good_seeds_load_beside_the_bad_files(bad_run: tuple[Warehouse, Path, list[BadInput]]) -> None:
    warehouse, source, _ = bad_run
    for prefix in ("002", "003"):
        assert document_rows(warehouse, source / seed_path(prefix).name) == [("loaded", None, "utf-8")]
    assert warehouse.scalar("SELECT phase FROM trials WHERE trial_id = 'irct:IRCT2016090729747N1'") == "PHASE1_PHASE2"
    assert "loaded" in warehouse.stdout


def test_non_ascii_file_name_is_kept_as_written(bad_run: tuple[Warehouse, Path, list[BadInput]]) -> None:
    warehouse, source, _ = bad_run
    assert document_rows(warehouse, source / UNICODE_NAME) == [("loaded", None, "utf-8")]
    kinds = warehouse.query(
        "SELECT kind, count(*) FROM criteria WHERE trial_id = 'ctgov:NCT06737380' GROUP BY kind ORDER BY kind"
    )
    assert kinds == [("exclusion", 16), ("inclusion", 8)]


def test_re_encoded_seeds_load_all_their_criteria(bad_run: tuple[Warehouse, Path, list[BadInput]]) -> None:
    """Seed 001 as UTF-16 (with and without BOM), latin-1, cp1252, with a stray byte and as mojibake."""
    warehouse, source, _ = bad_run
    names = [
        "utf16 with bom.txt",
        "utf16 no bom.txt",
        "étude latin-1 (copie).txt",
        "cp1252.txt",
        "utf8 stray bytes.txt",
        "mojibake.txt",
    ]
    for name in names:
        count = warehouse.scalar(
            """SELECT count(*) FROM criteria c JOIN trials t USING (trial_id)
               JOIN documents d ON d.document_id = t.document_id WHERE d.source_path = ?""",
            [str(source / name)],
        )
        assert count == 19, name


def test_external_entity_leaks_nowhere(bad_run: tuple[Warehouse, Path, list[BadInput]]) -> None:
    """The XXE names a real file: its contents are in no table of the database and no Parquet file."""
    warehouse, _, _ = bad_run
    leaks = [place[:2] for place in duckdb_strings(warehouse.db) if SECRET in place[2]]
    leaks += [place[:2] for place in parquet_strings(warehouse.parquet) if SECRET in place[2]]
    assert leaks == []

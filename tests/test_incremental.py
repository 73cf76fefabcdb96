"""Incremental loads: unchanged documents skipped, changed ones versioned, vanished ones marked removed.

Fixtures: copies of the seeds in a temporary folder; one is edited as a registry update would
(IRCT's target sample size 20 -> 24) and one is deleted between runs.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.conftest import SEEDS, Warehouse, build_warehouse, seed_path
from tests.test_seeds_warehouse import IRCT, snapshot


@pytest.fixture(scope="module")
def two_loads(tmp_path_factory: pytest.TempPathFactory) -> tuple[Warehouse, Path, dict]:
    root = tmp_path_factory.mktemp("incremental")
    source = root / "source"
    shutil.copytree(SEEDS, source)
    build_warehouse(root, source)
    irct = source / seed_path("002").name
    irct.write_text(
        irct.read_text(encoding="utf-8").replace("Target sample size: **20**", "Target sample size: **24**"),
        encoding="utf-8",
    )
    (source / seed_path("000").name).unlink()
    second = build_warehouse(root, source)
    return second, source, snapshot(second)


def test_changed_document_is_reloaded_and_versioned(two_loads) -> None:
    wh, _, _ = two_loads
    assert wh.scalar("SELECT enrollment FROM trials WHERE trial_id = ?", [IRCT]) == 24
    versions = wh.query(
        "SELECT version, valid_to IS NULL, json_extract(trial, '$.enrollment')::INTEGER "
        "FROM trial_versions WHERE trial_id = ? ORDER BY version",
        [IRCT],
    )
    assert versions == [(1, False, 20), (2, True, 24)]


def test_current_version_holds_the_stored_rows_in_key_order(two_loads) -> None:
    """The snapshot of each child table is exactly the trial's current rows, ordered by their key."""
    wh, _, _ = two_loads
    for table, order in (
        ("arms", "arm_seq"),
        ("criteria", "kind, criterion_seq"),
        ("criteria_thresholds", "kind, criterion_seq, threshold_seq"),
        ("endpoints", "kind, endpoint_seq"),
    ):
        rows = wh.query(
            f"""SELECT v.{table}::JSON IS NOT DISTINCT FROM (SELECT to_json(list(x ORDER BY {order})) FROM {table} x
                                          WHERE x.trial_id = v.trial_id), count(*)
                FROM trial_versions v WHERE valid_to IS NULL GROUP BY 1"""
        )
        assert rows == [(True, 4)], table
    kinds = wh.scalar(
        "SELECT json_extract_string(criteria, '$[*].kind') FROM trial_versions WHERE trial_id = ? AND valid_to IS NULL",
        [IRCT],
    )
    assert kinds == sorted(kinds) and {"exclusion", "inclusion"} <= set(kinds)


def test_no_duplicate_keys_after_a_reload(two_loads) -> None:
    wh, _, _ = two_loads
    assert wh.query("SELECT * FROM data_quality WHERE rule = 'duplicate_key'") == []


def test_a_source_given_twice_is_read_once(tmp_path: Path) -> None:
    wh = build_warehouse(tmp_path, SEEDS, SEEDS)
    assert wh.scalar("SELECT count(*) FROM documents") == 5
    assert wh.scalar("SELECT documents_seen FROM runs") == 5
    assert wh.query("SELECT * FROM data_quality WHERE rule = 'duplicate_key'") == []


def test_unchanged_documents_are_skipped(two_loads) -> None:
    wh, _, _ = two_loads
    last = wh.query(
        "SELECT documents_seen, documents_loaded, documents_skipped, documents_removed FROM runs "
        "ORDER BY started_at DESC LIMIT 1"
    )[0]
    assert last == (4, 1, 3, 1)
    assert "3 skipped as unchanged" in wh.stdout and "1 removed" in wh.stdout


def test_vanished_document_is_marked_removed_not_deleted(two_loads) -> None:
    wh, _, _ = two_loads
    name = seed_path("000").name
    status, reason = wh.query("SELECT status, reason FROM documents WHERE source_path LIKE ?", [f"%{name}"])[0]
    assert status == "removed" and "no longer found" in reason
    assert wh.scalar("SELECT count(*) FROM trials WHERE document_kind = 'abstract'") == 0
    ended = wh.query(
        "SELECT count(*) FROM trial_versions WHERE json_extract_string(trial, '$.document_kind') = "
        "'abstract' AND valid_to IS NOT NULL"
    )
    assert ended == [(1,)]


def test_full_refresh_gives_identical_tables(two_loads) -> None:
    wh, source, before = two_loads
    build_warehouse(wh.db.parent, source, extra=("--full-refresh",))
    assert snapshot(wh) == before
    assert wh.scalar("SELECT max(version) FROM trial_versions WHERE trial_id = ?", [IRCT]) == 2


def test_links_are_computed_again_only_when_what_they_compare_changed(tmp_path: Path) -> None:
    """A registry update that leaves every trial's ids, titles and start year as they were (IRCT's target
    sample size) keeps the stored links without computing them; a new scientific title does not."""
    source = tmp_path / "source"
    shutil.copytree(SEEDS, source)
    irct = source / seed_path("002").name

    def run(label: str, *options: str) -> tuple[dict, Warehouse]:
        summary = tmp_path / f"{label}.json"
        warehouse = build_warehouse(tmp_path, source, extra=("--summary-json", str(summary), *options))
        return json.loads(summary.read_text()), warehouse

    first, warehouse = run("first")
    irct.write_text(
        irct.read_text(encoding="utf-8").replace("Target sample size: **20**", "Target sample size: **24**"),
        encoding="utf-8",
    )
    second, _ = run("second")
    irct.write_text(
        irct.read_text(encoding="utf-8").replace("Renal Function Indexes", "Renal Function Markers"), encoding="utf-8"
    )
    third, _ = run("third")
    fourth, _ = run("fourth", "--full-refresh")  # asked for: everything computed again

    recomputed = [summary["links_recomputed"] for summary in (first, second, third, fourth)]
    assert recomputed == [True, False, True, True]
    assert [summary["documents"]["loaded"] for summary in (first, second, third, fourth)] == [5, 1, 1, 5]
    inputs = [v for (v,) in warehouse.query("SELECT links_inputs FROM runs ORDER BY started_at")]
    assert inputs[0] == inputs[1] != inputs[2] == inputs[3]
    assert inputs[0].split(":")[1] == "5"  # five trials


@pytest.mark.parametrize(
    ("batch_size", "in_place_max", "same_file"), [("500", "1000", True), ("2", "1000", True), ("2", "4", False)]
)
def test_a_small_run_writes_into_the_warehouse_and_a_larger_one_into_a_copy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, batch_size: str, in_place_max: str, same_file: bool
) -> None:
    """Four new documents after one: fewer than `in_place_max`, they are committed into the warehouse file
    itself (its inode stays, nothing is copied), in one batch or in two; as many, they are loaded into a
    working copy that replaces the file. The tables are the same either way."""
    source = tmp_path / "source"
    source.mkdir()
    shutil.copy(seed_path("000"), source)
    first = build_warehouse(tmp_path, source)
    inode = first.db.stat().st_ino
    for seed in sorted(SEEDS.glob("*.txt")):
        shutil.copy(seed, source)

    monkeypatch.setenv("TRIALS_BATCH_SIZE", batch_size)
    monkeypatch.setenv("TRIALS_IN_PLACE_MAX", in_place_max)
    second = build_warehouse(tmp_path, source)

    assert (second.db.stat().st_ino == inode) is same_file
    assert second.scalar("SELECT count(*) FROM documents WHERE status = 'loaded'") == 5
    assert sorted(p.name for p in tmp_path.iterdir()) == ["parquet", "reports", "source", "trials.duckdb"]
    reference = build_warehouse(tmp_path / "reference", source)
    assert snapshot(second) == snapshot(reference)


def test_a_file_restored_unchanged_after_its_removal_is_loaded_again(tmp_path: Path) -> None:
    """A seed moved out of the source and back, bytes unchanged: removed by the second run, its
    document loaded and its trial back after the third (before, it was skipped as unchanged and
    stayed removed)."""
    source = tmp_path / "source"
    shutil.copytree(SEEDS, source)
    irct = source / seed_path("002").name
    build_warehouse(tmp_path, source)
    irct.rename(tmp_path / irct.name)
    removed = build_warehouse(tmp_path, source)
    assert removed.scalar("SELECT count(*) FROM trials WHERE trial_id = ?", [IRCT]) == 0
    (tmp_path / irct.name).rename(irct)
    restored = build_warehouse(tmp_path, source)
    assert restored.query(
        "SELECT status, run_id = (SELECT max_by(run_id, started_at) FROM runs) FROM documents WHERE source_path = ?",
        [str(irct)],
    ) == [("loaded", True)]
    assert restored.scalar("SELECT enrollment FROM trials WHERE trial_id = ?", [IRCT]) == 20
    last = restored.query(
        "SELECT documents_seen, documents_loaded, documents_skipped FROM runs ORDER BY started_at DESC LIMIT 1"
    )
    assert last == [(5, 1, 4)]
    assert restored.query("SELECT * FROM data_quality WHERE rule = 'duplicate_key'") == []

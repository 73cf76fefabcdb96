"""Rows that fail validation go to `quarantine`; `--strict` fails the run instead.

Fixture: tests/fixtures/quarantine/NCT09999102_ages_swapped.xml, a ClinicalTrials.gov record (the
structure of NCT00000102, renumbered) whose minimum age (35) is above its maximum age (14), a
data-entry error a registry can publish; plus the five seeds.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import SEEDS, Warehouse, build_warehouse, run_trials

FIXTURE = Path(__file__).parent / "fixtures" / "quarantine" / "NCT09999102_ages_swapped.xml"
TRIAL = "ctgov:NCT09999102"


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> Warehouse:
    return build_warehouse(tmp_path_factory.mktemp("quarantine"), SEEDS, FIXTURE)


def test_failing_trial_row_is_quarantined_and_its_document_partial(loaded: Warehouse) -> None:
    rows = loaded.query("SELECT table_name, trial_id, check_name FROM quarantine")
    assert ("trials", TRIAL, "min_age_years <= max_age_years") in rows
    status, reason = loaded.query("SELECT status, reason FROM documents WHERE source_path LIKE '%NCT09999102%'")[0]
    assert status == "partial" and "min_age_years <= max_age_years" in reason
    assert loaded.scalar("SELECT count(*) FROM trials WHERE trial_id = ?", [TRIAL]) == 0
    assert loaded.scalar("SELECT count(*) FROM criteria WHERE trial_id = ?", [TRIAL]) == 0
    assert loaded.scalar("SELECT count(*) FROM trials") == 5
    assert "failed validation and went to the quarantine table" in loaded.stdout


def test_strict_fails_the_run_and_leaves_the_database_as_it_was(loaded: Warehouse, tmp_path: Path) -> None:
    before = loaded.query("SELECT count(*), max(started_at) FROM runs")
    result = run_trials(
        "run",
        "--strict",
        "--full-refresh",
        "--source",
        str(FIXTURE),
        "--db",
        str(loaded.db),
        "--parquet",
        str(loaded.parquet),
        check=False,
    )
    assert result.returncode == 1
    assert "--strict" in result.stderr and "unchanged" in result.stderr
    assert loaded.query("SELECT count(*), max(started_at) FROM runs") == before

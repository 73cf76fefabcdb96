"""`trials match` and the SQL macro match_patient on the seeds warehouse (built by `trials run`).

Fixtures: the five seeds. Expected values are read off the seeds' criteria: NCT06737380 needs
eGFR >= 30 mL/min/1.73 m² and ages 18-75; seed 001 allows 18-60 and excludes serum creatinine
>= 265.2 µmol/L (= 3.0 mg/dL); seed 003 allows 18-65.
"""

from __future__ import annotations

import json

import pytest

from tests.conftest import Warehouse, run_trials, seed_path
from tests.test_seeds_warehouse import NCT, trial_of


def match(wh: Warehouse, *args: str) -> dict[str, dict]:
    result = run_trials("match", "--db", str(wh.db), "--all", "--limit", "50", "--format", "json", *args)
    return {row["trial_id"]: row for row in json.loads(result.stdout)}


def sql_verdicts(wh: Warehouse, profile: str, sex: str | None = None) -> dict[str, str]:
    sex_arg = f", patient_sex := '{sex}'" if sex else ""
    return dict(wh.query(f"SELECT trial_id, verdict FROM match_patient(MAP {profile}{sex_arg})"))


def test_egfr_floor_excludes_from_nct06737380(seed_warehouse: Warehouse) -> None:
    rows = match(seed_warehouse, "--age", "35", "--sex", "male", "--egfr", "25")
    assert rows[NCT]["verdict"] == "excluded"
    failed = [c for c in rows[NCT]["criteria"] if c["status"] == "failed"]
    assert [(c["kind"], c["seq"]) for c in failed] == [("inclusion", 4)]
    assert "egfr >= 30" in failed[0]["reasons"][0] and "25" in failed[0]["reasons"][0]
    assert sql_verdicts(seed_warehouse, "{'age': 35, 'egfr': 25}", "male")[NCT] == "excluded"
    assert match(seed_warehouse, "--age", "35", "--egfr", "60")[NCT]["verdict"] == "possible"


def test_seventy_year_old(seed_warehouse: Warehouse) -> None:
    rows = match(seed_warehouse, "--age", "70")
    t001, t003 = trial_of(seed_warehouse, "001"), trial_of(seed_warehouse, "003")
    assert rows[t001]["verdict"] == "excluded"
    assert rows[t003]["verdict"] == "excluded"
    assert rows[NCT]["verdict"] == "possible"
    assert sql_verdicts(seed_warehouse, "{'age': 70}") == {t: r["verdict"] for t, r in rows.items()}


@pytest.mark.parametrize(
    "creatinine,verdict",
    [("3.2", "excluded"), ("283umol/L", "excluded"), ("2.9mg/dL", "possible"), ("250umol/L", "possible")],
)
def test_creatinine_in_any_unit_against_the_umol_threshold(
    seed_warehouse: Warehouse, creatinine: str, verdict: str
) -> None:
    t001 = trial_of(seed_warehouse, "001")
    assert match(seed_warehouse, "--creatinine", creatinine)[t001]["verdict"] == verdict


def test_possible_trials_rank_before_excluded(seed_warehouse: Warehouse) -> None:
    result = run_trials("match", "--db", str(seed_warehouse.db), "--all", "--format", "json", "--age", "70")
    verdicts = [row["verdict"] for row in json.loads(result.stdout)]
    assert verdicts == sorted(verdicts, key=lambda v: v == "excluded")
    sql_order = [v for (v,) in seed_warehouse.query("SELECT verdict FROM match_patient(MAP {'age': 70})")]
    assert sql_order == sorted(sql_order, key=lambda v: v == "excluded")


def test_unknown_unit_is_a_clear_error(seed_warehouse: Warehouse) -> None:
    result = run_trials("match", "--db", str(seed_warehouse.db), "--creatinine", "3 furlongs", check=False)
    assert result.returncode == 2 and "serum_creatinine" in result.stderr
    assert seed_path("001").exists()

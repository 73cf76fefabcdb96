"""flows.match on threshold rows built from the seeds' criteria (split and extracted from the seed
files, shaped like `criteria_thresholds` rows) and on short criteria written as registries write them."""

from __future__ import annotations

from typing import Any

import pytest

from flows.match import FAILED, NOT_APPLICABLE, PASSED, UNKNOWN, Evaluation, evaluate, parse_patient_value
from flows.parse.criteria import split_criteria
from flows.records import Criterion
from tests.conftest import seed_path

SEED_BLOCKS = {
    "001": ("Inclusion Criteria:", "Sites / Locations"),
    "003": ("View:", "\nLocations\n"),
    "004": ("Inclusion Criteria\n", "Study details"),
}


def _rows(criteria: list[Criterion]) -> list[dict[str, Any]]:
    return [
        {
            "kind": c.kind,
            "criterion_seq": c.seq,
            "parameter": t.parameter,
            "op": t.op,
            "value_canonical": t.value_canonical,
            "value_high_canonical": t.value_high_canonical,
            "unit_canonical": t.unit_canonical,
            "alt_group": t.alt_group,
            "population": t.population,
            "negated": t.negated,
            "subject": t.subject,
        }
        for c in criteria
        for t in c.thresholds
    ]


def seed_rows(prefix: str) -> list[dict[str, Any]]:
    text = seed_path(prefix).read_text(encoding="utf-8")
    start_marker, end_marker = SEED_BLOCKS[prefix]
    start = text.index(start_marker)
    return _rows(split_criteria(text[start : text.index(end_marker, start)], offset=start))


def _status(evaluation: Evaluation, kind: str, seq: int) -> str:
    return next(r.status for r in evaluation.criteria if (r.kind, r.seq) == (kind, seq))


def _reasons(evaluation: Evaluation, kind: str, seq: int) -> tuple[str, ...]:
    return next(r.reasons for r in evaluation.criteria if (r.kind, r.seq) == (kind, seq))


def test_parse_patient_value_converts_through_units_csv() -> None:
    value, unit = parse_patient_value("serum_creatinine", "150umol/L")
    assert value == pytest.approx(1.697, abs=1e-3) and unit == "mg/dL"
    assert parse_patient_value("egfr", "25") == (25.0, "mL/min/1.73 m²")
    assert parse_patient_value("ast", "2 x ULN") == (2.0, "x ULN")
    assert parse_patient_value("ast", "80") == (80.0, "U/L")
    with pytest.raises(ValueError, match=r"not in flows/vocab/units\.csv"):
        parse_patient_value("hemoglobin", "8 furlongs")


def test_egfr_25_fails_the_egfr_floor_of_seed_004() -> None:
    profile = {"age": (35.0, "years"), "egfr": parse_patient_value("egfr", "25")}
    evaluation = evaluate(profile, "female", seed_rows("004"))
    assert _status(evaluation, "inclusion", 4) == FAILED
    assert _reasons(evaluation, "inclusion", 4) == ("inclusion 4: egfr >= 30 mL/min/1.73 m² and patient has 25",)
    assert _status(evaluation, "inclusion", 1) == PASSED  # age 18-75
    assert evaluation.status == FAILED


@pytest.mark.parametrize(("seed", "seq", "status"), [("001", 2, FAILED), ("003", 2, FAILED), ("004", 1, PASSED)])
def test_a_70_year_old_against_the_age_limits(seed: str, seq: int, status: str) -> None:
    """001 takes 18-60, 003 18-65, 004 18-75."""
    evaluation = evaluate({"age": (70.0, "years")}, None, seed_rows(seed))
    assert _status(evaluation, "inclusion", seq) == status


def test_serum_creatinine_3_2_is_excluded_by_seed_001_265_umol_limit() -> None:
    """Seed 001 exclusion 7 says Scr ≥ 265.2 µmol/L, which is 3.0 mg/dL."""
    rows = seed_rows("001")
    excluded = evaluate({"serum_creatinine": parse_patient_value("serum_creatinine", "3.2 mg/dL")}, None, rows)
    assert _status(excluded, "exclusion", 7) == FAILED
    assert _reasons(excluded, "exclusion", 7) == ("exclusion 7: serum_creatinine >= 3 mg/dL and patient has 3.2",)
    below = evaluate({"serum_creatinine": parse_patient_value("serum_creatinine", "250 µmol/L")}, None, rows)
    assert _status(below, "exclusion", 7) == UNKNOWN  # bilirubin, AST, ALT and Ccr are not in the profile


def test_exclusion_hemoglobin_below_8_excludes_a_patient_with_7() -> None:
    evaluation = evaluate({"hemoglobin": (7.0, "g/dL")}, None, seed_rows("001"))
    assert _status(evaluation, "exclusion", 8) == FAILED


def test_or_alternatives_of_seed_001_inclusion_4() -> None:
    """'proteinuria/creatinine ratio > 1.0 or 24 hours proteinuria > 1.0 g'."""
    rows = seed_rows("001")
    assert _status(evaluate({"proteinuria": (1.5, "g/24h")}, None, rows), "inclusion", 4) == PASSED
    assert _status(evaluate({"proteinuria": (0.5, "g/24h")}, None, rows), "inclusion", 4) == UNKNOWN
    both_low = {"proteinuria": (0.5, "g/24h"), "upcr": (0.3, "mg/mg")}
    assert _status(evaluate(both_low, None, rows), "inclusion", 4) == FAILED


def test_population_bound_thresholds_apply_to_their_population_only() -> None:
    rows = _rows(split_criteria("Exclusion Criteria:\n- Hemoglobin < 12 g/dL for women and < 13 g/dL for men"))
    profile = {"hemoglobin": (12.5, "g/dL")}
    assert _status(evaluate(profile, "male", rows), "exclusion", 1) == FAILED
    assert _status(evaluate(profile, "female", rows), "exclusion", 1) == PASSED
    assert _status(evaluate(profile, None, rows), "exclusion", 1) == UNKNOWN


def test_women_of_childbearing_potential_do_not_concern_men() -> None:
    rows = _rows(split_criteria("- Pregnancy test within 24 hours prior to dosing for women of childbearing potential"))
    assert rows[0]["population"] == "women of childbearing potential"
    assert _status(evaluate({}, "male", rows), "inclusion", 1) == NOT_APPLICABLE


def test_units_that_do_not_compare_stay_unknown() -> None:
    rows = _rows(split_criteria("Exclusion Criteria:\n- AST > 2.5 x ULN"))
    evaluation = evaluate({"ast": parse_patient_value("ast", "80 U/L")}, None, rows)
    assert _status(evaluation, "exclusion", 1) == UNKNOWN
    assert "not comparable" in _reasons(evaluation, "exclusion", 1)[0]


def test_negated_inclusion_threshold() -> None:
    rows = _rows(split_criteria("Inclusion Criteria:\n- No AST > 2.5 x ULN"))
    assert _status(evaluate({"ast": (3.0, "x ULN")}, None, rows), "inclusion", 1) == FAILED
    assert _status(evaluate({"ast": (1.0, "x ULN")}, None, rows), "inclusion", 1) == PASSED


def test_trial_sex_and_age_limits() -> None:
    evaluation = evaluate({"age": (70.0, "years")}, "male", [], trial_sex="FEMALE", max_age_years=65)
    assert [r.status for r in evaluation.criteria] == [FAILED, FAILED]
    assert evaluation.criteria[0].reasons == ("trial enrols FEMALE only; patient is male",)
    assert evaluate({"age": (40.0, "years")}, "female", [], trial_sex="ALL", min_age_years=18).status == PASSED

"""Seed 004: a patient-recruitment web page with forms, FAQ and template placeholders
(real page text, unedited)."""

from __future__ import annotations

from dataclasses import astuple

from tests.parse.seed_docs import count, parse_seed

CHROME = ("FAQ", "Sign up", "sign up", "passcode", "{{", "Powered by AI", "First name")


def test_detected_by_content() -> None:
    outcome, _ = parse_seed("004")
    assert outcome.source_format == "recruitment_page"


def test_title_block_facts() -> None:
    _, record = parse_seed("004")
    assert (record.registry, record.registry_id) == ("ctgov", "NCT06737380")
    assert record.title == "UC-MSC Cell Therapy Study for Systemic Lupus Erythematosus (SLE) Patients"
    assert record.phase == "PHASE1"
    assert record.overall_status == "RECRUITING"
    assert record.sex == "ALL"
    assert (record.min_age_years, record.max_age_years) == (18.0, 75.0)


def test_conditions_from_study_details() -> None:
    _, record = parse_seed("004")
    assert record.conditions == (
        "SLE",
        "Lupus",
        "Systemic Lupus Erthematosus",
        "Systemic Lupus Erythematosus",
        "Systemic Lupus Erythematosus (SLE)",
    )


def test_criteria_and_thresholds() -> None:
    _, record = parse_seed("004")
    assert (count(record, "inclusion"), count(record, "exclusion")) == (8, 16)
    inclusion = {(t.parameter, t.op, t.value) for c in record.criteria if c.kind == "inclusion" for t in c.thresholds}
    assert {("egfr", ">=", 30.0), ("sledai", ">=", 6.0), ("ana_titer", ">=", 160.0)} <= inclusion
    prednisone = [t for c in record.criteria if c.kind == "exclusion" for t in c.thresholds]
    prednisone = [t for t in prednisone if t.parameter == "prednisone_dose"]
    assert [(t.op, t.value, t.unit) for t in prednisone] == [(">", 0.5, "mg/kg/day")]


def test_no_page_chrome_in_any_field() -> None:
    _, record = parse_seed("004")
    texts = [v for v in astuple(record) if isinstance(v, str)] + list(record.conditions)
    texts += [c.text for c in record.criteria] + [e.measure for e in record.endpoints]
    assert not [t for t in texts if any(marker in t for marker in CHROME)]
    assert record.sponsor is None  # the page names no sponsor under a label

"""Seed 001: a ClinicalTrials.gov record re-published as page text with a flattened arm table
(real web text, unedited)."""

from __future__ import annotations

from tests.parse.seed_docs import count, parse_seed


def test_detected_by_content() -> None:
    outcome, _ = parse_seed("001")
    assert outcome.source_format == "ctgov_text"


def test_header_fields() -> None:
    _, record = parse_seed("001")
    assert record.registry is None and record.registry_id is None  # no registry id in the text
    assert record.title == "Human Umbilical Cord Mesenchymal Stem Cells Treatment for Lupus Nephritis (LN)"
    assert record.conditions == ("Lupus Nephritis",)
    assert record.study_type == "INTERVENTIONAL"
    assert (record.min_age_years, record.max_age_years) == (18.0, 60.0)  # "Ages: 18-60 years old"
    assert record.phase is None and record.overall_status is None  # not stated


def test_flattened_arm_table() -> None:
    _, record = parse_seed("001")
    assert [(a.seq, a.label, a.arm_type) for a in record.arms] == [
        (1, "Mesenchymal stem cells", "EXPERIMENTAL"),
        (2, "Mycophenolate Mofetil", "ACTIVE_COMPARATOR"),
    ]
    first, second = record.arms
    assert first.description is not None and "2 x 10^6/kg" in first.description
    assert second.description is not None and second.description.startswith("The group receive placebo of MSCs")


def test_criteria_counts() -> None:
    _, record = parse_seed("001")
    assert (count(record, "inclusion"), count(record, "exclusion")) == (7, 12)


def test_thresholds() -> None:
    _, record = parse_seed("001")
    exclusion = {t.parameter: t for c in record.criteria if c.kind == "exclusion" for t in c.thresholds}
    creatinine = exclusion["serum_creatinine"]
    assert (creatinine.op, creatinine.value) == (">=", 265.2)
    assert creatinine.value_canonical is not None and round(creatinine.value_canonical, 1) == 3.0
    assert creatinine.unit_canonical == "mg/dL"
    expected = {
        "creatinine_clearance": ("<", 30.0),
        "wbc": ("<", 3000.0),
        "hemoglobin": ("<", 8.0),
        "platelets": ("<", 50000.0),
        "bilirubin": (">", 14.0),
    }
    for parameter, (op, value) in expected.items():
        assert (exclusion[parameter].op, exclusion[parameter].value) == (op, value), parameter
    inclusion = {(t.parameter, t.op, t.value) for c in record.criteria if c.kind == "inclusion" for t in c.thresholds}
    assert ("proteinuria", ">", 1.0) in inclusion

"""extract_thresholds on criteria of the seeds and on criteria written as registries write them
(ClinicalTrials.gov, ChiCTR, EUCTR phrasing); each test names the reading a user would check."""

from __future__ import annotations

import pytest

from flows.parse.thresholds import extract_thresholds
from flows.records import Threshold


def _only(text: str) -> Threshold:
    found = extract_thresholds(text)
    assert len(found) == 1, found
    return found[0]


def _summary(text: str) -> list[tuple[str, str, float | None, float | None]]:
    return [(t.parameter, t.op, t.value, t.value_high) for t in extract_thresholds(text)]


@pytest.mark.parametrize(
    ("text", "op", "value"),
    [
        ("Serum creatinine > 2 mg/dL", ">", 2.0),
        ("Serum creatinine ≥ 2 mg/dL", ">=", 2.0),
        ("Serum creatinine >= 2 mg/dL", ">=", 2.0),
        ("Serum creatinine => 2 mg/dL", ">=", 2.0),
        ("Serum creatinine < 2 mg/dL", "<", 2.0),
        ("Serum creatinine ≤ 2 mg/dL", "<=", 2.0),
        ("Serum creatinine <= 2 mg/dL", "<=", 2.0),
        ("Serum creatinine =< 2 mg/dL", "<=", 2.0),
        ("Serum creatinine more than 2 mg/dL", ">", 2.0),
        ("Serum creatinine greater than 2 mg/dL", ">", 2.0),
        ("Serum creatinine at least 2 mg/dL", ">=", 2.0),
        ("Serum creatinine not less than 2 mg/dL", ">=", 2.0),
        ("Serum creatinine no more than 2 mg/dL", "<=", 2.0),
        ("Serum creatinine less than 2 mg/dL", "<", 2.0),
        ("Serum creatinine below 2 mg/dL", "<", 2.0),
        ("Serum creatinine above 2 mg/dL", ">", 2.0),
        ("Serum creatinine exceeding 2 mg/dL", ">", 2.0),
        ("Serum creatinine > / = 2 mg/dL", ">=", 2.0),
    ],
)
def test_comparator_forms(text: str, op: str, value: float) -> None:
    threshold = _only(text)
    assert (threshold.parameter, threshold.op, threshold.value, threshold.unit_canonical) == (
        "serum_creatinine",
        op,
        value,
        "mg/dL",
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Age between 18 and 60 years", [("age", "between", 18.0, 60.0)]),
        ("Ages: 18-60 years old (including);", [("age", "between", 18.0, 60.0)]),
        ("aged 18 to 65", [("age", "between", 18.0, 65.0)]),
        ("18 years or older", [("age", ">=", 18.0, None)]),
        ("Patients who were younger than 18 years.", [("age", "<", 18.0, None)]),
        ("Patients must be 18 years of age or older.", [("age", ">=", 18.0, None)]),
        (
            "The age is less than 18 years old or more than 80 years old",
            [("age", "<", 18.0, None), ("age", ">", 80.0, None)],
        ),
        ("Diabetes for at least 5 years", []),
        ("At least 4 weeks since prior chemotherapy", [("time_window", ">=", 4.0, None)]),
    ],
)
def test_age_forms_and_durations_that_are_not_ages(
    text: str, expected: list[tuple[str, str, float, float | None]]
) -> None:
    assert _summary(text) == expected


def test_seed_003_markdown_escape_reads_as_comparator() -> None:
    """Seed 003 writes '\\>' for '>'."""
    assert _summary(r"Age: age \> 18 years old, ≤ 65 years old when obtaining informed consent") == [
        ("age", ">", 18.0, None),
        ("age", "<=", 65.0, None),
    ]


@pytest.mark.parametrize(
    ("text", "parameter", "op", "value", "unit_canonical"),
    [
        ("AST or ALT more than 1.5 times the upper limit of normal lab value", "ast", ">", 1.5, "x ULN"),
        ("ALT > 1.5 × ULN", "alt", ">", 1.5, "x ULN"),
        ("ALT ≤ 1.5 x ULN", "alt", "<=", 1.5, "x ULN"),
        ("Bilirubin no greater than 1.5 times normal", "bilirubin", "<=", 1.5, "x ULN"),
        ("total bilirubin more than 14mg/L", "bilirubin", ">", 1.4, "mg/dL"),
        ("Serum bilirubin > 34.2 µmol/L", "bilirubin", ">", 2.0, "mg/dL"),
        ("serum creatinine (Scr) ≥265.2umol/L", "serum_creatinine", ">=", 3.0, "mg/dL"),
        ("An eGFR of ≥ 30 mL/min/1.73 m2 in the screening period", "egfr", ">=", 30.0, "mL/min/1.73 m²"),
        ("creatinine clearance rate (Ccr) < 30ml/min", "creatinine_clearance", "<", 30.0, "mL/min"),
        ("Platelets ≥ 100 x 10^9/L", "platelets", ">=", 100000.0, "/µL"),
        ("Platelet count greater than 50,000/mm3", "platelets", ">", 50000.0, "/µL"),
        ("Platelets > 100.000/mm3", "platelets", ">", 100000.0, "/µL"),
        ("WBC at least 3,000", "wbc", ">=", 3000.0, "/µL"),
        ("Hemoglobin > 100 g/L", "hemoglobin", ">", 10.0, "g/dL"),
        ("HbA1c ≥ 53 mmol/mol", "hba1c", ">=", 7.0, "%"),
        ("Must have a positive ANA (≥1:160 titer)", "ana_titer", ">=", 160.0, "titer"),
        (
            "Use of prednisone >0.5 mg/kg/day (or equivalent corticosteroid)",
            "prednisone_dose",
            ">",
            0.5,
            "mg/kg/day",
        ),
        ("doses greater than 10mg/day of prednisone", "prednisone_dose", ">", 10.0, "mg/day"),
        ("proteinuria greater than 500 mg/24 hrs", "proteinuria", ">", 0.5, "g/24h"),
        ("urine protein/creatinine ratio > 100 mg/mmol", "upcr", ">", 0.884017, "mg/mg"),
        ("Body mass index (BMI, kg/m(2)) greater than or equal to 30", "bmi", ">=", 30.0, "kg/m²"),
        ("SLEDAI-2K score ≥ 6", "sledai", ">=", 6.0, "score"),
    ],
)
def test_units_convert_to_the_canonical_unit(
    text: str, parameter: str, op: str, value: float, unit_canonical: str
) -> None:
    threshold = next(t for t in extract_thresholds(text) if t.parameter == parameter)
    assert threshold.op == op
    assert threshold.value_canonical == pytest.approx(value, abs=1e-3)
    assert threshold.unit_canonical == unit_canonical


@pytest.mark.parametrize(
    "text",
    [
        "Renal biopsy showing ≥50% glomerulus sclerosis.",  # a number with no parameter
        "ECOG performance status < 2",  # a parameter outside the vocabulary
        "Absolute neutrophil count ≥ 1.5 x 10^9/L",  # ANC is not WBC
        "platelets less than 50",  # 50 what? (x 10^9/L or per µL): not guessed
        "Proteinuria less than or equal to 1+",  # a dipstick grade, not g/24h
        "Age (=18 years)",  # ICTRP lost the '≥': '=' is not read as a comparator
        "COVID-19 confirmed by PCR in 2020",
    ],
)
def test_no_threshold_where_none_is_certain(text: str) -> None:
    assert extract_thresholds(text) == ()


def test_or_alternatives_share_a_group() -> None:
    """Seed 001 inclusion 4."""
    upcr, proteinuria = extract_thresholds(
        "Morning proteinuria /creatinine ratio >1.0 or 24 hours Proteinuria >1.0g, "
        "with or without microscopic hematuria"
    )
    assert (upcr.parameter, upcr.value_canonical, upcr.unit_canonical) == ("upcr", 1.0, "mg/mg")
    assert (proteinuria.parameter, proteinuria.unit, proteinuria.unit_canonical) == (
        "proteinuria",
        "g",
        "g/24h",
    )
    assert upcr.alt_group == proteinuria.alt_group != 0


def test_population_and_negation() -> None:
    women, men = extract_thresholds("Hemoglobin < 12 g/dL for women and < 13 g/dL for men")
    assert (women.value, women.population, men.value, men.population) == (12.0, "female", 13.0, "male")
    assert _only("No AST > 2.5 x ULN").negated
    assert not _only("AST not more than 2.5 x ULN").negated


@pytest.mark.parametrize(
    ("text", "op", "days", "subject"),
    [
        (
            "Received MMF, CTX, other potent immunosuppressive agents (including cyclosporine) or biologics "
            "(Rituximab or others) within the past 12 weeks.",
            "<=",
            84.0,
            "MMF, CTX, other potent immunosuppressive agents or biologics",
        ),
        ("History of dialysis within 12 months prior to the screening visit", "<=", 360.0, "dialysis"),
        (
            "Any change to an antimalarial regimen ≤ 12 weeks prior to the Screening visit.",
            "<=",
            84.0,
            "change to an antimalarial regimen",
        ),
        (
            "Treatment with an interventional agent within 90 days or 5 half-lives prior to Baseline",
            "<=",
            90.0,
            "an interventional agent",
        ),
        ("Received organ transplantation in the past 4 weeks", "<=", 28.0, "organ transplantation"),
    ],
)
def test_time_windows_in_days_with_subject(text: str, op: str, days: float, subject: str) -> None:
    window = _only(text)
    assert (window.parameter, window.op, window.value_canonical, window.unit_canonical) == (
        "time_window",
        op,
        days,
        "days",
    )
    assert window.subject == subject


def test_seed_001_exclusion_7_reads_every_lab_limit() -> None:
    found = extract_thresholds(
        "Patients suffering from severe liver or kidney dysfunction (total bilirubin more than 14mg/L, "
        "aspartate aminotransferase (AST) or alanine aminotransferase (ALT) more than 1.5 times the upper "
        "limit of normal lab value; creatinine clearance rate (Ccr) < 30ml/min or serum creatinine (Scr) "
        "≥265.2umol/L)."
    )
    assert {(t.parameter, t.op, t.value, t.unit) for t in found} == {
        ("bilirubin", ">", 14.0, "mg/L"),
        ("ast", ">", 1.5, "x ULN"),
        ("alt", ">", 1.5, "x ULN"),
        ("creatinine_clearance", "<", 30.0, "ml/min"),
        ("serum_creatinine", ">=", 265.2, "umol/L"),
    }

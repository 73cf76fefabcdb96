"""One test per conversion in flows/vocab/units.csv: a value as a registry writes it and the value a
clinician expects in the canonical unit (reference equivalences: creatinine 88.4 µmol/L = 1 mg/dL,
bilirubin 17.1 µmol/L = 1 mg/dL, UPCR 113.12 mg/mmol = 1 mg/mg, Hb 1 mmol/L = 1.6114 g/dL,
HbA1c NGSP % = 0.09148 x IFCC mmol/mol + 2.152). A new CSV row without a case here fails."""

from __future__ import annotations

import csv

import pytest

from flows.parse.units import convert, normalise_unit
from flows.vocab import VOCAB_DIR

# (parameter, unit as written, value, value in the canonical unit, canonical unit)
CASES = [
    ("age", "", 18, 18, "years"),
    ("age", "years", 65, 65, "years"),
    ("age", "year", 1, 1, "years"),
    ("age", "yrs", 18, 18, "years"),
    ("age", "yr", 70, 70, "years"),
    ("age", "y", 40, 40, "years"),
    ("age", "months", 6, 0.5, "years"),
    ("age", "month", 18, 1.5, "years"),
    ("proteinuria", "g/24 h", 1.0, 1.0, "g/24h"),
    ("proteinuria", "g/day", 3.5, 3.5, "g/24h"),
    ("proteinuria", "g/d", 0.5, 0.5, "g/24h"),
    ("proteinuria", "g", 1.0, 1.0, "g/24h"),
    ("proteinuria", "mg/24 hours", 500, 0.5, "g/24h"),
    ("proteinuria", "mg/day", 300, 0.3, "g/24h"),
    ("proteinuria", "mg/d", 1500, 1.5, "g/24h"),
    ("proteinuria", "mg", 500, 0.5, "g/24h"),
    ("upcr", "", 1.0, 1.0, "mg/mg"),
    ("upcr", "mg/mg", 0.5, 0.5, "mg/mg"),
    ("upcr", "g/g", 3.0, 3.0, "mg/mg"),
    ("upcr", "mg/g", 500, 0.5, "mg/mg"),
    ("upcr", "mg/mmol", 113.12, 1.0, "mg/mg"),
    ("upcr", "g/mmol", 0.11312, 1.0, "mg/mg"),
    ("egfr", "mL/min/1.73 m²", 30, 30, "mL/min/1.73 m²"),
    ("egfr", "mL/min", 60, 60, "mL/min/1.73 m²"),
    ("creatinine_clearance", "ml/min", 30, 30, "mL/min"),
    ("creatinine_clearance", "mL/min/1.73m2", 50, 50, "mL/min/1.73 m²"),
    ("serum_creatinine", "mg/dL", 1.5, 1.5, "mg/dL"),
    ("serum_creatinine", "mg%", 2.0, 2.0, "mg/dL"),
    ("serum_creatinine", "mg/L", 15, 1.5, "mg/dL"),
    ("serum_creatinine", "µmol/L", 265.2, 3.0, "mg/dL"),
    ("serum_creatinine", "mmol/L", 0.1326, 1.5, "mg/dL"),
    ("serum_creatinine", "x ULN", 1.5, 1.5, "x ULN"),
    ("bilirubin", "mg/dL", 1.5, 1.5, "mg/dL"),
    ("bilirubin", "mg%", 2.0, 2.0, "mg/dL"),
    ("bilirubin", "mg/L", 14, 1.4, "mg/dL"),
    ("bilirubin", "umol/L", 34.2, 2.0, "mg/dL"),
    ("bilirubin", "× ULN", 3, 3, "x ULN"),
    ("ast", "U/L", 40, 40, "U/L"),
    ("ast", "IU/L", 120, 120, "U/L"),
    ("ast", "UI/L", 80, 80, "U/L"),
    ("ast", "units/L", 100, 100, "U/L"),
    ("ast", "x ULN", 2.5, 2.5, "x ULN"),
    ("alt", "U/L", 40, 40, "U/L"),
    ("alt", "IU/L", 120, 120, "U/L"),
    ("alt", "UI/L", 80, 80, "U/L"),
    ("alt", "units/L", 100, 100, "U/L"),
    ("alt", "X ULN", 5, 5, "x ULN"),
    ("wbc", "/µL", 3000, 3000, "/µL"),
    ("wbc", "/mm³", 2000, 2000, "/µL"),
    ("wbc", "× 10⁹/L", 3.5, 3500, "/µL"),
    ("wbc", "x10^3/uL", 4, 4000, "/µL"),
    ("wbc", "x 10^3/mm3", 3, 3000, "/µL"),
    ("wbc", "G/L", 2, 2000, "/µL"),
    ("wbc", "", 3000, 3000, "/µL"),
    ("platelets", "cells/µL", 50000, 50000, "/µL"),
    ("platelets", "/mm^3", 100000, 100000, "/µL"),
    ("platelets", "x 10(9)/L", 100, 100000, "/µL"),
    ("platelets", "K/uL", 75, 75000, "/µL"),
    ("platelets", "10^3/mm3", 150, 150000, "/µL"),
    ("platelets", "G/L", 100, 100000, "/µL"),
    ("platelets", "", 75000, 75000, "/µL"),
    ("hemoglobin", "g/dL", 8, 8, "g/dL"),
    ("hemoglobin", "g%", 9, 9, "g/dL"),
    ("hemoglobin", "g/L", 100, 10, "g/dL"),
    ("hemoglobin", "mmol/L", 6.2, 9.99068, "g/dL"),
    ("sledai", "", 6, 6, "score"),
    ("sledai", "points", 8, 8, "score"),
    ("ana_titer", "", 160, 160, "titer"),
    ("bmi", "", 30, 30, "kg/m²"),
    ("bmi", "kg/m2", 40, 40, "kg/m²"),
    ("prednisone_dose", "mg/day", 10, 10, "mg/day"),
    ("prednisone_dose", "mg/d", 20, 20, "mg/day"),
    ("prednisone_dose", "mg/kg/day", 0.5, 0.5, "mg/kg/day"),
    ("prednisone_dose", "mg/kg/d", 1, 1, "mg/kg/day"),
    ("hba1c", "%", 7.5, 7.5, "%"),
    ("hba1c", "mmol/mol", 53, 7.00044, "%"),
    ("time_window", "days", 90, 90, "days"),
    ("time_window", "day", 1, 1, "days"),
    ("time_window", "d", 14, 14, "days"),
    ("time_window", "weeks", 12, 84, "days"),
    ("time_window", "week", 1, 7, "days"),
    ("time_window", "wks", 4, 28, "days"),
    ("time_window", "months", 6, 180, "days"),
    ("time_window", "month", 1, 30, "days"),
    ("time_window", "mo", 3, 90, "days"),
    ("time_window", "years", 5, 1825, "days"),
    ("time_window", "year", 1, 365, "days"),
    ("time_window", "hours", 48, 2, "days"),
    ("time_window", "hour", 24, 1, "days"),
    ("time_window", "h", 72, 3, "days"),
]


@pytest.mark.parametrize(("parameter", "unit", "value", "canonical", "unit_canonical"), CASES)
def test_conversion(parameter: str, unit: str, value: float, canonical: float, unit_canonical: str) -> None:
    converted = convert(parameter, value, unit)
    assert converted is not None, f"{parameter}: {unit!r} not in units.csv"
    assert converted[0] == pytest.approx(canonical, rel=1e-4)
    assert converted[1] == unit_canonical


def test_every_units_csv_row_has_a_case() -> None:
    with (VOCAB_DIR / "units.csv").open(encoding="utf-8", newline="") as handle:
        rows = {(row["parameter"], normalise_unit(row["unit"])) for row in csv.DictReader(handle)}
    covered = {(parameter, normalise_unit(unit)) for parameter, unit, *_ in CASES}
    assert rows - covered == set()


def test_units_of_other_parameters_do_not_convert() -> None:
    assert convert("hemoglobin", 8, "mg/dL") is None
    assert convert("prednisone_dose", 10, "mg") is None  # a dose without 'per day' is not a daily dose
    assert convert("serum_creatinine", 1.5, "") is None

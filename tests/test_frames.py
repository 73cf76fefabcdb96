"""Rows -> typed frames, as the pandera models want them.

Input: rows written here, shaped as the ClinicalTrials.gov parser gives them (one with a value that
is not a string where the model wants one, as a converter could let through).
"""

from __future__ import annotations

import pandas as pd

from schemas.frames import to_frame
from schemas.models import MODELS


def _unmapped(source_values: list[object]) -> pd.DataFrame:
    n = len(source_values)
    rows = {
        "trial_id": ["ctgov:NCT00000102"] * n,
        "column_name": ["phase"] * n,
        "source_value": source_values,
        "run_id": ["r1"] * n,
    }
    return to_frame("unmapped_values", rows)


def test_strings_become_the_models_arrow_strings_and_none_is_missing() -> None:
    frame = _unmapped(["Phase 2/Phase 3", None])
    assert str(frame["source_value"].dtype) == "string"
    assert frame["source_value"].array.dtype.storage == "pyarrow"
    assert frame["source_value"].tolist() == ["Phase 2/Phase 3", pd.NA]


def test_a_value_that_is_not_a_string_is_kept_as_its_text() -> None:
    frame = _unmapped([4, "N/A"])
    assert frame["source_value"].tolist() == ["4", "N/A"]


def test_criteria_rows_validate_with_their_model() -> None:
    rows = {
        "trial_id": ["ctgov:NCT00000102", "ctgov:NCT00000102"],
        "kind": ["inclusion", "exclusion"],
        "criterion_seq": [1, 1],
        "text": ["Age 18 to 65 years", "eGFR < 30 mL/min/1.73 m2"],
        "span_start": [120, None],
        "span_end": [138, None],
        "run_id": ["r1", "r1"],
    }
    frame = MODELS["criteria"].validate(to_frame("criteria", rows))
    assert frame["span_start"].tolist() == [120, pd.NA]
    assert str(frame["criterion_seq"].dtype) == "Int32"

"""Rows -> typed frames, as the pandera models want them.

Input: rows written here, shaped as the ClinicalTrials.gov parser gives them (one with a value that
is not a string where the model wants one, as a converter could let through).
"""

from __future__ import annotations

import pandas as pd

from schemas.frames import to_frame
from schemas.models import MODELS
from schemas.validate import validate_frames


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


def test_a_string_column_with_a_value_that_is_not_a_string_fails_its_dtype_check_on_that_row() -> None:
    """Built by hand, bypassing to_frame: an object column where the model wants strings."""
    empty_trial = {name: [None] for name in MODELS["trials"].to_schema().columns}
    trials = to_frame(
        "trials",
        empty_trial
        | {"trial_id": ["ctgov:NCT00000102"], "document_id": ["d" * 64], "document_kind": ["registry_record"]}
        | {"run_id": ["r1"]},
    )
    unmapped = _unmapped(["Phase 2", "N/A"])
    unmapped["source_value"] = pd.Series(["Phase 2", 4], dtype=object)
    frames = {table: to_frame(table, {c: [] for c in MODELS[table].to_schema().columns}) for table in MODELS}
    frames |= {"trials": trials, "unmapped_values": unmapped}
    validated = validate_frames(frames)
    assert [(q["table_name"], q["column_name"], q["failing_value"]) for q in validated.quarantine] == [
        ("unmapped_values", "source_value", "4")
    ]
    assert validated.frames["unmapped_values"]["source_value"].tolist() == ["Phase 2"]

"""Validate a batch's frames; rows that fail go to quarantine instead of failing the run."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd
import pandera.pandas as pa
from pandera.errors import SchemaErrors

from schemas.models import MODELS

CHILD_TABLES = ("arms", "criteria", "criteria_thresholds", "endpoints", "unmapped_values", "contacts")


class SchemaBug(RuntimeError):
    """A failure no input can cause (a missing column, a wrong dtype): a defect, so the run fails."""


@dataclass
class Validated:
    frames: dict[str, pd.DataFrame]
    quarantine: list[dict[str, object]] = field(default_factory=list)


def _schema_for(table: str, trial_ids: list[str]) -> pa.DataFrameSchema:
    schema = MODELS[table].to_schema()
    if table in CHILD_TABLES:
        schema = schema.update_column("trial_id", checks=[pa.Check.isin(trial_ids, name="trial exists")])
    return schema


def _validate_table(table: str, frame: pd.DataFrame, trial_ids: list[str], out: Validated) -> pd.DataFrame:
    try:
        return _schema_for(table, trial_ids).validate(frame, lazy=True)
    except SchemaErrors as errors:
        cases = errors.failure_cases
        if cases["index"].isna().any() or table == "documents":
            raise SchemaBug(f"{table}: {cases.head(5).to_dict('records')}") from errors
        bad = sorted(set(cases["index"].astype(int)))
        for case in cases.itertuples():
            row = frame.loc[int(case.index)]  # type: ignore[arg-type]
            out.quarantine.append(
                {
                    "table_name": table,
                    "trial_id": row.get("trial_id"),
                    "column_name": case.column if isinstance(case.column, str) else None,
                    "check_name": str(case.check),
                    "failing_value": None if pd.isna(case.failure_case) else str(case.failure_case),
                }
            )
        return frame.drop(index=bad).reset_index(drop=True)


def validate_frames(frames: dict[str, pd.DataFrame]) -> Validated:
    out = Validated(frames={})
    out.frames["documents"] = _validate_table("documents", frames["documents"], [], out)
    out.frames["trials"] = _validate_table("trials", frames["trials"], [], out)
    trial_ids = out.frames["trials"]["trial_id"].tolist()
    for table in CHILD_TABLES:
        out.frames[table] = _validate_table(table, frames[table], trial_ids, out)
    _mark_partial(out, frames["trials"])
    return out


def _mark_partial(out: Validated, trials: pd.DataFrame) -> None:
    """A document with quarantined rows is `partial`, with the failing checks as its reason."""
    if not out.quarantine:
        return
    document_of = dict(zip(trials["trial_id"], trials["document_id"], strict=True))
    reasons: dict[str, list[str]] = {}
    for row in out.quarantine:
        document_id = document_of.get(str(row["trial_id"]))
        row["document_id"] = document_id
        if document_id is not None:
            reasons.setdefault(document_id, []).append(f"{row['table_name']}.{row['column_name']}: {row['check_name']}")
    docs = out.frames["documents"]
    for document_id, failed in reasons.items():
        mask = docs["document_id"] == document_id
        note = "quarantined rows: " + ", ".join(sorted(set(failed)))
        docs.loc[mask, "reason"] = docs.loc[mask, "reason"].fillna("").map(lambda r: f"{r}; {note}" if r else note)
        docs.loc[mask & (docs["status"] == "loaded"), "status"] = "partial"

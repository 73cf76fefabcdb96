"""Parse outcomes -> one DataFrame per warehouse table, typed as the pandera models say."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

import pandas as pd
import pyarrow as pa
from pandas.api.types import pandas_dtype

from flows.records import ParseOutcome, TrialRecord
from schemas.models import MODELS
from warehouse.redact import contact_span_rows

Rows = dict[str, list[Any]]
ARROW_STRING = "string[pyarrow]"  # what pandera makes of a model's Series[str]


def trial_id_for(record: TrialRecord, document_id: str) -> str:
    if record.registry and record.registry_id:
        return f"{record.registry}:{record.registry_id}"
    return f"doc:{document_id[:16]}"


def document_status(outcome: ParseOutcome) -> tuple[str, str | None]:
    """loaded | partial | rejected, and the reason when not loaded."""
    if "superseded" in outcome.extra:
        return "partial", outcome.extra["superseded"]
    if outcome.record is None:
        return "rejected", outcome.reject_reason or "no trial record"
    reasons = list(outcome.record.partial_reasons)
    if outcome.document.partial_reason:
        reasons.insert(0, outcome.document.partial_reason)
    return ("partial", "; ".join(reasons)) if reasons else ("loaded", None)


def _empty_rows(table: str) -> Rows:
    return {column: [] for column in MODELS[table].to_schema().columns}


def _add(rows: Rows, **values: Any) -> None:
    for column, column_values in rows.items():
        column_values.append(values[column])


def _list(values: Iterable[Any]) -> list[Any] | None:
    items = list(values)
    return items or None


def _add_trial(rows: dict[str, Rows], record: TrialRecord, trial_id: str, outcome: ParseOutcome, run_id: str):
    trial = {name: getattr(record, name) for name in rows["trials"] if hasattr(record, name)}
    for name in ("secondary_ids", "conditions", "condition_codes", "countries", "languages"):
        trial[name] = _list(trial[name])
    _add(
        rows["trials"],
        **trial,
        trial_id=trial_id,
        document_id=outcome.document.document_id,
        source_format=outcome.source_format,
        run_id=run_id,
    )
    for arm in record.arms:
        _add(
            rows["arms"],
            trial_id=trial_id,
            arm_seq=arm.seq,
            label=arm.label,
            arm_type=arm.arm_type,
            description=arm.description,
            interventions=_list(arm.interventions),
            run_id=run_id,
        )
    for crit in record.criteria:
        _add(
            rows["criteria"],
            trial_id=trial_id,
            kind=crit.kind,
            criterion_seq=crit.seq,
            text=crit.text,
            span_start=crit.span_start,
            span_end=crit.span_end,
            run_id=run_id,
        )
        for seq, th in enumerate(crit.thresholds, start=1):
            _add(
                rows["criteria_thresholds"],
                trial_id=trial_id,
                kind=crit.kind,
                criterion_seq=crit.seq,
                threshold_seq=seq,
                parameter=th.parameter,
                op=th.op,
                value=th.value,
                value_high=th.value_high,
                unit=th.unit,
                value_canonical=th.value_canonical,
                value_high_canonical=th.value_high_canonical,
                unit_canonical=th.unit_canonical,
                alt_group=th.alt_group,
                population=th.population,
                subject=th.subject,
                negated=th.negated,
                run_id=run_id,
            )
    for ep in record.endpoints:
        days = list(ep.timepoints_days) if ep.timepoints_days is not None else None
        _add(
            rows["endpoints"],
            trial_id=trial_id,
            kind=ep.kind,
            endpoint_seq=ep.seq,
            measure=ep.measure,
            time_frame=ep.time_frame,
            timepoints_days=days,
            run_id=run_id,
        )
    for item in record.unmapped:
        _add(
            rows["unmapped_values"],
            trial_id=trial_id,
            column_name=item.column,
            source_value=item.source_value,
            run_id=run_id,
        )
    for seq, contact in enumerate(record.contacts, start=1):
        _add(
            rows["contacts"],
            trial_id=trial_id,
            contact_seq=seq,
            role=contact.role,
            name=contact.name,
            email=contact.email,
            phone=contact.phone,
            run_id=run_id,
        )


def _contact_spans(text: str | None, record: TrialRecord | None) -> list[dict[str, int]]:
    """Where the export masks contact details in the document: found here, in the parse workers, so
    that the export, which runs alone at the end of a run, only applies them."""
    known = [v for c in record.contacts for v in (c.email, c.phone) if v is not None] if record is not None else []
    return contact_span_rows(text, known)


def build_rows(outcomes: Sequence[ParseOutcome], run_id: str, loaded_at: datetime) -> dict[str, Rows]:
    rows = {table: _empty_rows(table) for table in MODELS}
    for outcome in outcomes:
        doc = outcome.document
        status, reason = document_status(outcome)
        _add(
            rows["documents"],
            document_id=doc.document_id,
            source_path=doc.source_path,
            record_index=doc.record_index,
            source_format=outcome.source_format,
            status=status,
            reason=reason,
            encoding=doc.encoding,
            bytes=doc.n_bytes,
            loaded_at=loaded_at,
            text=doc.text,
            run_id=run_id,
            contact_spans=_contact_spans(doc.text, outcome.record),
        )
        if outcome.record is not None:
            _add_trial(rows, outcome.record, trial_id_for(outcome.record, doc.document_id), outcome, run_id)
    return rows


def _column(values: list[Any], dtype: str) -> pd.Series:
    if dtype == ARROW_STRING:
        try:  # straight into Arrow: pandas' astype checks and converts every element in Python, five times slower
            return pd.Series(pd.arrays.ArrowStringArray(pa.array(values, type=pa.large_string(), from_pandas=True)))
        except (pa.ArrowTypeError, pa.ArrowInvalid):  # a value that is not a string: pandas converts it
            pass
    column = pd.Series(values, dtype=object)
    if dtype.startswith("datetime64"):
        return pd.to_datetime(column)
    return column if dtype == "object" else column.astype(pandas_dtype(dtype))


def to_frame(table: str, rows: Rows) -> pd.DataFrame:
    dtypes = {column: str(spec.dtype) for column, spec in MODELS[table].to_schema().columns.items()}
    return pd.DataFrame({column: _column(values, dtypes[column]) for column, values in rows.items()})


def build_frames(outcomes: Sequence[ParseOutcome], run_id: str, loaded_at: datetime) -> dict[str, pd.DataFrame]:
    return {table: to_frame(table, rows) for table, rows in build_rows(outcomes, run_id, loaded_at).items()}

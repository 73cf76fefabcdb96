"""One pandera model per warehouse table; `tests/test_schema_drift.py` keeps them equal to the DDL.

Vocabulary checks read the same CSV files the parsers use, so a value is valid in the
warehouse exactly when the vocabulary knows it.
"""

from __future__ import annotations

import sys
import types

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from flows.vocab import contract_values


def _skip_pandera_dask_probe() -> None:
    """Building a model's schema, pandera asks whether Dask is installed by importing dask.dataframe
    (it is, for the Dask task runner): 0.23 s and 26 MB in every process that validates, the flow
    process, the forkserver and each worker. These models are pandas only, so pandera is told that
    Dask is absent, unless this process already imported it for some use of its own."""
    if "dask.dataframe" not in sys.modules and "pandera.typing.dask" not in sys.modules:
        probe = types.ModuleType("pandera.typing.dask")
        probe.DASK_INSTALLED = False  # type: ignore[attr-defined]
        sys.modules["pandera.typing.dask"] = probe


_skip_pandera_dask_probe()


def _vocab(name: str) -> list[str]:
    return list(contract_values(name))


class _Model(pa.DataFrameModel):
    class Config:
        strict = True
        coerce = False
        ordered = True


class DocumentsModel(_Model):
    document_id: Series[str] = pa.Field(str_length={"min_value": 64, "max_value": 64})
    source_path: Series[str]
    record_index: Series[pd.Int32Dtype] = pa.Field(ge=-1)  # -1: a file that could not be read to its end
    source_format: Series[str] = pa.Field(nullable=True)
    status: Series[str] = pa.Field(isin=_vocab("document_status"))
    reason: Series[str] = pa.Field(nullable=True)
    encoding: Series[str] = pa.Field(nullable=True)
    bytes: Series[pd.Int64Dtype] = pa.Field(ge=0)
    loaded_at: Series[pd.Timestamp]
    text: Series[str] = pa.Field(nullable=True)
    run_id: Series[str]
    contact_spans: Series[object] = pa.Field(nullable=True)

    @pa.dataframe_check(name="reason given unless loaded")
    @classmethod
    def reason_unless_loaded(cls, df: pd.DataFrame) -> pd.Series[bool]:
        return (df["status"] == "loaded") | df["reason"].notna()


class TrialsModel(_Model):
    trial_id: Series[str] = pa.Field(unique=True, str_matches=r"^[a-z]+:\S+$")
    document_id: Series[str]
    registry: Series[str] = pa.Field(nullable=True, isin=_vocab("registry"))
    registry_id: Series[str] = pa.Field(nullable=True)
    secondary_ids: Series[object] = pa.Field(nullable=True)
    source_format: Series[str] = pa.Field(nullable=True)
    document_kind: Series[str] = pa.Field(isin=_vocab("document_kind"))
    title: Series[str] = pa.Field(nullable=True)
    brief_title: Series[str] = pa.Field(nullable=True)
    phase: Series[str] = pa.Field(nullable=True, isin=_vocab("phase"))
    study_type: Series[str] = pa.Field(nullable=True, isin=_vocab("study_type"))
    overall_status: Series[str] = pa.Field(nullable=True, isin=_vocab("overall_status"))
    enrollment: Series[pd.Int32Dtype] = pa.Field(nullable=True, ge=0)
    min_age_years: Series[float] = pa.Field(nullable=True, ge=0, le=150)
    max_age_years: Series[float] = pa.Field(nullable=True, ge=0, le=150)
    sex: Series[str] = pa.Field(nullable=True, isin=_vocab("sex"))
    start_date: Series[pd.Timestamp] = pa.Field(nullable=True)
    start_date_precision: Series[str] = pa.Field(nullable=True, isin=_vocab("date_precision"))
    completion_date: Series[pd.Timestamp] = pa.Field(nullable=True)
    registration_date: Series[pd.Timestamp] = pa.Field(nullable=True)
    conditions: Series[object] = pa.Field(nullable=True)
    condition_codes: Series[object] = pa.Field(nullable=True)
    sponsor: Series[str] = pa.Field(nullable=True)
    countries: Series[object] = pa.Field(nullable=True)
    languages: Series[object] = pa.Field(nullable=True)
    run_id: Series[str]

    @pa.dataframe_check(name="min_age_years <= max_age_years")
    @classmethod
    def ages_ordered(cls, df: pd.DataFrame) -> pd.Series[bool]:
        both = df["min_age_years"].notna() & df["max_age_years"].notna()
        return ~both | (df["min_age_years"] <= df["max_age_years"])

    @pa.dataframe_check(name="registry and registry_id together")
    @classmethod
    def registry_with_id(cls, df: pd.DataFrame) -> pd.Series[bool]:
        return df["registry"].isna() == df["registry_id"].isna()


class ArmsModel(_Model):
    trial_id: Series[str]
    arm_seq: Series[pd.Int32Dtype] = pa.Field(ge=1)
    label: Series[str] = pa.Field(nullable=True)
    arm_type: Series[str] = pa.Field(nullable=True, isin=_vocab("arm_type"))
    description: Series[str] = pa.Field(nullable=True)
    interventions: Series[object] = pa.Field(nullable=True)
    run_id: Series[str]


class CriteriaModel(_Model):
    trial_id: Series[str]
    kind: Series[str] = pa.Field(isin=_vocab("criterion_kind"))
    criterion_seq: Series[pd.Int32Dtype] = pa.Field(ge=1)
    text: Series[str] = pa.Field(str_length={"min_value": 1})
    span_start: Series[pd.Int32Dtype] = pa.Field(nullable=True, ge=0)
    span_end: Series[pd.Int32Dtype] = pa.Field(nullable=True, ge=0)
    run_id: Series[str]

    @pa.dataframe_check(name="span_start < span_end")
    @classmethod
    def span_ordered(cls, df: pd.DataFrame) -> pd.Series[bool]:
        both = df["span_start"].notna() & df["span_end"].notna()
        return (~both | (df["span_start"] < df["span_end"])).astype(bool)


class CriteriaThresholdsModel(_Model):
    trial_id: Series[str]
    kind: Series[str] = pa.Field(isin=_vocab("criterion_kind"))
    criterion_seq: Series[pd.Int32Dtype] = pa.Field(ge=1)
    threshold_seq: Series[pd.Int32Dtype] = pa.Field(ge=1)
    parameter: Series[str]
    op: Series[str] = pa.Field(isin=_vocab("op"))
    value: Series[float] = pa.Field(nullable=True)
    value_high: Series[float] = pa.Field(nullable=True)
    unit: Series[str] = pa.Field(nullable=True)
    value_canonical: Series[float] = pa.Field(nullable=True)
    value_high_canonical: Series[float] = pa.Field(nullable=True)
    unit_canonical: Series[str] = pa.Field(nullable=True)
    alt_group: Series[pd.Int32Dtype] = pa.Field(ge=0)
    population: Series[str] = pa.Field(nullable=True)
    subject: Series[str] = pa.Field(nullable=True)
    negated: Series[bool]
    run_id: Series[str]

    @pa.dataframe_check(name="between has value_high")
    @classmethod
    def between_has_high(cls, df: pd.DataFrame) -> pd.Series[bool]:
        return (df["op"] != "between") | df["value_high"].notna()


class EndpointsModel(_Model):
    trial_id: Series[str]
    kind: Series[str] = pa.Field(isin=_vocab("endpoint_kind"))
    endpoint_seq: Series[pd.Int32Dtype] = pa.Field(ge=1)
    measure: Series[str] = pa.Field(str_length={"min_value": 1})
    time_frame: Series[str] = pa.Field(nullable=True)
    timepoints_days: Series[object] = pa.Field(nullable=True)
    run_id: Series[str]


class UnmappedValuesModel(_Model):
    trial_id: Series[str]
    column_name: Series[str]
    source_value: Series[str]
    run_id: Series[str]


class ContactsModel(_Model):
    trial_id: Series[str]
    contact_seq: Series[pd.Int32Dtype] = pa.Field(ge=1)
    role: Series[str] = pa.Field(nullable=True)
    name: Series[str] = pa.Field(nullable=True)
    email: Series[str] = pa.Field(nullable=True)
    phone: Series[str] = pa.Field(nullable=True)
    run_id: Series[str]


MODELS: dict[str, type[_Model]] = {
    "documents": DocumentsModel,
    "trials": TrialsModel,
    "arms": ArmsModel,
    "criteria": CriteriaModel,
    "criteria_thresholds": CriteriaThresholdsModel,
    "endpoints": EndpointsModel,
    "unmapped_values": UnmappedValuesModel,
    "contacts": ContactsModel,
}

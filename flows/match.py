"""Does a patient meet a trial's numeric criteria? Pure logic over `criteria_thresholds` rows.

Reading of the rows (the stored op is as written; the reading is done here):
- an inclusion criterion lists requirements that must all hold; thresholds sharing a non-zero
  `alt_group` are one requirement, met when any of them is met;
- an exclusion criterion lists conditions of which any one excludes (alternatives or not);
- a `negated` threshold ("no ALT > 2 x ULN") is met when its comparison does NOT hold;
- a threshold bound to a `population` the patient is not in does not apply;
- a parameter missing from the profile, a unit that does not compare (`x ULN` against U/L,
  mg/kg/day against mg/day), a time window (it needs the patient's history) or an unknown
  population membership leave the threshold unknown: never a guess.
A criterion is `failed` as soon as one known condition decides it, even with others unknown.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import groupby
from typing import Any

from flows.parse.units import conversion_for, unit_table

PASSED, FAILED, UNKNOWN, NOT_APPLICABLE = "passed", "failed", "unknown", "not applicable"
_NUMBER = re.compile(r"^\s*([-+]?\d+(?:[.,]\d+)?)\s*(.*?)\s*$")
_SEX_POPULATIONS = {"male": "male", "female": "female"}


@dataclass(frozen=True, slots=True)
class CriterionResult:
    kind: str  # inclusion | exclusion | trial (age and sex limits of the trial record)
    seq: int
    status: str  # passed | failed | unknown | not applicable
    reasons: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Evaluation:
    status: str  # failed when any criterion fails, passed when all pass, else unknown
    criteria: tuple[CriterionResult, ...]

    def with_status(self, status: str) -> tuple[CriterionResult, ...]:
        return tuple(result for result in self.criteria if result.status == status)


def primary_unit(parameter: str) -> str:
    """The unit a bare number is taken in: the canonical unit of the parameter's first units.csv row."""
    units = unit_table().get(parameter)
    if not units:
        raise ValueError(f"unknown parameter {parameter!r}")
    return next(iter(units.values())).unit_canonical


def parse_patient_value(parameter: str, raw: str) -> tuple[float, str]:
    """'150umol/L' for serum_creatinine -> (1.697, 'mg/dL'); a bare number is in the primary unit."""
    match = _NUMBER.match(raw)
    if match is None:
        raise ValueError(f"{parameter}: cannot read a number in {raw!r}")
    value = float(match.group(1).replace(",", "."))
    unit = match.group(2)
    if not unit:
        return value, primary_unit(parameter)
    conversion = conversion_for(parameter, unit)
    if conversion is None:
        raise ValueError(f"{parameter}: unit {unit!r} is not in flows/vocab/units.csv")
    return conversion.apply(value), conversion.unit_canonical


def _format(value: float | None) -> str:
    return "?" if value is None else f"{value:g}"


def _describe(row: Mapping[str, Any]) -> str:
    unit = f" {row['unit_canonical']}" if row.get("unit_canonical") else ""
    if row["op"] == "between":
        low, high = _format(row["value_canonical"]), _format(row.get("value_high_canonical"))
        text = f"{row['parameter']} between {low} and {high}"
    else:
        text = f"{row['parameter']} {row['op']} {_format(row['value_canonical'])}"
    text += unit
    if row.get("subject"):
        text += f" ({row['subject']})"
    if row.get("negated"):
        text = f"not {text}"
    return f"{text} for {row['population']}" if row.get("population") else text


def _compare(value: float, op: str, low: float, high: float | None) -> bool:
    if op == "between":
        return high is not None and low <= value <= high
    return {"<": value < low, "<=": value <= low, ">": value > low, ">=": value >= low, "=": value == low}[op]


def _in_population(population: str | None, sex: str | None) -> bool | None:
    if not population:
        return True
    wanted = _SEX_POPULATIONS.get(population)
    patient = sex.casefold() if sex else None
    if wanted is not None:
        return None if patient is None else patient == wanted
    return False if patient == "male" else None  # "women of childbearing potential": not decidable


MET, NOT_MET = "met", "not met"


def threshold_outcome(
    row: Mapping[str, Any], profile: Mapping[str, tuple[float, str]], sex: str | None
) -> tuple[str, str]:
    """(met | not met | unknown | not applicable, why) for one threshold row."""
    described = _describe(row)
    membership = _in_population(row.get("population"), sex)
    if membership is False:
        return NOT_APPLICABLE, f"{described}: patient not in the population"
    if row["parameter"] == "time_window":
        return UNKNOWN, f"{described}: needs the patient's history"
    if row["parameter"] not in profile or row.get("value_canonical") is None:
        return UNKNOWN, f"{described}: no {row['parameter']} in the profile"
    value, unit = profile[row["parameter"]]
    if unit != row.get("unit_canonical"):
        return UNKNOWN, f"{described}: patient's {row['parameter']} is in {unit}, not comparable"
    if membership is None:
        return UNKNOWN, f"{described}: cannot tell whether the patient is in the population"
    holds = _compare(value, row["op"], row["value_canonical"], row.get("value_high_canonical"))
    if row.get("negated"):
        holds = not holds
    return (MET if holds else NOT_MET), f"{described} and patient has {_format(value)}"


def _requirement_outcomes(outcomes: list[tuple[int, str, str]]) -> list[tuple[str, str]]:
    """Inclusion: alt-group members collapse into one requirement, met when any member is met."""
    requirements = [(outcome, why) for group, outcome, why in outcomes if group == 0]
    grouped = sorted((o for o in outcomes if o[0] != 0), key=lambda o: o[0])
    for _, members_iter in groupby(grouped, key=lambda o: o[0]):
        members = [(outcome, why) for _, outcome, why in members_iter]
        applicable = [m for m in members if m[0] != NOT_APPLICABLE]
        if any(outcome == MET for outcome, _ in applicable):
            requirements.append(next(m for m in applicable if m[0] == MET))
        elif applicable and all(outcome == NOT_MET for outcome, _ in applicable):
            requirements.append((NOT_MET, " or ".join(why for _, why in applicable)))
        elif applicable:
            requirements.append((UNKNOWN, " or ".join(why for _, why in applicable)))
        else:
            requirements.append((NOT_APPLICABLE, members[0][1]))
    return requirements


def _criterion_status(kind: str, outcomes: list[tuple[int, str, str]]) -> tuple[str, tuple[str, ...]]:
    if kind == "inclusion":
        conditions = _requirement_outcomes(outcomes)
        deciding = NOT_MET  # a requirement not met fails the patient
    else:
        conditions = [(outcome, why) for _, outcome, why in outcomes]
        deciding = MET  # any exclusion condition met excludes the patient
    applicable = [c for c in conditions if c[0] != NOT_APPLICABLE]
    decided = [why for outcome, why in applicable if outcome == deciding]
    if decided:
        return FAILED, tuple(decided)
    if not applicable:
        return NOT_APPLICABLE, tuple(why for _, why in conditions)
    unknown = [why for outcome, why in applicable if outcome == UNKNOWN]
    if unknown:
        return UNKNOWN, tuple(unknown)
    return PASSED, tuple(why for _, why in applicable)


def _trial_limits(
    profile: Mapping[str, tuple[float, str]],
    sex: str | None,
    trial_sex: str | None,
    min_age_years: float | None,
    max_age_years: float | None,
) -> list[CriterionResult]:
    results = []
    if trial_sex and trial_sex.upper() in ("MALE", "FEMALE"):
        if sex is None:
            results.append(CriterionResult("trial", 0, UNKNOWN, (f"trial enrols {trial_sex} only; sex unknown",)))
        else:
            status = PASSED if sex.upper() == trial_sex.upper() else FAILED
            results.append(CriterionResult("trial", 0, status, (f"trial enrols {trial_sex} only; patient is {sex}",)))
    rows = [
        {"parameter": "age", "op": op, "value_canonical": limit, "unit_canonical": "years"}
        for op, limit in ((">=", min_age_years), ("<=", max_age_years))
        if limit is not None
    ]
    if rows:
        outcomes = [(0, *threshold_outcome(row, profile, sex)) for row in rows]
        status, reasons = _criterion_status("inclusion", outcomes)
        results.append(CriterionResult("trial", 0, status, tuple(f"trial age limit: {r}" for r in reasons)))
    return results


def evaluate(
    profile: Mapping[str, tuple[float, str]],
    sex: str | None,
    thresholds: Sequence[Mapping[str, Any]],
    *,
    trial_sex: str | None = None,
    min_age_years: float | None = None,
    max_age_years: float | None = None,
) -> Evaluation:
    """Decide each criterion of one trial from its threshold rows; profile values are canonical."""
    results = _trial_limits(profile, sex, trial_sex, min_age_years, max_age_years)
    ordered = sorted(thresholds, key=lambda row: (row["kind"] != "inclusion", row["kind"], row["criterion_seq"]))
    for (kind, seq), rows in groupby(ordered, key=lambda row: (row["kind"], row["criterion_seq"])):
        outcomes = [(int(row.get("alt_group") or 0), *threshold_outcome(row, profile, sex)) for row in rows]
        status, reasons = _criterion_status(kind, outcomes)
        results.append(CriterionResult(kind, seq, status, tuple(f"{kind} {seq}: {why}" for why in reasons)))
    statuses = {result.status for result in results if result.status != NOT_APPLICABLE}
    overall = FAILED if FAILED in statuses else UNKNOWN if UNKNOWN in statuses else PASSED
    return Evaluation(overall, tuple(results))

"""`trials match`: which trials' structured criteria admit this patient, ranked, with the why.

The decisions are flows/match.py's; this module reads the warehouse, ranks and prints.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Any

import duckdb

from flows.match import FAILED, PASSED, UNKNOWN, Evaluation, evaluate, parse_patient_value
from flows.parse.units import unit_table

# command-line spellings a clinician would type -> threshold parameters
ALIASES = {
    "creatinine": "serum_creatinine",
    "scr": "serum_creatinine",
    "crcl": "creatinine_clearance",
    "hb": "hemoglobin",
    "hgb": "hemoglobin",
    "plt": "platelets",
    "ana": "ana_titer",
    "prednisone": "prednisone_dose",
    "upcr": "upcr",
    "wbc": "wbc",
    "tbil": "bilirubin",
}
EXCLUDED_PARAMETERS = {"time_window"}  # a patient's history is not a number on the command line


def patient_parameters() -> list[str]:
    return sorted(set(unit_table()) - EXCLUDED_PARAMETERS)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--sex", choices=("male", "female"), help="the patient's sex")
    for parameter in patient_parameters():
        parser.add_argument(
            f"--{parameter.replace('_', '-')}",
            dest=parameter,
            metavar="VALUE[UNIT]",
            help=f"{parameter} (e.g. '1.5' or with a unit)",
        )
    for alias, parameter in ALIASES.items():
        if alias not in unit_table():
            parser.add_argument(f"--{alias}", dest=parameter, help=argparse.SUPPRESS)
    parser.add_argument("--limit", type=int, default=10, help="trials to list (default %(default)s)")
    parser.add_argument("--all", action="store_true", help="also list the trials that exclude the patient")
    parser.add_argument("--format", choices=("text", "json"), default="text")


def profile_from(args: argparse.Namespace) -> dict[str, tuple[float, str]]:
    return {p: parse_patient_value(p, raw) for p in patient_parameters() if (raw := getattr(args, p, None)) is not None}


def _rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[dict[str, Any]]:
    cursor = con.execute(sql)
    columns = [d[0] for d in cursor.description or []]
    return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


def evaluate_all(
    con: duckdb.DuckDBPyConnection, profile: dict[str, tuple[float, str]], sex: str | None
) -> list[dict[str, Any]]:
    trials = _rows(
        con,
        "SELECT trial_id, title, brief_title, overall_status, sex, min_age_years, max_age_years "
        "FROM trials ORDER BY trial_id",
    )
    thresholds: dict[str, list[dict[str, Any]]] = {}
    for row in _rows(con, "SELECT * FROM criteria_thresholds ORDER BY trial_id, kind, criterion_seq, threshold_seq"):
        thresholds.setdefault(row["trial_id"], []).append(row)
    free_text = dict(
        con.execute(
            """SELECT c.trial_id, count(*) FROM criteria c WHERE NOT EXISTS (SELECT 1 FROM criteria_thresholds t
           WHERE t.trial_id = c.trial_id AND t.kind = c.kind AND t.criterion_seq = c.criterion_seq)
           GROUP BY 1"""
        ).fetchall()
    )
    results = []
    for trial in trials:
        evaluation = evaluate(
            profile,
            sex,
            thresholds.get(trial["trial_id"], []),
            trial_sex=trial["sex"],
            min_age_years=trial["min_age_years"],
            max_age_years=trial["max_age_years"],
        )
        results.append({"trial": trial, "evaluation": evaluation, "free_text": free_text.get(trial["trial_id"], 0)})
    results.sort(key=_rank)
    return results


def _rank(result: dict[str, Any]) -> tuple[Any, ...]:
    evaluation: Evaluation = result["evaluation"]
    passed = len(evaluation.with_status(PASSED))
    unknown = len(evaluation.with_status(UNKNOWN))
    no_information = passed + unknown + result["free_text"] == 0
    return (evaluation.status == FAILED, -passed, no_information, unknown, result["trial"]["trial_id"])


def _print_text(results: list[dict[str, Any]]) -> None:
    if not results:
        print("no trial matches")
    for rank, result in enumerate(results, start=1):
        trial, evaluation = result["trial"], result["evaluation"]
        verdict = "EXCLUDED" if evaluation.status == FAILED else "possible"
        title = trial["title"] or trial["brief_title"] or ""
        print(
            f"{rank}. {trial['trial_id']} [{verdict}] {title[:90]}"
            + (f" ({trial['overall_status']})" if trial["overall_status"] else "")
        )
        for label, status in (("failed", FAILED), ("passed", PASSED), ("not checked", UNKNOWN)):
            for item in evaluation.with_status(status):
                for reason in item.reasons:
                    print(f"     {label:<11} {reason}")
        if result["free_text"]:
            print(f"     free text   {result['free_text']} criteria without numbers to check")


def run_match(args: argparse.Namespace) -> int:
    db = Path(args.db)
    if not db.exists():
        print(f"trials: no warehouse at {db}: run `trials run --source ...` first", file=sys.stderr)
        return 2
    try:
        profile = profile_from(args)
    except ValueError as exc:
        print(f"trials: {exc}", file=sys.stderr)
        return 2
    if not profile and not args.sex:
        print("trials: give at least one patient value, e.g. --age 35 --egfr 60", file=sys.stderr)
        return 2
    with duckdb.connect(str(db), read_only=True) as con:
        results = evaluate_all(con, profile, args.sex)
    shown = [r for r in results if args.all or r["evaluation"].status != FAILED][: args.limit]
    if args.format == "json":
        json.dump(
            [
                {
                    "trial_id": r["trial"]["trial_id"],
                    "title": r["trial"]["title"],
                    "verdict": "excluded" if r["evaluation"].status == FAILED else "possible",
                    "criteria": [asdict(c) for c in r["evaluation"].criteria],
                    "free_text_criteria": r["free_text"],
                }
                for r in shown
            ],
            sys.stdout,
            indent=1,
            ensure_ascii=False,
        )
        print()
    else:
        _print_text(shown)
    return 0

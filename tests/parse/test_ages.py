"""Age limits -> years. Inputs are the forms of the ClinicalTrials.gov XML corpus
(`<minimum_age>18 Years</minimum_age>`), of the WHO ICTRP export's "Inclusion agemin/agemax"
columns (`18`, `18Y`, `>= 20age old`, `100years-old`, `N/A`, `??`) and of the seeds."""

from __future__ import annotations

import csv
import gzip
from pathlib import Path

import pytest

from flows.parse.ages import parse_age_range, parse_age_years


@pytest.mark.parametrize(
    ("text", "years"),
    [
        ("18 Years", 18.0),
        ("6 Months", 0.5),
        ("2 years", 2.0),
        ("18", 18.0),
        ("65 Years", 65.0),
        ("18Y", 18.0),
        ("6M", 0.5),
        ("1 Year", 1.0),
        ("18 Months", 1.5),
        (">= 20age old", 20.0),
        ("100years-old", 100.0),
        ("0.1", 0.1),
        ("0 Years", 0.0),
    ],
)
def test_age_in_years(text: str, years: float) -> None:
    assert parse_age_years(text) == years


def test_weeks_and_days_use_a_year_of_365_25_days() -> None:
    assert parse_age_years("12 Weeks") == pytest.approx(84 / 365.25)
    assert parse_age_years("28 Days") == pytest.approx(28 / 365.25)


@pytest.mark.parametrize(
    "text", ["N/A", "no limit", "No limit", "no maximum age", "Not applicable", "ND", "??", "-", "/", ""]
)
def test_unstated_age_is_none(text: str) -> None:
    assert parse_age_years(text) is None


@pytest.mark.parametrize(
    ("text", "bounds"),
    [
        ("18-75 years", (18.0, 75.0)),  # seed 004
        ("18 to 65", (18.0, 65.0)),
        ("No age limit", (None, None)),  # seed 002 (IRCT)
        (">= 18 years", (18.0, None)),
        ("Ages: 18-60 years old (including)", (18.0, 60.0)),  # seed 001
        ("18 Years to 65 Years", (18.0, 65.0)),
        ("between 6 months and 5 years", (0.5, 5.0)),
        ("18 years and older", (18.0, None)),
        ("under 18 years", (None, 18.0)),
        ("≥18 and ≤75 years", (18.0, 75.0)),
        ("65+", (65.0, None)),
        ("18 years", (None, None)),  # a lone age is neither bound: not guessed
    ],
)
def test_age_range(text: str, bounds: tuple[float | None, float | None]) -> None:
    assert parse_age_range(text) == bounds


def test_every_ictrp_age_is_read_or_a_known_placeholder(corpora: Path) -> None:
    """Every distinct 'Inclusion agemin'/'Inclusion agemax' value of the ICTRP COVID CSV export is
    either read or one of the export's placeholders for 'no limit'."""
    placeholders = {
        "",
        "-",
        "/",
        "?",
        "??",
        "N/A",
        "ND",
        "No limit",
        "no limit",
        "Not applicable",
        "no maximum age",
    }
    with gzip.open(corpora / "ictrp-covid-1128.csv.gz", "rt", encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    values = {row[column] for row in rows for column in ("Inclusion agemin", "Inclusion agemax")}
    unread = {v for v in values if parse_age_years(v) is None}
    assert unread == placeholders
    assert parse_age_years("15 Minutes") == pytest.approx(15 / (60 * 24 * 365.25))  # a neonatal maximum there

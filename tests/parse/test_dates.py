"""Registry dates -> (date, precision). Inputs are the seeds' dates (IRCT's Gregorian/Persian
pairs), the WHO ICTRP export's "Date registration" / "Date enrollement" columns (dd/mm/yyyy,
`March 20, 2020`, `April 2020`), and ClinicalTrials.gov forms (`October 2008`)."""

from __future__ import annotations

import csv
import gzip
import re
from datetime import date
from pathlib import Path

import pytest

from flows.parse.dates import parse_date


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2017-06-03, 1396/03/13", (date(2017, 6, 3), "day")),  # seed 002: Persian twin ignored
        ("2016-07-22, 1395/05/01", (date(2016, 7, 22), "day")),
        ("16 October 2025", (date(2025, 10, 16), "day")),
        ("October 16, 2025", (date(2025, 10, 16), "day")),
        ("12 Jun 2026", (date(2026, 6, 12), "day")),
        ("March 2020", (date(2020, 3, 1), "month")),
        ("Feb 2020", (date(2020, 2, 1), "month")),
        ("2020", (date(2020, 1, 1), "year")),
        ("17/02/2020", (date(2020, 2, 17), "day")),
        ("01/02/2020", (date(2020, 2, 1), "day")),  # ICTRP writes day first for every registry
        ("17-02-2020", (date(2020, 2, 17), "day")),
        ("2020-02-17", (date(2020, 2, 17), "day")),
        ("2020/02/01", (date(2020, 2, 1), "day")),  # JPRN in ICTRP
        ("20200217", (date(2020, 2, 17), "day")),  # ICTRP "Date registration3"
        ("17 February 2020", (date(2020, 2, 17), "day")),
        ("February 17, 2020", (date(2020, 2, 17), "day")),
        ("2023-02-03T10:00:00", (date(2023, 2, 3), "day")),
    ],
)
def test_date_forms(text: str, expected: tuple[date, str]) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize("text", ["31/02/2020", "3/18/2020 6:53:35 PM", "01/02/20", "empty", "", "2017-13-01"])
def test_impossible_or_ambiguous_dates_are_none(text: str) -> None:
    assert parse_date(text) is None


def test_every_ictrp_date_is_read(corpora: Path) -> None:
    """All 3,399 non-empty dates of four date columns of the ICTRP COVID CSV export are read, and
    the month-only enrolment dates keep month precision."""
    columns = ("Date registration", "Date enrollement", "Last Refreshed on", "results date completed")
    with gzip.open(corpora / "ictrp-covid-1128.csv.gz", "rt", encoding="utf-8", newline="") as handle:
        values = [row[c] for row in csv.DictReader(handle) for c in columns if row[c]]
    assert [v for v in values if parse_date(v) is None] == []
    month_only = [v for v in values if re.fullmatch(r"[A-Z][a-z]+ \d{4}", v)]
    assert len(month_only) == 60
    assert {parse_date(v)[1] for v in month_only} == {"month"}  # type: ignore[index]

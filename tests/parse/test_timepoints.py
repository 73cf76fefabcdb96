"""Time-frame text -> days. Inputs are the seeds' own time frames, forms copied from the
ClinicalTrials.gov XML corpus `<time_frame>` elements, and the brief's forms a registry writes."""

from __future__ import annotations

import re
import tarfile
from pathlib import Path

import pytest

from flows.parse.timepoints import find_timepoints, parse_time_frame
from tests.conftest import seed_path


@pytest.mark.parametrize(
    ("text", "days"),
    [
        ("18 months", (540,)),
        ("Week 12", (84,)),
        ("Baseline, Week 16", (0, 112)),
        ("Day 1 to Day 28", (1, 28)),
        ("Two years", (730,)),
        ("1 week, 1, 3, 6, 9 and 12 months", (7, 30, 90, 180, 270, 365)),
        ("1 week, 1, 3, 6, 12 and 18 months", (7, 30, 90, 180, 365, 540)),
        ("at 3 and 6 months", (90, 180)),
        ("every 4 weeks for 48 weeks", tuple(range(28, 337, 28))),
        ("1 month, 3 months, 4 months, 6 months, and 18 months", (30, 90, 120, 180, 540)),
        ("12 months after randomization", (365,)),
        ("From baseline to week 52", (0, 364)),
        ("Day 28", (28,)),
        ("2 weeks post-infusion", (14,)),
        ("through study completion, an average of 1 year", (365,)),
        ("twenty-four weeks", (168,)),
        ("Baseline; Weeks 1, 4, 6, 8, and 12", (0, 7, 28, 42, 56, 84)),
        ("From Baseline to 12-week Treatment Period", (0, 84)),
        ("Post Dose 1 (28 to 42 days post Dose 1)", (28, 42)),
        ("1400 days (3.85 years) post randomization", (1400,)),  # the bracket restates: counted once
        ("At Months 6, 12, and 24", (180, 365, 730)),
        ("Measured at Day 1, Week 2, Week 4", (1, 14, 28)),
        ("15 years, 7 months", (15 * 365 + 7 * 30,)),  # one time written in two units
        ("assessed every 3 months for 1 year, every 6 months for 1 year", (90, 180, 270, 360, 545, 725)),
    ],
)
def test_time_frames_in_days(text: str, days: tuple[int, ...]) -> None:
    assert parse_time_frame(text) == days


def test_months_that_are_whole_years_count_as_years() -> None:
    """12 and 24 months compare equal to 1 and 2 years; 18 months stays 18 x 30."""
    assert parse_time_frame("up to 24 months") == parse_time_frame("2 years") == (730,)
    assert parse_time_frame("12 months") == parse_time_frame("one year") == (365,)


def test_hours_and_minutes_below_a_day_are_day_0() -> None:
    assert parse_time_frame("6 hours") == (0,)
    assert parse_time_frame("36-48 hours") == (1, 2)
    assert parse_time_frame("Baseline, 0.25, 0.5, 1, 1.5, 2, 2.5, 3, 4, 5, 6, 9, 12, 15 and 24 Hour") == (
        0,
        1,
    )


@pytest.mark.parametrize(
    "text",
    [
        "Throughout study",
        "Ongoing",
        "",
        "Post Dose 2 (28 to 35 days post Dose 2)",  # days after a later dose, not after the start
        "Up to 2 days after the last dose",
        "Up to Cycle 6 (168 days) with 28 days per cycle",
        "Weekly while on protocol treatment, then every 3 months for 1 year",
        "October 2008",
        "Phase I, II, and III",
    ],
)
def test_unreadable_time_frames_are_none(text: str) -> None:
    assert parse_time_frame(text) is None


def test_seed_irct_timepoints() -> None:
    """Seed 002 (IRCT) states its outcome timepoints as '1 week, 1, 3, 6, 9 and 12 months'."""
    text = seed_path("002").read_text(encoding="utf-8")
    frames = re.findall(r"Timepoint\n\n(.+)\n", text)
    assert frames == ["1 week, 1, 3, 6, 9 and 12 months"] * 2 + ["1 week, 1, 3, 6, 12 and 18 months"]
    assert [parse_time_frame(f) for f in frames][-1] == (7, 30, 90, 180, 365, 540)


def test_timepoints_in_abstract_prose() -> None:
    """Seed 000 (abstract): 'lower proteinuria at 1 month, 3 months, 4 months, 6 months, and 18 months'."""
    text = seed_path("000").read_text(encoding="utf-8")
    sentence = next(s for s in text.split(". ") if "lower proteinuria at" in s)
    assert find_timepoints(sentence) == (30, 90, 120, 180, 540)


def test_prose_ages_and_durations_are_not_timepoints() -> None:
    assert find_timepoints("Patients aged 18 to 65 years received 2 mg/kg.") is None
    assert find_timepoints("followed up (after a week, one, three, six, twelve and eighteen months)") == (
        7,
        30,
        90,
        180,
        365,
        540,
    )


def test_share_of_ctgov_time_frames_read(corpora: Path) -> None:
    """The first 1,500 studies of the ClinicalTrials.gov XML corpus: at least 45% of their
    `<time_frame>` values are read (the rest are mostly 'Throughout study', 'End of study', cycles
    and times after the last dose, which have no day count); over all 6,782 it is about 71%."""
    values: list[str] = []
    with tarfile.open(corpora / "ctgov-xml.tar.gz") as archive:
        for index, member in enumerate(archive):
            if index > 1500:
                break
            handle = archive.extractfile(member) if member.isfile() else None
            if handle is not None:
                values += re.findall(r"<time_frame>([^<]*)</time_frame>", handle.read().decode("utf-8"))
    read = [v for v in values if parse_time_frame(v) is not None]
    assert len(values) == 602
    assert len(read) / len(values) >= 0.45

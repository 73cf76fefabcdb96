"""Time-frame text -> timepoints in days from the start of treatment.

Conventions (CONTRACT.md): day N = N, week = 7, month = 30, year = 365, baseline = 0.
Decisions the contract leaves open, taken here:
- a whole number of years written in months counts as years (12 months = 365, 24 months =
  730, 18 months = 540), so that "12 months" and "1 year" endpoints compare equal;
- days are whole completed days, rounded down: hours and minutes below a day are day 0
  ("6 hours" -> 0, "36 hours" -> 1), "3.85 years" -> 1405;
- a range names both ends ("Day 1 to Day 28" -> 1, 28; "Baseline to week 52" -> 0, 364);
  "up to 24 weeks" names its end only;
- "every 4 weeks for 48 weeks" lists the series (28, 56, ..., 336);
- a bracketed restatement ("1400 days (3.85 years)") counts once, as first written;
- times after an event other than the start ("after the last dose", "each cycle", "per
  cycle", "before surgery"), frequencies, and any number left unexplained make the whole
  text unreadable: None, never a partial guess.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from fractions import Fraction
from functools import cache

from flows.parse.time_vocab import alternation, replace_number_words, time_vocabulary

NUM = r"\d+(?:\.\d+)?"
# between the numbers of one list or range: "1, 3, 6 and 12", "28 to 42", "36-48", "4, 8, and 12"
SEP = (
    r"(?:\s*,\s*(?:and\s+|or\s+|&\s*)?|\s+(?:and|or|&)\s+|\s*&\s*|\s*-\s*"
    r"|\s+(?:to|through|thru|until|up\s+to)\s+)"
)
# "15 years, 7 months" is one time, not two
_COMPOUND = re.compile(
    r"(?<![\d.])(?<!, )(\d+)\s*(years?|weeks?),?\s+(?:and\s+)?(\d+)\s*(months?|days?)"
    r"(?![\d,]|\s*(?:and|or)\s*\d)"
)
_ONE_BEFORE_UNIT = re.compile(r"\b(after|at|within|by|in)\s+an?\s+(?=(?:day|week|month|year)\b)")
_FIRST_DOSE = re.compile(r"\b(?:dose|vaccination|injection|infusion)\s*(?:#\s*)?1\b")
# visit labels that restate or carry no time: "(M1)", "(D28)", "(Visit 22)"; "per participant" is no rate
_HARMLESS = re.compile(r"\(\s*(?:[mdwy]|visit\s*)\d+\s*\)|\bper\s+(?:participant|patient|subject|person)s?\b")
_UNREADABLE = re.compile(
    r"\d|\b(?:every|each|per|cycles?|last|final|times|twice|before|prior|previous|preceding"
    r"|second|2nd|third|3rd|daily|weekly|monthly|annually|yearly)\b|/\s*(?:day|week|month|year)|\bend\s+of\s+(?:treatment|therapy|dosing|infusion)"
)
_PROSE_CUE = re.compile(r"\b(?:at|after|by|within|until|through|from|to|on)\s+(?:the\s+)?$")
_PURE_SEPARATOR = re.compile(r"\s*(?:,\s*(?:and\s+)?|\s+and\s+|\s+or\s+)")


@cache
def _patterns() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    vocab = time_vocabulary()
    units = alternation(u for u in vocab.unit_days if len(u) > 1 or u in ("h", "d"))
    long_units = alternation(u for u in vocab.unit_days if len(u) > 1)
    unit = rf"(?:{units})(?![a-z])"
    long_unit = rf"(?:{long_units})(?![a-z])"
    every = (
        rf"\bevery\s+(?:(?P<step>{NUM})\s*-?\s*)?(?P<step_unit>{long_unit})\s+(?:thereafter\s+)?"
        rf"(?:for|up\s+to|until|through|over|during)\s+(?:a\s+total\s+of\s+|the\s+first\s+)?"
        rf"(?:(?P<end>{NUM})\s*-?\s*(?P<end_unit>{unit})|(?P<end_unit_first>{long_unit})\s*(?P<end_last>{NUM}))"
    )
    unit_first = (
        rf"\b(?P<label_unit>{long_unit})\s*"
        rf"(?P<label_nums>{NUM}(?:{SEP}(?:{long_unit}\s*)?{NUM}(?!\.?\d|\s*-?\s*{unit}))*)(?![\w.])"
    )
    number_first = rf"(?<![\w.])(?P<nums>{NUM}(?:{SEP}{NUM})*)\s*-?\s*(?P<unit>{unit})"
    baseline = rf"\b(?P<baseline>{alternation(vocab.baseline_words)})\b"
    group = re.compile(rf"{every}|{unit_first}|{number_first}|{baseline}")
    restated = re.compile(rf"({unit})\s*\(\s*(?:about|approximately|approx\.?|~|i\.e\.,?)?\s*{NUM}\s*-?\s*{unit}\s*\)")
    labelled_number = re.compile(rf"(?:(?P<unit>{long_unit})\s*)?(?P<number>{NUM})")
    return group, restated, labelled_number


def _prepare(text: str) -> str:
    folded = text.casefold().replace("–", "-").replace("—", "-").replace("\u00a0", " ")
    folded = replace_number_words(folded)
    folded = _COMPOUND.sub(_compound_in_days, folded)
    folded = _ONE_BEFORE_UNIT.sub(r"\1 1 ", folded)
    folded = _FIRST_DOSE.sub("first dose", folded)
    folded = _HARMLESS.sub(" ", folded)
    return _patterns()[1].sub(r"\1", folded)


def _compound_in_days(match: re.Match[str]) -> str:
    big, big_unit, small, small_unit = match.groups()
    if big_unit.startswith("year") != small_unit.startswith("month"):
        return match.group(0)
    return f"{_in_days(Fraction(big), big_unit) + _in_days(Fraction(small), small_unit)} days"


def _in_days(value: Fraction, unit: str) -> int:
    per_unit = time_vocabulary().unit_days[unit.casefold()]
    if per_unit == 30 and value % 12 == 0:  # 12, 24, 36 months are 1, 2, 3 years
        return int(value / 12 * 365)
    return math.floor(value * per_unit + Fraction(1, 10**9))


def _numbers(listed: str) -> list[Fraction]:
    return [Fraction(n) for n in re.findall(NUM, listed)]


def _series_bounds(match: re.Match[str]) -> tuple[int, int]:
    """(step, end) of 'every 3 months for 2 years', in days."""
    step = _in_days(Fraction(match["step"] or 1), match["step_unit"])
    if match["end"] is not None:
        return step, _in_days(Fraction(match["end"]), match["end_unit"])
    return step, _in_days(Fraction(match["end_last"]), match["end_unit_first"])


def _series(match: re.Match[str], offset: int) -> list[int]:
    """The series from `offset`: the stated end of the series before it, if any."""
    step, end = _series_bounds(match)
    if step <= 0 or end < step or end // step > 400:
        return []
    return [offset + day for day in range(step, end + 1, step)]


def _labelled_days(first_unit: str, listed: str) -> list[int]:
    """'week 1, 4 and 8' -> 7, 28, 56; 'day 1, week 2' -> 1, 14 (a number takes the unit before it)."""
    days, unit = [], first_unit
    for labelled in _patterns()[2].finditer(listed):
        unit = labelled["unit"] or unit
        days.append(_in_days(Fraction(labelled["number"]), unit))
    return days


def _group_days(match: re.Match[str], series_offset: int = 0) -> list[int]:
    if match["step_unit"] is not None:
        return _series(match, series_offset)
    if match["label_unit"] is not None:
        return _labelled_days(match["label_unit"], match["label_nums"])
    if match["unit"] is not None:
        return [_in_days(n, match["unit"]) for n in _numbers(match["nums"])]
    return [0]


def _groups(prepared: str) -> Iterator[re.Match[str]]:
    return _patterns()[0].finditer(prepared)


def parse_time_frame(text: str) -> tuple[int, ...] | None:
    """Every timepoint a time-frame field states, in days, sorted; None when it cannot be read."""
    if not text or not text.strip():
        return None
    prepared = _prepare(text)
    days: list[int] = []
    residue: list[str] = []
    position = series_end = 0
    for match in _groups(prepared):
        group_days = _group_days(match, series_end)
        if not group_days:
            return None
        if match["step_unit"] is not None:  # "every 3 months for 2 years, every 6 months for 3 years"
            series_end += _series_bounds(match)[1]
        days.extend(group_days)
        residue.append(prepared[position : match.start()])
        position = match.end()
    residue.append(prepared[position:])
    if not days or _UNREADABLE.search(" ".join(residue)):
        return None
    return tuple(sorted(set(days)))


def find_timepoints(text: str) -> tuple[int, ...] | None:
    """Timepoints named in free prose ("lower proteinuria at 1 month, 3 months and 6 months").

    Only a time introduced by a cue ("at", "after", "by", "within", "from", "to", ...) or
    continuing a list that one started counts, so that durations and ages in the prose
    ("aged 18 to 65 years") are not taken for timepoints. None when there is none.
    """
    prepared = _prepare(text)
    days: list[int] = []
    chain_end = -1
    for match in _groups(prepared):
        before = prepared[max(0, match.start() - 20) : match.start()]
        continues_list = chain_end >= 0 and _PURE_SEPARATOR.fullmatch(prepared[chain_end : match.start()])
        if match["label_unit"] is None and not continues_list and not _PROSE_CUE.search(before):
            chain_end = -1
            continue
        days.extend(_group_days(match))
        chain_end = match.end()
    return tuple(sorted(set(days))) or None

"""Age limits as registries write them -> years.

"18 Years" -> 18.0, "6 Months" -> 0.5, "12 Weeks" -> 12*7/365.25, "18Y" / "6M" (ICTRP),
a bare number is years. "N/A", "no limit", "??", "-" and the like -> None: a limit the
document does not state is NULL, never 0 or 999. Unit lengths come from
`flows/vocab/time_units.csv` (`years` column). A strict bound ("< 18", "over 65") is
returned as written: the tables hold the stated number, not an adjusted one.
"""

from __future__ import annotations

import re
from fractions import Fraction
from functools import cache

from flows.parse.time_vocab import alternation, replace_number_words, time_vocabulary

_NUM = r"\d+(?:\.\d+)?"
_NO_LIMIT = re.compile(r"\s*(?:(?:no|without|not|n/?a|nd|none|any)\b.*|[-/?]*)\s*", re.IGNORECASE)
_OLDER = r"(?:>=?|≥|=>|\bover\b|\babove\b|\bolder\s+than\b|\bat\s+least\b|\bfrom\b|\bminimum\b|\bmin\b)"
_YOUNGER = r"(?:<=?|≤|=<|\bunder\b|\bbelow\b|\byounger\s+than\b|\bup\s+to\b|\bmaximum\b|\bmax\b|\bless\s+than\b)"
_AND_OLDER = r"(?:and|or)\s+(?:older|over|above|more)|\+"
_AND_YOUNGER = r"(?:and|or)\s+(?:younger|under|below|less)"


@cache
def _age(name: str) -> str:
    """An age with its optional unit, as named groups `<name>` and `<name>_unit`."""
    units = alternation(time_vocabulary().unit_years)
    tail = r"(?:\s*(?:of\s+age|aged?\s*old|aged?|-?\s*old))?"  # "18 years of age", "20age old", "1years-old"
    return rf"(?P<{name}>{_NUM})\s*(?P<{name}_unit>(?:{units})(?![a-z]))?{tail}"


@cache
def _patterns() -> dict[str, re.Pattern[str]]:
    return {
        "single": re.compile(rf"^\s*(?:age[sd]?\s*:?\s*)?(?:>=?|≥|=>|<=?|≤|=<)?\s*{_age('age')}\s*$"),
        "range": re.compile(rf"(?:between\s+)?{_age('low')}\s*(?:-|–|to|and|~)\s*{_age('high')}"),
        "at_least": re.compile(rf"{_OLDER}\s*{_age('low')}|{_age('low2')}\s*(?:{_AND_OLDER})"),
        "at_most": re.compile(rf"{_YOUNGER}\s*{_age('high')}|{_age('high2')}\s*(?:{_AND_YOUNGER})"),
    }


def _bound(match: re.Match[str] | None, name: str) -> float | None:
    if match is None:
        return None
    if match[name] is not None:
        return _years(match[name], match[f"{name}_unit"])
    return _years(match[f"{name}2"], match[f"{name}2_unit"])


def _years(number: str, unit: str | None) -> float:
    per_unit = time_vocabulary().unit_years[unit.casefold()] if unit else Fraction(1)
    return float(Fraction(number) * per_unit)


def _prepare(text: str) -> str:
    return replace_number_words(text.casefold()).replace("years-old", "years old").strip()


def parse_age_years(text: str | None) -> float | None:
    """One age limit ("18 Years", "6 Months", "18Y", "65") in years; None when none is stated."""
    if text is None or _NO_LIMIT.fullmatch(text):
        return None
    match = _patterns()["single"].match(_prepare(text))
    if match is None:
        return None
    return _years(match["age"], match["age_unit"])


def parse_age_range(text: str | None) -> tuple[float | None, float | None]:
    """An age range ("18-75 years", ">= 18 years", "18 to 65") -> (minimum, maximum) in years."""
    if text is None or _NO_LIMIT.fullmatch(text):
        return (None, None)
    prepared = _prepare(text)
    patterns = _patterns()
    if match := patterns["range"].search(prepared):
        high_unit = match["high_unit"]
        low = _years(match["low"], match["low_unit"] or high_unit)
        high = _years(match["high"], high_unit or match["low_unit"])
        return (low, high) if low <= high else (None, None)
    low_match, high_match = patterns["at_least"].search(prepared), patterns["at_most"].search(prepared)
    # a lone age ("18 years") says neither minimum nor maximum: not guessed
    return (_bound(low_match, "low"), _bound(high_match, "high"))

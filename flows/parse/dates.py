"""Registry date text -> (date, precision), precision `day` | `month` | `year`.

Forms read: ISO `2020-02-17` (a time after it is ignored), `2020/02/01`, `20200217`,
`17/02/2020`, `17-02-2020` and `17.02.2020` (day first: the WHO ICTRP export writes
dd/mm/yyyy for every registry), `17 February 2020`, `17 Feb 2020`, `February 17, 2020`,
`March 2020` and `2020-03` (month: the 1st), `2020` (year: 1 January). IRCT pairs the
Gregorian date with the Persian one (`2017-06-03, 1396/03/13`): the Gregorian date is
read and the Persian one ignored. Anything else, an impossible date (`31/02/2020`,
US-style `3/18/2020`) or a two-digit year, is None: never a guess.
"""

from __future__ import annotations

import re
from datetime import date

MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}
_MONTH = r"(?P<month_name>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_TIME = r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?\s*(?:[ap]m|z|[+-]\d{2}:?\d{2})?)?"
_PERSIAN = r"(?:\s*[,;]?\s*\(?1[34]\d{2}/\d{1,2}/\d{1,2}\)?)?"  # IRCT's solar-hijri twin
_FORMS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(rf"\s*{form}\s*", re.IGNORECASE), precision)
    for form, precision in (
        (rf"(?P<year>\d{{4}})-(?P<month>\d{{1,2}})-(?P<day>\d{{1,2}}){_TIME}{_PERSIAN}", "day"),
        (r"(?P<year>\d{4})/(?P<month>\d{1,2})/(?P<day>\d{1,2})", "day"),
        (r"(?P<year>(?:19|20)\d{2})(?P<month>[01]\d)(?P<day>[0-3]\d)", "day"),
        (rf"(?P<day>\d{{1,2}})([/.-])(?P<month>\d{{1,2}})\2(?P<year>\d{{4}}){_TIME}", "day"),
        (rf"(?P<day>\d{{1,2}})(?:st|nd|rd|th)?[\s-]+{_MONTH}[\s,-]+(?P<year>\d{{4}})", "day"),
        (rf"{_MONTH}\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<year>\d{{4}})", "day"),
        (rf"{_MONTH}[\s,-]+(?P<year>\d{{4}})", "month"),
        (r"(?P<year>\d{4})-(?P<month>\d{1,2})", "month"),
        (r"(?P<year>\d{4})", "year"),
    )
)


def _build(fields: dict[str, str | None], precision: str) -> tuple[date, str] | None:
    month_name = fields.get("month_name")
    month = MONTHS[month_name.casefold()] if month_name else int(fields.get("month") or 1)
    year, day = int(fields["year"] or 0), int(fields.get("day") or 1)
    if not 1800 <= year <= 2200:
        return None
    try:
        return date(year, month, day), precision
    except ValueError:
        return None


def parse_date(text: str | None) -> tuple[date, str] | None:
    """A date as a registry writes it -> (date, precision); None when unreadable or impossible."""
    if not text:
        return None
    for pattern, precision in _FORMS:
        match = pattern.fullmatch(text)
        if match is not None:
            return _build(match.groupdict(), precision)
    return None

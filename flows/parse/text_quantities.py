"""Criterion text -> the pieces thresholds are built from: parameter mentions and quantities.

A quantity is a number with its comparator (`≥ 30`, `more than 1.5`, `18 or older`) or a
range (`18-60`, `between 18 and 60`), plus the text after it where its unit may be. Units are
resolved later against the parameter the quantity belongs to.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from flows.parse.units import comparator_pattern, find_parameter_mentions, iter_comparators, op_of_match
from flows.records import Threshold

_NUMBER = r"(?:1\s*:\s*\d+|\d{1,3}(?:,\d{3})+(?![\d])|\d+,\d(?![\d,])|\d+(?:\.\d+)?|\.\d+)"
_NUMBER_RE = re.compile(rf"(?<![\w.,/^:\-])(?<![A-Za-z]-){_NUMBER}")
_HIGH_NUMBER_RE = re.compile(_NUMBER)
_RANGE_JOIN = re.compile(r"\s*(?:-|–|—|~|～|to|and)\s*")
_ULN_PHRASE = re.compile(
    r"(?:the\s+)?(?:institutional\s+|local\s+)?(?:upper\s+limit\s+of\s+(?:the\s+)?normal(?:\s+range|\s+limits?|"
    r"\s+lab(?:oratory)?\s+values?|\s+values?)?|(?:upper\s+normal|normal\s+upper)\s+limits?|ULN)(?:\s*\(\s*ULN\s*\))?",
    re.IGNORECASE,
)
_TIMES_ULN = re.compile(r"(\d)\s*(?:x|×|X|\*|times|-?\s*fold)?\s*ULN", re.IGNORECASE)
_TIMES_NORMAL = re.compile(
    r"(\d)\s*(?:x|×|X|\*|times)\s*(?:the\s+)?(?:institutional\s+)?(?:(?:upper\s+)?normal\b(?!\s+range)|upper\s+limit\b)",
    re.I,
)


@dataclass(frozen=True, slots=True)
class Mention:
    start: int
    end: int
    parameter: str


@dataclass(frozen=True, slots=True)
class Quantity:
    start: int  # where its comparator starts
    number_start: int
    end: int  # end of the number (or of the range's upper number)
    op: str | None  # None: a bare number, not a threshold by itself
    value: float
    value_high: float | None
    is_ratio: bool  # written 1:N (a titer)
    written: str


@dataclass(frozen=True, slots=True)
class Found:
    """A threshold with the text positions the context rules need."""

    threshold: Threshold
    mention_start: int
    start: int
    end: int


def prepare(text: str) -> str:
    """Fold the writing variants that do not change meaning: markup, escapes, super-scripts, ULN phrases."""
    clean = re.sub(r"<br\s*/?>", " ", text, flags=re.IGNORECASE)
    clean = re.sub(r"\\([<>=^*~_\[\]])", r"\1", clean)
    clean = clean.replace("10⁹", "10^9").replace("10³", "10^3").replace("10¹²", "10^12")
    clean = unicodedata.normalize("NFKC", clean)
    clean = re.sub(r"\s+", " ", clean)
    clean = _ULN_PHRASE.sub("ULN", clean)
    clean = _TIMES_ULN.sub(r"\1 x ULN", clean)
    clean = _TIMES_NORMAL.sub(r"\1 x ULN", clean)
    if "ULN" not in clean:
        return clean
    comparator = comparator_pattern("prefix").pattern
    return re.sub(rf"({comparator})\s*ULN", lambda m: f"{m.group(1)} 1 x ULN", clean, flags=re.IGNORECASE)


def find_mentions(clean: str) -> list[Mention]:
    """One mention per parameter named: 'transaminases' (ast|alt in parameters.csv) gives two."""
    return [
        Mention(start, end, name)
        for start, end, parameter in find_parameter_mentions(clean)
        for name in parameter.split("|")
    ]


def parse_number(written: str) -> tuple[float, bool]:
    """(value, is_ratio): '50,000' -> 50000, '1,5' -> 1.5, '1:160' -> 160."""
    if ":" in written:
        return float(written.split(":")[1]), True
    if re.fullmatch(r"\d{1,3}(?:,\d{3})+", written):
        return float(written.replace(",", "")), False
    return float(written.replace(",", ".")), False


def _prefix_op(clean: str, start: int) -> tuple[str, int] | None:
    """The comparator that ends just before `start` and where it starts."""
    window_start = max(0, start - 40)
    best = None
    for match in iter_comparators(clean, window_start, start, "prefix"):
        if clean[match.end() : start].strip() == "":
            best = (op_of_match(match, "prefix"), match.start())
    return best


def _postfix_op(clean: str, after: int) -> str | None:
    """A postfix comparator ('or older', 'and over') right after the number or after its unit word."""
    tail = clean[after : after + 30]
    offsets = [len(tail) - len(tail.lstrip())]
    unit_word = re.match(r"\s*[A-Za-z/%µ]{1,12}\.?(?:\s+(?:of\s+age|old))?\s*", tail)
    if unit_word is not None:
        offsets.append(unit_word.end())
    for offset in offsets:
        match = comparator_pattern("postfix").match(tail, offset)
        if match is not None:
            return op_of_match(match, "postfix")
    return None


def _range_after(clean: str, number: re.Match[str]) -> re.Match[str] | None:
    """The upper number of `18-60`, `18 to 60 years`, `18 years to 60 years`."""
    unit_gap = re.match(r"\s*[A-Za-z%/]{0,8}", clean[number.end() :])
    for skip in (0, unit_gap.end() if unit_gap else 0):
        join = _RANGE_JOIN.match(clean, number.end() + skip)
        if join is None:
            continue
        high = _HIGH_NUMBER_RE.match(clean, join.end())
        if high is not None:
            return high
    return None


def find_quantities(clean: str, mentions: list[Mention]) -> list[Quantity]:
    inside_mention = [(m.start, m.end) for m in mentions]
    quantities: list[Quantity] = []
    consumed_until = -1
    for number in _NUMBER_RE.finditer(clean):
        if number.start() < consumed_until or any(s <= number.start() < e for s, e in inside_mention):
            continue
        quantity = _quantity_at(clean, number)
        quantities.append(quantity)
        consumed_until = quantity.end
    return quantities


def _quantity_at(clean: str, number: re.Match[str]) -> Quantity:
    value, is_ratio = parse_number(number.group(0))
    prefix = _prefix_op(clean, number.start())
    start = prefix[1] if prefix else number.start()
    between = re.search(r"\bbetween\s*$|\bfrom\s*$", clean[max(0, number.start() - 9) : number.start()], re.I)
    high = None if prefix else _range_after(clean, number)
    if high is not None and (between or not clean[number.end() : high.start()].strip().startswith("and")):
        high_value, _ = parse_number(high.group(0))
        if high_value > value:
            return Quantity(
                start,
                number.start(),
                high.end(),
                "between",
                value,
                high_value,
                False,
                clean[start : high.end()],
            )
    op = prefix[0] if prefix else _postfix_op(clean, number.end())
    return Quantity(start, number.start(), number.end(), op, value, None, is_ratio, clean[start : number.end()])

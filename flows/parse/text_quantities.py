"""Criterion text -> the pieces thresholds are built from: parameter mentions and quantities.

A quantity is a number with its comparator (`≥ 30`, `more than 1.5`, `18 or older`) or a
range (`18-60`, `between 18 and 60`), plus the text after it where its unit may be. Units are
resolved later against the parameter the quantity belongs to.
"""

from __future__ import annotations

import re
import unicodedata
from typing import NamedTuple

from flows.parse.units import (
    comparator_at,
    comparator_endings,
    comparator_scan_start,
    find_parameter_mentions,
    iter_comparators,
    op_of_match,
)
from flows.records import Threshold

_NUMBER = r"(?:1\s*:\s*\d+|\d{1,3}(?:,\d{3})+(?![\d])|\d+,\d(?![\d,])|\d+(?:\.\d+)?|\.\d+)"
# `(?<![\w.,/^:\-])(?<![A-Za-z]-){_NUMBER}`, written to start with the number's first character so that the
# regex engine skips ahead to digits instead of trying every position: the look-behinds then span that character
_NUMBER_RE = re.compile(
    r"[\d.](?<![\w.,/^:\-].)(?<![A-Za-z]-.)"
    r"(?:(?<=1)\s*:\s*\d+|(?<=\d)\d{0,2}(?:,\d{3})+(?![\d])|(?<=\d)\d*,\d(?![\d,])|(?<=\d)\d*(?:\.\d+)?|(?<=\.)\d+)"
)
_HIGH_NUMBER_RE = re.compile(_NUMBER)
_RANGE_JOIN = re.compile(r"\s*(?:-|–|—|~|～|to|and)\s*")
_ULN_PHRASE = re.compile(
    r"(?:the\s+)?(?:institutional\s+|local\s+)?(?:upper\s+limit\s+of\s+(?:the\s+)?normal(?:\s+range|\s+limits?|"
    r"\s+lab(?:oratory)?\s+values?|\s+values?)?|(?:upper\s+normal|normal\s+upper)\s+limits?|ULN)(?:\s*\(\s*ULN\s*\))?",
    re.IGNORECASE,
)
_THOUSANDS = re.compile(r"\d{1,3}(?:,\d{3})+")
_UNIT_WORD = re.compile(r"\s*[A-Za-z/%µ]{1,12}\.?(?:\s+(?:of\s+age|old))?\s*")
_UNIT_GAP = re.compile(r"\s*[A-Za-z%/]{0,8}")
_BETWEEN = re.compile(r"\bbetween\s*$|\bfrom\s*$", re.IGNORECASE)
_ULN = re.compile("ULN", re.IGNORECASE)
_BREAK_TAG = re.compile(r"<br\s*/?>", re.IGNORECASE)
_ESCAPE = re.compile(r"\\([<>=^*~_\[\]])")
_TIMES_ULN = re.compile(r"(\d)\s*(?:x|×|X|\*|times|-?\s*fold)?\s*ULN", re.IGNORECASE)
_TIMES_NORMAL = re.compile(
    r"(\d)\s*(?:x|×|X|\*|times)\s*(?:the\s+)?(?:institutional\s+)?(?:(?:upper\s+)?normal\b(?!\s+range)|upper\s+limit\b)",
    re.I,
)


# NamedTuples rather than frozen dataclasses: as immutable, and several times cheaper to build (one per
# number and per mention of every criterion)
class Mention(NamedTuple):
    start: int
    end: int
    parameter: str


class Quantity(NamedTuple):
    start: int  # where its comparator starts
    number_start: int
    end: int  # end of the number (or of the range's upper number)
    op: str | None  # None: a bare number, not a threshold by itself
    value: float
    value_high: float | None
    is_ratio: bool  # written 1:N (a titer)
    written: str


class Found(NamedTuple):
    """A threshold with the text positions the context rules need."""

    threshold: Threshold
    mention_start: int
    start: int
    end: int


def prepare(text: str) -> str:
    """Fold the writing variants that do not change meaning: markup, escapes, super-scripts, ULN phrases."""
    clean = _BREAK_TAG.sub(" ", text)
    if "\\" in clean:  # a sub with a template calls back into Python even when nothing matches
        clean = _ESCAPE.sub(r"\1", clean)
    clean = clean.replace("10⁹", "10^9").replace("10³", "10^3").replace("10¹²", "10^12")
    clean = unicodedata.normalize("NFKC", clean)
    return _fold_uln(_single_spaces(clean))


def _single_spaces(text: str) -> str:
    r"""`re.sub(r"\s+", " ", text)`, in a fraction of the time: `str.split()` splits on the same whitespace."""
    words = text.split()
    if not words:
        return " " if text else ""
    return (" " if text[0].isspace() else "") + " ".join(words) + (" " if text[-1].isspace() else "")


def _fold_uln(clean: str) -> str:
    """'3 times the upper limit of normal' -> '3 x ULN', '> ULN' -> '> 1 x ULN'."""
    lowered = folded(clean)  # every ULN pattern needs one of these words
    words_at = [at for at in (lowered.find("uln"), lowered.find("upper"), lowered.find("normal")) if at >= 0]
    if not words_at:
        return clean
    clean = _uln_phrases(clean, min(words_at) if clean.isascii() else 0)
    clean = _TIMES_ULN.sub(r"\1 x ULN", clean)
    clean = _TIMES_NORMAL.sub(r"\1 x ULN", clean)
    if "ULN" not in clean:
        return clean
    pieces, last, searched = [], 0, 0
    for uln in _ULN.finditer(clean):
        match = _comparator_then_uln(clean, searched, uln.end())
        if match is not None:
            pieces += [clean[last : match.end(str(match.lastgroup))], " 1 x ULN"]
            last = uln.end()
        searched = uln.end()
    return "".join(pieces) + clean[last:]


def _uln_phrases(clean: str, first_word_at: int) -> str:
    """`_ULN_PHRASE.sub("ULN", clean)`, scanning only from where a phrase can start: at most 'the institutional '
    before the first of its words (the text has single spaces; an ASCII text is as long as its lowered form)."""
    start = max(0, first_word_at - len("the institutional "))
    return clean[:start] + _ULN_PHRASE.sub("ULN", clean[start:])


def _comparator_then_uln(clean: str, start: int, uln_end: int) -> re.Match[str] | None:
    """A comparator and the ULN ending at `uln_end`, the only ULN after `start`. Matches of the comparators
    followed by ULN never span a ULN, so looking before each ULN in turn finds what one scan would."""
    uln_start = uln_end - len("ULN")
    if not folded(clean[start:uln_start]).rstrip().endswith(comparator_endings("prefix")):
        return None
    scan_start = comparator_scan_start(clean, start, uln_start, "prefix")
    return next(iter_comparators(clean, scan_start, uln_end, "prefix", then=r"\s*ULN"), None)


def folded(text: str) -> str:
    """`text` lowered so that `word in folded(text)` wherever an IGNORECASE regex can match an ASCII `word`:
    a cheap test before a costly scan. 'İ', 'ı' and 'ſ' match 'i' and 's' but do not lower() to them."""
    lowered = text.lower()
    if lowered.isascii():
        return lowered
    return lowered.replace("ı", "i").replace("\u0307", "").replace("ſ", "s")


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
    if _THOUSANDS.fullmatch(written):
        return float(written.replace(",", "")), False
    return float(written.replace(",", ".")), False


def _prefix_op(clean: str, start: int) -> tuple[str, int] | None:
    """The comparator that ends just before `start` and where it starts."""
    window_start = max(0, start - 40)
    if not folded(clean[window_start:start]).rstrip().endswith(comparator_endings("prefix")):
        return None  # spares the scan for the many numbers written without a comparator
    best = None
    scan_start = comparator_scan_start(clean, window_start, start, "prefix")
    for match in iter_comparators(clean, scan_start, start, "prefix"):
        if clean[match.end() : start].strip() == "":
            best = (op_of_match(match, "prefix"), match.start())
    return best


def _postfix_op(clean: str, after: int) -> str | None:
    """A postfix comparator ('or older', 'and over') right after the number or after its unit word."""
    tail = clean[after : after + 30]
    offsets = [len(tail) - len(tail.lstrip())]
    unit_word = _UNIT_WORD.match(tail)
    if unit_word is not None:
        offsets.append(unit_word.end())
    for offset in offsets:
        match = comparator_at(tail, offset, "postfix")
        if match is not None:
            return op_of_match(match, "postfix")
    return None


def _after_between(clean: str, start: int) -> bool:
    return _BETWEEN.search(clean[max(0, start - 9) : start]) is not None


def _joined_by_and(clean: str, number: re.Match[str], high: re.Match[str]) -> bool:
    return clean[number.end() : high.start()].strip().startswith("and")


def _range_after(clean: str, number: re.Match[str]) -> re.Match[str] | None:
    """The upper number of `18-60`, `18 to 60 years`, `18 years to 60 years`."""
    unit_gap = _UNIT_GAP.match(clean, number.end())
    for at in (number.end(), unit_gap.end() if unit_gap else number.end()):
        join = _RANGE_JOIN.match(clean, at)
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
        if number.start() < consumed_until or (
            inside_mention and any(s <= number.start() < e for s, e in inside_mention)
        ):
            continue
        quantity = _quantity_at(clean, number)
        quantities.append(quantity)
        consumed_until = quantity.end
    return quantities


def _quantity_at(clean: str, number: re.Match[str]) -> Quantity:
    value, is_ratio = parse_number(number.group(0))
    prefix = _prefix_op(clean, number.start())
    start = prefix[1] if prefix else number.start()
    high = None if prefix else _range_after(clean, number)
    if high is not None and (_after_between(clean, number.start()) or not _joined_by_and(clean, number, high)):
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

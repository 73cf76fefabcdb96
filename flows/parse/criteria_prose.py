"""Criteria written as one run of text: inline enumerations and prose lists.

'1) age 18-80 years; 2) severe pneumonia' is two criteria; so is 'uncontrolled infection,
failure of kidney or other vital organs, pregnancy or lactating.' (three). A comma splits
prose only when every part reads as a list entry: short, outside parentheses, and not a
clause that continues the previous part ('who ...', 'with ...', 'or ...').
"""

from __future__ import annotations

import re

_INLINE_NUMBER = re.compile(r"(?<![^\s;.:,，；。])\(?(?P<n>\d{1,2})[.)、．](?!\d)\s*")
_LEAD_IN = re.compile(
    r"(?:the\s+)?(?:criteria\s+for\s+entrance\s+to\s+the\s+study|(?:inclusion|exclusion)\s+criteria)"
    r"(?:\s+also)?,?\s+(?:includes?|involves?|are|is)\s*:?\s*",
    re.IGNORECASE,
)
_CONTINUATION = re.compile(
    r"^(?:and|or|with|without|who|which|that|whose|in|of|for|to|on|at|by|including|include|except|e\.g\.|"
    r"i\.e\.|such|but|if|as|than|especially|regardless|etc)\b",
    re.IGNORECASE,
)
_MAX_PART_WORDS = 14
_TRAILING = " \t\r\n;,；，"


def split_prose(text: str, start: int, end: int, prose: bool = True) -> list[tuple[int, int]]:
    """Spans of the criteria in text[start:end]; the whole span when it is not a list."""
    numbered = _inline_enumeration(text, start, end)
    if numbered:
        return numbered
    if not prose:
        return [(start, end)]
    lead_in = _LEAD_IN.match(text, start, end)
    body_start = lead_in.end() if lead_in else start
    for separator in (";", ","):
        parts = _split_top_level(text, body_start, end, separator)
        if len(parts) > 1 and (separator == ";" or _reads_as_list(text, parts)):
            return [_trim(text, s, e) for s, e in parts if text[s:e].strip(_TRAILING + ".")]
    return [_trim(text, body_start, end)]


def _inline_enumeration(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """'1) ... 2) ... 3) ...' written on one line: numbers 1, 2, 3 in order, the first at the start."""
    markers: list[re.Match[str]] = []
    for match in _INLINE_NUMBER.finditer(text[:end], start):
        if int(match.group("n")) == len(markers) + 1 and (markers or match.start() == start):
            markers.append(match)
    if len(markers) < 2:
        return []
    bounds = [m.start() for m in markers[1:]] + [end]
    return [_trim(text, m.end(), bound) for m, bound in zip(markers, bounds, strict=True)]


def _split_top_level(text: str, start: int, end: int, separator: str) -> list[tuple[int, int]]:
    parts = []
    depth = 0
    part_start = start
    for index in range(start, end):
        char = text[index]
        depth += 1 if char in "([" else -1 if char in ")]" else 0
        between_digits = 0 < index < len(text) - 1 and text[index - 1].isdigit() and text[index + 1].isdigit()
        if char == separator and depth <= 0 and not between_digits:
            parts.append((part_start, index))
            part_start = index + 1
    parts.append((part_start, end))
    return parts


def _reads_as_list(text: str, parts: list[tuple[int, int]]) -> bool:
    for index, (start, end) in enumerate(parts):
        part = re.sub(r"\([^()]*\)", "", text[start:end]).strip(_TRAILING + ".")
        if not part or len(part.split()) > _MAX_PART_WORDS:
            return False
        if index > 0 and _CONTINUATION.match(part) and not re.match(r"(?:and|or)\s+\w+", part, re.I):
            return False
        if index > 0 and re.match(r"(?:and|or)\b", part, re.I) and index < len(parts) - 1:
            return False
    return True


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start] in _TRAILING:
        start += 1
    while end > start and text[end - 1] in _TRAILING:
        end -= 1
    final_conjunction = re.match(r"(?:and|or)\s+", text[start:end], re.IGNORECASE)
    if final_conjunction and start > 0 and text[start - 2 : start].strip() in (",", ""):
        start += final_conjunction.end()
    return start, end

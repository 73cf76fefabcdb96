"""Time windows of criteria: 'within the past 12 weeks', '≤ 12 weeks prior to screening'.

Each becomes a `time_window` threshold in days whose `subject` is what the window constrains
('immunosuppressive agents', 'dialysis'). Durations ('for at least 3 months') are not windows.
"""

from __future__ import annotations

import re

from flows.parse.text_quantities import Found, folded
from flows.parse.threshold_context import clause_start
from flows.parse.units import comparator_scan_start, conversion_for, iter_comparators, op_of_match
from flows.records import Threshold

_UNIT = r"(?P<unit>days?|weeks?|wks?|months?|years?|hours?|hrs?|h)\b"
_NUM = r"(?P<num>\d+(?:\.\d+)?)\s*-?\s*"
_REFERENCE = r"(?:\s+(?:prior\s+to|before|preceding|of|after|from)\b(?:\s+(?:the\s+)?[\w-]+(?:\s+visit)?)?)?"
# (what every window of the pattern holds, in the lowered text; the pattern): the first starts with words the regex
# engine finds fast, so testing it spares most criteria the slower scan of the pattern
_WINDOWS = (
    (
        re.compile(r"(?:past|last|previous|preceding|prior)\s+\d"),
        re.compile(
            rf"\b(?:within|in|during|over)\s+(?:the\s+)?(?:past|last|previous|preceding|prior)\s+{_NUM}{_UNIT}",
            re.IGNORECASE,
        ),
    ),
    (
        re.compile(r"within\s"),
        re.compile(rf"\bwithin\s+(?:(?:the|a)\s+)?(?:[a-z]+\s+){{0,2}}?(?:of\s+)?{_NUM}{_UNIT}", re.IGNORECASE),
    ),
    (
        re.compile(r"the\s+\d"),
        re.compile(rf"\b(?:in|during)\s+the\s+{_NUM}{_UNIT}(?=\s+(?:prior|before|preceding))", re.IGNORECASE),
    ),
)
_COMPARATOR_WINDOW_CUE = re.compile(  # the same for `_COMPARATOR_WINDOW`
    r"(?:days?|weeks?|wks?|months?|years?|hours?|hrs?|h)\s+(?:prior\s+to|before|preceding|since)"
)
_COMPARATOR_WINDOW = re.compile(rf"{_NUM}{_UNIT}(?=\s+(?:prior\s+to|before|preceding|since)\b)", re.IGNORECASE)
_FOR_BEFORE = re.compile(r"\bfor\s*$", re.IGNORECASE)
_REFERENCE_RE = re.compile(_REFERENCE, re.IGNORECASE)
_PARENTHESES = re.compile(r"\([^()]*\)")
_TRAILING_CONJUNCTION = re.compile(r"\s+(?:or|and)$")
_SUBJECT_LEAD = re.compile(
    r"^(?:[-•*\s]|\b(?:or|and|any|history\s+of|use\s+of|treatment\s+with|treated\s+with|received|receipt\s+of|"
    r"prior|previous|patients?\s+(?:who|with)|subjects?\s+(?:who|with)|have|has|had|been|known)\b)+",
    re.IGNORECASE,
)


def _with_reference(clean: str, end: int) -> int:
    reference = _REFERENCE_RE.match(clean, end)
    return reference.end() if reference else end


def _comparator_windows(clean: str) -> list[tuple[int, int, str, re.Match[str]]]:
    """'≤ 12 weeks prior to', 'at least 4 weeks since prior therapy': the comparator gives the op."""
    found = []
    for match in _COMPARATOR_WINDOW.finditer(clean):
        scan_start = comparator_scan_start(clean, max(0, match.start() - 30), match.start(), "prefix")
        comparators = list(iter_comparators(clean, scan_start, match.start(), "prefix"))
        if not comparators or clean[comparators[-1].end() : match.start()].strip():
            continue
        comparator = comparators[-1]
        if _FOR_BEFORE.search(clean[max(0, comparator.start() - 6) : comparator.start()]):
            continue  # 'for ≥ 12 weeks before' is a duration
        found.append((comparator.start(), match.end(), op_of_match(comparator, "prefix"), match))
    return found


def find_time_windows(clean: str) -> list[Found]:
    lowered = folded(clean)
    spans = [
        (match.start(), match.end(), "<=", match)
        for cue, pattern in _WINDOWS
        if cue.search(lowered)
        for match in pattern.finditer(clean)
    ]
    if _COMPARATOR_WINDOW_CUE.search(lowered):
        spans += _comparator_windows(clean)
    spans.sort(key=lambda span: (span[0], -span[1]))
    found: list[Found] = []
    previous_end = 0
    for start, end, op, match in spans:
        if start < previous_end:
            continue
        conversion = conversion_for("time_window", match.group("unit"))
        if conversion is None:
            continue
        value = float(match.group("num"))
        subject = _subject(clean[max(previous_end, clause_start(clean, start)) : start])
        threshold = Threshold(
            parameter="time_window",
            op=op,
            value=value,
            unit=match.group("unit"),
            value_canonical=conversion.apply(value),
            unit_canonical=conversion.unit_canonical,
            subject=subject,
        )
        previous_end = _with_reference(clean, end)
        found.append(Found(threshold, start, start, previous_end))
    return found


def _subject(text: str) -> str | None:
    without_parentheses = _PARENTHESES.sub(" ", text)
    subject = _SUBJECT_LEAD.sub("", " ".join(without_parentheses.split())).strip(" ,;:-")
    subject = _TRAILING_CONJUNCTION.sub("", subject)
    return subject[:120] or None

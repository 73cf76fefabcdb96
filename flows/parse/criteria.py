"""A criteria block -> its top-level criteria, each with its span and thresholds.

`split_criteria(text, offset, kind)` reads bullets (`-` `*` `•` `⁃`), numbered and lettered
items (`1.` `1)` `(1)` `a.`), ICTRP's `<br>`-separated lines, inline enumerations
(`1) ... 2) ...`) and prose lists (`uncontrolled infection, failure of kidney, pregnancy`).
Inclusion/exclusion headings (from `flows/vocab/headings.csv`, at a line start or run into
prose after a sentence end) switch the kind. Sub-items stay with their parent, whose span
then covers them. Preambles ("must meet all of the following criteria") and trailers
("other criteria may apply") are not criteria. Items before any heading take `kind`, or
`inclusion` when no kind is given: an unlabelled eligibility list is what a participant must meet.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from flows.parse.alternation import CaselessPattern, FirstCharacterDispatch
from flows.parse.criteria_lines import Line, lines_of
from flows.parse.criteria_prose import split_prose
from flows.parse.thresholds import extract_thresholds
from flows.records import Criterion
from flows.vocab import normalise, table

DEFAULT_KIND = "inclusion"
_PREAMBLE = re.compile(
    r"\b(?:all|any|each|both)\s+of\s+the\s+following\b|\bfollowing\s+(?:criteria|conditions|requirements)\b|"
    r"\b(?:must|should)\s+(?:meet|fulfil+|satisfy|have)\b.*:$|\beligible\b.*:$|^criteria\b.*:$",
    re.IGNORECASE,
)
# trailers: a phrase anywhere in the line, or a line that starts with one (`.match`; kept apart
# because one search for both tries every alternative at every position)
_TRAILER = CaselessPattern(r"criteria\s+(?:may|will)\s+apply")
_TRAILER_START = re.compile(
    r"see\s+(?:the\s+)?(?:protocol|study)|for\s+more\s+information|(?:none|n/?a|nil|not\s+applicable|no)\.?$|"
    r"(?:or|and)$",
    re.IGNORECASE,
)
# EUCTR appends its age-range questionnaire to the criteria field: not criteria
_STOP = re.compile(r"^Are the trial subjects under 18\?", re.IGNORECASE)


# the caseless heading pattern also matches Turkish spellings: dotless "ı", and the dot "İ" leaves when lowered
_TURKISH_I = str.maketrans({"ı": "i", "\u0307": None})


def heading_kind(phrase: str) -> str:
    """inclusion | exclusion for a heading phrase the heading pattern matched."""
    return table("headings")[normalise(phrase).translate(_TURKISH_I)]


@dataclass(frozen=True, slots=True)
class _Item:
    kind: str
    start: int
    end: int
    context: str  # a sub-heading the item sits under ("Age:"), read with it for thresholds


def split_criteria(
    text: str, offset: int = 0, kind: str | None = None, counts: dict[str, int] | None = None
) -> list[Criterion]:
    """The criteria of `text`, numbered on from `counts` (criteria so far per kind, updated in place)
    when the blocks of one document are split one by one."""
    items: list[_Item] = []
    # what the whole text does not hold, none of its lines holds: one search spares one for each line
    headings, trailers = _heading_words().found_in(text), _TRAILER.found_in(text)
    for section_kind, section in _sections(lines_of(text), kind or DEFAULT_KIND, headings):
        items.extend(_section_items(text, section, section_kind, trailers))
    counts = {} if counts is None else counts
    criteria = []
    for item in items:
        body = text[item.start : item.end]
        if not body.strip():  # a marker with nothing after it ("1." ending a wrapped line) is no item
            continue
        counts[item.kind] = counts.get(item.kind, 0) + 1
        thresholds = extract_thresholds(f"{item.context} {body}" if item.context else body)
        criteria.append(
            Criterion(item.kind, counts[item.kind], body, offset + item.start, offset + item.end, thresholds)
        )
    return criteria


@cache
def kind_phrases() -> tuple[str, ...]:
    """The inclusion/exclusion headings of headings.csv, longest first."""
    phrases = sorted((p for p, v in table("headings").items() if v in ("inclusion", "exclusion")), key=len)
    return tuple(reversed(phrases))


def phrase_regex(phrase: str) -> str:
    """A heading phrase as a regex: its words separated by any run of blanks, `-`, `_` or `/`."""
    return r"[\s\-_/]+".join(map(re.escape, phrase.split()))


@cache
def _heading_pattern() -> FirstCharacterDispatch:
    alternatives = [(phrase.strip()[0], phrase_regex(phrase)) for phrase in kind_phrases()]
    return FirstCharacterDispatch(alternatives, lambda parts: f"(?P<phrase>{'|'.join(parts)})")


@cache
def _heading_words() -> CaselessPattern:
    """A word of every heading (its kind when it names it): a line without one of them holds no heading,
    so the costlier heading scans skip it."""
    kinds = table("headings")
    words = {
        kinds[phrase] if kinds[phrase] in phrase.split() else max(phrase.split(), key=len) for phrase in kind_phrases()
    }
    return CaselessPattern("|".join(map(re.escape, sorted(words))))


_LINE_HEADING_LEAD = re.compile(r"\*\*|#+\s*")
_LINE_HEADING_TAIL = re.compile(r"\**\s*(?:\([^)\n]*\))?\s*(?P<colon>[:：])?\s*")
_SENTENCE_PUNCTUATION = re.compile(r"[.;]")


def _line_heading(line: Line) -> tuple[str, int] | None:
    """(kind, where the line's content resumes) for 'Inclusion Criteria:' / 'Key exclusion criteria'."""
    head = _LINE_HEADING_LEAD.match(line.text)
    content = head.end() if head else 0
    for match in _heading_pattern().finditer(line.text, content):
        if match.start() > content + 30:
            break
        tail = _LINE_HEADING_TAIL.match(line.text, match.end())
        resume = tail.end() if tail else match.end()
        prefixed = match.start() > 0 and line.text[: match.start()].strip(" *#") != ""
        kind = heading_kind(match.group("phrase"))
        if resume == len(line.text) or (tail and tail.group("colon") and not prefixed):
            return kind, line.start + resume
        if (
            not prefixed
            and line.marker_end == 0
            and len(line.text) <= 80
            and not _SENTENCE_PUNCTUATION.search(line.text)
        ):
            return kind, line.end  # 'Exclusion Criteria for Previously Enrolled Subjects'
        break
    return None


_INLINE_HEADING_TAIL = re.compile(r"\s*[:：]\s*")
_SENTENCE_END = re.compile(r"[.;]\s+$")


def _inline_headings(line: Line) -> list[tuple[int, int, str]]:
    """(start, end, kind) of headings run into prose: '... standard). Exclusion criteria: ...'."""
    found = []
    for match in _heading_pattern().finditer(line.text):
        if match.start() == 0 or not _SENTENCE_END.search(line.text, 0, match.start()):
            continue
        tail = _INLINE_HEADING_TAIL.match(line.text, match.end())
        if tail is not None:
            kind = heading_kind(match.group("phrase"))
            found.append((line.start + match.start(), line.start + tail.end(), kind))
    return found


def _sections(lines: list[Line], kind: str, headings: bool) -> list[tuple[str, list[Line]]]:
    """The lines under each heading; `headings`: whether the lines hold a heading word at all."""
    sections: list[tuple[str, list[Line]]] = [(kind, [])]
    for line in lines:
        if _STOP.match(line.text):
            break
        if not (headings and _heading_words().found_in(line.text)):
            sections[-1][1].append(line)
            continue
        heading = _line_heading(line)
        if heading is not None:
            sections.append((heading[0], []))
            if heading[1] >= line.end:
                continue
            line = line.clipped(heading[1], line.end)
        position = line.start
        for start, end, next_kind in _inline_headings(line):
            if start > position:
                sections[-1][1].append(line.clipped(position, start))
            sections.append((next_kind, []))
            position = end
        sections[-1][1].append(line.clipped(position, line.end) if position > line.start else line)
    return [(k, [line for line in ls if line.text]) for k, ls in sections if ls]


def _section_items(text: str, lines: list[Line], kind: str, trailers: bool) -> list[_Item]:
    """The items of a section; `trailers`: whether its lines hold `_TRAILER` at all."""
    items: list[list[Line]] = []
    contexts: list[str] = []
    context = ""
    top: tuple[str, int] | None = None
    paragraphs = any(line.blank_before for line in lines[1:])
    for line in lines:
        style = line.style
        body = line.body
        if (not any(items) and _PREAMBLE.search(body)) or _is_trailer(body, trailers):
            continue
        if style is None and body.endswith(":") and len(body) <= 60:
            context = body
            items.append([])  # a sub-heading closes the current item
            contexts.append(context)
            continue
        if top is None and style is not None:
            top = (style, line.indent)
        if _starts_item(line, style, top, bool(items and items[-1]), paragraphs):
            items.append([line])
            contexts.append(context)
        else:
            items[-1].append(line)
    groups = [(group, ctx) for group, ctx in zip(items, contexts, strict=True) if group]
    spans = [(g[0].body_start, _trimmed_end(text, g[0].body_start, g[-1].end), ctx) for g, ctx in groups]
    if len(spans) != 1:
        return [_Item(kind, start, end, ctx) for start, end, ctx in spans]
    first_line, (start, end, ctx) = groups[0][0][0], spans[0]
    if first_line.style is None:
        pieces = split_prose(text, start, end)
    else:
        pieces = _enumerated_or_whole(text, first_line.start, start, end)
    return [_Item(kind, piece_start, piece_end, ctx) for piece_start, piece_end in pieces]


def _is_trailer(body: str, anywhere: bool) -> bool:
    return (anywhere and _TRAILER.found_in(body)) or _TRAILER_START.match(body) is not None


def _enumerated_or_whole(text: str, marker_start: int, start: int, end: int) -> list[tuple[int, int]]:
    """'1) age 18-80; 2) severe pneumonia' on one line is two criteria, its '1)' being the first marker."""
    numbered = split_prose(text, marker_start, end, prose=False)
    return numbered if len(numbered) > 1 else [(start, end)]


def _trimmed_end(text: str, start: int, end: int) -> int:
    """Without the list punctuation that ends an item ('...;', '...,')."""
    while end > start and text[end - 1] in " \t\r\n;,；，":
        end -= 1
    return end


def _starts_item(
    line: Line, style: str | None, top: tuple[str, int] | None, has_current: bool, paragraphs: bool
) -> bool:
    """`paragraphs`: a line of the section after its first one follows a blank line."""
    if not has_current:
        return True
    if top is None:  # no markers anywhere: a paragraph per item, or a line per item without blank lines
        return line.blank_before or not paragraphs
    if style is not None:
        return (style == top[0] and line.indent <= top[1] + 1) or line.indent < top[1] - 1
    return line.blank_before and line.indent <= top[1]

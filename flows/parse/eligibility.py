"""Find the eligibility criteria blocks of a segmented text and split them into criteria.

The eligibility region starts at the first criteria label (`Eligibility`, `Inclusion
Criteria`, `Criteria for entrance to the study`, ...) and ends at the next label that is
neither a criteria label nor a `Key: value` line (`Sex: All` inside the eligibility
section does not end it). Inside the region, inclusion/exclusion headings, also those run
into a paragraph (`... standard). Exclusion criteria: uncontrolled infection`), switch
the kind. Chrome and `Key: value` lines are cut out of the blocks.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache

from flows.parse.alternation import CaselessPattern
from flows.parse.criteria import heading_kind, kind_phrases, phrase_regex, split_criteria
from flows.parse.sections import Segmentation
from flows.records import Criterion
from flows.vocab import table

CRITERIA_NAMES = frozenset({"criteria", "inclusion", "exclusion"})
# an eligibility list under a heading that names no kind ("Participation Requirements") is
# what a participant must meet: inclusion criteria
DEFAULT_KIND = "inclusion"


@dataclass(frozen=True, slots=True)
class Block:
    kind: str
    start: int
    end: int


# where a heading starts: a line start (after a markdown heading mark) or after a sentence; possessive
# (`*+`, `++`): what follows the blanks and marks is never one, so backtracking into them only costs
_HEADING_LEAD = r"(?:^[ \t]*+(?:#++[ \t]*+)?|(?<=[.;])[ \t]++)(?:\*\*)?"


@cache
def _kind_heading() -> CaselessPattern:
    """Inclusion/exclusion headings from headings.csv, at a line start or after a sentence."""
    alternatives = "|".join(phrase_regex(phrase) for phrase in kind_phrases())
    return CaselessPattern(
        rf"{_HEADING_LEAD}(?P<phrase>{alternatives})(?:\*\*)?[ \t]*(?::|(?=\r?\n|$))",
        re.MULTILINE,
    )


@cache
def _kind_heading_openings() -> CaselessPattern:
    """A line end or a sentence end followed by what starts a `_kind_heading` match (its lead-in and the
    first letter of a phrase): a scan for the end characters, where that pattern is tried at every position."""
    letters = "".join(sorted({phrase.split()[0][0] for phrase in kind_phrases()}))
    return CaselessPattern(rf"[\n.;](?={_HEADING_LEAD}[{re.escape(letters)}])", re.MULTILINE)


def _kind_headings(text: str, start: int, end: int) -> Iterator[re.Match[str]]:
    """The matches of `_kind_heading()` in text[start:end] (as its `finditer` gives them), the pattern tried
    only where one can start."""
    pattern, read = _kind_heading().reading(text)
    openings, read_for_openings = _kind_heading_openings().reading(text)
    resume = start
    for candidate in [start, *(m.end() for m in openings.finditer(read_for_openings, start, end))]:
        if candidate < resume:
            continue
        match = pattern.match(read, candidate, end)
        if match is not None:
            yield match
            resume = match.end()


@cache
def _label_words() -> frozenset[str]:
    """One word of each heading that opens the eligibility region, without `#`."""
    keys = [key for key, name in table("headings").items() if name in CRITERIA_NAMES]
    return frozenset(max(key.split(), key=len).replace("#", "") for key in keys)


def may_hold_region(text: str) -> bool:
    """False when `text` cannot hold an eligibility region, told without segmenting it: it holds no word
    of a criteria label, compared case-folded and with white space and `#` dropped (`heading_name` drops
    markdown `#` marks wherever they are, so they may split a word)."""
    folded = text.casefold()
    if any(word in folded for word in _label_words()):
        return True
    folded = "".join(folded.split()).replace("#", "")
    return any(word in folded for word in _label_words())


def eligibility_region(seg: Segmentation) -> tuple[int, int, str | None] | None:
    """(start, end, kind of the first label) of the eligibility region, or None without one."""
    fields = list(seg.fields)
    first = next((i for i, item in enumerate(fields) if item.name in CRITERIA_NAMES), None)
    if first is None:
        return None
    start_field = fields[first]
    end = len(seg.text)
    for item in fields[first + 1 :]:
        if item.name not in CRITERIA_NAMES and not item.inline:
            end = item.label_start
            break
    ends_after = [seg.lines[i].start for i in seg.end_lines if seg.lines[i].start > start_field.label_start]
    end = min([end, *ends_after])
    kind = start_field.name if start_field.name != "criteria" else None
    start = start_field.value_start if start_field.inline else start_field.label_end
    return start, end, kind


def content_runs(seg: Segmentation, start: int, end: int) -> list[tuple[int, int]]:
    """[start, end) ranges of the region without chrome, `Key: value` lines and kind-less headings."""
    skipped = set(seg.chrome_lines) | {
        item.line_index
        for item in seg.fields
        if (item.inline and item.name not in CRITERIA_NAMES) or (not item.inline and item.name == "criteria")
    }
    runs: list[tuple[int, int]] = []
    run_start = start
    for index, line in seg.lines_between(start, end):
        if index in skipped:
            runs.append((run_start, line.start))
            run_start = line.end
    runs.append((run_start, end))
    return [(s, e) for s, e in runs if seg.text[s:e].strip()]


def criteria_blocks(seg: Segmentation) -> list[Block]:
    """The inclusion/exclusion blocks of the eligibility region, in document order."""
    region = eligibility_region(seg)
    if region is None:
        return []
    start, end, kind = region
    current = kind or DEFAULT_KIND
    blocks: list[Block] = []
    for run_start, run_end in content_runs(seg, start, end):
        position = run_start
        for match in _kind_headings(seg.text, run_start, run_end):
            blocks.append(Block(current, position, match.start()))
            current = heading_kind(match.group("phrase"))
            position = match.end()
        blocks.append(Block(current, position, run_end))
    return [trimmed for block in blocks if (trimmed := _trim(seg.text, block)) is not None]


def _trim(text: str, block: Block) -> Block | None:
    start, end = block.start, block.end
    while start < end and text[start] in " \t\r\n:":
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end <= start:
        return None
    # keep the first item's indentation: list nesting is read from indents relative to it
    line_start = text.rfind("\n", 0, start) + 1
    if line_start >= block.start and not text[line_start:start].strip():
        start = line_start
    return Block(block.kind, start, end)


def split_blocks(text: str, blocks: list[Block]) -> tuple[Criterion, ...]:
    """Criteria of every block, numbered 1..n per kind in document order."""
    criteria: list[Criterion] = []
    counts: dict[str, int] = {}
    for block in blocks:
        criteria += split_criteria(text[block.start : block.end], offset=block.start, kind=block.kind, counts=counts)
    return tuple(criteria)


def parse_eligibility(seg: Segmentation) -> tuple[Criterion, ...]:
    return split_blocks(seg.text, criteria_blocks(seg))

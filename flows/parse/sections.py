"""Generic segmenter: registry text -> labelled fields with character offsets.

Most registry texts are headings, key/value lines and lists. A *label* is a heading from
the vocabulary `flows/vocab/headings.csv` (heading text -> field name), written as

- a line of its own (`Inclusion Criteria`, `Phase`), the value on the following lines;
- `Key: value` on one line (`Study Phase: Phase 3`);
- a markdown-bold run-on (`Target sample size: **20**`, `Randomization description**Blinding**`):
  `**` splits a physical line into logical lines, so run-ons become the two forms above.

Web-page chrome (`flows/vocab/chrome.csv`) is never part of a value: a `drop` line is skipped,
an `end` line (FAQ, sign-up form, template placeholder) closes the field before it.
Every line, label and value keeps its (start, end) offsets in the document text.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import cache, lru_cache

from flows.vocab import VOCAB_DIR, normalise, table

BULLET = re.compile(r"(?:[-•⁃▪◦‣*·–]|\(?\d{1,2}[.)]|\(?[a-zA-Z][.)]|\([ivx]{1,4}\))(?=\s)\s*")
_INLINE_KEY = re.compile(r"(?P<key>[^:\n]{1,90}?)\s*:\s*(?P<value>.*)", re.DOTALL)
_ITEM_NUMBER = re.compile(r"[1-9]\d{0,2}")
_MARKDOWN_HEADING = re.compile(r"#{1,6}\s+")
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class Line:
    """One logical line: a physical line, or a piece of one cut at a `**` marker."""

    start: int  # first non-blank character
    end: int  # one past the last non-blank character
    text: str
    indent: int  # leading blanks of the physical line (0 for a piece after `**`)
    bullet: str | None  # the list marker, when the line is a list item
    blank_before: bool  # an empty line (paragraph break) precedes it


@dataclass(frozen=True, slots=True)
class Field:
    """A label and its value; the value runs to the next label or chrome line."""

    name: str  # field name from headings.csv ("inclusion", "phase", ...)
    label: str
    label_start: int
    label_end: int
    value_start: int
    value_end: int  # == value_start when the label has no value
    inline: bool  # `Key: value` on one line
    line_index: int  # index of the label's line in Segmentation.lines


@dataclass(frozen=True, slots=True)
class Segmentation:
    text: str
    lines: tuple[Line, ...]
    fields: tuple[Field, ...]
    label_lines: frozenset[int]  # indices of lines holding a label
    chrome_lines: frozenset[int]  # indices of chrome lines (drop or end)
    end_lines: frozenset[int]  # indices of chrome lines that close a field

    def first(self, *names: str) -> Field | None:
        """The first field with one of `names`, trying the names in the order given."""
        for name in names:
            for item in self.fields:
                if item.name == name:
                    return item
        return None

    def all(self, name: str) -> list[Field]:
        return [item for item in self.fields if item.name == name]

    def value(self, item: Field | None) -> str | None:
        """The field's value as one clean string; None when empty or a placeholder."""
        if item is None:
            return None
        return clean_value(self.text[item.value_start : item.value_end])

    def value_of(self, *names: str) -> str | None:
        """The first non-empty value among the fields named `names` (in that order of preference)."""
        for name in names:
            for item in self.all(name):
                found = self.value(item)
                if found is not None:
                    return found
        return None

    def value_lines(self, item: Field) -> list[Line]:
        """The content lines of a field's value, chrome excluded."""
        return [
            line
            for index, line in enumerate(self.lines)
            if item.value_start <= line.start < item.value_end and index not in self.chrome_lines
        ]

    def lines_between(self, start: int, end: int) -> list[tuple[int, Line]]:
        return [(index, line) for index, line in enumerate(self.lines) if start <= line.start < end]


@cache
def chrome_rules() -> tuple[tuple[str, re.Pattern[str] | str, str], ...]:
    """(match kind, pattern, effect) rows of chrome.csv; `line` patterns are pre-normalised."""
    rules: list[tuple[str, re.Pattern[str] | str, str]] = []
    with (VOCAB_DIR / "chrome.csv").open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            pattern: re.Pattern[str] | str
            if row["match"] == "regex":
                pattern = re.compile(row["pattern"], re.IGNORECASE)
            else:
                pattern = normalise(row["pattern"]) or row["pattern"].strip()
            rules.append((row["match"], pattern, row["effect"]))
    return tuple(rules)


@cache
def _chrome_screen(
    effects: tuple[str, ...],
) -> tuple[frozenset[str], tuple[re.Pattern[str], ...], tuple[re.Pattern[str], ...]]:
    """The `line` patterns, the `regex` patterns, and those regexes for ASCII text, of the rules with
    `effects`: a line that equals none of the first and matches none of the others (most lines) is no
    chrome, told without walking the rules."""
    rules = [(match, pattern) for match, pattern, effect in chrome_rules() if effect in effects]
    lines = frozenset(p for match, p in rules if isinstance(p, str) and match == "line")
    regexes = tuple(p for _, p in rules if isinstance(p, re.Pattern))
    return lines, regexes, tuple(map(_for_ascii_text, regexes))


def _for_ascii_text(regex: re.Pattern[str]) -> re.Pattern[str]:
    """`regex` with ASCII-only classes, which scan faster (`\\b` most) and match ASCII text alike,
    unless it writes `\\s` (`\\x1c`-`\\x1f` are white space only to Unicode) or non-ASCII."""
    if not regex.pattern.isascii() or "\\s" in regex.pattern.lower():
        return regex
    return re.compile(regex.pattern, regex.flags & ~re.UNICODE | re.ASCII)


def chrome_effect(line_text: str, effects: tuple[str, ...] = ("drop", "end"), folded: str | None = None) -> str | None:
    """`drop`/`end`/`placeholder` when the line matches a chrome rule with one of `effects`;
    `folded` is `normalise(line_text)` when the caller has it already."""
    folded = (normalise(line_text) if folded is None else folded) or line_text.strip()
    lines, regexes, ascii_regexes = _chrome_screen(effects)
    if folded not in lines:
        stripped = line_text.strip()
        for regex in ascii_regexes if stripped.isascii() else regexes:
            if regex.search(stripped):
                break
        else:
            return None  # no chrome: most lines, told without walking the rules
    for match, pattern, effect in chrome_rules():
        if effect not in effects:
            continue
        if isinstance(pattern, str) and match == "line" and folded == pattern:
            return effect
        if isinstance(pattern, re.Pattern) and pattern.search(line_text.strip()):
            return effect
    return None


def clean_value(raw: str) -> str | None:
    """Collapse white space and bold markers; a placeholder ("empty", "N/A", "{{X}}") is None."""
    value = _SPACES.sub(" ", raw.replace("**", " ")).strip()
    if not value or chrome_effect(value, ("placeholder",)) is not None:
        return None
    return value


def heading_name(text: str, folded: str | None = None) -> str | None:
    """The field name of a heading as written (`Inclusion Criteria:` -> `inclusion`), else None;
    `folded` is `normalise(text)` when the caller has it already."""
    stripped = text.strip()
    if "#" in stripped:
        stripped = _MARKDOWN_HEADING.sub("", stripped)
    stripped = stripped.strip("*").strip()
    if len(stripped) > 120:
        return None
    return table("headings").get(folded if folded is not None and stripped == text else normalise(stripped))


def split_lines(text: str) -> list[Line]:
    """Logical lines with offsets: physical lines, cut again at markdown-bold `**` markers."""
    lines: list[Line] = []
    position = 0
    blank = True
    for physical in text.splitlines(keepends=True):
        stripped = physical.strip()
        if not stripped:
            blank = True
        elif "**" not in physical:
            indent = len(physical) - len(physical.lstrip())
            lines.append(_make_line(text, position + indent, stripped, indent, blank))
            blank = False
        else:
            pieces = _bold_pieces(text, position, physical.rstrip("\r\n"), blank)
            lines.extend(pieces)
            blank = blank and not pieces  # a line of bold markers only ("** **") holds nothing
        position += len(physical)
    return lines


def _bold_pieces(text: str, position: int, body: str, blank_before: bool) -> list[Line]:
    """The logical lines of the physical line `body` (at `position`) cut at its `**` markers."""
    indent = len(body) - len(body.lstrip())
    pieces: list[Line] = []
    piece_start = 0
    for piece in body.split("**"):
        if piece.strip():
            offset = position + piece_start + (len(piece) - len(piece.lstrip()))
            pieces.append(_make_line(text, offset, piece.strip(), indent if piece_start == 0 else 0, blank_before))
            blank_before = False
        piece_start += len(piece) + 2
    return pieces


def _make_line(text: str, start: int, stripped: str, indent: int, blank_before: bool) -> Line:
    marker = BULLET.match(stripped)
    bullet = marker.group(0).strip() if marker and len(stripped) > marker.end() else None
    return Line(start, start + len(stripped), stripped, indent, bullet, blank_before)


@lru_cache(maxsize=16384)
def _line_role(text: str, bulleted: bool) -> tuple[str | None, tuple[str, int, int, bool] | None]:
    """(chrome effect, label) of a line, the label's offsets into `text`. Cached: the same lines
    recur from document to document (`Inclusion Criteria:`, `Excluded:`)."""
    folded = normalise(text)  # once for both the chrome rules and the headings
    effect = chrome_effect(text, folded=folded)
    if effect is not None or bulleted:
        return effect, None
    return None, _label_in(text, folded)


def _label_in(text: str, folded: str) -> tuple[str, int, int, bool] | None:
    """(name, label end, value start, inline) when the line `text` is a label, else None."""
    name = heading_name(text, folded)
    if name is not None:
        return name, len(text), len(text), False
    if ":" not in text:  # what _INLINE_KEY needs, found without its scan
        return None
    match = _INLINE_KEY.fullmatch(text)
    if match is None:
        return None
    name = heading_name(match.group("key"))
    if name is None:
        return None
    inline = bool(match.group("value").strip())
    return name, match.end("key"), match.start("value") if inline else len(text), inline


def segment(text: str) -> Segmentation:
    """Find every label, chrome line and value of `text`; offsets index `text` itself."""
    lines = split_lines(text)
    labels: dict[int, tuple[str, int, int, bool]] = {}
    chrome: set[int] = set()
    ends: set[int] = set()
    for index, line in enumerate(lines):
        effect, label = _line_role(line.text, line.bullet is not None)
        if effect is not None:
            chrome.add(index)
            if effect == "end":
                ends.add(index)
            continue
        if label is not None:
            name, label_end, value_start, inline = label
            labels[index] = (name, line.start + label_end, line.start + value_start, inline)
        elif _ITEM_NUMBER.fullmatch(line.text) and not _follows_open_key(lines, labels, index):
            labels[index] = ("item", line.end, line.end, False)
    boundaries = sorted(set(labels) | chrome)
    fields = [_field(text, lines, index, labels[index], boundaries) for index in sorted(labels)]
    return Segmentation(text, tuple(lines), tuple(fields), frozenset(labels), frozenset(chrome), frozenset(ends))


def _follows_open_key(lines: list[Line], labels: dict[int, tuple[str, int, int, bool]], index: int) -> bool:
    """A bare number right after `Key:` is that key's value (`Target sample size: **20**`), not an item."""
    previous = labels.get(index - 1)
    return previous is not None and not previous[3] and lines[index - 1].text.endswith(":")


def _field(text: str, lines: list[Line], index: int, label: tuple[str, int, int, bool], boundaries: list[int]) -> Field:
    name, label_end, value_start, inline = label
    line = lines[index]
    if inline:
        value_end = line.end
    else:
        following = [b for b in boundaries if b > index]
        value_end = lines[following[0]].start if following else len(text)
        while value_end > value_start and text[value_end - 1].isspace():
            value_end -= 1
        value_start = min(_skip_blank(text, value_start, value_end), value_end)
    label_text = text[line.start : label_end].strip().rstrip(":").strip()
    return Field(name, label_text, line.start, label_end, value_start, value_end, inline, index)


def _skip_blank(text: str, start: int, end: int) -> int:
    while start < end and text[start].isspace():
        start += 1
    return start


def list_item_texts(lines: list[Line]) -> list[str]:
    """The text of each line without its list marker (for conditions, countries, sites)."""
    items = []
    for line in lines:
        marker = BULLET.match(line.text) if line.bullet else None
        item = clean_value(line.text[marker.end() :] if marker else line.text)
        if item is not None:
            items.append(item)
    return items


def first_paragraph(lines: list[Line]) -> list[Line]:
    """The lines up to the first paragraph break (a list under a heading, before trailing text)."""
    paragraph: list[Line] = []
    for line in lines:
        if paragraph and line.blank_before:
            break
        paragraph.append(line)
    return paragraph


def fields_after(seg: Segmentation, opening: Field, members: frozenset[str]) -> list[Field]:
    """The fields that follow `opening` as long as their names are in `members` (a record's group)."""
    following = list(seg.fields)
    start = following.index(opening) + 1
    group: list[Field] = []
    for item in following[start:]:
        if item.name not in members:
            break
        group.append(item)
    return group

"""Markdown backslash escapes (`\\>`, `\\^`, `\\*`) in texts exported from web pages.

Stored text must carry none of them. Two ways to honour that while spans still locate text:

- at extract time, `unescape_markdown` turns the decoded text into the document text, so
  every span of every parser holds exactly (the preferred wiring; only for plain-text
  documents, never for JSON/XML/CSV exports where a backslash means something else);
- inside a parser, `unescape_with_offsets` gives the clean text plus, for each of its
  characters, the offset in the raw text, so spans found in the clean text map back.
"""

from __future__ import annotations

import re

# CommonMark: a backslash before ASCII punctuation escapes it
_ESCAPE = re.compile(r"\\([!\"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~])")
# escapes a markdown converter writes into prose; `\\` or `\"` alone do not make a text markdown
_TELLTALE = re.compile(r"\\[<>^*_\[\]#~|]")


def has_markdown_escapes(text: str) -> bool:
    return _TELLTALE.search(text) is not None


def unescape_markdown(text: str) -> str:
    return _ESCAPE.sub(r"\1", text)


def unescape_with_offsets(text: str) -> tuple[str, list[int]]:
    """(clean text, raw offset of each clean character, plus len(text) as the end sentinel)."""
    pieces: list[str] = []
    offsets: list[int] = []
    position = 0
    for match in _ESCAPE.finditer(text):
        pieces.append(text[position : match.start()])
        offsets.extend(range(position, match.start()))
        pieces.append(match.group(1))
        offsets.append(match.start(1))
        position = match.end()
    pieces.append(text[position:])
    offsets.extend(range(position, len(text)))
    offsets.append(len(text))
    return "".join(pieces), offsets


def raw_span(offsets: list[int], start: int, end: int) -> tuple[int, int]:
    """Map a [start, end) span of the clean text to the raw text (escapes inside are included)."""
    if end <= start:
        return offsets[start], offsets[start]
    return _raw_start(offsets, start), offsets[end - 1] + 1


def _raw_start(offsets: list[int], start: int) -> int:
    # an escaped character's raw span starts at its backslash
    raw = offsets[start]
    gap_before = offsets[start - 1] < raw - 1 if start > 0 else raw > 0
    return raw - 1 if gap_before else raw

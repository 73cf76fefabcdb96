"""The lines of a criteria block (newline- or `<br>`-separated) with indentation and list markers."""

from __future__ import annotations

import re
from dataclasses import dataclass

# ICTRP writes "\n<br>" (or "<br>\n") between lines: one break, not a blank line
_BREAK = re.compile(r"\r?\n[ \t]*<br\s*/?>|<br\s*/?>[ \t]*\r?\n|<br\s*/?>|\r?\n|\r", re.IGNORECASE)
# a list marker and the blanks after it
_MARKER = re.compile(
    r"(?:(?P<symbol>[-*•⁃●○◦▪■·–—➢►✓])(?=\s|[^\d\s])"
    r"|\((?P<paren_num>\d{1,2})\)|(?P<num>\d{1,2})(?P<num_punct>[.)、．])(?!\d)"
    r"|\((?P<paren_alpha>[a-zA-Z])\)|(?P<alpha>[a-zA-Z])(?P<alpha_punct>[.)])(?=\s))\s*"
)
# "<br>" and the line breaks of str.splitlines that _BREAK does not break at
_NOT_BREAKS_ALONE = ("<", "\v", "\f", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029")


# not frozen: one is built for every line of every criteria block, and a frozen dataclass takes over
# twice as long to build; nothing changes a line once built
@dataclass(slots=True)
class Line:
    start: int  # first non-blank character
    end: int  # after the last non-blank character
    indent: int
    blank_before: bool
    text: str
    marker_end: int = 0  # characters of `text` taken by the list marker and the space after it
    style: str | None = None  # the marker's style, shared by the items of one list: '-', 'n.', '(a)', 'A)' ...

    @property
    def body(self) -> str:
        return self.text[self.marker_end :]

    @property
    def body_start(self) -> int:
        return self.start + self.marker_end

    def clipped(self, start: int, end: int) -> Line:
        """The part [start, end) of this line (document positions), stripped, with its own marker."""
        piece = self.text[start - self.start : end - self.start]
        lead = len(piece) - len(piece.lstrip())
        stripped = piece.strip()
        begin = start + lead
        return Line(begin, begin + len(stripped), self.indent, self.blank_before, stripped, *_marker(stripped))


def _marker(text: str) -> tuple[int, str | None]:
    """(characters taken by the list marker that opens `text` and the blanks after it, its style);
    (0, None) without one."""
    match = _MARKER.match(text)
    if match is None:
        return 0, None
    return match.end(), _style(match)


def _style(match: re.Match[str]) -> str:
    if match.group("symbol"):
        return match.group("symbol")
    if match.group("paren_num"):
        return "(n)"
    if match.group("num"):
        return "n" + match.group("num_punct").replace("．", ".")
    if match.group("paren_alpha"):
        return "(a)" if match.group("paren_alpha").islower() else "(A)"
    letter = match.group("alpha")
    return ("a" if letter.islower() else "A") + match.group("alpha_punct")


def lines_of(text: str) -> list[Line]:
    lines: list[Line] = []
    position = 0
    blank_before = False
    for piece, advance in _pieces(text):
        stripped = piece.strip()
        if stripped:
            lead = len(piece) - len(piece.lstrip())
            indent = len(piece[:lead].expandtabs(4)) if "\t" in piece else lead
            start = position + lead
            end = start + len(stripped)
            lines.append(Line(start, end, indent, blank_before and bool(lines), stripped, *_marker(stripped)))
            blank_before = False
        else:
            blank_before = True
        position += advance
    return lines


def _pieces(text: str) -> list[tuple[str, int]]:
    """(text of each line, with its line break when that is white space; distance to the next line)."""
    if not any(mark in text for mark in _NOT_BREAKS_ALONE):
        # only CR LF, LF and CR break such a text: str.splitlines finds them far faster than _BREAK
        return [(chunk, len(chunk)) for chunk in text.splitlines(keepends=True)]
    pieces = []
    position = 0
    for separator in _BREAK.finditer(text):
        pieces.append((text[position : separator.start()], separator.end() - position))
        position = separator.end()
    pieces.append((text[position:], len(text) - position))
    return pieces

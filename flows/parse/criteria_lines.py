"""The lines of a criteria block (newline- or `<br>`-separated) with indentation and list markers."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

# ICTRP writes "\n<br>" (or "<br>\n") between lines: one break, not a blank line
_BREAK = re.compile(r"\r?\n[ \t]*<br\s*/?>|<br\s*/?>[ \t]*\r?\n|<br\s*/?>|\r?\n|\r", re.IGNORECASE)
_MARKER = re.compile(
    r"(?P<symbol>[-*•⁃●○◦▪■·–—➢►✓])(?=\s|[^\d\s])"
    r"|\((?P<paren_num>\d{1,2})\)|(?P<num>\d{1,2})(?P<num_punct>[.)、．])(?!\d)"
    r"|\((?P<paren_alpha>[a-zA-Z])\)|(?P<alpha>[a-zA-Z])(?P<alpha_punct>[.)])(?=\s)"
)


@dataclass(frozen=True, slots=True)
class Line:
    start: int  # first non-blank character
    end: int  # after the last non-blank character
    indent: int
    blank_before: bool
    text: str
    marker_end: int = 0  # characters of `text` taken by the list marker and the space after it

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
        return _with_marker(replace(self, start=start + lead, end=start + lead + len(stripped), text=stripped))


def _with_marker(line: Line) -> Line:
    match = _MARKER.match(line.text)
    if match is None:
        return replace(line, marker_end=0)
    after = re.match(r"\s*", line.text[match.end() :])
    return replace(line, marker_end=match.end() + (after.end() if after else 0))


def marker_style(line: Line) -> str | None:
    """'-', '•', 'n.', '(n)', 'a.', 'A)' ...: items of one list share a style."""
    match = _MARKER.match(line.text)
    if match is None or line.marker_end == 0:
        return None
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
    for separator in [*_BREAK.finditer(text), None]:
        piece_end = separator.start() if separator else len(text)
        piece = text[position:piece_end]
        stripped = piece.strip()
        if stripped:
            lead = len(piece) - len(piece.lstrip())
            indent = len(piece[:lead].expandtabs(4))
            start = position + lead
            line = Line(start, start + len(stripped), indent, blank_before and bool(lines), stripped)
            lines.append(_with_marker(line))
            blank_before = False
        else:
            blank_before = True
        position = separator.end() if separator else len(text)
    return lines

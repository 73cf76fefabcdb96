"""Faster scans for case-insensitive phrase patterns, with the matches of the plain regex.

`FirstCharacterDispatch`: Python's regex engine tries every alternative at every position; for
the heading and comparator vocabularies (dozens of phrases) that is most of the cost of a scan.
A position can only start a match if its character starts one of the phrases, so: find those
positions with a one-character class, and try there only the phrases that start with that
character, in their original order. The matches are the ones the full pattern gives.

`CaselessPattern`: an ignore-case scan tries the pattern at every position, where a
case-sensitive one jumps to the places its first literal occurs. In ASCII text (nearly all
registry text) ignoring case is the same as lowering the text, so a pattern written in lower
case is searched there case-sensitively.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence


class FirstCharacterDispatch:
    def __init__(
        self,
        alternatives: Sequence[tuple[str, str]],
        combine: Callable[[list[str]], str],
        flags: int = re.IGNORECASE,
    ) -> None:
        """`alternatives`: (the literal first character of the phrase, its regex), in pattern order;
        `combine` turns a list of alternative regexes into the pattern (e.g. wraps a named group)."""
        groups: dict[str, list[str]] = {}
        for first, regex in alternatives:
            groups.setdefault(first.lower(), []).append(regex)
        self.full = re.compile(combine([regex for _, regex in alternatives]), flags)
        self.candidates = re.compile("[" + "".join(re.escape(c) for c in groups) + "]", flags)
        self.by_first = {first: re.compile(combine(parts), flags) for first, parts in groups.items()}

    def finditer(self, text: str, start: int = 0, end: int | None = None) -> Iterator[re.Match[str]]:
        """The matches of `self.full.finditer(text, start, end)`."""
        end = len(text) if end is None else end
        at = start
        while (candidate := self.candidates.search(text, at, end)) is not None:
            here = candidate.start()
            # a character whose case folding is not plain lower() ('ı', 'ſ') takes the full pattern
            match = self.by_first.get(text[here].lower(), self.full).match(text, here, end)
            if match is None:
                at = here + 1
                continue
            yield match
            at = match.end() if match.end() > here else here + 1


# `(?P<name>` and `(?P=name)`: spelling that matches no text
_GROUP_SYNTAX = re.compile(r"\(\?P(?:<\w+>|=\w+\))")


class CaselessPattern:
    """`pattern` searched ignoring case: case-sensitively in lowered ASCII text when that reads the same to
    it, i.e. when lowering leaves the pattern alone (no `\\S`, `[A-Z]`, non-ASCII or escaped upper-case
    letters); other patterns always take the ignore-case scan."""

    def __init__(self, pattern: str, flags: int = 0) -> None:
        self.ignoring_case = re.compile(pattern, flags | re.IGNORECASE)
        matched = _GROUP_SYNTAX.sub("", pattern)
        reads_lowered = matched.isascii() and matched == matched.lower()
        self.lowered = re.compile(pattern, flags) if reads_lowered else None

    def found_in(self, text: str) -> bool:
        """Whether `self.ignoring_case.search(text)` finds a match."""
        if self.lowered is not None and text.isascii():
            return self.lowered.search(text.lower()) is not None
        return self.ignoring_case.search(text) is not None

    def reading(self, text: str) -> tuple[re.Pattern[str], str]:
        """(regex, text to run it on) doing what `self.ignoring_case` does on `text`: matches at the same
        positions, their groups lowered when the text is ASCII."""
        if self.lowered is not None and text.isascii():
            return self.lowered, text.lower()
        return self.ignoring_case, text

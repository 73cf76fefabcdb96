"""Fast `finditer` for a regex that is a long list of phrase alternatives.

Python's regex engine tries every alternative at every position; for the heading and
comparator vocabularies (dozens of phrases) that is most of the cost of a scan. A position can
only start a match if its character starts one of the phrases, so: find those positions with
a one-character class, and try there only the phrases that start with that character, in their
original order. The matches are the ones the full pattern gives.
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

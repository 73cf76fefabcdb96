"""Stream the objects of one top-level JSON array (`{"studies": [{...}, {...}]}`) as raw bytes.

A byte scanner that tracks only strings and bracket depth: no JSON tree is built, so a page
of any size is read in chunks and each element's bytes are handed on exactly as written.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

_STRUCTURAL = re.compile(rb'["{}\[\]]')
_STRING_END = re.compile(rb'["\\]')
_MAX_KEY = 256


class _Scanner:
    def __init__(self, key: bytes, max_bytes: int) -> None:
        self.key = key
        self.max_bytes = max_bytes
        self.buffer = b""
        self.pos = 0
        self.depth = 0
        self.in_string = False
        self.string_start = 0
        self.last_key: bytes | None = None
        self.in_array = False  # inside the wanted array (depth 2 = its elements' level)
        self.element_start: int | None = None
        self.oversized = False

    def feed(self, chunk: bytes) -> Iterator[bytes | None]:
        keep = self.pos if self.element_start is None else self.element_start
        if self.in_string:
            keep = min(keep, self.string_start)
        self._drop(keep)
        self.buffer += chunk
        yield from self._scan()

    def _drop(self, n: int) -> None:
        self.buffer = self.buffer[n:]
        self.pos -= n
        self.string_start -= n
        if self.element_start is not None:
            self.element_start -= n

    def _scan(self) -> Iterator[bytes | None]:
        while True:
            if self.in_string and not self._finish_string():
                return
            hit = _STRUCTURAL.search(self.buffer, self.pos)
            if hit is None:
                self.pos = len(self.buffer)
                return
            self.pos = hit.end()
            char = hit.group()
            if char == b'"':
                self.in_string, self.string_start = True, hit.start()
            elif char in (b"{", b"["):
                yield from self._open(char, hit.start())
            else:
                yield from self._close()
            if self.element_start is not None and self.pos - self.element_start > self.max_bytes:
                self.oversized = True

    def _finish_string(self) -> bool:
        while (hit := _STRING_END.search(self.buffer, self.pos)) is not None:
            if hit.group() == b"\\":
                if hit.end() >= len(self.buffer):
                    return False
                self.pos = hit.end() + 1
                continue
            self.pos = hit.end()
            self.in_string = False
            if self.depth == 1 and self.pos - self.string_start <= _MAX_KEY:
                self.last_key = self.buffer[self.string_start + 1 : self.pos - 1]
            return True
        self.pos = len(self.buffer)
        return False

    def _open(self, char: bytes, at: int) -> Iterator[bytes | None]:
        if self.depth == 1 and char == b"[" and self.last_key == self.key and not self.in_array:
            self.in_array = True
        elif self.in_array and self.depth == 2:
            self.element_start = at
            self.oversized = False
        self.depth += 1
        return iter(())

    def _close(self) -> Iterator[bytes | None]:
        self.depth -= 1
        if self.depth < 0:
            raise ValueError("unbalanced brackets")
        if self.in_array and self.depth == 2 and self.element_start is not None:
            yield None if self.oversized else self.buffer[self.element_start : self.pos]
            self.element_start = None
        elif self.in_array and self.depth == 1:
            self.in_array = False
            self.last_key = None


def iter_array_elements(chunks: Iterator[bytes], key: bytes, max_bytes: int) -> Iterator[bytes | None]:
    """Raw bytes of each element of the array under top-level `key`; None for an element over `max_bytes`.

    Raises ValueError when the input ends inside an element or its brackets do not balance.
    """
    scanner = _Scanner(key, max_bytes)
    for chunk in chunks:
        yield from scanner.feed(chunk)
    if scanner.element_start is not None or scanner.in_string or scanner.depth != 0:
        raise ValueError("input ends inside a JSON value")

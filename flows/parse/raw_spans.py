"""Character spans of a structured export's field values inside the raw document text.

A field value of an XML, JSON or CSV export is the raw text with its escapes decoded
(`&lt;`, `&#xD;`, `\\n`, `""`). `decode_with_offsets` decodes a raw slice and keeps, for
every character of the value, where it starts in the raw slice, so that a span found in
the value (a criterion) can be carried back to the raw text. A span is only worth keeping
when the raw text there reads exactly like the value (`raw_span`); otherwise it is None,
which the contract allows for escaped structured exports.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from functools import cache
from typing import Literal

Syntax = Literal["xml", "json", "csv"]

_XML_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"', "apos": "'"}
_XML_TOKEN = re.compile(r"&(#x[0-9a-fA-F]+|#[0-9]+|[a-zA-Z]+);|\r\n?")
_JSON_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", "/": "/", "\\": "\\", '"': '"'}
_JSON_TOKEN = re.compile(r"\\(u[0-9a-fA-F]{4}|.)")
_CSV_TOKEN = re.compile(r'""')


def _xml_replacement(match: re.Match[str]) -> str:
    ref = match.group(1)
    if ref is None:
        return "\n"  # XML parsers normalise literal CR and CR LF to LF
    if ref.startswith("#x"):
        return chr(int(ref[2:], 16))
    if ref.startswith("#"):
        return chr(int(ref[1:]))
    return _XML_ENTITIES.get(ref, match.group())


def _json_replacement(match: re.Match[str]) -> str:
    ref = match.group(1)
    if ref.startswith("u"):
        return chr(int(ref[1:], 16))
    return _JSON_ESCAPES.get(ref, ref)


_TOKENS = {"xml": _XML_TOKEN, "json": _JSON_TOKEN, "csv": _CSV_TOKEN}
_REPLACE = {"xml": _xml_replacement, "json": _json_replacement, "csv": lambda _m: '"'}


class RawOffsets:
    """`offsets[i]`: where value[i] starts in the raw slice. Kept per piece (a run of verbatim text, or
    one decoded escape) rather than per character: a field is long and only criteria bounds are read."""

    def __init__(self) -> None:
        self._value_starts: list[int] = []
        self._raw_starts: list[int] = []
        self._verbatim: list[bool] = []

    def add(self, value_start: int, raw_start: int, verbatim: bool) -> None:
        self._value_starts.append(value_start)
        self._raw_starts.append(raw_start)
        self._verbatim.append(verbatim)

    def __getitem__(self, index: int) -> int:
        piece = bisect_right(self._value_starts, index) - 1
        start = self._raw_starts[piece]
        return start + index - self._value_starts[piece] if self._verbatim[piece] else start


def decode_with_offsets(raw: str, syntax: Syntax) -> tuple[str, RawOffsets]:
    """(value, offsets): offsets[i] is where value[i] starts in `raw`; offsets[len(value)] == len(raw)."""
    pieces: list[str] = []
    offsets = RawOffsets()
    position = 0
    length = 0
    for match in _TOKENS[syntax].finditer(raw):
        verbatim = raw[position : match.start()]
        replacement = _REPLACE[syntax](match)
        offsets.add(length, position, True)
        offsets.add(length + len(verbatim), match.start(), False)
        pieces += [verbatim, replacement]
        length += len(verbatim) + len(replacement)
        position = match.end()
    offsets.add(length, position, True)
    pieces.append(raw[position:])
    return "".join(pieces), offsets


class RawField:
    """One field value located in the document text: maps value spans to document spans."""

    def __init__(self, document_text: str, raw_start: int, raw_end: int, syntax: Syntax) -> None:
        self.document_text = document_text
        self.raw_start = raw_start
        self.value, self.offsets = decode_with_offsets(document_text[raw_start:raw_end], syntax)

    def raw_span(self, start: int, end: int, text: str) -> tuple[int | None, int | None]:
        """The document span of value[start:end] when the raw text there reads exactly `text`."""
        if not 0 <= start <= end <= len(self.value):
            return None, None
        doc_start = self.raw_start + self.offsets[start]
        doc_end = self.raw_start + self.offsets[end]
        if self.document_text[doc_start:doc_end] != text:
            return None, None
        return doc_start, doc_end


@cache
def _opening_tag(tag: str) -> re.Pattern[str]:
    return re.compile(rf"<{tag}(?:\s[^>]*)?>")


def find_xml_element_text(document_text: str, tag_path: tuple[str, ...], start: int = 0) -> tuple[int, int] | None:
    """Raw (start, end) of the text inside the first `<a>...<b>TEXT</b>` nesting of `tag_path`."""
    position = start
    for tag in tag_path:
        match = _opening_tag(tag).search(document_text, position)
        if match is None:
            return None
        position = match.end()
    end = document_text.find(f"</{tag_path[-1]}>", position)
    return None if end < 0 else (position, end)


_JSON_STRING_BODY = re.compile(r'"((?:[^"\\]|\\.)*)"', re.S)


def find_json_string(document_text: str, key: str) -> tuple[int, int] | None:
    """Raw (start, end) of the string value of the first `"key": "..."` in the document."""
    match = re.search(rf'"{re.escape(key)}"\s*:\s*', document_text)
    if match is None:
        return None
    body = _JSON_STRING_BODY.match(document_text, match.end())
    return None if body is None else body.span(1)


_CSV_QUOTED = re.compile(r'"((?:[^"]|"")*)"', re.S)
_CSV_PLAIN = re.compile(r"[^,\r\n]*")
_LINE_END = re.compile(r"\r?\n|\r")


def csv_field_spans(document_text: str, row_start: int) -> tuple[list[tuple[int, int]], int]:
    """Raw (start, end) of each field's content (inside its quotes) of the CSV row at `row_start`,
    and where the next row starts."""
    spans: list[tuple[int, int]] = []
    position = row_start
    while True:
        quoted = _CSV_QUOTED.match(document_text, position)
        field = quoted if quoted is not None else _CSV_PLAIN.match(document_text, position)
        assert field is not None  # the plain pattern matches the empty string
        spans.append(field.span(1) if quoted is not None else field.span())
        position = field.end()
        if position >= len(document_text) or document_text[position] != ",":
            break
        position += 1
    line_end = _LINE_END.match(document_text, position)
    return spans, line_end.end() if line_end else position

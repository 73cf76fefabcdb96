"""Contact details out of exported text: e-mail addresses and phone numbers become `x`s.

The redaction keeps every string's length, so character spans into documents.text stay
valid in the export. What it removes: every e-mail address, every number written in the
international form (+98 51 3884 2981), numbers on a line labelled phone/tel/fax/mobile, and
the exact e-mail and phone strings the parsers put into the contacts table. `contact_spans`
says where they are (the parse workers store it with each document); `mask_spans` masks them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from functools import partial

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
INTERNATIONAL_PHONE = re.compile(r"(?<![\w+])\+\d[\d \-().]{6,}\d")
LABELLED_PHONE = re.compile(
    r"(?im)^(?:[^\S\n]*(?:phone|tel|telephone|fax|mobile)\b[^\n\d+]{0,20}\n{0,2}[^\S\n]*)([+\d][\d \-().]*\d)"
)

# LABELLED_PHONE and EMAIL tried at every position of a long text are slow; the helpers below find
# the same matches from the few places they can start (a label word, an "@")
PHONE_LABEL = re.compile(r"\b(?:phone|tel|telephone|fax|mobile)\b", re.IGNORECASE)
EMAIL_DOMAIN = re.compile(r"[\w-]+(?:\.[\w-]+)+")
_EMAIL_LOCAL_PUNCTUATION = frozenset("_.+-")


KNOWN_MIN_LENGTH = 4  # a known contact string shorter than this is not searched for (it would mask digits at random)
Span = tuple[int, int]


def redact(text: str | None, known: Iterable[str | None] = ()) -> str | None:
    if not text:
        return text
    return mask_spans(text, contact_spans(text, known))


def contact_spans(text: str | None, known: Iterable[str | None] = ()) -> list[Span]:
    """Where `redact` masks `text`: sorted, disjoint (start, end) character offsets.

    Each kind of contact detail is looked for in the text with the earlier kinds already masked,
    as a reader of the redacted text would find them; the spans are the union of all masks."""
    if not text:
        return []
    masked, spans = text, []
    finders: list[Callable[[str], Iterable[Span]]] = []
    if "@" in text:
        finders.append(_email_spans)
    if "+" in text:
        finders.append(_international_phone_spans)
    finders.append(_labelled_phone_spans)
    finders += [partial(_occurrences, value) for value in known if value and len(value) >= KNOWN_MIN_LENGTH]
    for find in finders:
        found = list(find(masked))
        if found:
            masked = mask_spans(masked, found)
            spans += found
    return _union(spans)


def contact_span_rows(text: str | None, known: Iterable[str | None] = ()) -> list[dict[str, int]]:
    """`contact_spans` as documents.contact_spans holds them."""
    return [{"span_start": start, "span_end": end} for start, end in contact_spans(text, known)]


def _occurrences(value: str, text: str) -> Iterator[Span]:
    """The spans str.replace(value, ...) replaces: left to right, not overlapping."""
    at = text.find(value)
    while at >= 0:
        yield at, at + len(value)
        at = text.find(value, at + len(value))


def _union(spans: list[Span]) -> list[Span]:
    merged: list[Span] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def mask_spans(text: str, spans: Iterable[Span]) -> str:
    pieces, last = [], 0
    for start, end in spans:
        pieces += [text[last:start], "x" * (end - start)]
        last = end
    return "".join(pieces) + text[last:] if pieces else text


def _email_spans(text: str) -> Iterator[Span]:
    """The spans EMAIL.finditer gives: a local part can only end at an "@", so start from each "@"."""
    last = 0
    at = text.find("@")
    while at >= 0:
        start = at
        while start > last and (text[start - 1].isalnum() or text[start - 1] in _EMAIL_LOCAL_PUNCTUATION):
            start -= 1  # str.isalnum() or "_" is exactly the \w of a str pattern
        domain = EMAIL_DOMAIN.match(text, at + 1) if start < at else None
        if domain is not None:
            yield start, domain.end()
            last = domain.end()
        at = text.find("@", max(at + 1, last))


def _international_phone_spans(text: str) -> Iterator[Span]:
    """The spans INTERNATIONAL_PHONE.finditer gives, tried only where a "+" is."""
    at = text.find("+")
    while at >= 0:
        match = INTERNATIONAL_PHONE.match(text, at)
        if match is not None:
            yield match.span()
            at = text.find("+", match.end())
        else:
            at = text.find("+", at + 1)


def _labelled_phone_spans(text: str) -> Iterator[Span]:
    """The number spans of LABELLED_PHONE.finditer: a match starts at a line that opens with a label."""
    last = 0
    for label_start in _label_starts(text):
        line_start = text.rfind("\n", 0, label_start) + 1
        indent = text[line_start:label_start]
        if line_start < last or (indent and not indent.isspace()):
            continue
        match = LABELLED_PHONE.match(text, line_start)
        if match is not None:
            yield match.span(1)
            last = match.end()


def _label_starts(text: str) -> list[int]:
    """Where PHONE_LABEL matches, found with str.find on the lowered text when lowering keeps every position."""
    lowered = text.lower()
    if len(lowered) != len(text):  # a character that lowers to two ("İ"): positions would shift
        return [label.start() for label in PHONE_LABEL.finditer(text)]
    starts = []
    for word in ("phone", "tel", "fax", "mobile"):  # "telephone" starts with "tel"
        at = lowered.find(word)
        while at >= 0:
            if PHONE_LABEL.match(text, at):
                starts.append(at)
            at = lowered.find(word, at + 1)
    return sorted(starts)

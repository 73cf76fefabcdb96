"""Contact details out of exported text: e-mail addresses and phone numbers become `x`s.

The redaction keeps every string's length, so character spans into documents.text stay
valid in the export. What it removes: every e-mail address, every number written in the
international form (+98 51 3884 2981), numbers on a line labelled phone/tel/fax/mobile, and
the exact e-mail and phone strings the parsers put into the contacts table.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
INTERNATIONAL_PHONE = re.compile(r"(?<![\w+])\+\d[\d \-().]{6,}\d")
LABELLED_PHONE = re.compile(r"(?im)^(?:[^\S\n]*(?:phone|tel|telephone|fax|mobile)\b[^\n\d+]{0,20}\n{0,2}[^\S\n]*)([+\d][\d \-().]*\d)")


def _mask(match: re.Match[str], group: int = 0) -> str:
    start, end = match.span(group)
    whole = match.group(0)
    offset = match.start(0)
    return whole[: start - offset] + "x" * (end - start) + whole[end - offset :]


def redact(text: str | None, known: Iterable[str | None] = ()) -> str | None:
    if not text:
        return text
    text = EMAIL.sub(_mask, text)
    text = INTERNATIONAL_PHONE.sub(_mask, text)
    text = LABELLED_PHONE.sub(lambda m: _mask(m, 1), text)
    for value in known:
        if value and len(value) >= 4:
            text = text.replace(value, "x" * len(value))
    return text

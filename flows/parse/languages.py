"""Which languages is a text written in (ISO 639-1), and where does a second language begin?

Scripts and language-specific letters decide; an English text is recognised by its most
common function words. Deliberately small: it names what it sees, never a guess.
"""

from __future__ import annotations

import re

# letters that exist only in Vietnamese among Latin-script languages (ơ ư đ and the tone-marked vowels)
_VIETNAMESE = re.compile(r"[ơưđƠƯĐạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]", re.IGNORECASE)
_SCRIPTS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("zh", re.compile(r"[\u4e00-\u9fff]")),
    ("ja", re.compile(r"[\u3040-\u30ff]")),
    ("ko", re.compile(r"[\uac00-\ud7af]")),
    ("fa", re.compile(r"[پچژگی]")),
    ("ar", re.compile(r"[\u0600-\u06ff]")),
    ("ru", re.compile(r"[\u0400-\u04ff]")),
)
_ENGLISH_WORDS = re.compile(r"\b(?:the|and|of|with|in|for|patients|study|to)\b", re.IGNORECASE)
# a lower-case letter glued to an upper-case one: where two texts were pasted together
_GLUE = re.compile(r"(?<=[a-z])(?=\w\w)")


def detect_languages(text: str) -> tuple[str, ...]:
    """ISO 639-1 codes of the languages present, English first when present."""
    found: list[str] = []
    words = len(re.findall(r"\w+", text)) or 1
    if len(_ENGLISH_WORDS.findall(text)) / words >= 0.05:
        found.append("en")
    if len(_VIETNAMESE.findall(text)) >= 5:
        found.append("vi")
    for code, pattern in _SCRIPTS:
        if len(pattern.findall(text)) >= 5 and not (code == "ar" and "fa" in found):
            found.append(code)
    return tuple(found)


def second_language_start(text: str) -> int | None:
    """Offset where a Vietnamese text pasted after an English one begins, else None."""
    first = _VIETNAMESE.search(text)
    if first is None or "en" not in detect_languages(text[: first.start()]):
        return None
    sentence_breaks = [m.end() for m in re.finditer(r"[.!?]\s+|\n", text[: first.start()])]
    glued = [
        m.start()
        for m in _GLUE.finditer(text, 0, first.start())
        if text[m.start()].isupper() and text[m.start() + 1].islower()
    ]
    candidates = [offset for offset in sentence_breaks + glued if offset <= first.start()]
    return max(candidates) if candidates else None

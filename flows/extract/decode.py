"""Raw bytes -> Document: hash, detect the encoding, decode, and say what was repaired.

Decoding never guesses silently: bytes that are not clean UTF-8 are decoded with the
encoding charset-normalizer finds, mojibake is repaired with ftfy, and the document notes
what happened (`encoding`, and a partial reason when bytes had to be replaced).
"""

from __future__ import annotations

import codecs
import hashlib

import ftfy
from charset_normalizer import from_bytes

from flows.extract.splitters import RawRecord
from flows.records import Document

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_SNIFF_BYTES = 64 * 1024


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _bom_encoding(data: bytes) -> str | None:
    return next((name for bom, name in _BOMS if data.startswith(bom)), None)


def _utf16_without_bom(data: bytes) -> str | None:
    """UTF-16 text without a BOM shows NUL in every other byte of ASCII characters."""
    head = data[:4096]
    if len(head) < 4:
        return None
    even_nuls = head[0::2].count(0) / len(head[0::2])
    odd_nuls = head[1::2].count(0) / len(head[1::2])
    if odd_nuls > 0.4 and even_nuls < 0.05:
        return "utf-16-le"
    if even_nuls > 0.4 and odd_nuls < 0.05:
        return "utf-16-be"
    return None


def _is_binary(data: bytes) -> bool:
    head = data[:_SNIFF_BYTES]
    if b"\x00" in head:
        return True
    controls = sum(1 for b in head if b < 9 or 13 < b < 32)
    return controls > len(head) * 0.05


def decode_bytes(data: bytes) -> tuple[str | None, str | None, str | None]:
    """(text, encoding, note): note says what was repaired; text None when the bytes are not text."""
    encoding = _bom_encoding(data) or _utf16_without_bom(data)
    if encoding:
        text = data.decode(encoding, errors="replace")
        return _repair(text, encoding, replaced="\ufffd" in text)
    if _is_binary(data):
        return None, None, "binary content (control bytes), not a text document"
    try:
        return _repair(data.decode("utf-8"), "utf-8", replaced=False)
    except UnicodeDecodeError:
        pass
    best = from_bytes(data[:_SNIFF_BYTES]).best()
    if best is not None and best.encoding not in ("utf_8", "utf-8"):
        return _repair(data.decode(best.encoding, errors="replace"), best.encoding, replaced=False)
    text = data.decode("utf-8", errors="replace")
    return _repair(text, "utf-8", replaced=True)


def _repair(text: str, encoding: str, replaced: bool) -> tuple[str, str, str | None]:
    note = "invalid bytes replaced with U+FFFD" if replaced else None
    fixed = ftfy.fix_encoding(text) if _has_mojibake(text) else text
    if fixed != text:
        note = "; ".join(filter(None, [note, "mojibake repaired"]))
    return fixed, encoding, note


def _has_mojibake(text: str) -> bool:
    # cheap pre-test before ftfy: UTF-8 read as cp1252/latin-1 leaves these pairs behind
    return any(marker in text for marker in ("Ã", "â€", "Â", "Ð", "Ñ"))


def to_document(raw: RawRecord) -> Document:
    """The Document of one raw record, or a Document that says why it cannot be read."""
    doc_id = sha256_hex(raw.data)

    def rejected(reason: str) -> Document:
        return Document(doc_id, raw.source_path, raw.record_index, len(raw.data), None, None,
                        raw.format_hint, reject_reason=reason)

    if raw.error:
        return rejected(raw.error)
    if not raw.data.strip():
        return rejected("empty document")
    text, encoding, note = decode_bytes(raw.data)
    if text is None:
        return rejected(note or "not decodable")
    return Document(doc_id, raw.source_path, raw.record_index, len(raw.data), encoding, text,
                    raw.format_hint, partial_reason=note)

"""Raw bytes -> Document: hash, detect the encoding, decode, and say what was repaired.

Decoding never guesses silently: the chosen encoding is recorded on the document, and
whatever had to be changed (invalid bytes replaced, NUL bytes removed, mojibake repaired)
becomes the document's partial reason. The order of evidence, strongest first:
a byte-order mark; UTF-16 without one (a NUL in every other byte); binary content (refused);
strict UTF-8; a charset the document declares (HTML <meta>, XML declaration); UTF-8 with a
few stray invalid bytes; a single-byte code page (windows-1252 for Latin-script text,
otherwise what charset-normalizer finds).
"""

from __future__ import annotations

import codecs
import hashlib
import re
import string
from dataclasses import replace

import ftfy
import lxml.etree
from charset_normalizer import from_bytes

from flows.extract.html_text import declared_charset, looks_like_html
from flows.extract.normalise import reader_text
from flows.extract.splitters import RawRecord
from flows.records import Document

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),  # before UTF-16 LE: its BOM starts with the UTF-16 LE BOM
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_SNIFF_BYTES = 64 * 1024
# first bytes of binary formats that reach extract as plain files (archives are opened earlier)
_BINARY_MAGIC = (
    (b"%PDF-", "a PDF file"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"\xd0\xcf\x11\xe0", "an MS Office (OLE) file"),
    (b"SQLite format 3\x00", "an SQLite database"),
    (b"\x7fELF", "an executable"),
)
_XML_ENCODING = re.compile(rb"^\s*<\?xml[^>]*\bencoding\s*=\s*[\"']([A-Za-z0-9_.:-]+)[\"']")
# WHATWG: these labels mean windows-1252 in practice (its printable 0x80-0x9F are what writers meant)
_WINDOWS_1252_LABELS = frozenset({"iso-8859-1", "iso8859-1", "latin1", "latin-1", "l1", "us-ascii", "ascii"})
# an internal DTD subset declaring entities: the billion-laughs bomb and the external entity (XXE);
# registry exports never declare entities, and no parser here may expand them
_XML_ENTITY_DECLARATION = re.compile(r"<!DOCTYPE[^>\[]*\[[^\]]*<!ENTITY", re.IGNORECASE)
# characters lxml refuses in a tree (C0 controls but tab, LF, CR; lone surrogates; U+FFFE/U+FFFF);
# a browser shows none of them
_XML_INCOMPATIBLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
ENTITIES_REFUSED = "XML declares entities in its DTD (<!ENTITY>): refused, entities are never expanded"
_MAX_NUL_SHARE = 0.001  # a few NULs in a text are damage; more than this is a binary file
_MAX_CONTROL_SHARE = 0.05
_WESTERN_MAX_HIGH_SHARE = 0.3  # in Latin-script text, bytes >= 0x80 are a minority of the letters
_CENTRAL_EUROPEAN = frozenset({"Polish", "Czech", "Slovak", "Hungarian", "Slovene", "Croatian", "Romanian"})
_ASCII = bytes(range(0x80))
_ASCII_LETTERS = string.ascii_letters.encode("ascii")
_MOJIBAKE_MARKERS = ("Ã", "â€", "Â", "Ð", "Ñ")  # UTF-8 read as cp1252/latin-1 leaves these behind

Decoded = tuple[str | None, str | None, str | None]  # text, encoding, note


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def decode_bytes(data: bytes) -> Decoded:
    """(text, encoding, note): note says what was repaired; text None when the bytes are not text."""
    encoding = _bom_encoding(data) or _utf16_without_bom(data)
    if encoding:
        text = data.decode(encoding, errors="replace")
        replaced = text.count("\ufffd")
        notes = [f"{replaced} undecodable byte sequence(s) replaced with U+FFFD"] if replaced else []
        return _repair(text, encoding, notes)
    binary = _binary_reason(data)
    if binary:
        return None, None, binary
    data, notes = _without_nuls(data)
    try:
        return _repair(data.decode("utf-8"), "utf-8", notes)
    except UnicodeDecodeError:
        pass
    declared = _declared_encoding(data)
    if declared:
        try:
            return _repair(data.decode(declared), declared, notes)
        except (LookupError, UnicodeDecodeError):
            pass
    invalid, valid_multibyte = _utf8_damage(data)
    if valid_multibyte >= invalid:
        note = f"{invalid} invalid UTF-8 byte sequence(s) replaced with U+FFFD"
        return _repair(data.decode("utf-8", errors="replace"), "utf-8", [*notes, note])
    encoding = _single_byte_encoding(data)
    return _repair(data.decode(encoding, errors="replace"), encoding, notes)


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


_CONTROL_BYTES = bytes([*range(0, 9), *range(14, 32)])


def _binary_reason(data: bytes) -> str | None:
    """Why the bytes are not a text document, or None."""
    kind = next((name for magic, name in _BINARY_MAGIC if data.startswith(magic)), None)
    if kind:
        return f"binary content ({kind}), not a text document"
    head = data[:_SNIFF_BYTES]
    nuls = head.count(0)
    controls = len(head) - len(head.translate(None, _CONTROL_BYTES))
    if nuls > len(head) * _MAX_NUL_SHARE or controls > len(head) * _MAX_CONTROL_SHARE:
        return f"binary content ({controls} control bytes in the first {len(head)}), not a text document"
    return None


def _without_nuls(data: bytes) -> tuple[bytes, list[str]]:
    count = data.count(0)
    if not count:
        return data, []
    return data.replace(b"\x00", b""), [f"{count} NUL byte(s) removed"]


def _declared_encoding(data: bytes) -> str | None:
    """The encoding an HTML <meta> or the XML declaration names, when it is not UTF-8."""
    match = _XML_ENCODING.match(data[:1024])
    declared = match.group(1).decode("ascii").lower() if match else declared_charset(data)
    if not declared or declared.replace("_", "-") in ("utf-8", "utf8"):
        return None
    return "cp1252" if declared in _WINDOWS_1252_LABELS else declared


def _utf8_damage(data: bytes) -> tuple[int, int]:
    """(invalid byte sequences, valid multi-byte characters) when the bytes are read as UTF-8."""
    text = data.decode("utf-8", errors="replace")
    invalid = text.count("\ufffd") - data.count("\ufffd".encode())
    return invalid, sum(1 for char in text if ord(char) > 0x7F) - invalid


def _single_byte_encoding(data: bytes) -> str:
    """windows-1252 for Latin-script text (charset-normalizer cannot tell its code pages apart)."""
    best = from_bytes(data[:_SNIFF_BYTES]).best()
    if best is not None and best.encoding == "cp1250" and best.language in _CENTRAL_EUROPEAN:
        return "cp1250"
    head = data[:_SNIFF_BYTES]
    high = len(head.translate(None, _ASCII))
    letters = len(head) - len(head.translate(None, _ASCII_LETTERS))
    if high <= (high + letters) * _WESTERN_MAX_HIGH_SHARE and _decodes(data, "cp1252"):
        return "cp1252"
    if best is not None and best.encoding not in ("utf_8", "utf-8"):
        return str(best.encoding)
    return "cp1252" if _decodes(data, "cp1252") else "latin-1"


def _decodes(data: bytes, encoding: str) -> bool:
    try:
        data.decode(encoding)
    except UnicodeDecodeError:
        return False
    return True


def _repair(text: str, encoding: str, notes: list[str]) -> Decoded:
    if any(marker in text for marker in _MOJIBAKE_MARKERS):  # cheap pre-test before ftfy
        fixed = ftfy.fix_encoding(text)
        if fixed != text:
            text, notes = fixed, [*notes, "mojibake repaired"]
    return text, encoding, "; ".join(notes) or None


def to_document(raw: RawRecord) -> Document:
    """The Document of one raw record, or a Document that says why it cannot be read."""
    doc_id = raw.document_id or sha256_hex(raw.data)
    unread = Document(
        doc_id,
        raw.source_path,
        raw.record_index,
        raw.size if raw.size is not None else len(raw.data),
        None,
        None,
        raw.format_hint,
    )
    if raw.error:
        return replace(unread, reject_reason=raw.error)
    if not raw.data:
        return replace(unread, reject_reason="empty document (0 bytes)")
    text, encoding, note = decode_bytes(raw.data)
    if text is None:
        return replace(unread, reject_reason=note or "not decodable")
    if not text.strip():
        return replace(unread, reject_reason=f"empty document (only white space, {len(raw.data)} bytes)")
    decoded = replace(unread, encoding=encoding, text=text, partial_reason=note)
    if _XML_ENTITY_DECLARATION.search(text[:_SNIFF_BYTES]):
        return replace(decoded, reject_reason=ENTITIES_REFUSED)
    return _as_read(decoded)


def _as_read(doc: Document) -> Document:
    """The document with the text a reader sees (flows/extract/normalise.py), which spans refer to."""
    text, notes = doc.text or "", [doc.partial_reason]
    if doc.format_hint is None and looks_like_html(text[:4096]):
        controls = len(_XML_INCOMPATIBLE.findall(text))  # a browser shows none; lxml refuses them
        if controls:
            text = _XML_INCOMPATIBLE.sub("", text)
            notes.append(f"{controls} control character(s) removed from the page")
    try:
        text, hint = reader_text(text, doc.format_hint)
    except (ValueError, lxml.etree.LxmlError) as exc:
        return replace(doc, reject_reason=f"page unreadable: {type(exc).__name__}: {exc}")
    return replace(doc, text=text, format_hint=hint, partial_reason="; ".join(filter(None, notes)) or None)

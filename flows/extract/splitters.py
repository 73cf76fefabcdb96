"""One file (or archive member) -> its documents.

Most files are one document. Multi-record exports are split into one document per
record here, streamed so that a 500 MB export never sits in memory whole. A splitter that
knows the record's format says so in `format_hint`. Which splitter applies is decided by
the first bytes of the content, never by the file name:

- a WHO ICTRP XML export (`<Trials_downloaded_from_ICTRP>`): one document per `<Trial>`
  element, its bytes exactly as in the file (so its sha256 is stable);
- a WHO ICTRP CSV export (header starting with `TrialID`): one document per row, the header
  line plus the row's bytes, so that each document is itself a valid one-row CSV;
- a ClinicalTrials.gov API v2 page (`{"studies": [...]}`): one document per study.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import BinaryIO

from flows.extract.json_scan import iter_array_elements
from flows.parse.export_detect import detect_ctgov_json, detect_ctgov_xml

HEAD_BYTES = 64 * 1024  # enough to see the root element, the CSV header or the first JSON key
CHUNK_BYTES = 1024 * 1024
_BOM = b"\xef\xbb\xbf"
UNREADABLE_INDEX = -1  # the record_index of the document that says a file could not be read to its end
SINGLE_RECORD_DETECTORS = {"ctgov_xml": detect_ctgov_xml, "ctgov_json": detect_ctgov_json}


@dataclass(frozen=True, slots=True)
class RawRecord:
    source_path: str
    record_index: int
    data: bytes
    format_hint: str | None = None
    error: str | None = None  # the record cannot be used as it stands (too large, cut off)
    document_id: str | None = None  # sha256 of the document's bytes, once computed (see sources.with_ids)
    size: int | None = None  # bytes of a document refused unread (its `data` is then empty)

    @property
    def unreadable(self) -> bool:
        """The record stands for the rest of a file that could not be read to its end."""
        return self.record_index == UNREADABLE_INDEX


Chunks = Iterator[bytes]
Splitter = Callable[[str, Chunks, int], Iterator[RawRecord]]

_ICTRP_XML_ROOT = re.compile(rb"^\s*(?:<\?xml[^>]*\?>\s*)?(?:<!--.*?-->\s*)*<Trials_downloaded_from_ICTRP[\s>]", re.S)
_ICTRP_CSV_HEADER = re.compile(rb'^"?TrialID"?\s*[,;\t]')
_CTGOV_PAGE = re.compile(rb'^\s*\{\s*"studies"\s*:\s*\[')


def split_stream(source_path: str, stream: BinaryIO, max_bytes: int) -> Iterator[RawRecord]:
    """Yield the documents of one file; a single-record file over `max_bytes` is refused unread."""
    head = _read_head(stream)
    splitter = _choose_splitter(head)
    if splitter is None:
        yield _single_document(source_path, head, stream, max_bytes)
        return
    yield from splitter(source_path, _chunks(head, stream), max_bytes)


def _read_head(stream: BinaryIO) -> bytes:
    head = b""
    while len(head) < HEAD_BYTES:
        block = stream.read(HEAD_BYTES - len(head))
        if not block:
            break
        head += block
    return head


def _chunks(head: bytes, stream: BinaryIO) -> Chunks:
    if head:
        yield head
    while block := stream.read(CHUNK_BYTES):
        yield block


def _choose_splitter(head: bytes) -> Splitter | None:
    body = head.removeprefix(_BOM)
    if _ICTRP_XML_ROOT.match(body):
        return split_ictrp_xml
    if _ICTRP_CSV_HEADER.match(body):
        return split_ictrp_csv
    if _CTGOV_PAGE.match(body):
        return split_ctgov_page
    return None


def _single_document(source_path: str, head: bytes, stream: BinaryIO, max_bytes: int) -> RawRecord:
    data = head if len(head) > max_bytes else head + stream.read(max_bytes + 1 - len(head))
    if len(data) > max_bytes:
        return _refused_unread(source_path, data, stream, max_bytes)
    return RawRecord(source_path, 0, data, _single_record_format(head))


def _refused_unread(source_path: str, data: bytes, stream: BinaryIO, max_bytes: int) -> RawRecord:
    """A file over the limit: hashed and measured as it streams past, never held in memory."""
    digest, size = hashlib.sha256(data), len(data)
    while block := stream.read(CHUNK_BYTES):
        digest.update(block)
        size += len(block)
    return RawRecord(
        source_path,
        0,
        b"",
        error=f"document larger than the {max_bytes}-byte limit ({size} bytes)",
        document_id=digest.hexdigest(),
        size=size,
    )


def _single_record_format(head: bytes) -> str | None:
    """A one-record export that names itself in its first bytes (so detection need not run)."""
    text = head[:4096].decode("utf-8", errors="ignore")
    for name, detector in SINGLE_RECORD_DETECTORS.items():
        if detector(text)[0] >= 1.0:
            return name
    return None


def _sized(source_path: str, index: int, data: bytes, hint: str, max_bytes: int) -> RawRecord:
    if len(data) > max_bytes:
        return RawRecord(source_path, index, b"", hint, f"record larger than the {max_bytes}-byte limit")
    return RawRecord(source_path, index, data, hint)


_TRIAL_START = re.compile(rb"<Trial[\s>]")
_TRIAL_END = b"</Trial>"


def split_ictrp_xml(source_path: str, chunks: Chunks, max_bytes: int) -> Iterator[RawRecord]:
    """One document per `<Trial>...</Trial>` element, found by a byte scanner (no tree is built)."""
    buffer = b""
    index = 0
    for chunk in chunks:
        buffer += chunk
        pos = 0
        while (start := _TRIAL_START.search(buffer, pos)) is not None:
            end = buffer.find(_TRIAL_END, start.start())
            if end < 0:
                pos = start.start()
                break
            pos = end + len(_TRIAL_END)
            yield _sized(source_path, index, buffer[start.start() : pos], "ictrp_xml", max_bytes)
            index += 1
        else:
            pos = max(pos, len(buffer) - 16)  # keep a possible partial `<Trial` tag
        buffer = buffer[pos:]
        if len(buffer) > max_bytes:
            yield RawRecord(source_path, index, b"", "ictrp_xml", f"record larger than the {max_bytes}-byte limit")
            return
    if _TRIAL_START.search(buffer):
        yield RawRecord(source_path, index, b"", "ictrp_xml", "export cut off inside a <Trial> element")


def _csv_rows(chunks: Chunks) -> Iterator[bytes]:
    """Raw CSV rows with their line ends; a quoted field may hold line breaks."""
    special = re.compile(rb'["\n]')
    buffer = b""
    row_start = scan = 0
    in_quotes = False
    for chunk in chunks:
        buffer = buffer[row_start:] + chunk
        scan -= row_start
        row_start = 0
        while (hit := special.search(buffer, scan)) is not None:
            scan = hit.end()
            if hit.group() == b'"':
                in_quotes = not in_quotes
            elif not in_quotes:
                yield buffer[row_start:scan]
                row_start = scan
        scan = len(buffer)
    if buffer[row_start:].strip():
        yield buffer[row_start:]


def split_ictrp_csv(source_path: str, chunks: Chunks, max_bytes: int) -> Iterator[RawRecord]:
    """One document per row: the header line followed by the row, each a valid one-row CSV."""
    rows = _csv_rows(chunks)
    header = next(rows, b"")
    if not header.endswith(b"\n"):
        header += b"\r\n" if header.endswith(b"\r") else b"\n"
    index = 0
    for row in rows:
        if not row.strip():
            continue
        yield _sized(source_path, index, header + row, "ictrp_csv", max_bytes)
        index += 1


def split_ctgov_page(source_path: str, chunks: Chunks, max_bytes: int) -> Iterator[RawRecord]:
    """One document per element of the page's top-level `studies` array."""
    index = 0
    try:
        for element in iter_array_elements(chunks, b"studies", max_bytes):
            if element is None:
                yield RawRecord(source_path, index, b"", "ctgov_json", f"study larger than {max_bytes} bytes")
            else:
                yield RawRecord(source_path, index, element, "ctgov_json")
            index += 1
    except ValueError as exc:
        yield RawRecord(source_path, index, b"", "ctgov_json", f"API page unreadable: {exc}")

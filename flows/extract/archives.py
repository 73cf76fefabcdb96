"""Files under the source paths, with archives opened in place.

Yields (source_path, binary stream) for every file. Archives are recognised by their first
bytes (gzip, zip, tar), not by their names, and read in place, member by member, without
extracting anything to disk:

- a tar (plain or gzip/bzip2/xz-compressed) or a zip yields each regular member as
  `archive.tar.gz!member/path`; a name that comes again in the same archive is read once;
- a gzip of a single file yields the decompressed stream under the file's own path.

A stream is only valid until the next member is requested (tar archives are read as a stream).
"""

from __future__ import annotations

import bz2
import gzip
import lzma
import tarfile
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO, cast

MEMBER_SEPARATOR = "!"
_GZIP = b"\x1f\x8b"
_BZIP2 = b"BZh"
_XZ = b"\xfd7zXZ\x00"
_ZIP = (b"PK\x03\x04", b"PK\x05\x06")  # a zip with members, an empty zip
_TAR_MAGIC_OFFSET = 257  # "ustar" in a POSIX tar header


def iter_members(path: Path) -> Iterator[tuple[str, BinaryIO]]:
    with path.open("rb") as stream:
        magic = stream.read(8)
        stream.seek(0)
        if magic.startswith(_ZIP):
            yield from _zip_members(path, stream)
            return
        decompressed = _decompressed(stream, magic)
        if decompressed is None:
            if _is_tar(stream):
                yield from _tar_members(path, stream)
            else:
                yield str(path), stream
            return
        with decompressed:
            if _is_tar(decompressed):
                stream.seek(0)
                yield from _tar_members(path, stream)
            else:
                yield str(path), decompressed


def _decompressed(stream: BinaryIO, magic: bytes) -> BinaryIO | None:
    if magic.startswith(_GZIP):
        return cast(BinaryIO, gzip.GzipFile(fileobj=stream, mode="rb"))
    if magic.startswith(_BZIP2):
        return cast(BinaryIO, bz2.BZ2File(stream, mode="rb"))
    if magic.startswith(_XZ):
        return cast(BinaryIO, lzma.LZMAFile(stream, mode="rb"))
    return None


def _is_tar(stream: BinaryIO) -> bool:
    """Peek at the first header block; the stream is rewound (or left peekable) afterwards."""
    peek = getattr(stream, "peek", None)
    head = peek(512)[:512] if peek is not None else b""
    if len(head) < 512 and stream.seekable():
        position = stream.tell()
        head = stream.read(512)
        stream.seek(position)
    return head[_TAR_MAGIC_OFFSET : _TAR_MAGIC_OFFSET + 5] == b"ustar"


def _tar_members(path: Path, stream: BinaryIO) -> Iterator[tuple[str, BinaryIO]]:
    names: set[str] = set()
    with tarfile.open(fileobj=stream, mode="r|*") as archive:
        for member in archive:
            if not member.isfile() or member.name in names:
                continue
            names.add(member.name)
            extracted = archive.extractfile(member)
            if extracted is not None:
                yield f"{path}{MEMBER_SEPARATOR}{member.name}", cast(BinaryIO, extracted)


def _zip_members(path: Path, stream: BinaryIO) -> Iterator[tuple[str, BinaryIO]]:
    with zipfile.ZipFile(stream) as archive:
        names: set[str] = set()
        for info in archive.infolist():
            if info.is_dir() or info.filename in names:
                continue
            names.add(info.filename)
            with archive.open(info) as member:
                yield f"{path}{MEMBER_SEPARATOR}{info.filename}", member  # type: ignore[misc]

"""A scaled corpus for the throughput benchmark: real ClinicalTrials.gov XML records, replicated.

Copy k of record i gets the registry id `NCT9kkiiiii` (no real NCT id starts with 9), written
in place of every occurrence of the record's own id, so each copy is a distinct trial with the
real record's text. Deterministic: the same archive and size give the same files. The folder
lives under a temporary directory and is never part of the project.
"""

from __future__ import annotations

import re
import tarfile
from collections.abc import Iterator
from pathlib import Path

NCT_ID = re.compile(rb"NCT\d{8}")
MAX_RECORDS_PER_COPY = 100_000  # five digits of the new id number the record
FILES_PER_FOLDER = 1000


def read_ctgov_records(archive: Path) -> Iterator[tuple[str, bytes]]:
    """(member name, bytes) of every XML file in the archive, in archive order."""
    with tarfile.open(archive, mode="r|*") as tar:
        for member in tar:
            if member.isfile() and member.name.endswith(".xml"):
                handle = tar.extractfile(member)
                if handle is not None:
                    yield member.name, handle.read()


def own_id(data: bytes) -> bytes | None:
    """The record's NCT id: the one inside <nct_id>, else the first NCT id in the text."""
    start = data.find(b"<nct_id>")
    if start >= 0:
        match = NCT_ID.match(data, start + len(b"<nct_id>"))
        if match:
            return match.group()
    match = NCT_ID.search(data)
    return match.group() if match else None


def replica_id(copy: int, record: int) -> bytes:
    if not (0 <= copy < 100 and 0 <= record < MAX_RECORDS_PER_COPY):
        raise ValueError(f"replica ids hold 100 copies of 100,000 records, not copy {copy} record {record}")
    return b"NCT9%02d%05d" % (copy, record)


def replicate(data: bytes, copy: int, record: int) -> tuple[bytes, bytes]:
    """The record with its own id replaced by the replica id; returns (new id, new bytes)."""
    new_id = replica_id(copy, record)
    old_id = own_id(data)
    return new_id, data.replace(old_id, new_id) if old_id else data


def write_scaled_corpus(archive: Path, target: Path, documents: int) -> int:
    """Write `documents` replicated records as XML files under `target`; returns the number written.

    Records are held once in memory (the real corpus, about 120 MB), copies are streamed to disk.
    """
    records = [data for _name, data in read_ctgov_records(archive)]
    if not records:
        raise ValueError(f"{archive} holds no XML records")
    written = 0
    copy = 0
    while written < documents:
        for index, data in enumerate(records):
            if written >= documents:
                break
            new_id, replica = replicate(data, copy, index)
            folder = target / f"copy{copy:02d}" / f"part{index // FILES_PER_FOLDER:03d}"
            folder.mkdir(parents=True, exist_ok=True)
            (folder / (new_id.decode() + ".xml")).write_bytes(replica)
            written += 1
        copy += 1
    return written


def ensure_scaled_corpus(archive: Path, target: Path, documents: int) -> Path:
    """Reuse `target` when it already holds exactly this corpus (a marker file names its size)."""
    marker = target / ".scaled"
    expected = f"{archive.name} {archive.stat().st_size} {documents}"
    if marker.exists() and marker.read_text() == expected:
        return target
    if target.exists():
        import shutil

        shutil.rmtree(target)
    target.mkdir(parents=True)
    write_scaled_corpus(archive, target, documents)
    marker.write_text(expected)
    return target

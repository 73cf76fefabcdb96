"""The quick check, rsync's: a file with the size and modification time the warehouse recorded when a run
last read it whole is not read again; its documents count as seen and unchanged.

Without it, a run that changes nothing still reads and hashes every byte of its sources: 9.2 GB for
ClinicalTrials.gov's 530,000 records, most of a no-op run when they are not in the page cache. A file is
recorded only when it was read without error and had not been modified for `SETTLE_NS` before it was
read, so that a change within the file system's timestamp granularity is not missed.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path

from flows.extract.sources import file_records
from flows.extract.splitters import RawRecord
from warehouse.source_files import FileStamps, NewStamps
from warehouse.stored import SeenPlaces, file_key

SETTLE_NS = 2_000_000_000
STAT_CHUNK = 500  # files whose stamps are looked up together


@dataclass
class QuickCheck:
    stamps: FileStamps  # as recorded; empty to read every file
    kept: SeenPlaces = field(default_factory=SeenPlaces)  # keys of the files found unchanged, not read
    kept_documents: int = 0  # the documents they hold
    unreadable: SeenPlaces = field(default_factory=SeenPlaces)  # keys of the files that could not be read to the end
    new: NewStamps = field(default_factory=NewStamps)  # the files read whole, not yet stored

    def files_to_read(self, files: Iterable[Path]) -> Iterator[tuple[Path, Stamp | None]]:
        """The files that changed since they were recorded, or were never recorded, each with the stamp to
        record once it is read: None when its stat fails (it is read, and fails there as it would have) or
        it was modified less than `SETTLE_NS` ago."""
        files = iter(files)
        while chunk := list(islice(files, STAT_CHUNK)):
            now = time.time_ns()
            stamps = [_stamp(file, now) for file in chunk]
            keys = [file_key(str(file)) for file in chunk]
            documents = self.stamps.unchanged(
                keys, [s.size if s else -1 for s in stamps], [s.mtime_ns if s else -1 for s in stamps]
            )
            for file, stamp, key, count in zip(chunk, stamps, keys, documents, strict=True):
                if count is None:
                    yield file, (stamp if stamp and stamp.settled else None)
                else:
                    self.kept.add(key)
                    self.kept_documents += count

    def records(self, files: Iterable[tuple[Path, Stamp | None]], max_bytes: int) -> Iterator[RawRecord]:
        """The documents of each file, recording the file once all of them were read without error."""
        for file, stamp in files:
            count, clean = 0, True
            for record in file_records(file, max_bytes):
                count += 1
                clean = clean and record.error is None
                if record.unreadable:
                    self.unreadable.add(file_key(str(file)))
                yield record
            if clean and stamp is not None:
                self.new.add(str(file), stamp.size, stamp.mtime_ns, count)

    def untouched(self) -> SeenPlaces:
        """The files whose stored documents stay as they are: those found unchanged, and those that could not
        be read to their end (a cut-off download does not remove the documents it no longer holds)."""
        return self.kept + self.unreadable

    def take_new(self) -> NewStamps:
        """The files read whole since the last call, to be stored."""
        new, self.new = self.new, NewStamps()
        return new

    def release(self) -> None:
        """Drop what the run found, once stored."""
        self.stamps, self.kept, self.unreadable, self.new = FileStamps.empty(), SeenPlaces(), SeenPlaces(), NewStamps()


@dataclass(frozen=True, slots=True)
class Stamp:
    size: int
    mtime_ns: int
    settled: bool  # unmodified for SETTLE_NS when it was taken


def _stamp(file: Path, now_ns: int) -> Stamp | None:
    try:
        stat = file.stat()
    except OSError:
        return None
    return Stamp(stat.st_size, stat.st_mtime_ns, now_ns - stat.st_mtime_ns >= SETTLE_NS)

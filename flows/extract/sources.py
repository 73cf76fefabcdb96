"""Source paths -> raw records, in a stable order (sorted paths, then record order)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import replace
from pathlib import Path

from flows.extract.archives import iter_members
from flows.extract.decode import sha256_hex
from flows.extract.splitters import RawRecord, split_stream


def distinct_sources(paths: Iterable[Path]) -> list[Path]:
    """The source paths without repeats and without paths inside another one given, so that no
    document is read twice in a run (its place, path and record, is its key)."""
    given = list(dict.fromkeys(paths))
    return [p for p in given if not any(other != p and p.parts[: len(other.parts)] == other.parts for other in given)]


def iter_files(paths: Iterable[Path]) -> Iterator[Path]:
    for path in paths:
        if path.is_file():
            yield path
        else:
            yield from sorted(p for p in path.rglob("*") if p.is_file() and not p.name.startswith("."))


def iter_raw_records(paths: Iterable[Path], max_bytes: int) -> Iterator[RawRecord]:
    for file in iter_files(paths):
        for source_path, stream in iter_members(file):
            yield from split_stream(source_path, stream, max_bytes)


def with_ids(records: Iterable[RawRecord]) -> Iterator[RawRecord]:
    """Hash each record once, where it is read, so unchanged documents are skipped before parsing."""
    for record in records:
        yield record if record.document_id else replace(record, document_id=sha256_hex(record.data))

"""Source paths -> raw records, in a stable order (sorted paths, then record order)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

from flows.extract.archives import iter_members
from flows.extract.splitters import RawRecord, split_stream


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

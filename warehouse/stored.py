"""What a run knows about document places, (source_path, record_index), held compactly.

`StoredDocuments`: which document the warehouse holds at each place. A run consults it for
every record it reads (unchanged?) and for every batch it loads (which stored rows does it
replace). As a dict of tuples and strings it took about 310 bytes a document, 160 MB for
ClinicalTrials.gov's 530,000 records; here it is 96 bytes: two numpy arrays, sorted by a 128-bit
hash of the place, of that hash and of the stored document_id.

`SeenPlaces`: the places a run read, 32 bytes each, handed to DuckDB at the end of the run to
find the documents that are gone.
"""

from __future__ import annotations

import hashlib

import duckdb
import numpy as np
import pyarrow as pa

from flows.extract.archives import MEMBER_SEPARATOR

KEY_HEX = 32  # hex digits of the key's sha256 kept: 128 bits
# what a place marked removed holds instead of its document id: no document's bytes hash to it, so a file
# that comes back unchanged is read and loaded again, replacing the removed row
REMOVED = "removed"
# the same key in SQL: sha256 of the UTF-8 bytes of "<source_path>\n<record_index>"
KEY_SQL = f"left(sha256(source_path || chr(10) || record_index::VARCHAR), {KEY_HEX})"
FILE_KEY_SQL = f"left(sha256(file_path), {KEY_HEX})"  # a file's: sha256 of the UTF-8 bytes of its path
_READ_ROWS = 100_000  # rows converted at a time while reading


def under_sources(column: str, sources: list[str]) -> tuple[str, list[str]]:
    """SQL true for a path `column` under one of the sources (the source itself, a file in a source folder or a
    member of a source archive), with its parameters."""
    one_source = f"({column} = ? OR starts_with({column}, ?) OR starts_with({column}, ?))"
    values = [value for s in sources for value in (s, s.rstrip("/") + "/", s + MEMBER_SEPARATOR)]
    return " OR ".join([one_source] * len(sources)), values


def document_key(source_path: str, record_index: int) -> bytes:
    """The key of a document's place, as `KEY_SQL` computes it (ASCII hex)."""
    return hashlib.sha256(f"{source_path}\n{record_index}".encode()).hexdigest()[:KEY_HEX].encode()


def file_key(file_path: str) -> bytes:
    """The key of a file (table source_files), as `FILE_KEY_SQL` computes it (ASCII hex)."""
    return hashlib.sha256(file_path.encode()).hexdigest()[:KEY_HEX].encode()


class StoredDocuments:
    def __init__(self, keys: np.ndarray, ids: np.ndarray) -> None:
        order = np.argsort(keys, kind="stable")
        self._keys = keys[order]
        self._ids = ids[order]

    @classmethod
    def empty(cls) -> StoredDocuments:
        return cls(np.array([], dtype=f"S{KEY_HEX}"), np.array([], dtype="S64"))

    @classmethod
    def read(cls, con: duckdb.DuckDBPyConnection) -> StoredDocuments:
        """Every stored document; none for a new warehouse."""
        if not con.execute("SELECT 1 FROM duckdb_tables() WHERE table_name = 'documents'").fetchall():
            return cls.empty()
        keys: list[np.ndarray] = []
        ids: list[np.ndarray] = []
        reader = con.execute(
            f"""SELECT {KEY_SQL} AS key,
                       CASE WHEN status = 'removed' THEN '{REMOVED}' ELSE document_id END AS document_id
                FROM documents"""
        ).to_arrow_reader(_READ_ROWS)
        for batch in reader:
            keys.append(np.array(batch.column("key").to_pylist(), dtype=f"S{KEY_HEX}"))
            ids.append(np.array(batch.column("document_id").to_pylist(), dtype="S64"))
        if not keys:
            return cls.empty()
        return cls(np.concatenate(keys), np.concatenate(ids))

    def __len__(self) -> int:
        return len(self._keys)

    def document_ids(self, keys: list[bytes]) -> list[str | None]:
        """The document stored at each place (keys from `document_key`), or None; looked up together,
        as one search for a list of keys costs about what one search for a single key does."""
        if not len(self._keys) or not keys:
            return [None] * len(keys)
        wanted = np.array(keys, dtype=f"S{KEY_HEX}")
        at = np.minimum(np.searchsorted(self._keys, wanted), len(self._keys) - 1)
        found = self._keys[at] == wanted
        return [bytes(self._ids[i]).decode("ascii") if hit else None for i, hit in zip(at, found, strict=True)]


class SeenPlaces:
    def __init__(self) -> None:
        self._keys = bytearray()

    def add(self, key: bytes) -> None:
        self._keys += key

    def __len__(self) -> int:
        return len(self._keys) // KEY_HEX

    def __add__(self, other: SeenPlaces) -> SeenPlaces:
        both = SeenPlaces()
        both._keys = self._keys + other._keys
        return both

    def as_arrow(self) -> pa.Array:
        """The keys as an Arrow string array over the same bytes (no Python string per key)."""
        count = len(self)
        offsets = np.arange(0, (count + 1) * KEY_HEX, KEY_HEX, dtype=np.int32)
        return pa.Array.from_buffers(pa.string(), count, [None, pa.py_buffer(offsets), pa.py_buffer(bytes(self._keys))])

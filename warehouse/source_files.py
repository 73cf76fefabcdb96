"""The files a run read whole, by size and modification time (table `source_files`), held compactly.

`FileStamps`: what the warehouse recorded, as numpy arrays sorted by a 128-bit hash of the path
(52 bytes a file), looked up a chunk of files at a time. `NewStamps`: what a run records, its paths in
one buffer rather than a Python string each, stored with each batch it loads (`add`); at its end
`forget_unread` drops the stamps it did not renew.
"""

from __future__ import annotations

from array import array

import duckdb
import numpy as np
import pyarrow as pa

from warehouse.load import registered
from warehouse.stored import FILE_KEY_SQL, KEY_HEX, SeenPlaces, under_sources

_READ_ROWS = 100_000


class FileStamps:
    def __init__(self, keys: np.ndarray, sizes: np.ndarray, mtimes: np.ndarray, documents: np.ndarray) -> None:
        order = np.argsort(keys, kind="stable")
        self._keys = keys[order]
        self._sizes = sizes[order]
        self._mtimes = mtimes[order]
        self._documents = documents[order]

    @classmethod
    def empty(cls) -> FileStamps:
        none = np.array([], dtype=np.int64)
        return cls(np.array([], dtype=f"S{KEY_HEX}"), none, none, none)

    @classmethod
    def read(cls, con: duckdb.DuckDBPyConnection) -> FileStamps:
        """Every recorded file; none for a warehouse made before the table."""
        if not con.execute("SELECT 1 FROM duckdb_tables() WHERE table_name = 'source_files'").fetchall():
            return cls.empty()
        columns: dict[str, list[np.ndarray]] = {"key": [], "bytes": [], "mtime_ns": [], "documents": []}
        query = f"SELECT {FILE_KEY_SQL} AS key, bytes, mtime_ns, documents FROM source_files"
        for batch in con.execute(query).to_arrow_reader(_READ_ROWS):
            columns["key"].append(np.array(batch.column("key").to_pylist(), dtype=f"S{KEY_HEX}"))
            for name in ("bytes", "mtime_ns", "documents"):
                columns[name].append(batch.column(name).to_numpy().astype(np.int64))
        if not columns["key"]:
            return cls.empty()
        return cls(*(np.concatenate(columns[name]) for name in ("key", "bytes", "mtime_ns", "documents")))

    def __len__(self) -> int:
        return len(self._keys)

    def unchanged(self, keys: list[bytes], sizes: list[int], mtimes: list[int]) -> list[int | None]:
        """For each file (keys from `file_key`): the documents it gave when recorded with this size and
        modification time, or None when it is not recorded so."""
        if not len(self._keys) or not keys:
            return [None] * len(keys)
        wanted = np.array(keys, dtype=f"S{KEY_HEX}")
        at = np.minimum(np.searchsorted(self._keys, wanted), len(self._keys) - 1)
        same = (
            (self._keys[at] == wanted)
            & (self._sizes[at] == np.array(sizes, dtype=np.int64))
            & (self._mtimes[at] == np.array(mtimes, dtype=np.int64))
        )
        return [int(self._documents[i]) if hit else None for i, hit in zip(at, same, strict=True)]


class NewStamps:
    def __init__(self) -> None:
        self._paths = bytearray()
        self._ends = array("q")
        self._sizes = array("q")
        self._mtimes = array("q")
        self._documents = array("q")

    def add(self, path: str, size: int, mtime_ns: int, documents: int) -> None:
        self._paths += path.encode()
        self._ends.append(len(self._paths))
        self._sizes.append(size)
        self._mtimes.append(mtime_ns)
        self._documents.append(documents)

    def __len__(self) -> int:
        return len(self._ends)

    def as_arrow(self) -> pa.Table:
        count = len(self)
        offsets = pa.py_buffer(np.concatenate([[0], np.frombuffer(self._ends, dtype=np.int64)]).astype(np.int64))
        paths = pa.Array.from_buffers(pa.large_string(), count, [None, offsets, pa.py_buffer(bytes(self._paths))])
        return pa.table(
            {
                "file_path": paths,
                "bytes": pa.array(np.frombuffer(self._sizes, dtype=np.int64)),
                "mtime_ns": pa.array(np.frombuffer(self._mtimes, dtype=np.int64)),
                "documents": pa.array(np.frombuffer(self._documents, dtype=np.int64).astype(np.int32)),
            }
        )


def add(con: duckdb.DuckDBPyConnection, new: NewStamps, run_id: str) -> None:
    """Files read whole by the run, in the caller's transaction; their older stamps go in `forget_unread`."""
    if not len(new):
        return
    with registered(con, {"stamps": new.as_arrow()}):
        con.execute(
            "INSERT INTO source_files SELECT file_path, bytes, mtime_ns, documents, ? FROM batch_stamps", [run_id]
        )


def forget_unread(con: duckdb.DuckDBPyConnection, sources: list[str], kept: SeenPlaces, run_id: str) -> None:
    """Of the stamps under the run's sources, only those it stored and those of the files it kept unread stay:
    the older stamp of a file read again goes, and so does a file's that is gone or could not be read whole."""
    if not sources:
        return
    under, values = under_sources("file_path", sources)
    with registered(con, {"kept": pa.table({"key": kept.as_arrow()})}):
        con.execute(
            f"""DELETE FROM source_files
                WHERE run_id <> ? AND ({under}) AND {FILE_KEY_SQL} NOT IN (SELECT key FROM batch_kept)""",
            [run_id, *values],
        )

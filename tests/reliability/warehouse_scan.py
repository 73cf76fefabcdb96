"""Read every string a warehouse holds: each text column of each DuckDB table and Parquet file."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq


def _strings_of(column: pa.ChunkedArray) -> Iterator[str]:
    kind = column.type
    if pa.types.is_list(kind) or pa.types.is_large_list(kind):
        column = pa.chunked_array([chunk.flatten() for chunk in column.chunks], kind.value_type)
        kind = kind.value_type
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        yield from (value for value in column.to_pylist() if value is not None)


def parquet_strings(folder: Path) -> Iterator[tuple[str, str, str]]:
    """(file name, column, value) for every string, also inside string lists, of every Parquet file."""
    files = sorted(folder.glob("*.parquet"))
    assert files, f"no Parquet files in {folder}"
    for path in files:
        table = pq.read_table(path)
        for name in table.column_names:
            for value in _strings_of(table.column(name)):
                yield path.name, name, value


def duckdb_strings(db: Path) -> Iterator[tuple[str, str, str]]:
    """(table, column, value) for every string, also inside string lists, of every table of the database."""
    with duckdb.connect(str(db), read_only=True) as con:
        tables = [
            row[0]
            for row in con.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_type = 'BASE TABLE'"
            ).fetchall()
        ]
        for table in tables:
            arrow = con.execute(f'SELECT * FROM "{table}"').fetch_arrow_table()
            for name in arrow.column_names:
                for value in _strings_of(arrow.column(name)):
                    yield table, name, value

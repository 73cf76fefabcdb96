"""`trials sql`: one read-only statement, printed as a table, CSV or JSON."""

from __future__ import annotations

import csv
import json
import sys
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb

from warehouse.load import is_lock_error

MAX_CELL = 80


def _jsonable(value: Any) -> Any:
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    return value


def _cell(value: Any) -> str:
    text = "" if value is None else str(value)
    text = text.replace("\n", " ")
    return text if len(text) <= MAX_CELL else text[: MAX_CELL - 1] + "…"


def print_table(columns: list[str], rows: list[tuple[Any, ...]]) -> None:
    cells = [[_cell(v) for v in row] for row in rows]
    widths = [max([len(c)] + [len(r[i]) for r in cells]) for i, c in enumerate(columns)]
    print(" | ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)))
    print("-+-".join("-" * w for w in widths))
    for row in cells:
        print(" | ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)))
    print(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")


def run_query(db: Path, statement: str, fmt: str) -> int:
    if not db.exists():
        print(f"trials: no warehouse at {db}: run `trials run --source ...` first", file=sys.stderr)
        return 2
    try:
        con = duckdb.connect(str(db), read_only=True)
    except duckdb.IOException as exc:
        if is_lock_error(exc):
            print(
                f"trials: {db} is locked: a run is loading it right now; try again when it ends",
                file=sys.stderr,
            )
            return 3
        raise
    try:
        result = con.execute(statement)
        columns = [d[0] for d in result.description or []]
        rows = result.fetchall()
    except duckdb.Error as exc:
        print(f"trials: {exc}", file=sys.stderr)
        return 1
    finally:
        con.close()
    if fmt == "json":
        json.dump(
            [{c: _jsonable(v) for c, v in zip(columns, row, strict=True)} for row in rows],
            sys.stdout,
            ensure_ascii=False,
            indent=1,
        )
        print()
    elif fmt == "csv":
        writer = csv.writer(sys.stdout)
        writer.writerow(columns)
        writer.writerows([[_jsonable(v) for v in row] for row in rows])
    else:
        print_table(columns, rows)
    return 0

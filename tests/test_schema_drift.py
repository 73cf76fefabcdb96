"""The DDL in warehouse/*.sql and the pandera models in schemas/ describe the same tables."""

from __future__ import annotations

import duckdb
import pytest

from schemas.models import MODELS
from warehouse.load import apply_ddl

# DuckDB column type -> the pandera dtype the model must declare
EXPECTED_DTYPE = {
    "VARCHAR": "string[pyarrow]",
    "INTEGER": "Int32",
    "BIGINT": "Int64",
    "DOUBLE": "float64",
    "BOOLEAN": "bool",
    "DATE": "datetime64[ns]",
    "TIMESTAMP": "datetime64[ns]",
    "VARCHAR[]": "object",
    "INTEGER[]": "object",
    "STRUCT(span_start INTEGER, span_end INTEGER)[]": "object",
}


@pytest.fixture(scope="module")
def ddl_columns() -> dict[str, list[tuple[str, str, bool]]]:
    con = duckdb.connect(":memory:")
    apply_ddl(con)
    rows = con.execute(
        "SELECT c.table_name, c.column_name, c.data_type, c.is_nullable = 'YES' FROM information_schema.columns c "
        "JOIN information_schema.tables t USING (table_schema, table_name) "
        "WHERE c.table_schema = 'main' AND t.table_type = 'BASE TABLE' ORDER BY c.table_name, c.ordinal_position"
    ).fetchall()
    tables: dict[str, list[tuple[str, str, bool]]] = {}
    for table, column, dtype, nullable in rows:
        tables.setdefault(table, []).append((column, dtype, nullable))
    return tables


@pytest.mark.parametrize("table", sorted(MODELS))
def test_model_matches_ddl(table: str, ddl_columns: dict[str, list[tuple[str, str, bool]]]) -> None:
    schema = MODELS[table].to_schema()
    model = [(name, str(col.dtype), col.nullable) for name, col in schema.columns.items()]
    ddl = [(name, EXPECTED_DTYPE[dtype], nullable) for name, dtype, nullable in ddl_columns[table]]
    assert model == ddl


def test_every_table_with_rows_from_documents_has_a_model(ddl_columns: dict) -> None:
    # these are written by the loader itself from the loaded tables or the files it read, not from parsed documents
    assert set(ddl_columns) - set(MODELS) == {
        "quarantine",
        "runs",
        "trial_versions",
        "trial_links",
        "trial_cluster_ids",
        "parameter_units",
        "source_files",
    }

"""The per-run data-quality report: rule counts per source format and column fill rates."""

from __future__ import annotations

from typing import Any

import duckdb

LIST_COLUMNS = {"secondary_ids", "conditions", "condition_codes", "countries", "languages"}
SKIP_COLUMNS = {"trial_id", "document_id", "source_format", "run_id"}
CHILD_FILL = {
    "arms": "EXISTS (SELECT 1 FROM arms a WHERE a.trial_id = t.trial_id)",
    "criteria": "EXISTS (SELECT 1 FROM criteria c WHERE c.trial_id = t.trial_id)",
    "criteria_thresholds": "EXISTS (SELECT 1 FROM criteria_thresholds c WHERE c.trial_id = t.trial_id)",
    "endpoints": "EXISTS (SELECT 1 FROM endpoints e WHERE e.trial_id = t.trial_id)",
    "endpoints_with_timepoints": "EXISTS (SELECT 1 FROM endpoints e WHERE e.trial_id = t.trial_id "
    "AND len(e.timepoints_days) > 0)",
}


def _table(headers: list[str], rows: list[tuple[Any, ...]]) -> list[str]:
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    return lines + ["| " + " | ".join("" if v is None else str(v) for v in row) + " |" for row in rows]


def rule_counts(con: duckdb.DuckDBPyConnection) -> list[tuple[Any, ...]]:
    return con.execute(
        """SELECT q.rule, coalesce(t.source_format, '?') AS source_format, count(*) AS n
           FROM data_quality q LEFT JOIN trials t USING (trial_id)
           GROUP BY ALL ORDER BY rule, source_format"""
    ).fetchall()


def fill_rates(con: duckdb.DuckDBPyConnection) -> tuple[list[str], list[tuple[Any, ...]]]:
    """Share of trials (per source format) in which each contract column is filled."""
    columns = [
        c
        for (c,) in con.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = 'trials' ORDER BY ordinal_position"
        ).fetchall()
        if c not in SKIP_COLUMNS
    ]
    exprs = [f"len({c}) > 0" if c in LIST_COLUMNS else f"{c} IS NOT NULL" for c in columns]
    exprs += list(CHILD_FILL.values())
    names = columns + list(CHILD_FILL)
    select = ", ".join(f"round(avg(CASE WHEN {e} THEN 1 ELSE 0 END), 3)" for e in exprs)
    rows = con.execute(f"SELECT source_format, count(*), {select} FROM trials t GROUP BY 1 ORDER BY 1").fetchall()
    return ["source_format", "trials", *names], rows


def report_markdown(con: duckdb.DuckDBPyConnection, run_id: str) -> str:
    headers, rows = fill_rates(con)
    # one row per column reads better than 30 columns side by side
    transposed = [(name, *[row[i] for row in rows]) for i, name in enumerate(headers) if i > 0]
    lines = [f"# Data quality after run {run_id}", "", "## Rule violations per source format", ""]
    lines += _table(["rule", "source_format", "count"], rule_counts(con)) or ["none"]
    lines += ["", "## Fill rate of each column per source format", ""]
    lines += _table(["column", *[str(row[0]) for row in rows]], transposed)
    return "\n".join(lines) + "\n"

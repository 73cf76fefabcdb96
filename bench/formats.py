"""Per-format figures of a loaded warehouse: records in, loaded / partial / rejected, fill rates, links.

.venv/bin/trials run --source ../shared/corpora --db /tmp/corpora.duckdb --parquet /tmp/corpora-parquet
.venv/bin/python -m bench.formats /tmp/corpora.duckdb
"""

from __future__ import annotations

import sys
from typing import Any

import duckdb

FORMAT_FIGURES = """
WITH docs AS (
    SELECT coalesce(source_format, '(unrecognised)') AS source_format, count(*) AS records,
           count(*) FILTER (status = 'loaded') AS loaded, count(*) FILTER (status = 'partial') AS partial,
           count(*) FILTER (status = 'rejected') AS rejected
    FROM documents GROUP BY 1
),
fill AS (
    SELECT t.source_format, count(*) AS trials,
           avg((phase IS NOT NULL)::INT) AS phase, avg((enrollment IS NOT NULL)::INT) AS enrollment,
           avg((min_age_years IS NOT NULL OR max_age_years IS NOT NULL)::INT) AS ages,
           avg((sex IS NOT NULL)::INT) AS sex,
           avg((EXISTS (SELECT 1 FROM criteria c WHERE c.trial_id = t.trial_id))::INT) AS criteria,
           avg((EXISTS (SELECT 1 FROM endpoints e WHERE e.trial_id = t.trial_id
                        AND len(e.timepoints_days) > 0))::INT) AS endpoints_with_days,
           count(*) FILTER (trial_id IN (SELECT trial_id FROM trial_links UNION SELECT linked_trial_id
                                         FROM trial_links)) AS linked
    FROM trials t GROUP BY 1
)
SELECT d.source_format, d.records, d.loaded, d.partial, d.rejected, f.trials,
       round(f.phase, 2), round(f.enrollment, 2), round(f.ages, 2), round(f.sex, 2), round(f.criteria, 2),
       round(f.endpoints_with_days, 2), f.linked
FROM docs d LEFT JOIN fill f USING (source_format) ORDER BY d.records DESC
"""
HEADERS = [
    "format",
    "records",
    "loaded",
    "partial",
    "rejected",
    "trials",
    "phase",
    "enrollment",
    "ages",
    "sex",
    "criteria",
    "endpoints with days",
    "trials linked",
]


def figures(db: str) -> list[tuple[Any, ...]]:
    with duckdb.connect(db, read_only=True) as con:
        return con.execute(FORMAT_FIGURES).fetchall()


def markdown(rows: list[tuple[Any, ...]]) -> str:
    lines = ["| " + " | ".join(HEADERS) + " |", "|" + "---|" * len(HEADERS)]
    lines += ["| " + " | ".join("" if v is None else str(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def main() -> None:
    print(markdown(figures(sys.argv[1])))


if __name__ == "__main__":
    main()

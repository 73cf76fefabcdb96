"""The data_quality view and the per-run report, on the seeds warehouse built by `trials run`.

What the seeds hold that the rules must flag: IRCT's arm category "Treatment - Other" maps to no
arm type; no seed names its arms' interventions; seed 001's exclusion "Renal biopsy showing ≥50%
glomerulus sclerosis" carries a number but no threshold of a known parameter.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import duckdb

from tests.conftest import Warehouse
from tests.test_seeds_warehouse import IRCT, trial_of


def test_rules_flag_what_the_seeds_hold(seed_warehouse: Warehouse) -> None:
    rows = set(seed_warehouse.query("SELECT rule, trial_id, detail FROM data_quality"))
    assert ("unmapped_source_value", IRCT, "arm_type = Treatment - Other") in rows
    assert {r for r, t, _ in rows if t == IRCT} >= {"arm_without_intervention", "unmapped_source_value"}
    t001 = trial_of(seed_warehouse, "001")
    assert any(
        r == "criterion_numbers_without_threshold" and t == t001 and "glomerulus sclerosis" in d for r, t, d in rows
    )
    assert not [
        r
        for r, *_ in rows
        if r
        in (
            "min_age_above_max_age",
            "start_after_completion",
            "recruiting_with_zero_enrollment",
            "placeholder_in_text",
            "duplicate_key",
        )
    ]


def test_duplicate_key_rule_names_the_table_and_key(seed_warehouse: Warehouse, tmp_path: Path) -> None:
    """The large tables carry no key index; a duplicated row is flagged with its table and key."""
    db = tmp_path / "copy.duckdb"
    shutil.copyfile(seed_warehouse.db, db)
    with duckdb.connect(str(db)) as con:
        con.execute(
            "INSERT INTO criteria SELECT * FROM criteria WHERE trial_id = ? AND kind = 'exclusion' "
            "AND criterion_seq = 2",
            [IRCT],
        )
        con.execute("INSERT INTO documents SELECT * FROM documents WHERE source_path LIKE '%002%'")
        flagged = con.execute(
            "SELECT trial_id, detail FROM data_quality WHERE rule = 'duplicate_key' ORDER BY detail"
        ).fetchall()
    assert flagged[0] == (IRCT, "criteria (exclusion 2): 2 rows")
    assert flagged[1][0] is None and flagged[1][1].startswith("documents (") and flagged[1][1].endswith("#0): 2 rows")
    assert len(flagged) == 2


def test_report_counts_rules_per_format_and_fill_rates(seed_warehouse: Warehouse) -> None:
    report = Path(re.search(r"data-quality report: (\S+)", seed_warehouse.stdout).group(1))
    text = report.read_text(encoding="utf-8")
    assert "| unmapped_source_value | irct_text | 1 |" in text
    fill = {line.split("|")[1].strip(): line for line in text.splitlines() if line.startswith("| ")}
    header = [c.strip() for c in fill["column"].split("|")[2:-1]]
    assert header == ["abstract", "aggregator_text", "ctgov_text", "irct_text", "recruitment_page"]
    phase = [c.strip() for c in fill["phase"].split("|")[2:-1]]
    assert phase == ["0.0", "1.0", "0.0", "1.0", "1.0"]
    assert (report.parent / "data-quality-latest.md").read_text(encoding="utf-8") == text

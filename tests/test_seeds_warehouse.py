"""What a reader can verify in the five seeds, checked against the warehouse `trials run` builds.

Fixtures: the five seed documents in seeds/ (real registry and web texts, unedited).
"""

from __future__ import annotations

from datetime import date

import pytest

from tests.conftest import SEEDS, Warehouse, build_warehouse, seed_path

IRCT = "irct:IRCT2016090729747N1"
NCT = "ctgov:NCT06737380"


def trial_of(wh: Warehouse, prefix: str) -> str:
    return wh.scalar(
        "SELECT t.trial_id FROM trials t JOIN documents d USING (document_id) WHERE d.source_path LIKE ?",
        [f"%{seed_path(prefix).name}"],
    )


def thresholds(wh: Warehouse, trial_id: str, kind: str) -> set[tuple]:
    rows = wh.query(
        "SELECT parameter, op, value FROM criteria_thresholds WHERE trial_id = ? AND kind = ?",
        [trial_id, kind],
    )
    return set(rows)


def count(wh: Warehouse, table: str, trial_id: str, where: str = "TRUE") -> int:
    return wh.scalar(f"SELECT count(*) FROM {table} WHERE trial_id = ? AND {where}", [trial_id])


def test_five_documents_none_rejected(seed_warehouse: Warehouse) -> None:
    rows = seed_warehouse.query("SELECT status, count(*) FROM documents GROUP BY status")
    assert sum(n for _, n in rows) == 5
    assert "rejected" not in dict(rows)
    assert seed_warehouse.scalar("SELECT count(*) FROM trials") == 5
    assert "5 documents seen" in seed_warehouse.stdout


def test_irct_002(seed_warehouse: Warehouse) -> None:
    wh = seed_warehouse
    assert trial_of(wh, "002") == IRCT
    row = wh.query(
        "SELECT registry, phase, enrollment, sex, min_age_years, max_age_years, registration_date, start_date, "
        "condition_codes, title, brief_title FROM trials WHERE trial_id = ?",
        [IRCT],
    )[0]
    assert row[:8] == ("irct", "PHASE1_PHASE2", 20, "ALL", None, None, date(2017, 6, 3), date(2016, 7, 22))
    assert "ICD10:M32.1" in row[8]
    assert row[9].startswith("Evaluating the Safety and Effect of Allogeneic Adipose")
    assert row[10] == "Effect of Allogeneic Adipose Tissue-Derived Mesenchymal Stem Cell Transplantation on SLE"
    assert count(wh, "arms", IRCT) == 2
    primary = wh.query(
        "SELECT lower(measure), timepoints_days FROM endpoints WHERE trial_id = ? AND kind = 'primary' "
        "ORDER BY endpoint_seq",
        [IRCT],
    )
    assert [m for m, _ in primary] == ["proteinuria", "glomerular filtration rate"]
    assert all(days == [7, 30, 90, 180, 270, 365] for _, days in primary)
    secondary = wh.query(
        "SELECT measure, timepoints_days FROM endpoints WHERE trial_id = ? AND kind = 'secondary'", [IRCT]
    )
    assert len(secondary) == 1 and "SLEDAI" in secondary[0][0].upper().replace(
        "SYSTEMIC LUPUS ERYTHEMATOSUS DISEASE ACTIVITY INDEX", "SLEDAI"
    )
    assert secondary[0][1] == [7, 30, 90, 180, 365, 540]
    assert count(wh, "criteria", IRCT, "kind = 'exclusion'") == 3
    assert {("proteinuria", ">", 1.0), ("sledai", ">", 8.0)} <= thresholds(wh, IRCT, "inclusion")
    assert (
        wh.scalar(
            "SELECT unit_canonical FROM criteria_thresholds WHERE trial_id = ? AND parameter = 'proteinuria'",
            [IRCT],
        )
        == "g/24h"
    )


def test_recruitment_page_004(seed_warehouse: Warehouse) -> None:
    wh = seed_warehouse
    assert trial_of(wh, "004") == NCT
    row = wh.query(
        "SELECT registry, phase, min_age_years, max_age_years, overall_status, sex FROM trials WHERE trial_id = ?",
        [NCT],
    )[0]
    assert row == ("ctgov", "PHASE1", 18.0, 75.0, "RECRUITING", "ALL")
    assert count(wh, "criteria", NCT, "kind = 'inclusion'") == 8
    assert count(wh, "criteria", NCT, "kind = 'exclusion'") == 16
    assert {("egfr", ">=", 30.0), ("sledai", ">=", 6.0), ("ana_titer", ">=", 160.0)} <= thresholds(wh, NCT, "inclusion")
    assert ("prednisone_dose", ">", 0.5) in thresholds(wh, NCT, "exclusion")
    assert (
        wh.scalar(
            "SELECT unit_canonical FROM criteria_thresholds WHERE trial_id = ? AND parameter = 'prednisone_dose'",
            [NCT],
        )
        == "mg/kg/day"
    )


CHROME = ["FAQ", "Sign up", "passcode", "{{", "Powered by AI", "First name*"]


@pytest.mark.parametrize(
    "table,column",
    [
        ("trials", "title"),
        ("trials", "brief_title"),
        ("trials", "sponsor"),
        ("criteria", "text"),
        ("arms", "description"),
        ("endpoints", "measure"),
        ("trials", "array_to_string(conditions, '|')"),
    ],
)
def test_no_page_chrome_in_004(seed_warehouse: Warehouse, table: str, column: str) -> None:
    values = [v for (v,) in seed_warehouse.query(f"SELECT {column} FROM {table} WHERE trial_id = ?", [NCT]) if v]
    for marker in CHROME:
        assert not [v for v in values if marker.lower() in v.lower()], marker


def test_ctgov_text_001(seed_warehouse: Warehouse) -> None:
    wh = seed_warehouse
    trial = trial_of(wh, "001")
    assert wh.query("SELECT min_age_years, max_age_years FROM trials WHERE trial_id = ?", [trial]) == [(18.0, 60.0)]
    assert count(wh, "criteria", trial, "kind = 'inclusion'") == 7
    assert count(wh, "criteria", trial, "kind = 'exclusion'") == 12
    arms = wh.query("SELECT label, arm_type, description FROM arms WHERE trial_id = ? ORDER BY arm_seq", [trial])
    assert [(label, kind) for label, kind, _ in arms] == [
        ("Mesenchymal stem cells", "EXPERIMENTAL"),
        ("Mycophenolate Mofetil", "ACTIVE_COMPARATOR"),
    ]
    assert "2 x 10^6/kg" in arms[0][2] and "2 x 10^6/kg" not in arms[1][2]
    assert "2.0g/d" in arms[1][2]
    exclusion = thresholds(wh, trial, "exclusion")
    assert {
        ("serum_creatinine", ">=", 265.2),
        ("creatinine_clearance", "<", 30.0),
        ("wbc", "<", 3000.0),
        ("hemoglobin", "<", 8.0),
        ("platelets", "<", 50000.0),
        ("bilirubin", ">", 14.0),
    } <= exclusion
    creatinine = wh.query(
        "SELECT value_canonical, unit_canonical FROM criteria_thresholds "
        "WHERE trial_id = ? AND parameter = 'serum_creatinine'",
        [trial],
    )
    assert [(round(v, 2), u) for v, u in creatinine] == [(3.0, "mg/dL")]
    assert ("proteinuria", ">", 1.0) in thresholds(wh, trial, "inclusion")


def test_aggregator_003(seed_warehouse: Warehouse) -> None:
    wh = seed_warehouse
    trial = trial_of(wh, "003")
    row = wh.query(
        "SELECT phase, enrollment, min_age_years, max_age_years, overall_status, start_date, "
        "completion_date FROM trials WHERE trial_id = ?",
        [trial],
    )[0]
    assert row == ("PHASE3", 40, 18.0, 65.0, "RECRUITING", date(2022, 10, 1), date(2025, 12, 31))
    assert wh.query("SELECT arm_type, count(*) FROM arms WHERE trial_id = ? GROUP BY 1", [trial]) == [
        ("EXPERIMENTAL", 2)
    ]
    assert count(wh, "criteria", trial, "kind = 'inclusion'") == 7
    assert count(wh, "criteria", trial, "kind = 'exclusion'") == 0
    assert not wh.query(
        "SELECT text FROM criteria WHERE trial_id = ? AND text ILIKE '%meet all of the following%'", [trial]
    )
    assert ("sledai", ">=", 6.0) in thresholds(wh, trial, "inclusion")
    for table, column in [
        ("criteria", "text"),
        ("arms", "description"),
        ("arms", "label"),
        ("trials", "title"),
    ]:
        assert not wh.query(f"SELECT {column} FROM {table} WHERE trial_id = ? AND contains({column}, '\\')", [trial]), (
            f"backslash escape left in {table}.{column}"
        )


def test_abstract_000(seed_warehouse: Warehouse) -> None:
    wh = seed_warehouse
    trial = trial_of(wh, "000")
    kind, languages = wh.query("SELECT document_kind, languages FROM trials WHERE trial_id = ?", [trial])[0]
    assert kind == "abstract" and {"en", "vi"} <= set(languages)
    endpoints = wh.query(
        "SELECT measure, timepoints_days FROM endpoints WHERE trial_id = ? AND kind = 'other'", [trial]
    )
    assert any("proteinuria" in m.lower() and days == [30, 90, 120, 180, 540] for m, days in endpoints)


def test_spans_locate_criteria(seed_warehouse: Warehouse) -> None:
    mismatched = seed_warehouse.query(
        "SELECT c.trial_id, c.kind, c.criterion_seq FROM criteria c JOIN trials t USING (trial_id) "
        "JOIN documents d ON d.document_id = t.document_id "
        "WHERE c.span_start IS NULL OR substr(d.text, c.span_start + 1, c.span_end - c.span_start) <> c.text"
    )
    assert mismatched == []
    assert seed_warehouse.scalar("SELECT count(*) FROM criteria") >= 50


TABLES = [
    "documents",
    "trials",
    "arms",
    "criteria",
    "criteria_thresholds",
    "endpoints",
    "unmapped_values",
    "contacts",
]


def snapshot(wh: Warehouse) -> dict[str, list[tuple]]:
    """Every table's rows, without run ids and timestamps."""
    out = {}
    for table in TABLES:
        columns = [
            c
            for (c,) in wh.query(
                "SELECT column_name FROM information_schema.columns WHERE table_name = ? ORDER BY ordinal_position",
                [table],
            )
            if c not in ("run_id", "loaded_at")
        ]
        out[table] = wh.query(f"SELECT {', '.join(columns)} FROM {table} ORDER BY ALL")
    return out


def test_second_run_leaves_tables_identical(seed_warehouse: Warehouse) -> None:
    before = snapshot(seed_warehouse)
    build_warehouse(seed_warehouse.db.parent, SEEDS)
    assert snapshot(seed_warehouse) == before
    assert seed_warehouse.scalar("SELECT count(*) FROM runs") == 2

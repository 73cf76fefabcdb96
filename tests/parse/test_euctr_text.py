"""EU CTR plain-text download: a record written for the tests after the register's published
field list (summary lines, A.1..P coded fields), tests/fixtures/euctr/."""

from __future__ import annotations

from pathlib import Path

from flows.parse import parse_document
from flows.parse.euctr_text import detect
from flows.records import Document, TrialRecord

FIXTURE = Path(__file__).parent.parent / "fixtures" / "euctr" / "euctr_2020-001113-21-FR.txt"


def parsed() -> tuple[str, TrialRecord]:
    text = FIXTURE.read_text(encoding="utf-8")
    outcome = parse_document(Document("0" * 64, str(FIXTURE), 0, len(text), "utf-8", text))
    assert outcome.source_format == "euctr_text" and outcome.record is not None, outcome.reject_reason
    return text, outcome.record


def test_identity_titles_and_design() -> None:
    _, record = parsed()
    assert (record.registry, record.registry_id) == ("euctr", "2020-001113-21")
    assert record.secondary_ids == ("NCT04328480",)
    assert record.title.startswith("Randomised, double-blind, placebo-controlled trial of oral colchicine")
    assert record.brief_title == "Colchicine for adults in hospital with COVID-19 pneumonia"
    assert (record.phase, record.study_type, record.sex) == ("PHASE3", "INTERVENTIONAL", "ALL")
    assert (record.min_age_years, record.max_age_years, record.enrollment) == (18.0, None, 320)
    assert record.sponsor == "Assistance Publique - Hôpitaux de Paris"
    assert record.countries == ("France", "Switzerland")
    assert str(record.registration_date) == "2020-03-24"


def test_ongoing_status_is_kept_visible_not_guessed() -> None:
    _, record = parsed()
    assert record.overall_status is None
    assert [(u.column, u.source_value) for u in record.unmapped] == [("overall_status", "Ongoing")]


def test_criteria_spans_and_thresholds() -> None:
    text, record = parsed()
    inclusion = [c for c in record.criteria if c.kind == "inclusion"]
    exclusion = [c for c in record.criteria if c.kind == "exclusion"]
    assert (len(inclusion), len(exclusion)) == (4, 3)
    clearance = exclusion[1]
    assert text[clearance.span_start : clearance.span_end] == "Creatinine clearance < 30 mL/min"
    threshold = clearance.thresholds[0]
    assert (threshold.parameter, threshold.op, threshold.value, threshold.unit) == (
        "creatinine_clearance",
        "<",
        30.0,
        "mL/min",
    )


def test_endpoints_with_timepoints() -> None:
    _, record = parsed()
    assert [(e.kind, e.seq, e.measure, e.timepoints_days) for e in record.endpoints] == [
        ("primary", 1, "Proportion of patients who need mechanical ventilation or die", (28,)),
        ("secondary", 1, "Length of hospital stay", (14, 28)),
        ("secondary", 2, "Time to oxygen weaning", (14, 28)),
    ]


def test_detector() -> None:
    score, _ = detect(FIXTURE.read_text(encoding="utf-8"))
    assert score >= 0.9
    assert detect("Inclusion Criteria:\n- adults")[0] == 0.0

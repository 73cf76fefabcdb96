"""Seed 002: an Iranian Registry of Clinical Trials protocol print (real registry text, unedited)."""

from __future__ import annotations

from datetime import date

from tests.parse.seed_docs import count, parse_seed, thresholds_of


def test_detected_as_irct_by_its_content() -> None:
    outcome, _ = parse_seed("002")
    assert outcome.source_format == "irct_text"


def test_identity_titles_and_design() -> None:
    _, record = parse_seed("002")
    assert (record.registry, record.registry_id) == ("irct", "IRCT2016090729747N1")
    assert record.title is not None and record.title.startswith("Evaluating the Safety and Effect of Allogeneic")
    assert (
        record.brief_title == "Effect of Allogeneic Adipose Tissue-Derived Mesenchymal Stem Cell Transplantation on SLE"
    )
    assert record.phase == "PHASE1_PHASE2"
    assert record.study_type == "INTERVENTIONAL"
    assert record.overall_status == "ACTIVE_NOT_RECRUITING"  # "Recruitment complete"
    assert record.enrollment == 20
    assert record.sex == "ALL"
    assert (record.min_age_years, record.max_age_years) == (None, None)  # "No age limit"


def test_dual_calendar_dates_and_empty_placeholders() -> None:
    _, record = parse_seed("002")
    assert record.registration_date == date(2017, 6, 3)
    assert (record.start_date, record.start_date_precision) == (date(2016, 7, 22), "day")
    assert record.completion_date is None  # "Trial completion date: empty"
    assert record.secondary_ids == ()  # "Secondary Ids: empty"


def test_conditions_and_sponsor() -> None:
    _, record = parse_seed("002")
    assert record.conditions == ("Severe and Refractory Lupus Nephritis",)
    assert "ICD10:M32.1" in record.condition_codes
    assert record.sponsor == "Council for Stem Cell Sciences and Technologies"


def test_outcomes_with_timepoints() -> None:
    _, record = parse_seed("002")
    primary = [e for e in record.endpoints if e.kind == "primary"]
    secondary = [e for e in record.endpoints if e.kind == "secondary"]
    assert [e.measure for e in primary] == ["proteinuria", "Glomerular filtration rate"]
    assert all(e.timepoints_days == (7, 30, 90, 180, 270, 365) for e in primary)
    assert [e.measure for e in secondary] == ["Systemic lupus erythematosus disease activity index score"]
    assert secondary[0].timepoints_days == (7, 30, 90, 180, 365, 540)


def test_intervention_groups() -> None:
    _, record = parse_seed("002")
    assert [(a.seq, a.label) for a in record.arms] == [(1, "Intervention group"), (2, "control group")]
    assert record.arms[1].description == "No cell transplantation with conventional treatment regimens"
    assert ("arm_type", "Treatment - Other") in {(u.column, u.source_value) for u in record.unmapped}


def test_criteria_from_the_run_on_paragraph() -> None:
    _, record = parse_seed("002")
    assert count(record, "exclusion") == 3
    inclusion = thresholds_of(record, "inclusion")
    assert ("proteinuria", ">", 1.0) in inclusion
    assert ("sledai", ">", 8.0) in inclusion


def test_contacts_kept_apart_from_analyst_fields() -> None:
    _, record = parse_seed("002")
    assert {c.email for c in record.contacts} >= {"matin@um.ac.ir", "ma.hassanzade@gmail.com"}
    assert "Zhaleh Shariati-Sarabi" in {c.name for c in record.contacts}
    analyst_text = " ".join(
        str(v) for v in (record.title, record.brief_title, record.sponsor, *record.conditions, *record.countries)
    )
    assert "@" not in analyst_text and "Shariati" not in analyst_text

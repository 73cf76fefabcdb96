"""ClinicalTrials.gov API v2 JSON studies.

Inputs: tests/fixtures/exports/ctgov_v2_study.json (one study in the API v2 schema, written
here after the public ACTT-1 record NCT04280705, simplified) and ctgov_v2_page.json (a
`{"studies": [...]}` page of two studies, the first being NCT00000102 of the XML corpus in
API v2 form).
"""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

from flows.extract.decode import to_document
from flows.extract.splitters import split_stream
from flows.parse import parse_document
from flows.parse.detect import detect_format
from flows.records import Document, TrialRecord

FIXTURES = Path(__file__).parent.parent / "fixtures" / "exports"


def documents(name: str) -> list[Document]:
    data = (FIXTURES / name).read_bytes()
    return [to_document(raw) for raw in split_stream(name, io.BytesIO(data), 1_000_000)]


def parse(doc: Document) -> TrialRecord:
    outcome = parse_document(doc)
    assert outcome.source_format == "ctgov_json"
    assert outcome.record is not None, outcome.reject_reason
    return outcome.record


def test_single_study_is_detected_by_content() -> None:
    (doc,) = documents("ctgov_v2_study.json")
    assert doc.format_hint == "ctgov_json"
    assert detect_format(doc.text or "").name == "ctgov_json"  # also without the splitter's hint


def test_single_study_columns() -> None:
    record = parse(documents("ctgov_v2_study.json")[0])
    assert (record.registry, record.registry_id) == ("ctgov", "NCT04280705")
    assert record.secondary_ids == ("20-0006", "HHSN272201500007C")  # the `N/A` placeholder is dropped
    assert record.brief_title == "Adaptive COVID-19 Treatment Trial (ACTT)"
    assert record.title is not None and record.title.startswith("A Multicenter, Adaptive, Randomized Blinded")
    assert (record.phase, record.study_type, record.overall_status) == (
        "PHASE3",
        "INTERVENTIONAL",
        "COMPLETED",
    )
    assert record.enrollment == 1062
    assert (record.min_age_years, record.max_age_years, record.sex) == (18.0, 99.0, "ALL")
    assert (record.start_date, record.start_date_precision) == (date(2020, 2, 21), "day")
    assert record.completion_date == date(2020, 5, 21)
    assert record.registration_date == date(2020, 2, 20)
    assert record.conditions == ("COVID-19",)
    assert record.condition_codes == ("MESH:D000086382",)
    assert record.sponsor == "National Institute of Allergy and Infectious Diseases (NIAID)"
    assert record.countries == ("United States", "Denmark")
    assert record.languages == ("en",)


def test_arms_lose_their_intervention_type_prefix() -> None:
    record = parse(documents("ctgov_v2_study.json")[0])
    assert [(a.seq, a.label, a.arm_type, a.interventions) for a in record.arms] == [
        (1, "Remdesivir", "EXPERIMENTAL", ("Remdesivir",)),
        (2, "Placebo", "PLACEBO_COMPARATOR", ("Placebo",)),
    ]


def test_endpoints_with_timepoints_in_days() -> None:
    record = parse(documents("ctgov_v2_study.json")[0])
    assert [(e.kind, e.seq, e.measure, e.time_frame) for e in record.endpoints] == [
        ("primary", 1, "Time to Recovery", "Day 1 through Day 29"),
        (
            "secondary",
            1,
            "Change From Baseline in Alanine Transaminase (ALT)",
            "Days 1, 3, 5, 8, 11, 15, and 29",
        ),
    ]
    assert record.endpoints[1].timepoints_days == (1, 3, 5, 8, 11, 15, 29)


def test_criteria_spans_point_into_the_raw_json_where_no_escape_intervenes() -> None:
    doc = documents("ctgov_v2_study.json")[0]
    record = parse(doc)
    kinds = [(c.kind, c.seq) for c in record.criteria]
    assert kinds == [("inclusion", 1), ("inclusion", 2), ("exclusion", 1), ("exclusion", 2), ("exclusion", 3)]
    first = record.criteria[0]
    assert first.text == "Admitted to a hospital with symptoms suggestive of COVID-19."
    assert doc.text is not None and doc.text[first.span_start : first.span_end] == first.text
    # `>` is written \u003e in the raw JSON: that criterion cannot point into the raw text
    alt = record.criteria[2]
    assert alt.text == "ALT or AST > 5 times the upper limit of normal."
    assert (alt.span_start, alt.span_end) == (None, None)
    assert {(t.parameter, t.op, t.value) for t in alt.thresholds} >= {("alt", ">", 5.0)}


def test_page_studies_become_separate_records() -> None:
    first, second = (parse(doc) for doc in documents("ctgov_v2_page.json"))
    assert (first.registry_id, first.phase, first.min_age_years, first.max_age_years) == (
        "NCT00000102",
        "PHASE1_PHASE2",
        14.0,
        35.0,
    )
    assert [c.text for c in first.criteria if c.kind == "exclusion"] == [
        "history of liver disease, or elevated liver function tests",
        "history of cardiovascular disease",
    ]
    assert (second.registry_id, second.study_type, second.sex) == ("NCT00000104", "OBSERVATIONAL", "FEMALE")
    assert (second.start_date, second.start_date_precision) == (date(1999, 3, 1), "month")
    assert second.min_age_years == 0.5 and second.enrollment == 0
    assert second.criteria == ()


def test_a_json_without_protocol_section_is_rejected_with_a_reason() -> None:
    doc = Document("0" * 64, "x.json", 0, 40, "utf-8", '{"protocolSection": "not an object", "nctId": 1}')
    outcome = parse_document(doc)
    assert outcome.record is None
    assert outcome.reject_reason == "ctgov_json: no protocolSection object"

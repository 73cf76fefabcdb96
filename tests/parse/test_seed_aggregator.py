"""Seed 003: a ClinicalTrials.gov record re-published by an aggregator as markdown-converted
text, with backslash escapes (real web text, unedited)."""

from __future__ import annotations

from dataclasses import astuple
from datetime import date

from flows.parse.escapes import unescape_markdown
from tests.parse.seed_docs import count, parse_seed, seed_document


def test_detected_by_content() -> None:
    outcome, _ = parse_seed("003")
    assert outcome.source_format == "aggregator_text"


def test_key_value_fields() -> None:
    _, record = parse_seed("003")
    assert record.title is not None and record.title.startswith("A Prospective, Single-center Study")
    assert record.phase == "PHASE3"
    assert record.study_type == "INTERVENTIONAL"
    assert record.overall_status == "RECRUITING"
    assert record.enrollment == 40
    assert (record.min_age_years, record.max_age_years) == (18.0, 65.0)
    assert record.sex == "ALL"
    assert (record.start_date, record.completion_date) == (date(2022, 10, 1), date(2025, 12, 31))
    assert record.sponsor == "The Affiliated Nanjing Drum Tower Hospital of Nanjing University Medical School"
    assert record.countries == ("China",)
    assert record.registry is None  # "sourced from clinicaltrials.gov" names no NCT number


def test_treatments_become_arms() -> None:
    _, record = parse_seed("003")
    assert [(a.label, a.arm_type) for a in record.arms] == [
        ("MSCs group", "EXPERIMENTAL"),
        ("IL-2 group", "EXPERIMENTAL"),
    ]
    assert record.arms[0].description is not None and "2 × 10^6 cells / kg" in record.arms[0].description


def test_criteria_without_preamble() -> None:
    _, record = parse_seed("003")
    assert (count(record, "inclusion"), count(record, "exclusion")) == (7, 0)
    assert not any("following criteria" in c.text for c in record.criteria)
    sledai = [t for c in record.criteria for t in c.thresholds if t.parameter == "sledai"]
    assert [(t.op, t.value) for t in sledai] == [(">=", 6.0)]


def test_no_backslash_escape_left_in_any_text() -> None:
    _, record = parse_seed("003")
    texts = [v for v in astuple(record) if isinstance(v, str)]
    texts += [c.text for c in record.criteria] + [a.description or "" for a in record.arms]
    texts += [a.label or "" for a in record.arms]
    assert not [t for t in texts if "\\" in t]


def test_spans_on_raw_text_hold_the_escaped_criterion() -> None:
    """Without extract-time unescaping, the raw span is the criterion with its escapes."""
    doc = seed_document("003")
    _, record = parse_seed("003")
    assert doc.text is not None
    for c in record.criteria:
        assert c.span_start is not None and c.span_end is not None
        assert unescape_markdown(doc.text[c.span_start : c.span_end]) == c.text


def test_spans_hold_exactly_on_unescaped_document_text() -> None:
    doc = seed_document("003", unescape=True)
    _, record = parse_seed("003", unescape=True)
    assert doc.text is not None and "\\" not in doc.text
    assert count(record, "inclusion") == 7
    for c in record.criteria:
        assert c.span_start is not None and c.span_end is not None
        assert doc.text[c.span_start : c.span_end] == c.text

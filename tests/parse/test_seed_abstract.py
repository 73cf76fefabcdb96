"""Seed 000: a case-report abstract in English run straight into its Vietnamese translation
(real text, unedited)."""

from __future__ import annotations

from flows.parse.languages import second_language_start
from tests.parse.seed_docs import parse_seed, seed_document


def test_detected_as_abstract() -> None:
    outcome, record = parse_seed("000")
    assert outcome.source_format == "abstract"
    assert record.document_kind == "abstract"
    assert record.registry is None and record.registry_id is None


def test_both_languages_and_where_the_translation_starts() -> None:
    _, record = parse_seed("000")
    assert set(record.languages) == {"en", "vi"}
    text = seed_document("000").text
    assert text is not None
    start = second_language_start(text)
    assert start is not None
    assert text[:start].endswith("patients lupus nephritis")
    assert text[start:].startswith("Viêm thận lupus")


def test_reported_outcome_with_timepoints() -> None:
    _, record = parse_seed("000")
    assert len(record.endpoints) == 1
    endpoint = record.endpoints[0]
    assert endpoint.kind == "other"
    assert "proteinuria" in endpoint.measure
    assert endpoint.timepoints_days == (30, 90, 120, 180, 540)
    assert "( )" not in endpoint.measure

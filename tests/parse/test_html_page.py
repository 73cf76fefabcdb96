"""The `html` format on real saved pages (registry-pages.tar.gz from the corpora folder; values
checked by hand against each page) and on the ChiCTR-shaped fixture page."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from flows.extract.html_text import html_to_text
from flows.parse import parse_document
from flows.records import Document, ParseOutcome

FIXTURES = Path(__file__).parent.parent / "fixtures" / "html"


def outcome_of(path: Path) -> ParseOutcome:
    raw = path.read_bytes()
    text = html_to_text(raw.decode("utf-8", "replace"))
    return parse_document(Document("0" * 64, str(path), 0, len(raw), "utf-8", text, "html"))


def test_ctgov_results_tab_page(pages: Path) -> None:
    record = outcome_of(pages / "ctgov_NCT03057704.html").record
    assert record is not None
    assert (record.registry, record.registry_id) == ("ctgov", "NCT03057704")
    assert record.title == "Comparison of Two Techniques of IV Lidocaine on Propofol Injection Pain"
    assert record.overall_status == "COMPLETED"
    assert record.registration_date == date(2017, 2, 20)
    assert record.completion_date == date(2017, 1, 20)


def test_ctgov_page_with_estimated_completion(pages: Path) -> None:
    record = outcome_of(pages / "ctgov_NCT02690948.html").record
    assert record is not None
    assert record.registry_id == "NCT02690948"
    assert record.overall_status == "ACTIVE_NOT_RECRUITING"
    assert record.registration_date == date(2016, 2, 24)
    assert record.completion_date == date(2019, 2, 1)


def test_takeda_protocol_summary_page(pages: Path) -> None:
    record = outcome_of(pages / "takeda_TAK-648_101.html").record
    assert record is not None
    assert (record.registry, record.registry_id) == ("ctgov", "NCT02684396")
    assert record.title.startswith("A Phase 1, Randomized, Double-Blind, Placebo- Controlled")
    assert (record.phase, record.overall_status, record.sex) == ("PHASE1", "COMPLETED", "ALL")
    assert (record.start_date, record.start_date_precision) == (date(2014, 8, 1), "month")
    assert (record.min_age_years, record.max_age_years) == (18.0, 55.0)
    kinds = [c.kind for c in record.criteria]
    assert (kinds.count("inclusion"), kinds.count("exclusion")) == (5, 7)


@pytest.mark.parametrize("name", ["notrial_chictr_search-results.html", "notrial_chinadrugtrials_search-results.html"])
def test_search_result_pages_are_rejected(pages: Path, name: str) -> None:
    outcome = outcome_of(pages / name)
    assert outcome.record is None
    assert outcome.reject_reason is not None and "no trial record in page" in outcome.reject_reason


def test_chictr_fixture_page() -> None:
    outcome = outcome_of(FIXTURES / "chictr_ChiCTR2100054321.html")
    record = outcome.record
    assert record is not None, outcome.reject_reason
    assert (record.registry, record.registry_id) == ("chictr", "ChiCTR2100054321")
    assert record.brief_title == "Effect of semaglutide on albuminuria in type 2 diabetes with chronic kidney disease"
    assert record.registration_date == date(2021, 12, 15)
    assert set(record.languages) == {"zh", "en"}
    assert record.sponsor == "West China Hospital, Sichuan University"

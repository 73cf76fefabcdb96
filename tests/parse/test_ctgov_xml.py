"""ClinicalTrials.gov legacy XML records (`<clinical_study>`).

Inputs: real records read by path from the ctgov-xml.tar.gz corpus (values checked by hand
against the XML), and small records written here for edge cases.
"""

from __future__ import annotations

from datetime import date

import pytest

from flows.parse import parse_document
from flows.records import Document, TrialRecord
from tests.corpus.export_docs import CTGOV_XML, documents_named, parsed

CHECKED = {"NCT00000102", "NCT00460603", "NCT00490139"}


@pytest.fixture(scope="module")
def docs() -> dict[str, Document]:
    return documents_named(CTGOV_XML, CHECKED)


def record(docs: dict[str, Document], nct: str) -> TrialRecord:
    return parsed(docs[nct])


def test_nct00000102_columns_and_criteria_spans(docs: dict[str, Document]) -> None:
    r = record(docs, "NCT00000102")
    assert (r.registry, r.registry_id, r.document_kind) == ("ctgov", "NCT00000102", "registry_record")
    assert r.secondary_ids == ("NCRR-M01RR01070-0506", "M01RR001070")
    assert r.title == r.brief_title == "Congenital Adrenal Hyperplasia: Calcium Channels as Therapeutic Targets"
    assert (r.phase, r.study_type, r.overall_status) == ("PHASE1_PHASE2", "INTERVENTIONAL", "COMPLETED")
    assert (r.min_age_years, r.max_age_years, r.sex, r.enrollment) == (14.0, 35.0, "ALL", None)
    assert r.registration_date == date(1999, 11, 3)
    assert r.conditions == ("Congenital Adrenal Hyperplasia",)
    assert r.sponsor == "National Center for Research Resources (NCRR)"
    assert r.countries == ("United States",)
    assert [(c.kind, c.seq, c.text) for c in r.criteria] == [
        ("inclusion", 1, "diagnosed with Congenital Adrenal Hyperplasia (CAH)"),
        ("inclusion", 2, "normal ECG during baseline evaluation"),
        ("exclusion", 1, "history of liver disease, or elevated liver function tests"),
        ("exclusion", 2, "history of cardiovascular disease"),
    ]
    text = docs["NCT00000102"].text or ""
    assert all(text[c.span_start : c.span_end] == c.text for c in r.criteria)


def test_nct00460603_arms_joined_to_interventions(docs: dict[str, Document]) -> None:
    r = record(docs, "NCT00460603")
    assert [(a.seq, a.label, a.arm_type, a.interventions) for a in r.arms] == [
        (1, "B", "ACTIVE_COMPARATOR", ("bevacizumab",)),
        (2, "C", "EXPERIMENTAL", ("AG-013726",)),
        (3, "A", "EXPERIMENTAL", ("AG-013736 (axitinib)",)),
    ]
    assert r.arms[0].description == "bevacizumab 5 mg/kg every 2 weeks + FOLFOX"
    assert (r.start_date, r.start_date_precision) == (date(2006, 1, 1), "month")
    assert (r.enrollment, r.sponsor) == (187, "Pfizer")
    assert [e.kind for e in r.endpoints].count("primary") == 1
    assert r.endpoints[0].measure == "Percentage of Participants With Objective Response: Phase 2"


def test_nct00490139_dates_ids_endpoints(docs: dict[str, Document]) -> None:
    r = record(docs, "NCT00490139")
    assert r.secondary_ids == ("EGF106708", "CLAP016B2301", "2006-000562-36", "NCT00609024")
    assert (r.phase, r.enrollment, r.min_age_years, r.max_age_years) == ("PHASE3", 8382, 18.0, None)
    assert (r.start_date, r.start_date_precision) == (date(2007, 5, 16), "day")
    assert r.completion_date == date(2021, 7, 1)
    assert len(r.countries) > 30 and r.countries[0] == "Argentina"
    assert [a.interventions for a in r.arms][2:] == [
        ("Lapatinib", "Trastuzumab"),
        ("Lapatinib", "Trastuzumab"),
    ]
    overall = r.endpoints[1]
    assert (overall.kind, overall.seq, overall.measure) == ("secondary", 1, "Overall Survival (OS)")
    assert overall.time_frame == "From randomization until death due to any cause (median follow-up of 4.5 years)"


EDGE = """<clinical_study>
  <id_info><org_study_id>N/A</org_study_id><nct_id>NCT09999999</nct_id></id_info>
  <brief_title>Edge case</brief_title>
  <overall_status>Recruiting</overall_status>
  <phase>Phase 9</phase>
  <study_type>Interventional</study_type>
  <enrollment type="Anticipated">about 40</enrollment>
  <eligibility>
    <criteria><textblock>
        Inclusion Criteria:

          -  eGFR &gt;= 30 mL/min/1.73 m2

          -  Adults with lupus nephritis
    </textblock></criteria>
    <gender>All</gender>
    <minimum_age>18 Years</minimum_age>
    <maximum_age>N/A</maximum_age>
  </eligibility>
  <overall_contact><last_name>Jane Doe</last_name><phone>555-0100</phone>
    <email>jd@example.org</email></overall_contact>
</clinical_study>
"""


def test_edge_record_unmapped_partial_contacts_and_escaped_spans() -> None:
    """A record written here: unknown phase, unreadable enrollment, an escaped criterion."""
    doc = Document("e" * 64, "edge.xml", 0, len(EDGE), "utf-8", EDGE)
    outcome = parse_document(doc)
    assert outcome.source_format == "ctgov_xml" and outcome.record is not None
    r = outcome.record
    assert r.phase is None and [(u.column, u.source_value) for u in r.unmapped] == [("phase", "Phase 9")]
    assert r.enrollment is None and r.partial_reasons == ("enrollment: not a whole number: 'about 40'",)
    assert r.secondary_ids == ()
    assert r.overall_status == "RECRUITING"
    escaped, plain = r.criteria
    assert escaped.text == "eGFR >= 30 mL/min/1.73 m2" and escaped.span_start is None
    assert plain.text == "Adults with lupus nephritis" and EDGE[plain.span_start : plain.span_end] == plain.text
    assert [(c.name, c.email, c.phone) for c in r.contacts] == [("Jane Doe", "jd@example.org", "555-0100")]


def test_not_well_formed_xml_is_rejected_with_the_parser_message() -> None:
    text = "<clinical_study><id_info><nct_id>NCT1</nct_id></id_info>"
    outcome = parse_document(Document("f" * 64, "cut.xml", 0, len(text), "utf-8", text))
    assert outcome.record is None
    assert outcome.reject_reason is not None and outcome.reject_reason.startswith("ctgov_xml: XML not well formed")


def test_entities_are_not_expanded() -> None:
    """A hostile DTD entity must not be resolved (billion-laughs / external entity)."""
    text = (
        '<?xml version="1.0"?><!DOCTYPE clinical_study [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        "<clinical_study><id_info><nct_id>NCT00000001</nct_id></id_info><brief_title>&x;</brief_title>"
        "</clinical_study>"
    )
    outcome = parse_document(Document("a" * 64, "evil.xml", 0, len(text), "utf-8", text))
    assert outcome.record is None or "root:" not in (outcome.record.brief_title or "")

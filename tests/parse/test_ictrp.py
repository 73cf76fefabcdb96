"""WHO ICTRP export records: `<Trial>` elements of the XML export, rows of the CSV export.

Inputs: real records read by path from ictrp-covid-1128.csv.gz (rows from ChiCTR, IRCT,
DRKS, ANZCTR, ClinicalTrials.gov) and ictrp-results-2020-03.xml.gz, values checked by hand
against the raw export; tests/fixtures/exports/ictrp_two_trials.xml, written here, for edge cases.
"""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pytest

from flows.extract.decode import to_document
from flows.extract.splitters import split_stream
from flows.parse.ictrp import split_outcomes
from flows.records import Document
from tests.corpus.export_docs import ICTRP_CSV, ICTRP_XML, documents_named, parsed

CSV_CHECKED = {
    "ChiCTR2000029953",
    "IRCT20100228003449N28",
    "DRKS00021134",
    "ACTRN12620000421932",
    "NCT04246242",
}
XML_CHECKED = {"ChiCTR2000029953", "ChiCTR2000029751", "NCT04299711"}


@pytest.fixture(scope="module")
def csv_docs() -> dict[str, Document]:
    return documents_named(ICTRP_CSV, CSV_CHECKED)


@pytest.fixture(scope="module")
def xml_docs() -> dict[str, Document]:
    return documents_named(ICTRP_XML, XML_CHECKED)


def spans_hold(doc: Document, record_criteria: tuple) -> bool:
    text = doc.text or ""
    return all(c.span_start is None or text[c.span_start : c.span_end] == c.text for c in record_criteria)


def test_csv_chictr_row(csv_docs: dict[str, Document]) -> None:
    r = parsed(csv_docs["ChiCTR2000029953"])
    assert (r.registry, r.registry_id) == ("chictr", "ChiCTR2000029953")
    # the scientific title is padded with spaces in the export
    assert r.title is not None and r.title.startswith("Construction and Analysis of Prognostic")
    assert r.title.endswith("Novel Coronavirus Pneumonia (COVID-19)")
    assert (r.phase, r.study_type, r.sex) == ("NA", "OBSERVATIONAL", "ALL")
    assert r.enrollment == 400  # "survival group:200;died:200;"
    assert (r.start_date, r.registration_date) == (date(2020, 2, 1), date(2020, 2, 17))
    assert r.overall_status is None and [(u.column, u.source_value) for u in r.unmapped] == [
        ("overall_status", "Not Recruiting")
    ]
    assert [e.measure for e in r.endpoints] == [
        "duration of in hospital",
        "in hospital mortality",
        "the 28s day' mortality after admission",
        "duration of ICU stay",
    ]
    assert [(c.kind, c.seq) for c in r.criteria] == [("inclusion", 1), ("exclusion", 1), ("exclusion", 2)]
    age = r.criteria[1].thresholds
    assert [(t.parameter, t.op, t.value) for t in age] == [("age", "<", 15.0)]
    assert spans_hold(csv_docs["ChiCTR2000029953"], r.criteria)
    assert [(c.name, c.email) for c in r.contacts] == [("Yan Zhao", "doctoryanzhao@whu.edu.cn")]


def test_csv_irct_row_with_br_separated_criteria(csv_docs: dict[str, Document]) -> None:
    doc = csv_docs["IRCT20100228003449N28"]
    r = parsed(doc)
    assert (r.registry, r.phase, r.overall_status) == ("irct", "PHASE2_PHASE3", "RECRUITING")
    assert (r.min_age_years, r.max_age_years, r.enrollment) == (18.0, 75.0, 30)
    assert [c.text for c in r.criteria if c.kind == "exclusion"] == [
        "History of drug allergy",
        "Uncontrolled baseline diseases including neuropsychiatric disorders, diabetes, thyroid disorders, "
        "heart disease",
        "Pregnancy and lactation",
        "Baseline liver failure",
    ]
    assert all(c.span_start is not None for c in r.criteria) and spans_hold(doc, r.criteria)
    assert [(e.measure, e.time_frame) for e in r.endpoints] == [
        ("Complications of the treatment", "Daily"),
        ("Response to the treatment", "Daily"),
    ]


def test_csv_drks_and_anzctr_rows(csv_docs: dict[str, Document]) -> None:
    drks = parsed(csv_docs["DRKS00021134"])
    assert drks.conditions == ("Other viral pneumonia",) and drks.condition_codes == ("ICD10:J12.8",)
    assert (drks.min_age_years, drks.max_age_years, drks.sex, drks.enrollment) == (18.0, None, "ALL", 60)
    anz = parsed(csv_docs["ACTRN12620000421932"])
    assert anz.registry == "anzctr" and anz.countries[:3] == (
        "Australia",
        "Hong Kong",
        "Taiwan, Province Of China",
    )
    (mortality,) = anz.endpoints
    assert mortality.measure == "Mortality"
    assert mortality.time_frame == (
        "At hospital discharge or 28 days post intensive care unit admission, whichever comes later."
    )
    assert mortality.timepoints_days == (28,)
    assert [c.text for c in anz.criteria] == [
        "Laboratory-confirmed 2019-nCoV infection by real-time RT-PCR and/or next-generation sequencing",
        "Admission to an intensive care unit",
        "Patients treated with mechanical ventilation for other concomitant causes.",
        "Patients treated with ECMO for other concomitant causes",
    ]


def test_csv_ctgov_row_holds_both_kinds_in_the_inclusion_field(csv_docs: dict[str, Document]) -> None:
    r = parsed(csv_docs["NCT04246242"])
    assert (r.registry, r.phase, r.enrollment) == ("ctgov", "PHASE4", 500)
    assert [(c.kind, c.text) for c in r.criteria] == [
        ("inclusion", "Patients diagnosed with RT-PCR for 2019 Novel Coronavirus (2019-nCoV)"),
        ("exclusion", "Patients infected with other viruses"),
    ]


def test_xml_records(xml_docs: dict[str, Document]) -> None:
    chictr = parsed(xml_docs["ChiCTR2000029751"])
    assert (chictr.overall_status, chictr.enrollment, chictr.registration_date) == (
        "RECRUITING",
        350,
        date(2020, 2, 12),
    )
    assert [c.kind for c in chictr.criteria] == ["inclusion"] * 3 + ["exclusion"] * 4
    assert chictr.criteria[1].text.rstrip(";") == "Be between 18-85 years of age"
    assert spans_hold(xml_docs["ChiCTR2000029751"], chictr.criteria)
    nct = parsed(xml_docs["NCT04299711"])
    assert (nct.min_age_years, nct.max_age_years, nct.enrollment) == (10.0, 19.0, 3428)
    assert (nct.start_date, nct.registration_date) == (date(2020, 10, 15), date(2020, 3, 4))
    same = parsed(xml_docs["ChiCTR2000029953"])
    assert (same.enrollment, same.sex, same.study_type) == (400, "ALL", "OBSERVATIONAL")


def test_fixture_escapes_group_sizes_and_registration_date() -> None:
    data = (Path(__file__).parent.parent / "fixtures" / "exports" / "ictrp_two_trials.xml").read_bytes()
    first, second = (parsed(to_document(raw)) for raw in split_stream("x.xml", io.BytesIO(data), 100_000))
    assert first.brief_title == "Trial of A & B in patients with <severe> pneumonia"
    assert first.enrollment == 60 and first.max_age_years is None and first.phase == "PHASE4"
    assert [c.text.rstrip(";") for c in first.criteria] == [
        "Aged 18 years or older",
        "Confirmed pneumonia.",
        "Pregnancy",
        "ALT > 5 x ULN.",
    ]
    assert first.criteria[3].span_start is None  # written `ALT &gt; 5` in the raw XML
    assert second.registration_date == date(2020, 3, 2)  # Date_registration3, not the ambiguous 02/03/2020
    assert second.title == second.brief_title  # an empty scientific title falls back to the public one


def test_outcome_styles() -> None:
    assert split_outcomes("ED time interval [Timeframe hospital exit Time between ED arrival]\t\t\t") == [
        ("ED time interval", "Timeframe hospital exit Time between ED arrival")
    ]
    assert split_outcomes(
        "Timepoint(s) of evaluation of this end point: Day 15;Primary end point(s): Clinical status at day 15"
    ) == [("Clinical status at day 15", "Day 15")]

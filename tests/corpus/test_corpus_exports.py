"""Properties over every record of the structured-export corpora (read by path, never copied).

ctgov-xml.tar.gz (6,782 ClinicalTrials.gov XML records), ictrp-covid-1128.csv.gz (1,128
WHO ICTRP CSV rows) and ictrp-results-2020-03.xml.gz (577 WHO ICTRP XML trials): each
record becomes exactly one trial or a rejection with a reason, trial ids do not collide,
eligibility text yields criteria, and stated enrollment, ages and sex are read.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from dataclasses import dataclass, field

import pytest
from lxml import etree

from flows.parse import parse_document
from flows.records import Document
from tests.corpus.export_docs import CTGOV_XML, ICTRP_CSV, ICTRP_XML, iter_documents

pytestmark = pytest.mark.corpus

_HEADING = re.compile(r"^\s*(?:<br>\s*)*(?:inclusion|exclusion) criteria\s*:", re.IGNORECASE)
_SOURCE_FIELDS = {
    "ctgov": {
        "criteria": ("eligibility/criteria/textblock",),
        "enrollment": "enrollment",
        "min_age_years": "eligibility/minimum_age",
        "max_age_years": "eligibility/maximum_age",
        "sex": "eligibility/gender",
    },
    "ictrp": {
        "criteria": ("Inclusion_Criteria", "Exclusion_Criteria"),
        "enrollment": "Target_size",
        "min_age_years": "Inclusion_agemin",
        "max_age_years": "Inclusion_agemax",
        "sex": "Inclusion_gender",
    },
}


@dataclass
class Survey:
    records: int = 0
    rejected: dict[str, str] = field(default_factory=dict)
    trial_ids: Counter[str] = field(default_factory=Counter)
    with_eligibility_text: int = 0
    with_criteria: int = 0
    stated: Counter[str] = field(default_factory=Counter)
    filled: Counter[str] = field(default_factory=Counter)
    formats: Counter[str | None] = field(default_factory=Counter)


def source_values(doc: Document, family: str) -> dict[str, str]:
    """The raw source values the properties are about, read independently of the parsers."""
    text = doc.text or ""
    if family == "ctgov" or text.startswith("<"):
        root = etree.fromstring(text.encode())
        names = _SOURCE_FIELDS[family]
        values = {k: root.findtext(v) or "" for k, v in names.items() if k != "criteria"}
        values["criteria"] = " ".join(root.findtext(p) or "" for p in names["criteria"])
        return values
    header, row = list(csv.reader(io.StringIO(text, newline="")))[:2]
    by_name = {"_".join(h.split()): v for h, v in zip(header, row, strict=True)}
    names = _SOURCE_FIELDS[family]
    values = {k: by_name.get(v, "") for k, v in names.items() if k != "criteria"}
    values["criteria"] = " ".join(_HEADING.sub("", by_name.get(p, "")) for p in names["criteria"])
    return values


def states(column: str, value: str) -> bool:
    """Whether the source states a value: a number for counts and ages (`N/A`, `no limit` state none)."""
    if column == "sex":
        return bool(value.strip())
    return re.search(r"\d", value) is not None


def survey(name: str, family: str) -> Survey:
    result = Survey()
    for doc in iter_documents(name):
        result.records += 1
        outcome = parse_document(doc)
        result.formats[outcome.source_format] += 1
        if outcome.record is None:
            assert outcome.reject_reason, f"{doc.source_path}#{doc.record_index} rejected without a reason"
            result.rejected[f"{doc.source_path}#{doc.record_index}"] = outcome.reject_reason
            continue
        record = outcome.record
        result.trial_ids[f"{record.registry}:{record.registry_id}"] += 1
        source = source_values(doc, family)
        if len(re.findall(r"\w+", source["criteria"])) >= 2:
            result.with_eligibility_text += 1
            result.with_criteria += bool(record.criteria)
        for column in ("enrollment", "min_age_years", "max_age_years", "sex"):
            if states(column, source[column]):
                result.stated[column] += 1
                result.filled[column] += getattr(record, column) is not None
    return result


@pytest.fixture(
    scope="module",
    params=[(CTGOV_XML, "ctgov", 6782), (ICTRP_CSV, "ictrp", 1128), (ICTRP_XML, "ictrp", 577)],
    ids=["ctgov_xml", "ictrp_csv", "ictrp_xml"],
)
def surveyed(request: pytest.FixtureRequest) -> tuple[Survey, int]:
    name, family, expected = request.param
    return survey(name, family), expected


def test_every_record_is_one_trial_or_a_rejection_with_a_reason(surveyed: tuple[Survey, int]) -> None:
    result, expected = surveyed
    assert result.records == expected
    assert sum(result.trial_ids.values()) + len(result.rejected) == expected
    assert result.rejected == {}, list(result.rejected.items())[:5]
    assert set(result.formats) <= {"ctgov_xml", "ictrp_xml", "ictrp_csv"} and len(result.formats) == 1


def test_no_trial_id_collides_within_a_file(surveyed: tuple[Survey, int]) -> None:
    result, _ = surveyed
    assert [tid for tid, n in result.trial_ids.items() if n > 1] == []
    assert not any(tid.startswith("None:") for tid in result.trial_ids)


def test_eligibility_text_yields_criteria(surveyed: tuple[Survey, int]) -> None:
    result, _ = surveyed
    assert result.with_eligibility_text > 0
    assert result.with_criteria / result.with_eligibility_text >= 0.95, (
        result.with_criteria,
        result.with_eligibility_text,
    )


def test_stated_enrollment_ages_and_sex_are_read(surveyed: tuple[Survey, int]) -> None:
    result, _ = surveyed
    for column, stated in result.stated.items():
        assert result.filled[column] / stated >= 0.99, (column, result.filled[column], stated)

"""The vocabulary CSVs under flows/vocab: every value is a contract value, the registries'
spellings map as a user would expect, and every distinct value of the real exports (WHO ICTRP
CSV and XML, ClinicalTrials.gov XML) is either mapped or on an explicit list of values that
have no defensible mapping, so that a new unmapped form fails here."""

from __future__ import annotations

import csv
import gzip
import re
import tarfile
from collections.abc import Callable
from pathlib import Path

import pytest
from defusedxml import ElementTree

from flows.parse.vocab_forms import normalise_phase, normalise_sex, normalise_status, normalise_study_type
from flows.vocab import VOCAB_DIR, lookup, values

VOCABULARIES = ("phase", "overall_status", "sex", "arm_type", "study_type", "registry")

EUCTR_PHASE_3_AND_4 = (
    "Human pharmacology (Phase I): no Therapeutic exploratory (Phase II): no "
    "Therapeutic confirmatory - (Phase III): yes Therapeutic use (Phase IV): yes"
)
# Forms that name no single contract value (documented in the CSVs' comment rows); blank = not stated.
KNOWN_UNMAPPABLE = {
    "phase": {"", "0", EUCTR_PHASE_3_AND_4},
    "overall_status": {"", "Not Recruiting", "Not recruiting", "Authorised", "No longer available",
                       "Approved for marketing"},
    "sex": {""},
    "study_type": {"Diagnostic test", "Basic Science", "Health services reaserch", "Health Services Research",
                   "Prevention", "Treatment study", "Screening"},
    "arm_type": set(),
}  # fmt: skip
NORMALISERS: dict[str, Callable[[str], str | None]] = {
    "phase": normalise_phase,
    "overall_status": normalise_status,
    "sex": normalise_sex,
    "study_type": normalise_study_type,
    "arm_type": lambda v: lookup("arm_type", v),
}


def _contract_values() -> dict[str, set[str]]:
    with (VOCAB_DIR / "contract_values.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    return {name: {r["value"] for r in rows if r["vocabulary"] == name} for name in VOCABULARIES}


@pytest.mark.parametrize("name", VOCABULARIES)
def test_every_value_is_a_contract_value_and_every_contract_value_is_reachable(name: str) -> None:
    with (VOCAB_DIR / f"{name}.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert all(r["value"] or r["source"].startswith("#") for r in rows), "only comment rows may lack a value"
    assert values(name) == _contract_values()[name]


@pytest.mark.parametrize(
    ("name", "source", "value"),
    [
        ("phase", "1-2", "PHASE1_PHASE2"),  # seed 002 (IRCT)
        ("phase", "Phase 3", "PHASE3"),  # seed 003
        ("phase", "Phase 1", "PHASE1"),  # seed 004
        ("phase", "Phase 1/Phase 2", "PHASE1_PHASE2"),
        ("phase", "N/A", "NA"),
        ("phase", "Early Phase 1", "EARLY_PHASE1"),
        ("phase", "PHASE1/PHASE2", "PHASE1_PHASE2"),  # API v2 list joined
        ("phase", "Phase I/II", "PHASE1_PHASE2"),
        ("phase", "2-3", "PHASE2_PHASE3"),
        ("phase", "Retrospective study", "NA"),
        ("overall_status", "Recruitment complete", "ACTIVE_NOT_RECRUITING"),  # seed 002
        ("overall_status", "Recruiting", "RECRUITING"),
        ("overall_status", "Active, not recruiting", "ACTIVE_NOT_RECRUITING"),
        ("overall_status", "Unknown status", "UNKNOWN"),
        ("overall_status", "NOT_YET_RECRUITING", "NOT_YET_RECRUITING"),
        ("overall_status", "Closed: follow-up complete", "COMPLETED"),
        ("sex", "Both", "ALL"),  # seed 002
        ("sex", "All", "ALL"),
        ("sex", "Both, male and female", "ALL"),
        ("sex", "Females", "FEMALE"),
        ("study_type", "Interventional", "INTERVENTIONAL"),
        ("study_type", "Observational [Patient Registry]", "OBSERVATIONAL"),
        ("study_type", "Interventional clinical trial of medicinal product", "INTERVENTIONAL"),
        ("study_type", "EXPANDED_ACCESS", "EXPANDED_ACCESS"),
        ("arm_type", "Active Comparator", "ACTIVE_COMPARATOR"),
        ("arm_type", "No Intervention", "NO_INTERVENTION"),
        ("arm_type", "Sham Comparator", "SHAM_COMPARATOR"),
        ("arm_type", "PLACEBO_COMPARATOR", "PLACEBO_COMPARATOR"),
        ("registry", "EU Clinical Trials Register", "euctr"),
        ("registry", "German Clinical Trials Register", "drks"),
    ],
)
def test_spellings_map(name: str, source: str, value: str) -> None:
    assert lookup(name, source) == value


def test_euctr_phase_and_sex_lists() -> None:
    """EU CTR's yes/no lists as the ICTRP CSV export carries them."""
    two_three = (
        "Human pharmacology (Phase I): no\nTherapeutic exploratory (Phase II): yes\n"
        "Therapeutic confirmatory - (Phase III): yes\nTherapeutic use (Phase IV): no\n"
    )
    assert normalise_phase(two_three) == "PHASE2_PHASE3"
    assert (
        normalise_phase(two_three.replace("(Phase I): no", "(Phase I): ").replace("(Phase III): yes", "(Phase III): "))
        == "PHASE2"
    )
    assert normalise_sex("<br>Female: yes<br>Male: yes<br>") == "ALL"
    assert normalise_sex("Female: yes Male: no") == "FEMALE"
    assert normalise_phase(EUCTR_PHASE_3_AND_4) is None  # Phase III and IV together: no contract value


def _ictrp_values(corpora: Path) -> dict[str, set[str]]:
    columns = {
        "phase": "Phase",
        "overall_status": "Recruitment Status",
        "sex": "Inclusion gender",
        "study_type": "Study type",
    }
    with gzip.open(corpora / "ictrp-covid-1128.csv.gz", "rt", encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    with gzip.open(corpora / "ictrp-results-2020-03.xml.gz", "rb") as handle:
        trials = ElementTree.parse(handle).getroot().findall("Trial")
    found = {name: {row[column] for row in rows} for name, column in columns.items()}
    for name, column in columns.items():
        found[name] |= {trial.findtext(column.replace(" ", "_")) or "" for trial in trials}
    return found


def _unmapped(name: str, forms: set[str]) -> set[str]:
    unmapped = {" ".join(f.split()) for f in forms if NORMALISERS[name](f) is None}
    return unmapped - KNOWN_UNMAPPABLE[name]


@pytest.mark.parametrize("name", ["phase", "overall_status", "sex", "study_type"])
def test_every_ictrp_form_is_mapped_or_known_unmappable(corpora: Path, name: str) -> None:
    forms = _ictrp_values(corpora)[name]
    assert len(forms) >= 5
    assert _unmapped(name, forms) == set()


def test_every_ctgov_xml_form_is_mapped_or_known_unmappable(corpora: Path) -> None:
    """All 6,782 ClinicalTrials.gov XML studies: phase, overall_status, gender, study_type, arm_group_type."""
    elements = {
        "phase": "phase",
        "overall_status": "overall_status",
        "sex": "gender",
        "study_type": "study_type",
        "arm_type": "arm_group_type",
    }
    forms: dict[str, set[str]] = {name: set() for name in elements}
    with tarfile.open(corpora / "ctgov-xml.tar.gz") as archive:
        for member in archive:
            handle = archive.extractfile(member) if member.isfile() else None
            text = handle.read().decode("utf-8") if handle is not None else ""
            for name, element in elements.items():
                forms[name].update(re.findall(rf"<{element}>([^<]*)</{element}>", text))
    assert forms["arm_type"] == {"Experimental", "Active Comparator", "Placebo Comparator", "Sham Comparator",
                                 "No Intervention", "Other"}  # fmt: skip
    assert {name: _unmapped(name, f) for name, f in forms.items()} == {name: set() for name in forms}

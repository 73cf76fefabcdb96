"""Each bad input, through extract and parse as a run handles it: a status and a reason naming the problem.

Inputs: built by tests/reliability/bad_inputs.py from seed 001, NCT00000102 of the
ClinicalTrials.gov XML corpus, the ChiCTR search-results page of the registry-pages corpus
and the API v2 fixtures (see that module's docstring).
"""

from __future__ import annotations

import io
import time
from pathlib import Path

import pytest

from flows.extract.decode import to_document
from flows.extract.splitters import split_stream
from flows.parse import parse_document
from flows.records import ParseOutcome, TrialRecord
from schemas.frames import document_status
from tests.reliability.bad_inputs import (
    SJOGREN_CP1252,
    SJOGREN_LATIN1,
    BadInput,
    bad_inputs,
    case_named,
)

MAX_BYTES = 100_000
SECRET = "secret-token-7f3a9c"
CASE_NAMES = [
    "empty.txt",
    "whitespace only.txt",
    "scan.pdf",
    "random.bin",
    "utf16 with bom.txt",
    "utf16 no bom.txt",
    "étude latin-1 (copie).txt",
    "cp1252.txt",
    "utf8 stray bytes.txt",
    "mojibake.txt",
    "NCT00000102 cut.xml",
    "search results.html",
    "oversized.txt",
    "entity bomb.xml",
    "xxe.xml",
    "not a study.json",
    "study cut.json",
    "page cut.json",
    "unknown header.csv",
]


@pytest.fixture(scope="module")
def secret_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("secret") / "passwd"
    path.write_text(f"{SECRET}\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def cases(corpora: Path, secret_file: Path) -> list[BadInput]:
    return bad_inputs(corpora, secret_file, MAX_BYTES)


def outcomes_of(case: BadInput) -> list[ParseOutcome]:
    raws = split_stream(case.file_name, io.BytesIO(case.data), MAX_BYTES)
    return [parse_document(to_document(raw)) for raw in raws]


def single_outcome(case: BadInput) -> ParseOutcome:
    (outcome,) = outcomes_of(case)
    return outcome


def test_every_case_is_covered(cases: list[BadInput]) -> None:
    assert sorted(case.file_name for case in cases) == sorted(CASE_NAMES)


@pytest.mark.parametrize("name", CASE_NAMES)
def test_status_and_reason(cases: list[BadInput], name: str) -> None:
    case = case_named(cases, name)
    for outcome in outcomes_of(case):
        status, reason = document_status(outcome)
        assert status in case.statuses, f"{name}: {status} ({reason})"
        for word in case.reason_words:
            assert word in (reason or "").lower(), f"{name}: reason {reason!r} lacks {word!r}"
        if case.encoding is not None:
            assert outcome.document.encoding == case.encoding


def criteria_counts(record: TrialRecord | None) -> tuple[int, int]:
    assert record is not None
    kinds = [c.kind for c in record.criteria]
    return kinds.count("inclusion"), kinds.count("exclusion")


def sjogren_criterion(record: TrialRecord | None) -> str:
    assert record is not None
    return next(c.text for c in record.criteria if "autoimmune diseases apart from SLE" in c.text)


@pytest.mark.parametrize(
    ("name", "spelling"),
    [
        ("utf16 with bom.txt", SJOGREN_CP1252),
        ("utf16 no bom.txt", SJOGREN_CP1252),
        ("étude latin-1 (copie).txt", SJOGREN_LATIN1),
        ("cp1252.txt", SJOGREN_CP1252),
        ("mojibake.txt", SJOGREN_CP1252),
        ("utf8 stray bytes.txt", "Sjogren\ufffds"),
    ],
)
def test_re_encoded_seed_keeps_every_criterion_and_letter(cases: list[BadInput], name: str, spelling: str) -> None:
    """Seed 001 in another encoding parses as seed 001 does: 7 + 12 criteria, Sjögren spelt as written."""
    outcome = single_outcome(case_named(cases, name))
    assert criteria_counts(outcome.record) == (7, 12)
    assert f"secondary {spelling} syndrome" in sjogren_criterion(outcome.record)
    assert outcome.document.text is not None and not outcome.document.text.startswith("\ufeff")


def test_truncated_xml_invents_nothing(cases: list[BadInput]) -> None:
    """NCT00000102 cut in half: no record at all, so no field past the cut can be made up."""
    outcome = single_outcome(case_named(cases, "NCT00000102 cut.xml"))
    assert outcome.record is None
    assert outcome.source_format == "ctgov_xml"


def test_oversized_single_record_is_refused_unread(cases: list[BadInput]) -> None:
    outcome = single_outcome(case_named(cases, "oversized.txt"))
    assert outcome.document.text is None
    assert outcome.reject_reason.startswith(f"document larger than the {MAX_BYTES}-byte limit (")
    assert outcome.document.n_bytes > MAX_BYTES


def test_entity_bomb_is_refused_fast(cases: list[BadInput]) -> None:
    started = time.perf_counter()
    outcome = single_outcome(case_named(cases, "entity bomb.xml"))
    assert time.perf_counter() - started < 5
    assert outcome.record is None
    assert "lollol" not in (outcome.reject_reason or "")


def test_external_entity_reads_no_file(cases: list[BadInput]) -> None:
    """The XXE names a local file: its contents reach neither the record nor the reason."""
    outcome = single_outcome(case_named(cases, "xxe.xml"))
    assert SECRET not in repr(outcome.record)
    assert SECRET not in (outcome.reject_reason or "")


def test_external_entity_in_an_ictrp_export_reads_no_file(secret_file: Path) -> None:
    """An ICTRP export (tests/fixtures/exports/ictrp_two_trials.xml) given a DTD with an XXE."""
    from tests.reliability.bad_inputs import EXPORT_FIXTURES

    export = (EXPORT_FIXTURES / "ictrp_two_trials.xml").read_text(encoding="utf-8")
    declaration = f'<!DOCTYPE Trials_downloaded_from_ICTRP [<!ENTITY xxe SYSTEM "file://{secret_file}">]>\n'
    root_at = export.index("<Trials_downloaded_from_ICTRP")
    poisoned = export[:root_at] + declaration + export[root_at:].replace("</Public_title>", "&xxe;</Public_title>", 1)
    outcomes = [
        parse_document(to_document(raw)) for raw in split_stream("ictrp.xml", io.BytesIO(poisoned.encode()), MAX_BYTES)
    ]
    (outcome,) = outcomes  # a DTD before the root: not split as an export, refused whole
    assert outcome.record is None
    assert "<!ENTITY>" in (outcome.reject_reason or "")
    assert SECRET not in (outcome.reject_reason or "")


def test_nul_bytes_in_a_text_are_removed_and_said(cases: list[BadInput]) -> None:
    """Seed 001 with two NUL bytes inserted (a damaged copy): parsed, partial, the NULs named."""
    from tests.reliability.bad_inputs import seed_001_text

    data = seed_001_text().encode("utf-8")
    damaged = data[:100] + b"\x00" + data[100:2000] + b"\x00" + data[2000:]
    outcome = parse_document(to_document(next(split_stream("nul.txt", io.BytesIO(damaged), MAX_BYTES))))
    assert document_status(outcome) == ("partial", "2 NUL byte(s) removed")
    assert criteria_counts(outcome.record) == (7, 12)


def test_control_characters_in_a_web_page_are_removed_and_said() -> None:
    """The ChiCTR page fixture (tests/fixtures/html) with control bytes in its body, as a damaged
    download has them: lxml refuses such text, so they are removed before the page is read."""
    from tests.reliability.bad_inputs import PROJECT_ROOT

    page = (PROJECT_ROOT / "tests" / "fixtures" / "html" / "chictr_ChiCTR2100054321.html").read_bytes()
    at = page.index(b"</script>") + len(b"</script>")  # in the tail of an element the reader drops
    damaged = page[:at] + b"\x01\x02\x1b" + page[at:]
    outcome = parse_document(to_document(next(split_stream("page.html", io.BytesIO(damaged), MAX_BYTES))))
    status, reason = document_status(outcome)
    assert outcome.record is not None and outcome.record.registry_id == "ChiCTR2100054321"
    assert status == "partial" and "3 control character(s) removed from the page" in (reason or "")

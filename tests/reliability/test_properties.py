"""Property tests: damaged and random documents never crash a run; each becomes a record or a reason.

Inputs: one real sample of every registered format (the five seeds, the fixtures under
tests/fixtures, NCT00000102 of the ClinicalTrials.gov XML corpus, the first row of the ICTRP
CSV corpus, and a short DRKS-style text written here for the generic text parser), mutated
the way files get damaged: cut off, bytes flipped, NULs inserted, a section duplicated,
random Unicode spliced in.
"""

from __future__ import annotations

import io
from datetime import datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flows.batch import process_batch
from flows.extract.archives import iter_members
from flows.extract.decode import decode_bytes, to_document
from flows.extract.splitters import RawRecord, split_stream
from flows.parse import parse_document
from flows.parse.formats import PARSERS
from flows.records import ParseOutcome
from schemas.frames import document_status
from tests.conftest import PROJECT_ROOT, SEEDS
from tests.reliability.bad_inputs import CTGOV_XML_MEMBER, corpus_member

FIXTURES = PROJECT_ROOT / "tests" / "fixtures"
GENERIC_TEXT = b"""Study title: Belimumab added to standard therapy in active lupus nephritis
Trial registration number: DRKS00012345
Study type: Interventional
Phase: Phase 2

Inclusion criteria:
1. Age 18 to 75 years
2. Biopsy-proven lupus nephritis class III or IV
3. Proteinuria >= 1 g/24 h

Exclusion criteria:
1. eGFR < 30 mL/min/1.73 m2
2. Pregnancy or breastfeeding

Primary outcome: Complete renal response at week 52
"""
SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def split(name: str, data: bytes) -> list[RawRecord]:
    return list(split_stream(name, io.BytesIO(data), 10_000_000))


def first_ictrp_csv_row(corpora: Path) -> RawRecord:
    for source_path, stream in iter_members(corpora / "ictrp-covid-1128.csv.gz"):
        return next(split_stream(source_path, stream, 10_000_000))
    raise AssertionError("empty ICTRP CSV corpus")


@pytest.fixture(scope="module")
def samples(corpora: Path) -> dict[str, RawRecord]:
    """format -> one raw record of it, as the splitters hand it on (with their format hint)."""
    raws = [raw for path in sorted(SEEDS.glob("*.txt")) for raw in split(path.name, path.read_bytes())]
    raws += [raw for path in sorted(FIXTURES.rglob("*.*")) for raw in split(path.name, path.read_bytes())]
    raws += split("NCT00000102.xml", corpus_member(corpora / "ctgov-xml.tar.gz", CTGOV_XML_MEMBER))
    raws += [first_ictrp_csv_row(corpora), RawRecord("drks.txt", 0, GENERIC_TEXT)]
    found: dict[str, RawRecord] = {}
    for raw in raws:
        outcome = parse_document(to_document(raw))
        assert outcome.record is not None, f"{raw.source_path}: {outcome.reject_reason}"
        found.setdefault(outcome.source_format or "", raw)
    return found


def test_every_registered_format_has_a_sample(samples: dict[str, RawRecord]) -> None:
    assert sorted(PARSERS) == sorted(samples), "add a fixture of the new format under tests/fixtures"


@st.composite
def mutated(draw: st.DrawFn, data: bytes) -> bytes:
    at = draw(st.integers(0, len(data)))
    kind = draw(st.sampled_from(["truncate", "flip", "nul", "duplicate", "unicode", "delete"]))
    if kind == "truncate":
        return data[:at]
    if kind == "flip":
        flips = draw(st.lists(st.tuples(st.integers(0, len(data) - 1), st.integers(1, 255)), min_size=1, max_size=8))
        damaged = bytearray(data)
        for position, mask in flips:
            damaged[position] ^= mask
        return bytes(damaged)
    if kind == "nul":
        return data[:at] + b"\x00" * draw(st.integers(1, 4)) + data[at:]
    end = draw(st.integers(at, len(data)))
    if kind == "duplicate":
        return data[:end] + data[at:end] + data[end:]
    if kind == "delete":
        return data[:at] + data[end:]
    encoding = draw(st.sampled_from(["utf-8", "utf-16", "cp1252"]))
    inserted = draw(st.text(max_size=200)).encode(encoding, errors="replace")
    return data[:at] + inserted + data[at:]


def assert_record_or_reason(outcome: ParseOutcome) -> None:
    status, reason = document_status(outcome)
    if outcome.record is None:
        assert status == "rejected" and reason, outcome
        return
    assert outcome.reject_reason is None
    assert status in ("loaded", "partial") and (status == "loaded") == (reason is None)
    text_length = len(outcome.document.text or "")
    for criterion in outcome.record.criteria:
        if criterion.span_start is not None:
            assert criterion.span_end is not None
            assert 0 <= criterion.span_start <= criterion.span_end <= text_length, criterion


@pytest.mark.parametrize("format_name", sorted(PARSERS))
def test_damaged_documents_become_a_record_or_a_reason(samples: dict[str, RawRecord], format_name: str) -> None:
    sample = samples[format_name]

    @SETTINGS
    @given(data=mutated(sample.data))
    def check(data: bytes) -> None:
        raw = RawRecord(sample.source_path, sample.record_index, data, sample.format_hint)
        assert_record_or_reason(parse_document(to_document(raw)))

    check()


@SETTINGS
@given(text=st.text(max_size=3000), encoding=st.sampled_from(["utf-8", "utf-16", "utf-16-le", "cp1252"]))
def test_random_text_becomes_a_record_or_a_reason(text: str, encoding: str) -> None:
    raw = RawRecord("random.txt", 0, text.encode(encoding, errors="replace"))
    assert_record_or_reason(parse_document(to_document(raw)))


@settings(max_examples=200, deadline=None)
@given(data=st.binary(max_size=4096))
def test_any_bytes_decode_to_text_or_a_reason(data: bytes) -> None:
    text, encoding, note = decode_bytes(data)
    assert (text is None) == (encoding is None)
    if text is None:
        assert note and note.startswith("binary content")


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.sampled_from(sorted(SEEDS.glob("*.txt"))), data=st.data())
def test_damaged_seed_passes_the_whole_batch_stage(seed: Path, data: st.DataObject) -> None:
    """decode, parse, frames and pandera validation of one damaged seed: one documents row, never a crash."""
    damaged = data.draw(mutated(seed.read_bytes()))
    result = process_batch([RawRecord(seed.name, 0, damaged)], "proptest", datetime(2026, 1, 1))
    (row,) = result.frames["documents"].to_dict("records")
    assert row["status"] in ("loaded", "partial", "rejected")
    assert (row["status"] == "loaded") == (row["reason"] is None)

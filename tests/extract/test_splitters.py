"""Splitting multi-record exports into documents, by content.

Inputs: small exports written here and in tests/fixtures/exports/ in the shape the
registries produce them (WHO ICTRP XML and CSV, ClinicalTrials.gov API v2 pages).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from pathlib import Path

from flows.extract.splitters import RawRecord, split_stream

FIXTURES = Path(__file__).parent.parent / "fixtures" / "exports"
LIMIT = 1_000_000


def split(data: bytes, max_bytes: int = LIMIT, name: str = "export.dat") -> list[RawRecord]:
    return list(split_stream(name, io.BytesIO(data), max_bytes))


def test_ictrp_xml_yields_each_trial_element_with_its_exact_bytes() -> None:
    data = (FIXTURES / "ictrp_two_trials.xml").read_bytes()
    records = split(data)
    assert [r.format_hint for r in records] == ["ictrp_xml", "ictrp_xml"]
    assert [r.record_index for r in records] == [0, 1]
    assert records[0].data.startswith(b"<Trial>\n    <TrialID>ChiCTR2000030001</TrialID>")
    assert records[1].data.endswith(b"<Exclusion_Criteria />\n  </Trial>")
    # the bytes are a verbatim slice of the export, so the document hash is stable
    assert data.find(records[1].data) > 0
    assert hashlib.sha256(records[0].data).hexdigest() == hashlib.sha256(split(data)[0].data).hexdigest()


def test_ictrp_xml_is_streamed_across_chunk_boundaries(monkeypatch) -> None:
    import flows.extract.splitters as splitters

    monkeypatch.setattr(splitters, "CHUNK_BYTES", 7)
    monkeypatch.setattr(splitters, "HEAD_BYTES", 200)
    data = (FIXTURES / "ictrp_two_trials.xml").read_bytes()
    records = split(data)
    assert [r.data[:30] for r in records] == [
        b"<Trial>\n    <TrialID>ChiCTR200",
        b"<Trial>\n    <TrialID>NCT042917",
    ]


def test_ictrp_xml_cut_off_inside_a_trial_is_a_record_with_an_error() -> None:
    data = (FIXTURES / "ictrp_two_trials.xml").read_bytes()
    records = split(data[: data.rfind(b"</Trial>")])
    assert len(records) == 2
    assert records[1].error == "export cut off inside a <Trial> element"


def test_ictrp_csv_row_with_quoted_line_breaks_becomes_a_one_row_csv() -> None:
    header = "TrialID,Public title,Inclusion Criteria\r\n"
    rows = [
        'ChiCTR2000029953,"Model of ""COVID-19"" prognosis","Inclusion criteria: 1. Adults\r<br>2. Pneumonia\r\n"\r\n',
        "NCT04246242,Arbidol trial,\r\n",
    ]
    records = split((header + "".join(rows)).encode())
    assert [r.format_hint for r in records] == ["ictrp_csv", "ictrp_csv"]
    assert records[0].data.decode() == header + rows[0]
    parsed = list(csv.reader(io.StringIO(records[0].data.decode(), newline="")))
    assert parsed[1] == [
        "ChiCTR2000029953",
        'Model of "COVID-19" prognosis',
        "Inclusion criteria: 1. Adults\r<br>2. Pneumonia\r\n",
    ]
    assert records[1].data.decode() == header + rows[1]


def test_ctgov_api_page_yields_one_document_per_study() -> None:
    records = split((FIXTURES / "ctgov_v2_page.json").read_bytes())
    assert [r.format_hint for r in records] == ["ctgov_json", "ctgov_json"]
    studies = [json.loads(r.data) for r in records]
    assert [s["protocolSection"]["identificationModule"]["nctId"] for s in studies] == [
        "NCT00000102",
        "NCT00000104",
    ]
    # braces and quotes inside strings do not end the study early
    assert studies[1]["protocolSection"]["identificationModule"]["briefTitle"].endswith('{"brace" [test]}')


def test_ctgov_api_page_cut_off_reports_the_unreadable_rest() -> None:
    data = (FIXTURES / "ctgov_v2_page.json").read_bytes()
    records = split(data[:-200])
    assert records[0].error is None
    assert records[-1].error == "API page unreadable: input ends inside a JSON value"


def test_single_study_json_and_plain_files_are_one_document() -> None:
    data = (FIXTURES / "ctgov_v2_study.json").read_bytes()
    # a record that names its format in its first bytes carries it as a hint (detection need not run)
    assert split(data) == [RawRecord("export.dat", 0, data, "ctgov_json")]
    xml = b"<clinical_study>\n  <id_info><nct_id>NCT00000102</nct_id></id_info>\n</clinical_study>\n"
    assert split(xml)[0].format_hint == "ctgov_xml"
    assert split(b"TITLE: a randomized trial\n") == [RawRecord("export.dat", 0, b"TITLE: a randomized trial\n")]


def test_size_limit_refuses_single_documents_and_oversized_records() -> None:
    big = b"x" * 5000
    refused = split(big, max_bytes=4000)[0]
    assert refused.error == "document larger than the 4000-byte limit (5000 bytes)"
    assert (refused.data, refused.size) == (b"", 5000)
    assert refused.document_id == hashlib.sha256(big).hexdigest()
    data = (FIXTURES / "ictrp_two_trials.xml").read_bytes()
    records = split(data, max_bytes=1000)
    assert records[0].error == "record larger than the 1000-byte limit"
    assert records[1].error is None and records[1].data.startswith(b"<Trial>")


def test_detection_reads_content_not_the_file_name() -> None:
    data = (FIXTURES / "ictrp_two_trials.xml").read_bytes()
    assert {r.format_hint for r in split(data, name="notes.txt")} == {"ictrp_xml"}
    csv_bytes = "\ufeffTrialID,Public title\r\nNCT1,x\r\n".encode()
    assert split(csv_bytes, name="trials.xml")[0].format_hint == "ictrp_csv"

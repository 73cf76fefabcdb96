"""Documents of the real export corpora, built exactly as extract builds them.

Each corpus file is read in place (archives and gzip streamed), split into records and
decoded by the pipeline's own functions. A missing corpus fails the test with the path.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from flows.extract.archives import iter_members
from flows.extract.decode import to_document
from flows.extract.splitters import split_stream
from flows.parse import parse_document
from flows.records import Document, TrialRecord
from flows.settings import load_settings

CTGOV_XML = "ctgov-xml.tar.gz"
ICTRP_CSV = "ictrp-covid-1128.csv.gz"
ICTRP_XML = "ictrp-results-2020-03.xml.gz"


def corpus_file(name: str) -> Path:
    path = load_settings().corpora_dir / name
    if not path.is_file():
        pytest.fail(f"corpus file {name} not found in {path.parent}: set TRIALS_CORPORA to the shared corpora")
    return path


def iter_documents(name: str) -> Iterator[Document]:
    max_bytes = load_settings().max_document_bytes
    for source_path, stream in iter_members(corpus_file(name)):
        for raw in split_stream(source_path, stream, max_bytes):
            yield to_document(raw)


def record_id(doc: Document) -> str | None:
    """The trial id of a corpus document: member file name, <TrialID>, or the CSV row's first field."""
    text = doc.text or ""
    if doc.source_path.endswith(".xml") and "!" in doc.source_path:
        return doc.source_path.rsplit("/", 1)[-1].removesuffix(".xml")
    if text.startswith("<Trial"):
        start = text.find("<TrialID>") + len("<TrialID>")
        return text[start : text.find("</TrialID>", start)].strip()
    rows = text.split("\n", 2)
    return rows[1].split(",", 1)[0] if len(rows) > 1 else None


def documents_named(name: str, wanted: set[str]) -> dict[str, Document]:
    found: dict[str, Document] = {}
    for doc in iter_documents(name):
        trial_id = record_id(doc)
        if trial_id in wanted:
            found[trial_id] = doc
            if found.keys() == wanted:
                break
    missing = wanted - found.keys()
    assert not missing, f"{sorted(missing)} not in {name}"
    return found


def parsed(doc: Document) -> TrialRecord:
    outcome = parse_document(doc)
    assert outcome.record is not None, f"{doc.source_path}#{doc.record_index}: {outcome.reject_reason}"
    return outcome.record

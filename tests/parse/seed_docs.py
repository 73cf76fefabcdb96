"""Build a Document from a seed file as extract does: sha256 of the bytes, UTF-8 text."""

from __future__ import annotations

import hashlib

from flows.parse import parse_document
from flows.parse.escapes import has_markdown_escapes, unescape_markdown
from flows.records import Document, ParseOutcome, TrialRecord
from tests.conftest import seed_path


def seed_document(prefix: str, *, unescape: bool = False) -> Document:
    """`unescape=True` applies the extract-time markdown unescaping proposed for plain texts."""
    path = seed_path(prefix)
    data = path.read_bytes()
    text = data.decode("utf-8")
    if unescape and has_markdown_escapes(text):
        text = unescape_markdown(text)
    return Document(hashlib.sha256(data).hexdigest(), str(path), 0, len(data), "utf-8", text)


def parse_seed(prefix: str, *, unescape: bool = False) -> tuple[ParseOutcome, TrialRecord]:
    outcome = parse_document(seed_document(prefix, unescape=unescape))
    assert outcome.record is not None, outcome.reject_reason
    return outcome, outcome.record


def thresholds_of(record: TrialRecord, kind: str) -> set[tuple[str, str, float | None]]:
    return {(t.parameter, t.op, t.value) for c in record.criteria if c.kind == kind for t in c.thresholds}


def count(record: TrialRecord, kind: str) -> int:
    return sum(1 for c in record.criteria if c.kind == kind)

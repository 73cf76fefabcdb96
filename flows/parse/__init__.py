"""Document -> TrialRecord. Pure functions: no Prefect, no DuckDB.

A new source format is one module here exposing `parse(doc: Document) -> TrialRecord`,
one entry in `flows/parse/formats.py:PARSERS`, and a content test in `detect.py`.
"""

from __future__ import annotations

from flows.parse.detect import detect_format
from flows.parse.formats import PARSERS
from flows.records import Document, ParseOutcome


class ParseError(ValueError):
    """A document that is readable but holds nothing the parser can use."""


def parse_document(doc: Document) -> ParseOutcome:
    """Parse one document; a failure becomes a rejection that names the problem."""
    if doc.reject_reason is not None or doc.text is None:
        return ParseOutcome(doc, doc.format_hint, None, doc.reject_reason or "not decodable")
    detection = detect_format(doc.text, doc.format_hint)
    if detection.name is None:
        return ParseOutcome(doc, None, None, f"unrecognised format: {detection.evidence}")
    try:
        record = PARSERS[detection.name](doc)
    except ParseError as exc:
        return ParseOutcome(doc, detection.name, None, f"{detection.name}: {exc}")
    except Exception as exc:  # a parser bug must cost one document, not the run
        return ParseOutcome(doc, detection.name, None, f"{detection.name} parser failed: {type(exc).__name__}: {exc}")
    return ParseOutcome(doc, detection.name, record)

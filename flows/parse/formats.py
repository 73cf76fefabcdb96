"""The explicit registry of source formats: format name -> parse function."""

from __future__ import annotations

from collections.abc import Callable

from flows.parse import (
    abstract,
    aggregator,
    ctgov_json,
    ctgov_text,
    ctgov_xml,
    euctr_text,
    generic_text,
    html_page,
    ictrp,
    irct,
    recruitment_page,
)
from flows.records import Document, TrialRecord

Parser = Callable[[Document], TrialRecord]

PARSERS: dict[str, Parser] = {
    irct.FORMAT: irct.parse,
    ctgov_text.FORMAT: ctgov_text.parse,
    aggregator.FORMAT: aggregator.parse,
    recruitment_page.FORMAT: recruitment_page.parse,
    generic_text.FORMAT: generic_text.parse,
    abstract.FORMAT: abstract.parse,
    euctr_text.FORMAT: euctr_text.parse,
    html_page.FORMAT: html_page.parse,
    ctgov_xml.FORMAT: ctgov_xml.parse,
    ctgov_json.FORMAT: ctgov_json.parse,
    "ictrp_xml": ictrp.parse_xml,
    "ictrp_csv": ictrp.parse_csv,
}

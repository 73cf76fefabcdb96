"""Which format is this document? Scored by content, never by file name, and explainable.

Each detector looks at the start of the text and returns a score in [0, 1] with the
evidence it found; the best score above `MIN_SCORE` wins. A splitter that already knows
the format (one row of an ICTRP CSV) passes it as a hint, which is trusted.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from flows.parse import (
    abstract,
    aggregator,
    ctgov_text,
    euctr_text,
    export_detect,
    generic_text,
    html_page,
    irct,
    recruitment_page,
)

MIN_SCORE = 0.3
CERTAIN = 0.95  # a score this high ends the search: later detectors cannot beat it in practice
HEAD_CHARS = 20_000  # formats announce themselves early; never scan a whole 20 MB page


@dataclass(frozen=True, slots=True)
class Detection:
    name: str | None
    score: float
    evidence: str


Detector = Callable[[str], tuple[float, str]]

# name -> detector, in the order they are tried (order also breaks ties)
DETECTORS: dict[str, Detector] = {
    # structured exports first: their tests are a cheap look at the first bytes, and certain
    "ctgov_xml": export_detect.detect_ctgov_xml,
    "ctgov_json": export_detect.detect_ctgov_json,
    "ictrp_xml": export_detect.detect_ictrp_xml,
    "ictrp_csv": export_detect.detect_ictrp_csv,
    irct.FORMAT: irct.detect,
    euctr_text.FORMAT: euctr_text.detect,
    ctgov_text.FORMAT: ctgov_text.detect,
    aggregator.FORMAT: aggregator.detect,
    recruitment_page.FORMAT: recruitment_page.detect,
    html_page.FORMAT: html_page.detect,
    abstract.FORMAT: abstract.detect,
    generic_text.FORMAT: generic_text.detect,
}


def detect_format(text: str, hint: str | None = None) -> Detection:
    if hint is not None:
        return Detection(hint, 1.0, "given by the splitter")
    head = text[:HEAD_CHARS]
    best = Detection(None, 0.0, "no format matched")
    for name, detector in DETECTORS.items():
        score, evidence = detector(head)
        if score > best.score:
            best = Detection(name, score, evidence)
            if score >= CERTAIN:
                break
    if best.score < MIN_SCORE:
        return Detection(None, best.score, f"{describe_shape(head)} matches no known format")
    return best


_XML_ROOT = re.compile(r"<(?![?!])([\w:.-]+)")


def describe_shape(head: str) -> str:
    """What the document looks like, for a rejection reason a user can act on."""
    stripped = head.lstrip("\ufeff \t\r\n")
    first_line = stripped.split("\n", 1)[0].strip()[:80]
    if stripped.startswith(("{", "[")):
        return 'a JSON document (no "protocolSection" of a ClinicalTrials.gov study)'
    if stripped.startswith("<"):
        root = _XML_ROOT.search(stripped)
        return f"an XML document with root <{root.group(1)}>" if root else "an XML document"
    if first_line.count(",") >= 2 or first_line.count(";") >= 2 or first_line.count("\t") >= 2:
        return f"a table with header {first_line!r}"
    return f"text starting {first_line!r}" if first_line else "text"

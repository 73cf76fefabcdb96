"""Journal abstracts and case reports: prose without registry headings.

What a reader can verify in prose: the languages (an English abstract may run straight
into its translation: `...lupus nephritisViêm thận lupus ...`), registry ids cited, and
outcomes reported at stated timepoints (`lower proteinuria at 1 month, 3 months and 18
months`), kept as endpoints of kind `other`. Sentences are read in the English part only.
"""

from __future__ import annotations

import re

from flows.parse.field_values import registry_identity
from flows.parse.languages import detect_languages, second_language_start
from flows.parse.outlines import endpoint_from_text
from flows.parse.sections import segment
from flows.records import Document, Endpoint, TrialRecord

FORMAT = "abstract"
_TIME = r"\d+(?:\.\d+)?\s*(?:days?|weeks?|months?|years?)"
_TIMEPOINT_LIST = re.compile(rf"\bat\s+(?P<frame>{_TIME}(?:\s*,?\s*(?:and\s+)?{_TIME})*)", re.IGNORECASE)
_SENTENCE = re.compile(r"[^.!?]+(?:[.!?]+|$)")
_EMPTY_PARENS = re.compile(r"\(\s*\)")
_CUES = (
    "in conclusion",
    "the purpose of this study",
    "we report",
    "we reported",
    "results",
    "methods",
    "background",
    "meta-analysis",
    "patients",
    "case",
)


# article texts exported from PubMed Central: a `TITLE:` line, then ABSTRACT.BACKGROUND: ... sections
_ARTICLE_TITLE = re.compile(r"\ATITLE[:.][^\S\n]*\n\s*(?P<title>[^\n]+)")


def detect(head: str) -> tuple[float, str]:
    """Prose with abstract vocabulary and (almost) no registry headings."""
    if _ARTICLE_TITLE.match(head):
        return 0.9, "article text starting with a TITLE: line"
    labels = sum(1 for item in segment(head[:5000]).fields if item.name != "item")
    lowered = head.casefold()
    cues = [cue for cue in _CUES if cue in lowered]
    if labels > 2 or len(cues) < 3:
        return 0.0, f"{labels} registry headings, abstract cues: {cues}"
    return 0.4, f"prose with abstract cues {cues} and {labels} registry headings"


def parse(doc: Document) -> TrialRecord:
    if doc.text is None:
        raise ValueError("document has no text")
    text = doc.text
    english_end = second_language_start(text) or len(text)
    registry, registry_id, secondary = registry_identity(None, text)
    article_title = _ARTICLE_TITLE.match(text)
    return TrialRecord(
        registry=registry,
        registry_id=registry_id,
        document_kind="abstract",
        title=article_title.group("title").strip() if article_title else None,
        secondary_ids=secondary,
        languages=detect_languages(text),
        endpoints=reported_outcomes(text[:english_end]),
    )


def reported_outcomes(text: str) -> tuple[Endpoint, ...]:
    """One `other` endpoint per sentence that reports a measure at a list of timepoints."""
    endpoints: list[Endpoint] = []
    for sentence in _SENTENCE.finditer(text):
        found = _TIMEPOINT_LIST.search(sentence.group())
        if found is None:
            continue
        measure = _EMPTY_PARENS.sub(" ", sentence.group())
        endpoint = endpoint_from_text("other", len(endpoints) + 1, measure, found.group("frame"))
        if endpoint is not None:
            endpoints.append(endpoint)
    return tuple(endpoints)

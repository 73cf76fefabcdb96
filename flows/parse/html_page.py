"""Saved registry and sponsor web pages (format `html`), after `flows.extract.html_text`.

The extract stage turns the page into plain text (`Document.text`), so this parser reads
text with the generic segmenter and `generic_text.parse_text`; what is peculiar to pages:

- A page is a trial record only when it names its registry id under a label
  ("ClinicalTrials.gov Identifier", "NCT Number", "Registration number") or names exactly
  one registry id in all. A search-result list (many ids, none labelled) is rejected with
  "no trial record in page", never loaded as the first trial it lists.
- ChiCTR pages write every field twice, a Chinese row and an English row, or one row
  under a bilingual label ("注册号 / Registration number"); the English rows carry the
  vocabulary values, the page's languages are both.
"""

from __future__ import annotations

import re
from dataclasses import replace

from flows.extract.html_text import looks_like_html
from flows.parse.generic_text import parse_text
from flows.parse.sections import Segmentation, segment
from flows.records import Document, TrialRecord

FORMAT = "html"
NO_TRIAL = "no trial record in page"
_BILINGUAL_LABEL = re.compile(r"^[^\x00-\x7f]+\s*/\s*(?P<english>[A-Za-z][^:]*?)\s*:", re.MULTILINE)


def detect(head: str) -> tuple[float, str]:
    """Raw HTML markup (a page the extract stage did not convert)."""
    if looks_like_html(head):
        return 0.6, "HTML markup (doctype, html, head or body tag)"
    return 0.0, "no HTML markup"


def parse(doc: Document) -> TrialRecord:
    from flows.parse import ParseError  # flows.parse imports the format registry, which imports this

    text = doc.text or ""
    if looks_like_html(text[:4096]):
        raise ParseError("page text was not extracted from its HTML markup")
    seg = segment(text)
    reason = no_trial_reason(seg, text)
    if reason is not None:
        raise ParseError(reason)
    record = parse_text(text, seg)
    return replace(record, languages=record.languages or ())


def no_trial_reason(seg: Segmentation, text: str) -> str | None:
    """Why the page holds no single trial record, or None when it does."""
    from flows.parse.registry_ids import find_registry_ids

    labelled = seg.value_of("registry_id")
    if labelled is not None and find_registry_ids(labelled):
        return None
    listed = list(dict.fromkeys(registry_id for _, registry_id in find_registry_ids(text)))
    if len(listed) == 1:
        return None
    if not listed:
        return f"{NO_TRIAL}: no registry id on the page"
    return f"{NO_TRIAL}: {len(listed)} registry ids listed ({', '.join(listed[:3])}, ...), none labelled"

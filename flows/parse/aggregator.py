"""Trial pages of registry aggregators that re-publish ClinicalTrials.gov records as
markdown-converted text ("This content was sourced from clinicaltrials.gov").

Peculiar to them: markdown backslash escapes (`age \\> 18`, `10\\^6`) and a contact block
of bare lines. The text is parsed with its escapes removed; criterion spans found there
are mapped back to the raw text. When extract already removed the escapes, the mapping is
the identity and `text[span_start:span_end] == criterion.text` holds exactly; otherwise
the raw span holds the criterion with its escapes (`unescape_markdown(raw) == text`).
"""

from __future__ import annotations

import re
from dataclasses import replace

from flows.parse.escapes import has_markdown_escapes, raw_span, unescape_with_offsets
from flows.parse.generic_text import parse_text
from flows.parse.sections import Segmentation, list_item_texts, segment
from flows.records import Contact, Criterion, Document, TrialRecord

FORMAT = "aggregator_text"
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_PHONE = re.compile(r"\+?[\d\s()./-]{6,}")
_MARKERS = (
    ("This content was sourced from clinicaltrials.gov", 0.6),
    ("Participation Requirements", 0.2),
    ("Study Phase:", 0.1),
    ("Target number of participants:", 0.1),
)


def detect(head: str) -> tuple[float, str]:
    lowered = head.casefold()
    found = [(marker, weight) for marker, weight in _MARKERS if marker.casefold() in lowered]
    score = float(sum(weight for _, weight in found))
    return min(score, 1.0), " + ".join(f"'{marker}'" for marker, _ in found) or "no aggregator marker"


def parse(doc: Document) -> TrialRecord:
    if doc.text is None:
        raise ValueError("document has no text")
    if not has_markdown_escapes(doc.text):
        return _parse_clean(doc.text)
    clean, offsets = unescape_with_offsets(doc.text)
    record = _parse_clean(clean)
    return replace(record, criteria=tuple(_to_raw(criterion, offsets) for criterion in record.criteria))


def _parse_clean(text: str) -> TrialRecord:
    seg = segment(text)
    record = parse_text(text, seg)
    return replace(record, contacts=_contacts(seg))


def _to_raw(criterion: Criterion, offsets: list[int]) -> Criterion:
    if criterion.span_start is None or criterion.span_end is None:
        return criterion
    start, end = raw_span(offsets, criterion.span_start, criterion.span_end)
    return replace(criterion, span_start=start, span_end=end)


def _contacts(seg: Segmentation) -> tuple[Contact, ...]:
    """`Contact Information`: a role line (`Primary`), then name, e-mail and phone lines."""
    contacts: list[Contact] = []
    for item in seg.all("contacts"):
        lines = list_item_texts(seg.value_lines(item))
        email = next((line for line in lines if _EMAIL.fullmatch(line)), None)
        phone = next((line for line in lines if _PHONE.fullmatch(line)), None)
        others = [line for line in lines if line not in (email, phone)]
        role = others.pop(0) if len(others) > 1 else None
        name = others[0] if others else None
        if name or email or phone:
            contacts.append(Contact(role, name, email, phone))
    return tuple(contacts)

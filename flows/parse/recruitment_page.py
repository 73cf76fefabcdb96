"""Patient-recruitment web pages of a trial (text of the page as saved): a title block of
bare facts (`Recruiting`, `18-75 years`, `All`, `Phase 1`), an overview, the eligibility
lists, "Study details" (conditions, then the registry id), then page chrome: contact
forms, sign-up, FAQ, template placeholders (`{{SITE_NAME}}`), all left out by the
segmenter's chrome vocabulary.

Peculiar to them: the title block, whose lines carry no labels; each is recognised by the
vocabulary it belongs to.
"""

from __future__ import annotations

import re
from dataclasses import replace

from flows.parse.ages import parse_age_range
from flows.parse.generic_text import leading_lines, parse_generic
from flows.parse.sections import chrome_effect
from flows.records import Document, TrialRecord
from flows.vocab import lookup

FORMAT = "recruitment_page"
_AGE_RANGE = re.compile(r"\d{1,3}\s*(?:[-–]|to)\s*\d{1,3}\s*years?|\d{1,3}\+?\s*years?\s*(?:and (?:over|older))?", re.I)
_NCT = re.compile(r"\bNCT\d{8}\b")


def detect(head: str) -> tuple[float, str]:
    evidence: list[str] = []
    score = 0.0
    chrome_hits = _chrome_hits(head)
    if chrome_hits >= 3:
        score += 0.4
        evidence.append(f"{chrome_hits} page-chrome lines")
    if "Study details" in head:
        score += 0.2
        evidence.append("'Study details'")
    if re.search(r"^\s*Inclusion Criteria\s*$", head, re.M | re.I):
        score += 0.1
        evidence.append("'Inclusion Criteria' heading")
    if _NCT.search(head) and score > 0:
        score += 0.2
        evidence.append("an NCT number")
    return min(score, 1.0), " + ".join(evidence) or "no recruitment-page marker"


def _chrome_hits(head: str) -> int:
    return sum(1 for line in head.splitlines() if line.strip() and chrome_effect(line) is not None)


def parse(doc: Document) -> TrialRecord:
    seg, record, reader = parse_generic(doc)
    facts: dict[str, str] = {}
    for line in leading_lines(seg)[1:]:
        _classify(line.text, facts)
    low, high = parse_age_range(facts["age"]) if "age" in facts else (None, None)
    return replace(
        record,
        overall_status=record.overall_status or reader.read("overall_status", facts.get("overall_status")),
        sex=record.sex or reader.read("sex", facts.get("sex")),
        phase=record.phase or reader.read("phase", facts.get("phase")),
        min_age_years=low if low is not None else record.min_age_years,
        max_age_years=high if high is not None else record.max_age_years,
        unmapped=tuple(reader.unmapped),
    )


def _classify(text: str, facts: dict[str, str]) -> None:
    """Put a bare title-block line under the vocabulary that knows it."""
    for vocabulary in ("overall_status", "sex", "phase"):
        if vocabulary not in facts and lookup(vocabulary, text) is not None:
            facts[vocabulary] = text
            return
    if "age" not in facts and _AGE_RANGE.fullmatch(text.strip()):
        facts["age"] = text

"""Registry forms that need more than a lookup: EU CTR's yes/no phase lists, yes/no sex lists.

Each function first tries the vocabulary (`flows/vocab/<name>.csv`), then the logic for
the form. A value neither reads is None: the caller records it as `Unmapped`.
A blank value is None too: it is not stated, not unmapped (see `is_blank`).
"""

from __future__ import annotations

import re

from flows.vocab import lookup

_TAGS = re.compile(r"<[^>]{0,40}>")
_PHASE_ANSWER = re.compile(r"\(phase\s+(?P<roman>i{1,3}|iv)\)\s*:\s*(?P<answer>yes|no)?", re.IGNORECASE)
_SEX_ANSWER = re.compile(r"\b(?P<sex>male|female)s?\s*:\s*(?P<answer>yes|no)\b", re.IGNORECASE)
_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4}
# the contract's phases as sets of the single phases they name
_PHASE_OF_SET = {
    frozenset({1}): "PHASE1",
    frozenset({2}): "PHASE2",
    frozenset({3}): "PHASE3",
    frozenset({4}): "PHASE4",
    frozenset({1, 2}): "PHASE1_PHASE2",
    frozenset({2, 3}): "PHASE2_PHASE3",
}


def _clean(text: str | None) -> str:
    return " ".join(_TAGS.sub(" ", text or "").split())


def is_blank(text: str | None) -> bool:
    return not _clean(text)


def normalise_phase(text: str | None) -> str | None:
    """'Phase 1/Phase 2', '2-3', EU CTR's 'Human pharmacology (Phase I): no ... (Phase II): yes ...'."""
    cleaned = _clean(text)
    if found := lookup("phase", cleaned):
        return found
    answered = {
        _ROMAN[m["roman"].casefold()]
        for m in _PHASE_ANSWER.finditer(cleaned)
        if (m["answer"] or "").casefold() == "yes"
    }
    # a combination the contract has no value for (Phase III and IV) stays unmapped
    return _PHASE_OF_SET.get(frozenset(answered))


def normalise_sex(text: str | None) -> str | None:
    """'Both', 'All', 'Both, male and female', EU CTR's '<br>Female: yes<br>Male: yes<br>'."""
    cleaned = _clean(text)
    if found := lookup("sex", cleaned):
        return found
    answers = {m["sex"].casefold(): m["answer"].casefold() == "yes" for m in _SEX_ANSWER.finditer(cleaned)}
    if answers.get("male") and answers.get("female"):
        return "ALL"
    if answers.get("male") and answers.get("female") is False:
        return "MALE"
    if answers.get("female") and answers.get("male") is False:
        return "FEMALE"
    return None


def normalise_status(text: str | None) -> str | None:
    """A recruitment or overall status in the contract's (ClinicalTrials.gov's) vocabulary."""
    return lookup("overall_status", _clean(text))


def normalise_study_type(text: str | None) -> str | None:
    return lookup("study_type", _clean(text))

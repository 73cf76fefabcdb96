"""What surrounds a threshold: OR-alternatives, negation, and the population it is limited to."""

from __future__ import annotations

import csv
import re
from functools import cache

from flows.parse.text_quantities import folded
from flows.parse.units import sub_comparators
from flows.vocab import VOCAB_DIR

_CLAUSE_BREAK = re.compile(r";|\.\s|:\s")
_NEGATIONS = ("no", "not", "without", "never", "absence of", "free of", "none of", "nor")
_NEGATION = re.compile(
    r"\b(?:" + "|".join(phrase.replace(" ", r"\s+") for phrase in _NEGATIONS) + r")\b", re.IGNORECASE
)
_NEGATION_WORD = re.compile(r"\b(?:" + "|".join(phrase.split()[0] for phrase in _NEGATIONS) + r")\b", re.IGNORECASE)
_OR = re.compile(r"\bor\b", re.IGNORECASE)
_ASIDE = re.compile(r"\([^()]*\)")
_LABEL_COLON = re.compile(r"\b(\w[\w ]*?)\s*:\s*$")


def clause_start(clean: str, position: int) -> int:
    """Where the clause holding `position` begins (after the last ';', sentence end or colon): the end of the
    last match of `_CLAUSE_BREAK` before it, found from the end (prepared text: its whitespace is single spaces)."""
    head = clean[:position]
    return max((at + len(mark) for mark in (";", ". ", ": ") if (at := head.rfind(mark)) >= 0), default=0)


def may_negate(clean: str) -> bool:
    """False when no threshold of `clean` can be negated: `is_negated` needs one of the negation words, and
    removing asides and comparators (each replaced by a space) never makes a new word. Most criteria
    have none, and this spares them the scans `is_negated` makes."""
    lowered = folded(clean)
    if not any(fragment in lowered for fragment in _negation_fragments()):
        return False  # a test cheaper than the regex scan, for most criteria
    return _NEGATION_WORD.search(clean) is not None


def is_negated(clean: str, mention_start: int) -> bool:
    """'No ALT > 2 x ULN', 'not receiving prednisone > 10 mg/day': a negation earlier in the clause."""
    clause = clean[clause_start(clean, mention_start) : mention_start]
    if not may_negate(clause):
        return False
    without_asides = _ASIDE.sub(" ", clause)
    without_comparators = sub_comparators(without_asides, " ", "prefix")
    return _NEGATION.search(without_comparators) is not None


def alt_groups(clean: str, spans: list[tuple[int, int, int]], kinds: list[str]) -> list[int]:
    """One group number per threshold (mention start, start, end), in order; 0 = not an alternative.

    Consecutive thresholds joined by 'or' / 'and/or' share a group ('UPCR > 1.0 or 24-hour
    proteinuria > 1.0 g'); thresholds of one mention group ('AST or ALT > 3 x ULN') are not
    alternatives of each other, nor is a time window an alternative of a lab value.
    """
    groups = [0] * len(spans)
    next_group = 1
    for index in range(1, len(spans)):
        previous, current = spans[index - 1], spans[index]
        if current[0] == previous[0] or current[1] <= previous[2] or kinds[index] != kinds[index - 1]:
            continue
        between = clean[previous[2] : min(current[0], current[1])]
        if _OR.search(between) and not _CLAUSE_BREAK.search(between):
            if groups[index - 1] == 0:
                groups[index - 1] = next_group
                next_group += 1
            groups[index] = groups[index - 1]
    return groups


@cache
def _population_phrases() -> tuple[tuple[str, str], ...]:
    with (VOCAB_DIR / "populations.csv").open(encoding="utf-8", newline="") as handle:
        pairs = [(row["source"], row["value"]) for row in csv.DictReader(handle)]
    return tuple(sorted(pairs, key=lambda pair: -len(pair[0])))


@cache
def _population_pattern() -> re.Pattern[str]:
    phrases = "|".join(r"\s+".join(map(re.escape, src.split())) for src, _ in _population_phrases())
    return re.compile(
        rf"(?:\b(?:for|in|among|if)\s+(?P<before>{phrases})\b|\b(?P<label>{phrases})\s*:)|"
        rf"\(\s*(?:for\s+|in\s+)?(?P<paren>{phrases})\s*\)",
        re.IGNORECASE,
    )


def _population_value(written: str) -> str:
    folded = " ".join(written.casefold().split())
    return next(value for source, value in _population_phrases() if source == folded)


def _fewest_fragments(phrases: list[str]) -> tuple[str, ...]:
    """The phrases' first words, lowered, less those holding another ('women' holds 'men'): a text that
    holds none of them holds none of the phrases."""
    words = {phrase.split()[0].lower() for phrase in phrases}
    return tuple(sorted(word for word in words if not any(other in word for other in words - {word})))


@cache
def _negation_fragments() -> tuple[str, ...]:
    return _fewest_fragments(list(_NEGATIONS))


@cache
def _population_words() -> tuple[str, ...]:
    return _fewest_fragments([source for source, _ in _population_phrases()])


def may_name_population(clean: str) -> bool:
    """False when `clean` names no population: each phrase holds one of these words. A cheap test
    that spares most criteria the scans of `population_of`."""
    lowered = folded(clean)
    return any(word in lowered for word in _population_words())


def population_of(clean: str, mention_start: int, end: int) -> str | None:
    """'Hb < 12 g/dL for women' -> 'female'; a population named right after wins over one before."""
    following = clean[end : end + 40].lstrip(" ,")
    after = _population_pattern().match(following) if may_name_population(following) else None
    if after is not None and (after.group("before") or after.group("paren")):
        return _population_value(after.group("before") or after.group("paren"))
    clause = clean[clause_start(clean, mention_start) : mention_start]
    candidates = list(_population_pattern().finditer(clause)) if may_name_population(clause) else []
    preceding = clean[max(0, mention_start - 45) : mention_start]
    label_colon = _LABEL_COLON.search(preceding) if may_name_population(preceding) else None
    if label_colon is not None:
        candidates += list(_population_pattern().finditer(label_colon.group(0)))
    for match in reversed(candidates):
        written = match.group("before") or match.group("label") or match.group("paren")
        return _population_value(written)
    return None

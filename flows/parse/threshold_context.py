"""What surrounds a threshold: OR-alternatives, negation, and the population it is limited to."""

from __future__ import annotations

import csv
import re
from functools import cache

from flows.parse.units import sub_comparators
from flows.vocab import VOCAB_DIR

_CLAUSE_BREAK = re.compile(r";|\.\s|:\s")
_NEGATION = re.compile(r"\b(?:no|not|without|never|absence\s+of|free\s+of|none\s+of|nor)\b", re.IGNORECASE)
_OR = re.compile(r"\bor\b", re.IGNORECASE)


def clause_start(clean: str, position: int) -> int:
    """Where the clause holding `position` begins (after the last ';', sentence end or colon)."""
    breaks = list(_CLAUSE_BREAK.finditer(clean, 0, position))
    return breaks[-1].end() if breaks else 0


def is_negated(clean: str, mention_start: int) -> bool:
    """'No ALT > 2 x ULN', 'not receiving prednisone > 10 mg/day': a negation earlier in the clause."""
    clause = clean[clause_start(clean, mention_start) : mention_start]
    without_asides = re.sub(r"\([^()]*\)", " ", clause)
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


def population_of(clean: str, mention_start: int, end: int) -> str | None:
    """'Hb < 12 g/dL for women' -> 'female'; a population named right after wins over one before."""
    after = _population_pattern().match(clean[end : end + 40].lstrip(" ,"))
    if after is not None and (after.group("before") or after.group("paren")):
        return _population_value(after.group("before") or after.group("paren"))
    clause = clean[clause_start(clean, mention_start) : mention_start]
    label_colon = re.search(r"\b(\w[\w ]*?)\s*:\s*$", clean[max(0, mention_start - 45) : mention_start])
    candidates = list(_population_pattern().finditer(clause))
    if label_colon is not None:
        candidates += list(_population_pattern().finditer(label_colon.group(0)))
    for match in reversed(candidates):
        written = match.group("before") or match.group("label") or match.group("paren")
        return _population_value(written)
    return None

"""Criterion text -> numeric thresholds in canonical units.

`extract_thresholds("eGFR of ≥ 30 mL/min/1.73 m2")` -> (Threshold(parameter="egfr", op=">=",
value=30, unit="mL/min/1.73 m2", value_canonical=30, unit_canonical="mL/min/1.73 m²"),).

Precision first: a quantity becomes a threshold only when it sits right after a parameter
mention (or is an age in years written as one) and its unit is one of that parameter's
units in `flows/vocab/units.csv`. Anything doubtful is left out rather than guessed.
"""

from __future__ import annotations

import re
from dataclasses import replace

from flows.parse.text_quantities import Found, Mention, Quantity, find_mentions, find_quantities, prepare
from flows.parse.threshold_context import alt_groups, is_negated, may_name_population, may_negate, population_of
from flows.parse.time_windows import find_time_windows
from flows.parse.units import all_units, characters_of_units, conversion_for, is_extractable, normalise_unit
from flows.records import Threshold

_MAX_GAP = 40
_GAP_BREAK = re.compile(r";|\.\s|\d|\b(?:which|who|if|except|unless|when)\b", re.IGNORECASE)
_CHAIN_GAP = re.compile(
    r"(?:\s|,|\(|\band\b|\bor\b|\bbut\b|\bold\b|\bof age\b|\bfor\b|\bin\b|(?:fe)?males?|(?:wo)?men)*", re.I
)
_COORDINATION_GAP = re.compile(r"(?:\s|\(|\)|,|/|\bor\b|\band\b|\band/or\b)*", re.IGNORECASE)
_COUNTS = frozenset({"wbc", "platelets"})
_BARE_COUNT_MIN = 1000  # a cell count written without a unit is per µL only when it is this large
_DOSE_GAP = re.compile(r"\s*(?:or\s+(?:less|more)\s*)?(?:of\s+)?", re.IGNORECASE)
_AGE_UNITS = frozenset({"years", "year", "yrs", "yr", "y"})
_AGE_TAIL = re.compile(r"\s*(?:old|of\s+age)\b", re.IGNORECASE)
_AGE_HOLDER = re.compile(
    r"\b(?:patients?|subjects?|adults?|participants?|persons?|individuals?|men|women|males?|females?|"
    r"children|volunteers?|people|aged?)\b[^.;]{0,25}$",
    re.IGNORECASE,
)
_AFTER_DURATION = re.compile(r"\s*(?:since|ago|before|prior|after|from|of\s+(?:treatment|therapy))\b", re.I)
_DURATION_CUE = re.compile(
    r"\b(?:for|within|past|last|since|duration|history|previous|prior|after|before|ago|diagnos\w*)\b", re.I
)
_ASIDE = re.compile(r"\([^()]*\)")
_THOUSANDS_END = re.compile(r"(?<!\d)\d{1,3}\.\d{3}$")
_CLAUSE_SPLIT = re.compile(r"[;.:]\s")
_ASCII_DIGIT = re.compile(r"[0-9]")


def _holds_no_number(text: str) -> bool:
    """True when no threshold can come out of `text`: every threshold needs a digit in the prepared
    text, and an ASCII text gets one only from its own digits or from a 'ULN' / 'upper limit' phrase
    (read as '1 x ULN'). Most criteria are words only; this spares them the whole extraction."""
    if not text.isascii() or _ASCII_DIGIT.search(text):
        return False
    lowered = text.lower()
    return "uln" not in lowered and "upper" not in lowered


def extract_thresholds(text: str) -> tuple[Threshold, ...]:
    if _holds_no_number(text):
        return ()
    clean = prepare(text)
    mentions = find_mentions(clean)
    quantities = [q for q in find_quantities(clean, mentions) if q.op is not None]
    found = _attach(clean, mentions, quantities) + find_time_windows(clean)
    if not found:
        return ()
    found.sort(key=lambda item: (item.start, item.threshold.parameter))
    spans = [(item.mention_start, item.start, item.end) for item in found]
    kinds = ["window" if item.threshold.parameter == "time_window" else "value" for item in found]
    groups = alt_groups(clean, spans, kinds)
    negatable, names_population = may_negate(clean), may_name_population(clean)
    return tuple(
        _in_context(
            item.threshold,
            group,
            negatable and is_negated(clean, item.mention_start),
            population_of(clean, item.mention_start, item.end) if names_population else None,
        )
        for item, group in zip(found, groups, strict=True)
    )


def _in_context(threshold: Threshold, alt_group: int, negated: bool, population: str | None) -> Threshold:
    if (threshold.alt_group, threshold.negated, threshold.population) == (alt_group, negated, population):
        return threshold  # most thresholds: spares a copy
    return replace(threshold, alt_group=alt_group, negated=negated, population=population)


def _attach(clean: str, mentions: list[Mention], quantities: list[Quantity]) -> list[Found]:
    """Give each quantity the parameter(s) named just before it; unattached years become ages."""
    found: list[Found] = []
    doses = [m for m in mentions if m.parameter == "prednisone_dose"]
    for quantity in quantities:
        group, anchor = _mention_group_before(clean, mentions, quantity, found)
        if group:
            found.extend(_build(clean, parameter, quantity, group[0].start) for parameter in _names(group))
        elif (after := _mention_right_after(clean, doses, quantity)) is not None:
            found.append(_build(clean, after.parameter, quantity, quantity.start))
        elif anchor is None:
            found.extend(_implied_age(clean, quantity))
    return [item for item in found if item.threshold.parameter != "-"]


def _mention_right_after(clean: str, doses: list[Mention], quantity: Quantity) -> Mention | None:
    """'10 mg/day of prednisone': a dose named after its unit (only units that name the dose)."""
    following = [m for m in doses if m.start >= quantity.end]
    if not following:
        return None
    unit, unit_end, _ = _read_unit(clean, quantity.end, "prednisone_dose")
    gap = clean[unit_end : following[0].start]
    return following[0] if unit and _DOSE_GAP.fullmatch(gap) else None


def _names(group: list[Mention]) -> list[str]:
    return list(dict.fromkeys(m.parameter for m in group))


def _mention_group_before(
    clean: str, mentions: list[Mention], quantity: Quantity, found: list[Found]
) -> tuple[list[Mention], int | None]:
    """The mentions a quantity belongs to ('AST or ALT > 3 x ULN' -> both), and the mention-free anchor."""
    # 'over the age of 18': the mention may sit inside the comparator
    before = [
        m for m in mentions if m.end <= quantity.start or (m.start >= quantity.start and m.end <= quantity.number_start)
    ]
    if not before:
        return [], None
    last = before[-1]
    anchor = last.end
    chained = [item.end for item in found if last.end <= item.end <= quantity.start]
    if chained:
        gap = clean[max(chained) : quantity.start]
        return ([last] if _CHAIN_GAP.fullmatch(gap) else []), anchor
    gap = _without_asides(clean[last.end : max(last.end, quantity.start)])
    if len(gap) > _MAX_GAP or _GAP_BREAK.search(gap):
        return [], anchor
    group = [last]
    for earlier in reversed(before[:-1]):
        if not _COORDINATION_GAP.fullmatch(clean[earlier.end : group[0].start]):
            break
        group.insert(0, earlier)
    return group, anchor


def _without_asides(gap: str) -> str:
    """The gap without parenthesised asides: 'BMI, kg/m(2)) greater than' -> 'BMI, kg/m) greater than'."""
    if "(" not in gap:
        return gap
    previous = None
    while previous != gap:
        previous, gap = gap, _ASIDE.sub("", gap)
    return gap


def _read_unit(clean: str, position: int, parameter: str) -> tuple[str, int, bool]:
    """(unit as written or '' for none, where it ends, whether a unit of another parameter stands there).

    Its words are read with `str.split()`: in prepared text they are one space apart."""
    window = clean[position : position + 40]
    words = window.split()[:6]
    start = position + len(window) - len(window.lstrip())
    # a run of words holding one that no unit of the parameter can hold is no unit: the longer runs are not tried
    held = characters_of_units(parameter)
    longest = next((i + 1 for i, word in enumerate(words) if not held.issuperset(word.casefold())), len(words))
    for count in range(longest, 0, -1):
        written = _strip_trailing_punctuation(" ".join(words[:count]))
        if written and conversion_for(parameter, written) is not None:
            return written, start + len(written), False
    first = _strip_trailing_punctuation(words[0]) if words else ""
    foreign = bool(first) and (normalise_unit(first) in all_units() or ("/" in first or "%" in first))
    return "", position, foreign


def _strip_trailing_punctuation(written: str) -> str:
    while written and written[-1] in ".,;:)]" and not (written[-1] == ")" and written.count("(") >= written.count(")")):
        written = written[:-1]
    return written


def _build(clean: str, parameter: str, quantity: Quantity, mention_start: int) -> Found:
    if not is_extractable(parameter) or (quantity.is_ratio and parameter != "ana_titer"):
        return _unusable(quantity, mention_start)
    unit, unit_end, foreign = _read_unit(clean, quantity.end, parameter)
    conversion = conversion_for(parameter, unit)
    if conversion is None or (unit == "" and foreign):
        return _unusable(quantity, mention_start)
    if unit == "" and parameter in _COUNTS and quantity.value < _BARE_COUNT_MIN:
        return _unusable(quantity, mention_start)  # 'platelets < 50' is 50 x 10^9/L, not 50 per µL
    value = _count_thousands(parameter, unit, quantity)
    high = quantity.value_high
    threshold = Threshold(
        parameter=parameter,
        op=str(quantity.op),
        value=value,
        value_high=high,
        unit=unit or None,
        value_canonical=conversion.apply(value),
        value_high_canonical=conversion.apply(high) if high is not None else None,
        unit_canonical=conversion.unit_canonical,
    )
    return Found(threshold, mention_start, quantity.start, unit_end)


def _unusable(quantity: Quantity, mention_start: int) -> Found:
    return Found(Threshold("-", "=", None), mention_start, quantity.start, quantity.end)


def _count_thousands(parameter: str, unit: str, quantity: Quantity) -> float:
    """'100.000/mm3' is a European thousands separator, not one hundred cells."""
    counts = parameter in _COUNTS and normalise_unit(unit) in {"/mm3", "/ul"}
    if counts and _THOUSANDS_END.search(quantity.written) and quantity.value < 1000:
        return quantity.value * 1000
    return quantity.value


def _implied_age(clean: str, quantity: Quantity) -> list[Found]:
    """'18 years or older', 'Patients ≥ 18 years', 'aged 18-65' without an explicit age mention."""
    unit, unit_end, _ = _read_unit(clean, quantity.end, "age")
    if normalise_unit(unit) not in _AGE_UNITS:
        return []
    if _AFTER_DURATION.match(clean, unit_end):
        return []
    before = clean[max(0, quantity.start - 40) : quantity.start]
    clause_before = _CLAUSE_SPLIT.split(before)[-1]
    if _DURATION_CUE.search(clause_before):
        return []
    holder = _AGE_HOLDER.search(clause_before) or clause_before.strip(" -•*(") == ""
    if not (_AGE_TAIL.match(clean, unit_end) or holder):
        return []
    return [_build(clean, "age", quantity, quantity.start)]

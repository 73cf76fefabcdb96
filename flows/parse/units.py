"""Units, parameters and comparators of eligibility thresholds, read from `flows/vocab/*.csv`.

Conversions are plain factors (and one offset, HbA1c mmol/mol -> %) kept as data: each
parameter has one canonical unit, except where two units are not convertible without
patient data (`x ULN` beside U/L or mg/dL, mg/kg/day beside mg/day); those keep their own
canonical unit and the matcher refuses to compare across them.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache, lru_cache

from flows.vocab import VOCAB_DIR


@dataclass(frozen=True, slots=True)
class Conversion:
    unit_canonical: str
    factor: float
    offset: float

    def apply(self, value: float) -> float:
        return round(value * self.factor + self.offset, 9)


_UNIT_REWRITES: tuple[tuple[str, str], ...] = (
    (r"[µμ]|mc(?=[glm])", "u"),
    (r"×|\*", "x"),
    (r"\s+", ""),
    (r"per", "/"),
    (r"litres?|liters?", "l"),
    (r"mls(?=/)", "ml"),
    (r"grams?|gm(?=/|%|$)", "g"),
    (r"mm\(3\)", "mm3"),
    (r"m\(2\)", "m2"),
    (r"cu\.?mm|mm\^3|cmm", "mm3"),
    (r"m\^2", "m2"),
    (r"10\(?e?\^?\(?(\d+)\)?", r"10^\1"),
    (r"^(?=10\^)", "x"),
    (r"^k/", "x10^3/"),
    (r"cells?/", "/"),
    (r"^(?=mm3$|ul$)", "/"),
    (r"24-?(?:hours?|hrs?|h)", "24h"),
    (r"/(?:24h)?(?:daily|qd|aday)$|(?<=mg)(?:daily|qd|aday)$", "/day"),
    (r"\.$", ""),
)


@lru_cache(maxsize=8192)  # the same few hundred unit spellings recur in every criterion
def normalise_unit(unit: str) -> str:
    """A written unit in the folded form units.csv uses: 'µmol/L' -> 'umol/l', '× 10⁹/L' -> 'x10^9/l'."""
    folded = unit.casefold().replace("10⁹", "10^9").replace("10³", "10^3").replace("²", "2").replace("³", "3")
    for pattern, replacement in _UNIT_REWRITES:
        folded = re.sub(pattern, replacement, folded)
    return folded


@cache
def unit_table() -> dict[str, dict[str, Conversion]]:
    """{parameter: {normalised unit as written ('' for none): Conversion}}."""
    table: dict[str, dict[str, Conversion]] = {}
    with (VOCAB_DIR / "units.csv").open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            conversion = Conversion(row["unit_canonical"], float(row["factor"]), float(row["offset"] or 0))
            table.setdefault(row["parameter"], {})[normalise_unit(row["unit"])] = conversion
    return table


@cache
def all_units() -> frozenset[str]:
    """Every normalised unit of every parameter: a unit known elsewhere is not 'no unit'."""
    return frozenset(unit for units in unit_table().values() for unit in units if unit)


def conversion_for(parameter: str, unit: str | None) -> Conversion | None:
    return unit_table().get(parameter, {}).get(normalise_unit(unit or ""))


def convert(parameter: str, value: float, unit: str | None) -> tuple[float, str] | None:
    """(value in the canonical unit, canonical unit), or None when the unit is not one of the parameter's."""
    conversion = conversion_for(parameter, unit)
    if conversion is None:
        return None
    return conversion.apply(value), conversion.unit_canonical


def _phrase_pattern(phrase: str) -> str:
    words = [re.escape(word) for word in re.split(r"[\s\-/]+", phrase.strip()) if word]
    body = r"[\s\-/]*".join(words)
    return rf"(?<![A-Za-z0-9]){body}(?![A-Za-z0-9])"


@cache
def parameter_synonyms() -> tuple[tuple[str, str], ...]:
    """(text form, parameter) pairs, longest text form first; 'ast|alt' names two parameters."""
    with (VOCAB_DIR / "parameters.csv").open(encoding="utf-8", newline="") as handle:
        pairs = [(row["source"], row["value"]) for row in csv.DictReader(handle)]
    return tuple(sorted(pairs, key=lambda pair: -len(pair[0])))


_TOKEN = re.compile(r"(?<![A-Za-z0-9])(?:[A-Za-z]+|\d+)")


@cache
def _synonyms_by_first_token() -> dict[str, tuple[tuple[re.Pattern[str], str, str], ...]]:
    """{first token of a text form: (pattern, text form, parameter), longest first}: a regex of 250
    alternatives tried at every position is slow; a lookup by the token that starts a mention is not."""
    index: dict[str, list[tuple[re.Pattern[str], str, str]]] = {}
    for source, parameter in parameter_synonyms():
        first = _TOKEN.match(source.casefold())
        if first is not None:
            entry = (re.compile(_phrase_pattern(source), re.IGNORECASE), source, parameter)
            index.setdefault(first.group(0), []).append(entry)
    return {token: tuple(entries) for token, entries in index.items()}


def find_parameter_mentions(text: str) -> list[tuple[int, int, str]]:
    """(start, end, parameter) of every parameter named in `text`, longest text form first.

    A lowercase short abbreviation ('pt', 'alt', 'news') is a word, not a lab name: skipped.
    """
    found: list[tuple[int, int, str]] = []
    covered_until = 0
    index = _synonyms_by_first_token()
    for token in _TOKEN.finditer(text):
        if token.start() < covered_until:
            continue
        for pattern, source, parameter in index.get(token.group(0).casefold(), ()):
            match = pattern.match(text, token.start())
            if match is None:
                continue
            if len(source) <= 4 and parameter != "age" and match.group(0).islower():
                continue
            found.append((match.start(), match.end(), parameter))
            covered_until = match.end()
            break
    return found


def is_extractable(parameter: str) -> bool:
    """Parameters without units rows are recognised only so their numbers are not misattributed."""
    return parameter in unit_table()


@cache
def comparators(position: str) -> tuple[tuple[str, str], ...]:
    """(text form, op) pairs for `prefix` ('at least 18') or `postfix` ('18 or older'), longest first."""
    with (VOCAB_DIR / "comparators.csv").open(encoding="utf-8", newline="") as handle:
        pairs = [(row["source"], row["value"]) for row in csv.DictReader(handle) if row["position"] == position]
    return tuple(sorted(pairs, key=lambda pair: -len(pair[0])))


def _comparator_regex(source: str) -> str:
    if source[0].isalpha():
        return r"\b" + r"\s+".join(re.escape(word) for word in source.split()) + r"\b"
    return r"\s*".join(re.escape(char) for char in source.replace(" ", ""))


@cache
def comparator_pattern(position: str) -> re.Pattern[str]:
    alternatives = (f"(?P<c{i}>{_comparator_regex(src)})" for i, (src, _) in enumerate(comparators(position)))
    return re.compile("|".join(alternatives), re.IGNORECASE)


@cache
def _comparator_dispatch(position: str) -> tuple[re.Pattern[str], dict[str, re.Pattern[str]]]:
    """(where a comparator can start, {first character: the comparators starting with it}).

    The full pattern tried at every position of a window is slow (about 70 alternatives each);
    trying at each possible start only the alternatives that begin with its character finds the
    same matches. Alternatives keep their order and group names, so `op_of_match` still works.
    """
    groups: dict[str, list[str]] = {}
    for i, (source, _) in enumerate(comparators(position)):
        first = source.replace(" ", "")[0].lower()
        groups.setdefault(first, []).append(f"(?P<c{i}>{_comparator_regex(source)})")
    letters = "".join(re.escape(c) for c in groups if c.isalpha())
    symbols = "".join(re.escape(c) for c in groups if not c.isalpha())
    parts = (rf"\b[{letters}]" if letters else "", f"[{symbols}]" if symbols else "")
    starts = "|".join(part for part in parts if part)
    by_first = {first: re.compile("|".join(parts), re.IGNORECASE) for first, parts in groups.items()}
    return re.compile(starts, re.IGNORECASE), by_first


def iter_comparators(text: str, start: int, end: int, position: str) -> Iterator[re.Match[str]]:
    """The matches of `comparator_pattern(position).finditer(text, start, end)`, found faster."""
    candidates, by_first = _comparator_dispatch(position)
    full = comparator_pattern(position)
    at = start
    while (candidate := candidates.search(text, at, end)) is not None:
        here = candidate.start()
        # a character whose case folding is not plain lower() ('ı', 'ſ') takes the full pattern
        match = by_first.get(text[here].lower(), full).match(text, here, end)
        if match is None:
            at = here + 1
            continue
        yield match
        at = match.end()


def sub_comparators(text: str, replacement: str, position: str) -> str:
    """`comparator_pattern(position).sub(replacement, text)` for a plain replacement string."""
    pieces, last = [], 0
    for match in iter_comparators(text, 0, len(text), position):
        pieces += [text[last : match.start()], replacement]
        last = match.end()
    return "".join(pieces) + text[last:] if pieces else text


def op_of_match(match: re.Match[str], position: str) -> str:
    return comparators(position)[int(str(match.lastgroup)[1:])][1]

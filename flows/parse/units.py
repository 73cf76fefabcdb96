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


_UNIT_REWRITES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), replacement)
    for pattern, replacement in (
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
)


@lru_cache(maxsize=8192)  # the same few hundred unit spellings recur in every criterion
def normalise_unit(unit: str) -> str:
    """A written unit in the folded form units.csv uses: 'µmol/L' -> 'umol/l', '× 10⁹/L' -> 'x10^9/l'."""
    folded = unit.casefold().replace("10⁹", "10^9").replace("10³", "10^3").replace("²", "2").replace("³", "3")
    for pattern, replacement in _UNIT_REWRITES:
        folded = pattern.sub(replacement, folded)
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
    written = unit or ""
    if not could_be_unit(parameter, written):
        return None
    return unit_table().get(parameter, {}).get(normalise_unit(written))


def could_be_unit(parameter: str, written: str) -> bool:
    """False when neither `written` nor any text holding it is a unit of `parameter`, known without normalising."""
    return characters_of_units(parameter).issuperset("".join(written.casefold().split()))


@cache
def characters_of_units(parameter: str) -> frozenset[str]:
    """The characters besides whitespace a written unit of `parameter` can hold: those of its units and those
    a rewrite of `normalise_unit` may match (the rewrites hold no wildcard). Any other character stays
    through normalising, so testing this spares normalising most of the word runs `_read_unit` tries."""
    rewritten = "".join(pattern.pattern for pattern, _ in _UNIT_REWRITES) + "⁹³²"
    return frozenset("".join(unit_table().get(parameter, {})) + rewritten)


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


@cache
def _mention_starts(lowered_ascii: bool) -> re.Pattern[str]:
    """The tokens of `_TOKEN` that start a text form (group `first`), found by one regex scan instead of a
    Python loop over every token. A digit run holding a non-ASCII digit is one token with nothing starting
    inside it, so it is matched (without `first`) to be skipped as `_TOKEN.finditer` would. For a lowered
    ASCII text the words are matched as they are (faster than ignoring case) and there is no such run."""
    tokens = _synonyms_by_first_token()
    words = _word_trie([token for token in tokens if token.isalpha()])
    numbers = "|".join(re.escape(token) for token in tokens if token.isdigit())
    word_starts = rf"{words}(?![a-z])" if lowered_ascii else rf"(?ai:{words})(?![A-Za-z])"
    first = "|".join(part for part in (word_starts, rf"(?:{numbers})(?!\d)" if numbers else "") if part)
    if lowered_ascii:
        return re.compile(rf"(?<![a-z0-9])(?P<first>{first})")
    return re.compile(rf"(?<![A-Za-z0-9])(?:(?P<first>{first})|[0-9]*[^\D0-9]\d*)")


_Trie = dict[str, "_Trie"]


def _word_trie(words: list[str]) -> str:
    """A regex matching exactly `words`, as a trie: 'age|aged|ages' -> 'age(?:d|s)?'."""
    trie: _Trie = {}
    for word in words:
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}
    return _trie_branches(trie)


def _trie_branches(node: _Trie) -> str:
    branches = [re.escape(char) + _trie_branches(child) for char, child in sorted(node.items()) if char]
    if not branches:
        return ""
    alternatives = "|".join(branches)
    if "" in node:
        return f"(?:{alternatives})?"
    return alternatives if len(branches) == 1 else f"(?:{alternatives})"


def find_parameter_mentions(text: str) -> list[tuple[int, int, str]]:
    """(start, end, parameter) of every parameter named in `text`, longest text form first.

    A lowercase short abbreviation ('pt', 'alt', 'news') is a word, not a lab name: skipped.
    """
    found: list[tuple[int, int, str]] = []
    covered_until = 0
    index = _synonyms_by_first_token()
    ascii_text = text.isascii()
    for token in _mention_starts(ascii_text).finditer(text.lower() if ascii_text else text):
        if token.start() < covered_until or token.group("first") is None:
            continue
        for pattern, source, parameter in index[token.group("first").casefold()]:
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
def comparator_endings(position: str) -> tuple[str, ...]:
    """How the comparators of `position` end, lowered: a text that does not end so (once lowered by
    `text_quantities.folded` and right-stripped) has no comparator ending at its end."""
    endings = {
        source.split()[-1] if source[0].isalpha() else source.split()[-1][-1] for source, _ in comparators(position)
    }
    return tuple(sorted(ending.lower() for ending in endings))


@cache
def comparator_pattern(position: str) -> re.Pattern[str]:
    alternatives = (f"(?P<c{i}>{_comparator_regex(src)})" for i, (src, _) in enumerate(comparators(position)))
    return re.compile("|".join(alternatives), re.IGNORECASE)


@cache
def _comparator_dispatch(
    position: str, then: str = ""
) -> tuple[re.Pattern[str], dict[str, re.Pattern[str]], re.Pattern[str]]:
    """(where a comparator can start, {first character: the comparators starting with it}, the full pattern),
    each comparator followed by the regex `then`.

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
    by_first = {first: re.compile(f"(?:{'|'.join(parts)}){then}", re.IGNORECASE) for first, parts in groups.items()}
    full = re.compile(f"(?:{comparator_pattern(position).pattern}){then}", re.IGNORECASE)
    return re.compile(starts, re.IGNORECASE), by_first, full


def iter_comparators(text: str, start: int, end: int, position: str, then: str = "") -> Iterator[re.Match[str]]:
    """The matches of `re.compile(f"(?:{comparator_pattern(position).pattern}){then}", re.I).finditer(text,
    start, end)`, found faster. `op_of_match` reads the comparator of each."""
    candidates, by_first, full = _comparator_dispatch(position, then)
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


def comparator_at(text: str, at: int, position: str) -> re.Match[str] | None:
    """`comparator_pattern(position).match(text, at)`, found faster."""
    candidates, by_first, full = _comparator_dispatch(position)
    if candidates.match(text, at) is None:
        return None
    return by_first.get(text[at].lower(), full).match(text, at)


@cache
def _comparator_barrier(position: str) -> re.Pattern[str]:
    """Matches up to the last character that no comparator of `position` can hold (a digit, most punctuation)."""
    held = "".join(source for source, _ in comparators(position)).lower()
    barriers = "".join(char for char in "0123456789.,;:()[]%" if char not in held)
    return re.compile(f".*[{re.escape(barriers)}]", re.DOTALL)


def comparator_scan_start(text: str, start: int, end: int, position: str) -> int:
    """Where a scan for comparators in `text[start:end]` can begin and find the same ones from there on: after
    the last character no comparator holds, as no match of a scan started earlier can span it."""
    barrier = _comparator_barrier(position).match(text, start, end)
    return start if barrier is None else barrier.end()


def sub_comparators(text: str, replacement: str, position: str) -> str:
    """`comparator_pattern(position).sub(replacement, text)` for a plain replacement string."""
    pieces, last = [], 0
    for match in iter_comparators(text, 0, len(text), position):
        pieces += [text[last : match.start()], replacement]
        last = match.end()
    return "".join(pieces) + text[last:] if pieces else text


def op_of_match(match: re.Match[str], position: str) -> str:
    return comparators(position)[int(str(match.lastgroup)[1:])][1]

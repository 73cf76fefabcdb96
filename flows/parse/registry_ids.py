"""Registry trial ids -> (registry code, registry_id), from `flows/vocab/registries.csv`.

Decisions (see the CSV's comment rows):
- EU CTR: ICTRP's `EUCTR2020-000890-25-FR` -> ("euctr", "2020-000890-25-FR"). The country
  suffix stays: one EU trial has a record per member state, each with its own status and
  dates, and `trial_id` must stay unique per record. `eudract_number()` gives the shared
  part for grouping them. A bare EudraCT number ("EudraCT: 2005-004244-31") stays bare.
- CTIS numbers (`2023-500001-12-00`, middle part starting with 5) -> "ctis".
- Japanese ids drop ICTRP's `JPRN-` prefix (`JPRN-UMIN000039565` -> "UMIN000039565"), so
  the same trial keys alike whether it came from ICTRP or from jRCT/UMIN-CTR itself.
- Registries without a contract code (TCTR, NTR/NL, ReBEC, RPCEC, SLCTR, ...) -> "other".
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from flows.vocab import VOCAB_DIR

_LIST_SPLIT = re.compile(r"\s*(?:<br\s*/?>|[;,\n\r|])\s*", re.IGNORECASE)
_JUNK_IDS = frozenset(
    {
        "",
        "-",
        "--",
        "n/a",
        "na",
        "nil",
        "nil known",
        "none",
        "no",
        "empty",
        "not applicable",
        "nct00000000",
        "0",
    }
)


@dataclass(frozen=True, slots=True)
class _IdPattern:
    registry: str
    prefix: str  # canonical spelling of the id's leading letters ("ChiCTR", "jRCT")
    regex: re.Pattern[str]


@cache
def _id_patterns() -> tuple[_IdPattern, ...]:
    with (VOCAB_DIR / "registries.csv").open(encoding="utf-8", newline="") as handle:
        rows = [row for row in csv.DictReader(handle) if not row["registry"].startswith("#")]
    return tuple(_IdPattern(r["registry"], r["prefix"], re.compile(r["pattern"], re.IGNORECASE)) for r in rows)


def _canonical(pattern: _IdPattern, raw_id: str) -> str:
    """The id as written, its registry prefix in the registry's own spelling ("nct0..." -> "NCT0...")."""
    prefix = pattern.prefix
    if prefix and raw_id[: len(prefix)].casefold() == prefix.casefold():
        return prefix + raw_id[len(prefix) :]
    return raw_id.upper() if not prefix else raw_id


def parse_trial_id(text: str | None) -> tuple[str, str] | None:
    """A text that is one registry id -> (registry code, registry_id); None when it is not one."""
    if not text:
        return None
    stripped = text.strip().strip(".;,")
    for pattern in _id_patterns():
        match = pattern.regex.fullmatch(stripped)
        if match is not None:
            return pattern.registry, _canonical(pattern, match["id"])
    return None


def find_registry_ids(text: str | None) -> list[tuple[str, str]]:
    """Every registry id named in free text, in order of appearance, without repeats."""
    if not text:
        return []
    found: list[tuple[int, int, str, str]] = []
    for pattern in _id_patterns():
        for match in pattern.regex.finditer(text):
            found.append((match.start(), -match.end(), pattern.registry, _canonical(pattern, match["id"])))
    found.sort()
    result: list[tuple[str, str]] = []
    covered_until = -1
    for start, negative_end, registry, registry_id in found:
        if start < covered_until:  # overlaps a longer id found at an earlier position
            continue
        covered_until = -negative_end
        if (registry, registry_id) not in result:
            result.append((registry, registry_id))
    return result


def eudract_number(registry_id: str) -> str:
    """'2020-000890-25-FR' -> '2020-000890-25': the part an EU trial's country records share."""
    return registry_id[:14]


def clean_secondary_ids(values: Iterable[str | None]) -> tuple[str, ...]:
    """Secondary-id fields -> the distinct ids: lists split, placeholders such as "nil known" dropped."""
    ids: list[str] = []
    seen: set[str] = set()
    for value in values:
        for part in _LIST_SPLIT.split(value or ""):
            candidate = part.strip().strip(".")
            key = candidate.casefold()
            if key in _JUNK_IDS or key in seen:
                continue
            seen.add(key)
            ids.append(candidate)
    return tuple(ids)

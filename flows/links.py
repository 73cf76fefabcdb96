"""Which loaded trials are the same trial? The pure parts of cross-registry links and their clusters
(`warehouse.links` finds the candidate pairs over every trial of the warehouse).

Two kinds of evidence, strongest first:

- `secondary_id`: a trial names another loaded trial's registry id (or both carry the same
  EudraCT number, as the per-country EU register records do). Ids are normalised (case,
  spaces, EU country suffixes) and only strings shaped like a registry id count, so a
  protocol number or "N/A" never links.
- `title_similarity`: titles of trials in *different* registries that are near-identical
  (rapidfuzz ratio >= `TITLE_THRESHOLD` on case- and punctuation-folded text). Candidate
  pairs share a blocking key, two of a title's `BLOCK_WORDS` rarest words, so the work
  stays near-linear in the number of trials. Guards keep precision high: titles of fewer
  than `MIN_TITLE_WORDS` words are not compared, differing stated phases never link, start
  years more than a year apart never link, and a pair links only when each trial is the
  other's unique best match in the other's registry.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import combinations

from rapidfuzz import fuzz

TITLE_THRESHOLD = 0.90
MIN_TITLE_WORDS = 5
BLOCK_WORDS = 4  # the rarest words of a title that make its blocking keys
MAX_BLOCK = 200  # a blocking key shared by more titles than this is too common to use

# registry id shapes; the EudraCT number stands for every per-country EU register record
REGISTRY_ID_PATTERNS: dict[str, re.Pattern[str]] = {
    "ctgov": re.compile(r"\bNCT\d{8}\b"),
    "euctr": re.compile(r"\b(?:EUCTR)?(\d{4}-\d{6}-\d{2})(?:-[A-Z]{2,3})?\b"),
    "ctis": re.compile(r"\b\d{4}-\d{6}-\d{2}-\d{2}\b"),
    "isrctn": re.compile(r"\bISRCTN\d{8}\b"),
    "chictr": re.compile(r"\bCHICTR(?:-[A-Z]{2,5}-)?\d{8,10}\b"),
    "anzctr": re.compile(r"\bACTRN\d{14}\b"),
    "irct": re.compile(r"\bIRCT\d{8,}N\d+\b"),
    "ctri": re.compile(r"\bCTRI/\d{4}/\d{2,3}/\d{6}\b"),
    "jprn": re.compile(r"\b(?:JPRN-)?(?:JRCT[A-Z]?\d{9,10}|UMIN\d{9}|JAPICCTI-\d{6}|JMA-IIA\d{5})\b"),
    "drks": re.compile(r"\bDRKS\d{8}\b"),
    "pactr": re.compile(r"\bPACTR\d{15}\b"),
    "cris": re.compile(r"\bKCT\d{7}\b"),
    "ntr": re.compile(r"\b(?:NTR\d{3,5}|NL\d{4,5})\b"),
    "tctr": re.compile(r"\bTCTR\d{11}\b"),
}
_PHASE = re.compile(r"\bphase\s*(iv|iii|ii|i|[0-4])\b(?:\s*(?:/|and|-)\s*(iv|iii|ii|i|[0-4])\b)?")
_ROMAN = {"i": "1", "ii": "2", "iii": "3", "iv": "4"}
_NON_WORD = re.compile(r"[\W_]+")
_PREFIX_SPACE = re.compile(r"\b(NCT|ISRCTN|ACTRN|DRKS|CHICTR|IRCT|PACTR|KCT|TCTR|EUCTR|UMIN)\s+(?=\d)")


@dataclass(frozen=True, slots=True)
class LinkCandidate:
    trial_id: str
    registry: str | None
    registry_id: str | None
    secondary_ids: tuple[str, ...] = ()
    title: str | None = None
    brief_title: str | None = None
    start_year: int | None = None


@dataclass(frozen=True, slots=True)
class Link:
    trial_id: str  # always < linked_trial_id
    linked_trial_id: str
    method: str  # secondary_id | title_similarity
    score: float  # 0..1
    evidence: str


def registry_id_keys(text: str | None) -> list[str]:
    """Every registry id in a string, normalised ("euctr2020-001113-21-gb" -> "2020-001113-21")."""
    if not text:
        return []
    folded = _PREFIX_SPACE.sub(r"\1", text.upper()).replace("JPRN-", "")
    spaced = re.sub(r"[;,|]", " ", folded)
    keys: list[str] = []
    for name, pattern in REGISTRY_ID_PATTERNS.items():
        for match in pattern.finditer(spaced):
            key = match.group(1) if name == "euctr" else match.group(0)
            if name == "euctr" and re.match(r"-\d{2}\b", spaced[match.end() :]):
                continue  # a CTIS number, not an EudraCT number
            if key not in keys:
                keys.append(key)
    return keys


def merged(title_links: Iterable[Link], secondary_id_links: Iterable[Link]) -> list[Link]:
    """One link per pair (secondary-id evidence preferred, the last one given), sorted."""
    by_pair: dict[tuple[str, str], Link] = {}
    for link in (*title_links, *secondary_id_links):
        by_pair[(link.trial_id, link.linked_trial_id)] = link
    return [by_pair[pair] for pair in sorted(by_pair)]


LinksAndClusters = tuple[list[Link], list[tuple[str, str]]]  # links, (trial_id, cluster_id) where they differ


def with_clusters(links: list[Link]) -> LinksAndClusters:
    """The links, and the cluster of every linked trial that is not its own cluster."""
    return links, [(trial_id, cluster) for trial_id, cluster in clusters(links, ()).items() if trial_id != cluster]


def clusters(links: Iterable[Link], trial_ids: Iterable[str]) -> dict[str, str]:
    """trial_id -> cluster_id (the smallest trial_id of its connected component); union-find."""
    parent: dict[str, str] = {trial_id: trial_id for trial_id in trial_ids}

    def root(node: str) -> str:
        parent.setdefault(node, node)
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    for link in links:
        first, second = root(link.trial_id), root(link.linked_trial_id)
        if first != second:
            parent[max(first, second)] = min(first, second)
    return {node: root(node) for node in sorted(parent)}


# ------------------------------------------------------------------------------- secondary ids


def secondary_id_links(trials: Sequence[LinkCandidate]) -> Iterable[Link]:
    """In the order given, as `merged` expects them. Only trials that share or name a registry id matter:
    `trials` may leave out the others (`warehouse.links` does), the result is the same."""
    owners: dict[str, list[str]] = defaultdict(list)
    for trial in trials:
        for key in registry_id_keys(trial.registry_id):
            if trial.trial_id not in owners[key]:
                owners[key].append(trial.trial_id)
    for key, trial_ids in owners.items():  # per-country EU records of one EudraCT number
        for first, second in combinations(sorted(trial_ids), 2):
            yield Link(first, second, "secondary_id", 1.0, f"same registry id {key}")
    for trial in trials:
        own = set(registry_id_keys(trial.registry_id))
        for raw in trial.secondary_ids:
            for key in registry_id_keys(raw):
                for other in owners.get(key, ()):
                    if other != trial.trial_id and key not in own:
                        first, second = sorted((trial.trial_id, other))
                        yield Link(first, second, "secondary_id", 1.0, f"secondary id {key}")


# ---------------------------------------------------------------------------- title similarity


@dataclass(frozen=True, slots=True)
class TitleForm:
    index: int  # the trial's
    text: str  # folded
    form: int  # 0: the trial's title, 1: its brief title
    phases: frozenset[str]


_NO_PHASES: frozenset[str] = frozenset()
Match = tuple[float, int, TitleForm, TitleForm]  # score, the other trial's index, this trial's form, the other's


def title_forms(index: int, trial: LinkCandidate) -> list[TitleForm]:
    """The trial's titles that are compared: folded, of at least MIN_TITLE_WORDS words, each once."""
    forms: list[TitleForm] = []
    for form, original in enumerate((trial.title, trial.brief_title)):
        folded = fold_title(original)
        if folded and len(folded.split()) >= MIN_TITLE_WORDS and folded not in [f.text for f in forms]:
            forms.append(TitleForm(index, folded, form, _phases(folded)))
    return forms


def add_title_match(
    best: dict[tuple[int, str], list[Match]],
    a: LinkCandidate,
    b: LinkCandidate,
    forms_a: list[TitleForm],
    forms_b: list[TitleForm],
) -> None:
    """Note a candidate pair that passes the guards and scores, under each trial and the other's registry."""
    if not compatible(a, b):
        return
    scored = best_title_score(forms_a, forms_b)
    if scored is None:
        return
    score, form_a, form_b = scored
    best[(form_a.index, b.registry or "")].append((score, form_b.index, form_a, form_b))
    best[(form_b.index, a.registry or "")].append((score, form_a.index, form_b, form_a))


def title_links(best: dict[tuple[int, str], list[Match]], trials: dict[int, LinkCandidate]) -> list[Link]:
    """Links between trials that are each other's unique best match; `trials`: those `best` names."""
    links: list[Link] = []
    for (index, _registry), matches in best.items():
        match = unique_best(matches)
        if match is None:
            continue
        score, other, form_a, form_b = match
        back = unique_best(best.get((other, trials[index].registry or ""), []))
        if back is None or back[1] != index or index > other:
            continue
        first_id, second_id = sorted((trials[index].trial_id, trials[other].trial_id))
        text_a, text_b = _original(trials[form_a.index], form_a), _original(trials[form_b.index], form_b)
        evidence = f"title {score:.2f}: '{_clip(text_a)}' ~ '{_clip(text_b)}'"
        links.append(Link(first_id, second_id, "title_similarity", round(score, 4), evidence))
    return links


def _original(trial: LinkCandidate, title: TitleForm) -> str:
    """The title as the trial gives it, white space folded: what a link's evidence quotes."""
    return " ".join(((trial.title, trial.brief_title)[title.form] or "").split())


def fold_title(title: str | None) -> str:
    """Case-folded title with punctuation as spaces: the text titles are compared on."""
    return " ".join(_NON_WORD.sub(" ", title.casefold()).split()) if title else ""


def _phases(folded: str) -> frozenset[str]:
    found = {_ROMAN.get(p, p) for match in _PHASE.finditer(folded) for p in match.groups() if p}
    return frozenset(found) if found else _NO_PHASES


def compatible(a: LinkCandidate, b: LinkCandidate) -> bool:
    if _one_registry(a.registry, b.registry):
        return False
    if a.start_year is not None and b.start_year is not None and abs(a.start_year - b.start_year) > 1:
        return False
    return not (_names_other_trial(a, b) or _names_other_trial(b, a))


def _one_registry(first: str | None, second: str | None) -> bool:
    """A registry does not hold one trial twice (EU country records link by id, not title)."""
    return first is not None and first == second


def _names_other_trial(a: LinkCandidate, b: LinkCandidate) -> bool:
    """a names an id in b's registry that is not b's: a is another trial than b."""
    if not b.registry or not b.registry_id or b.registry not in REGISTRY_ID_PATTERNS:
        return False
    pattern = REGISTRY_ID_PATTERNS[b.registry]
    named = {key for raw in a.secondary_ids for key in registry_id_keys(raw) if pattern.fullmatch(key)}
    return bool(named) and not named & set(registry_id_keys(b.registry_id))


def best_title_score(forms_a: list[TitleForm], forms_b: list[TitleForm]) -> tuple[float, TitleForm, TitleForm] | None:
    best: tuple[float, TitleForm, TitleForm] | None = None
    for form_a in forms_a:
        for form_b in forms_b:
            if form_a.phases and form_b.phases and form_a.phases != form_b.phases:
                return None
            score = fuzz.ratio(form_a.text, form_b.text) / 100.0
            if score >= TITLE_THRESHOLD and (best is None or score > best[0]):
                best = (score, form_a, form_b)
    return best


def unique_best(matches: list[Match]) -> Match | None:
    """The best match, unless another trial of the same registry scores as well (ambiguous)."""
    if not matches:
        return None
    ranked = sorted(matches, key=lambda match: (-match[0], match[1]))
    if len(ranked) > 1 and ranked[1][0] >= ranked[0][0] - 0.005 and ranked[1][1] != ranked[0][1]:
        return None
    return ranked[0]


def _clip(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"

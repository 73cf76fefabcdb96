"""The labelled evaluation set tests/eval/criteria_labelled.jsonl: well-formed, broad, and the quality
gate of threshold extraction on it (precision >= 0.95, recall >= 0.85).

The set holds criteria quoted from the seeds, ClinicalTrials.gov XML, the WHO ICTRP CSV export
(ChiCTR, EUCTR, ANZCTR, ISRCTN, NTR, IRCT, JPRN, TCTR rows) and the ICTRP XML export, labelled by
reading them. Conventions of the labels: a threshold needs a comparator or a range and a parameter
of flows/vocab/parameters.csv; `value`/`unit` are as written; a time window is 'within N units',
'in the past/last N units' or '<comparator> N units prior to/before/since' (durations such as 'for at
least 3 months' are not windows); an ICTRP '=' that stands for a lost '≥' is not labelled (those
criteria were left out of the set).
"""

from __future__ import annotations

import re
from collections import Counter

from bench.criteria import load_eval_set, score_eval_set
from flows.parse.units import unit_table

OPS = {"<", "<=", ">", ">=", "=", "between"}
KINDS = {"inclusion", "exclusion"}
REGISTRY_PREFIXES = {
    "NCT": "ctgov",
    "ChiCTR": "chictr",
    "EUCTR": "euctr",
    "ACTRN": "anzctr",
    "ISRCTN": "isrctn",
    "NL": "ntr",
    "IRCT": "irct",
    "JPRN": "jprn",
    "TCTR": "tctr",
    "DRKS": "drks",
}


def _registry(source: str) -> str:
    kind, identifier = source.split(" ", 1)
    if kind == "seed":
        return "seed"
    return next(name for prefix, name in REGISTRY_PREFIXES.items() if identifier.startswith(prefix))


def test_items_are_well_formed() -> None:
    items = load_eval_set()
    parameters = set(unit_table())
    for item in items:
        assert set(item) == {"source", "kind", "text", "thresholds"}, item
        assert re.fullmatch(r"(seed \d{3}|ctgov NCT\d{8}|ictrp-(csv|xml) \S+)", item["source"]), item["source"]
        assert item["kind"] in KINDS and item["text"].strip() == item["text"] and item["text"]
        for label in item["thresholds"]:
            assert set(label) == {"parameter", "op", "value", "value_high", "unit"}, label
            assert label["parameter"] in parameters and label["op"] in OPS
            assert isinstance(label["value"], int | float)
            assert (label["value_high"] is not None) == (label["op"] == "between")


def test_set_is_large_and_broad() -> None:
    items = load_eval_set()
    assert len(items) >= 200
    registries = Counter(_registry(item["source"]) for item in items)
    assert len(registries.keys() - {"seed"}) >= 4, registries
    assert {item["source"].split(" ")[0] for item in items} == {"seed", "ctgov", "ictrp-csv", "ictrp-xml"}
    labelled = Counter(label["parameter"] for item in items for label in item["thresholds"])
    assert set(unit_table()) <= labelled.keys(), set(unit_table()) - labelled.keys()
    assert sum(1 for item in items if not item["thresholds"] and re.search(r"\d", item["text"])) >= 50


def test_threshold_extraction_meets_the_quality_gate() -> None:
    scores = score_eval_set(load_eval_set())
    overall = scores["overall"]
    assert overall["precision"] >= 0.95, scores["mismatches"]
    assert overall["recall"] >= 0.85, scores["mismatches"]

"""Criteria benchmark: threshold precision/recall on the labelled set, and corpus-wide figures.

Run with `python -m bench.criteria`. `main()` prints the figures and returns them as a dict
(`make bench` puts them in results.json). The corpus part reads the ClinicalTrials.gov XML
archive in place, from `flows.settings.load_settings().corpora_dir`.
"""

from __future__ import annotations

import json
import re
import tarfile
import time
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from flows.parse.criteria import split_criteria
from flows.parse.thresholds import extract_thresholds
from flows.parse.units import normalise_unit
from flows.records import Threshold
from flows.settings import PROJECT_ROOT, load_settings

EVAL_SET = PROJECT_ROOT / "tests" / "eval" / "criteria_labelled.jsonl"
CTGOV_ARCHIVE = "ctgov-xml.tar.gz"

Key = tuple[str, str, float | None, float | None, str]


def threshold_key(parameter: str, op: str, value: Any, value_high: Any, unit: str | None) -> Key:
    """What a match compares: parameter, op, value, value_high, and the unit folded."""
    as_float = lambda v: None if v is None else round(float(v), 6)  # noqa: E731
    return parameter, op, as_float(value), as_float(value_high), normalise_unit(unit or "")


def _predicted_keys(thresholds: tuple[Threshold, ...]) -> list[Key]:
    return [threshold_key(t.parameter, t.op, t.value, t.value_high, t.unit) for t in thresholds]


def load_eval_set(path: Path = EVAL_SET) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def score_eval_set(items: list[dict[str, Any]]) -> dict[str, Any]:
    """Precision and recall, overall and per parameter, of `extract_thresholds` against the labels."""
    true_positive: Counter[str] = Counter()
    predicted: Counter[str] = Counter()
    expected: Counter[str] = Counter()
    misses: list[str] = []
    for item in items:
        gold = Counter(threshold_key(**label) for label in item["thresholds"])
        found = Counter(_predicted_keys(extract_thresholds(item["text"])))
        for key, count in (gold & found).items():
            true_positive[key[0]] += count
        for key, count in found.items():
            predicted[key[0]] += count
        for key, count in gold.items():
            expected[key[0]] += count
        if gold != found:
            missed, extra = sorted(gold - found), sorted(found - gold)
            misses.append(f"{item['source']}: {item['text'][:80]!r} expected {missed} got {extra}")
    per_parameter = {
        name: _precision_recall(true_positive[name], predicted[name], expected[name])
        for name in sorted(set(predicted) | set(expected))
    }
    overall = _precision_recall(sum(true_positive.values()), sum(predicted.values()), sum(expected.values()))
    return {"items": len(items), "overall": overall, "per_parameter": per_parameter, "mismatches": misses}


def _precision_recall(true_positive: int, predicted: int, expected: int) -> dict[str, float | int]:
    return {
        "precision": round(true_positive / predicted, 4) if predicted else 1.0,
        "recall": round(true_positive / expected, 4) if expected else 1.0,
        "true_positive": true_positive,
        "predicted": predicted,
        "expected": expected,
    }


def ctgov_criteria_texts(archive: Path) -> Iterator[str]:
    """The eligibility textblock of every study in the archive ('' when a study has none)."""
    with tarfile.open(archive, "r:gz") as tar:
        for member in tar:
            if not member.isfile() or not member.name.endswith(".xml"):
                continue
            handle = tar.extractfile(member)
            if handle is None:
                continue
            root = ET.parse(handle).getroot()
            yield root.findtext("eligibility/criteria/textblock") or ""


def corpus_figures(archive: Path) -> dict[str, Any]:
    if not archive.is_file():
        raise FileNotFoundError(f"corpus archive missing: {archive} (set TRIALS_CORPORA)")
    texts = list(ctgov_criteria_texts(archive))
    started = time.perf_counter()
    criteria = [criterion for text in texts for criterion in split_criteria(text)]
    elapsed = time.perf_counter() - started
    with_number = [c for c in criteria if re.search(r"\d", c.text)]
    with_threshold = [c for c in with_number if c.thresholds]
    parameters = Counter(t.parameter for c in criteria for t in c.thresholds)
    return {
        "records": len(texts),
        "criteria": len(criteria),
        "criteria_with_number": len(with_number),
        "criteria_with_number_and_threshold": len(with_threshold),
        "thresholds": sum(parameters.values()),
        "top_parameters": dict(parameters.most_common(12)),
        "seconds": round(elapsed, 2),
        "criteria_per_second": round(len(criteria) / elapsed, 1) if elapsed else None,
    }


def main() -> dict[str, Any]:
    scores = score_eval_set(load_eval_set())
    overall = scores["overall"]
    print(f"evaluation set: {scores['items']} criteria")
    print(f"  overall   precision {overall['precision']:.3f}  recall {overall['recall']:.3f}")
    for name, figures in scores["per_parameter"].items():
        print(
            f"  {name:<22} precision {figures['precision']:.3f}  recall {figures['recall']:.3f}"
            f"  ({figures['true_positive']}/{figures['predicted']} found, {figures['expected']} labelled)"
        )
    corpus = corpus_figures(load_settings().corpora_dir / CTGOV_ARCHIVE)
    print(f"ClinicalTrials.gov corpus: {corpus['records']} records, {corpus['criteria']} criteria")
    print(
        f"  {corpus['criteria_with_number']} criteria carry a number; "
        f"{corpus['criteria_with_number_and_threshold']} of them yield >= 1 threshold "
        f"({corpus['thresholds']} thresholds)"
    )
    print(f"  top parameters: {corpus['top_parameters']}")
    print(f"  split + extract: {corpus['seconds']} s, {corpus['criteria_per_second']} criteria/s")
    return {"eval": {k: v for k, v in scores.items() if k != "mismatches"}, "corpus": corpus}


if __name__ == "__main__":
    main()

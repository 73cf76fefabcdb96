"""All five seeds (real texts, unedited): every criterion's span locates its own text."""

from __future__ import annotations

import pytest

from tests.parse.seed_docs import parse_seed, seed_document


@pytest.mark.parametrize("prefix", ["000", "001", "002", "003", "004"])
def test_criterion_spans_locate_their_text(prefix: str) -> None:
    """Documents as extract should build them (markdown escapes removed from plain texts)."""
    doc = seed_document(prefix, unescape=True)
    _, record = parse_seed(prefix, unescape=True)
    assert doc.text is not None
    for criterion in record.criteria:
        assert criterion.span_start is not None and criterion.span_end is not None
        assert doc.text[criterion.span_start : criterion.span_end] == criterion.text


@pytest.mark.parametrize("prefix", ["001", "002", "003", "004"])
def test_seq_numbers_run_one_to_n_per_kind(prefix: str) -> None:
    _, record = parse_seed(prefix)
    for kind in ("inclusion", "exclusion"):
        seqs = [c.seq for c in record.criteria if c.kind == kind]
        assert seqs == list(range(1, len(seqs) + 1))

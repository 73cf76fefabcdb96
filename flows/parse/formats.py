"""The explicit registry of source formats: format name -> parse function."""

from __future__ import annotations

from collections.abc import Callable

from flows.records import Document, TrialRecord

Parser = Callable[[Document], TrialRecord]

PARSERS: dict[str, Parser] = {}

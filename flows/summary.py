"""The short run summary printed at the end of `trials run`."""

from __future__ import annotations

from typing import Any


def print_summary(summary: dict[str, Any]) -> None:
    docs = summary["documents"]
    print(
        f"run {summary['run_id']}: {docs.get('seen', 0)} documents seen, {docs.get('loaded', 0)} loaded, "
        f"{docs.get('partial', 0)} partial, {docs.get('rejected', 0)} rejected, "
        f"{docs.get('skipped', 0)} skipped as unchanged"
        + (f", {docs['removed']} removed from the source" if docs.get("removed") else "")
    )
    if summary.get("quarantined"):
        print(f"{summary['quarantined']} row(s) failed validation and went to the quarantine table")
    rows = ", ".join(f"{table} {count}" for table, count in summary["rows"].items())
    print(f"rows: {rows}")
    if summary.get("quality_report"):
        print(f"data-quality report: {summary['quality_report']}")

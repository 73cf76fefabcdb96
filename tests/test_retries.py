"""Prefect retries only for transient I/O failures, never for parse or validation errors."""

from __future__ import annotations

from concurrent.futures.process import BrokenProcessPool

import pytest
from prefect.states import Completed, Failed

from flows.etl import parse_batch, publish_parquet, transient_io_failure
from schemas.validate import SchemaBug


@pytest.mark.parametrize(
    "error,retried",
    [
        (OSError(5, "Input/output error"), True),
        (BrokenProcessPool("a worker died"), True),
        (ValueError("bad document"), False),
        (SchemaBug("trials: missing column"), False),
    ],
)
def test_only_transient_failures_are_retried(error: BaseException, retried: bool) -> None:
    assert transient_io_failure(None, None, Failed(data=error)) is retried


def test_success_is_not_retried() -> None:
    assert transient_io_failure(None, None, Completed(data=1)) is False


def test_tasks_carry_the_retry_policy() -> None:
    assert parse_batch.retries == 1 and parse_batch.retry_condition_fn is transient_io_failure
    assert publish_parquet.__doc__ and "retried" in publish_parquet.__doc__

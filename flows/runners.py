"""Which Prefect task runner runs the parse tasks.

`local` (default): a thread per in-flight batch, each handing its batch to the process pool
of flows/parse_pool.py (TRIALS_WORKERS processes). `dask`: Prefect's DaskTaskRunner, on the
cluster at TRIALS_DASK_ADDRESS or on a local cluster of TRIALS_WORKERS processes.
"""

from __future__ import annotations

import os
from typing import Any

from prefect.task_runners import ThreadPoolTaskRunner

from flows.settings import Settings

RUNNERS = ("local", "dask")


def make_task_runner(settings: Settings) -> Any:
    if settings.task_runner == "local":
        return ThreadPoolTaskRunner(max_workers=max(2, settings.workers))
    if settings.task_runner == "dask":
        from prefect_dask import DaskTaskRunner

        share_temporary_server()
        if settings.dask_address:
            return DaskTaskRunner(address=settings.dask_address)
        return DaskTaskRunner(
            cluster_kwargs={
                "n_workers": settings.workers,
                "threads_per_worker": 1,
                "processes": True,
                "dashboard_address": None,
            }
        )
    raise ValueError(f"TRIALS_TASK_RUNNER must be one of {', '.join(RUNNERS)}, not {settings.task_runner!r}")


def share_temporary_server() -> None:
    """Point worker processes at this process's temporary Prefect server, if one runs.

    Without PREFECT_API_URL each Dask worker would start a temporary server of its own to report
    its task runs (seconds each); the workers inherit the environment, so name the running one.
    """
    if os.environ.get("PREFECT_API_URL"):
        return
    from prefect.server.api.server import SubprocessASGIServer

    server = SubprocessASGIServer()
    if server.running:
        os.environ["PREFECT_API_URL"] = server.api_url


def pool_workers(settings: Settings) -> int:
    """Processes of the local pool; none under Dask, whose workers are the processes."""
    return 1 if settings.task_runner == "dask" else settings.workers

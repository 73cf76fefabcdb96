"""Prefect settings for a quiet, offline, prompt-free run. Call before `import prefect`.

Every value is a default: a user's own environment (PREFECT_API_URL for a real server,
PREFECT_HOME elsewhere) wins.
"""

from __future__ import annotations

import logging
import os
import threading
import warnings
from collections.abc import Callable

from flows.settings import PROJECT_ROOT

QUIET_DEFAULTS = {
    "PREFECT_HOME": str(PROJECT_ROOT / ".prefect"),  # warm home: later runs skip the first-start cost
    "DO_NOT_TRACK": "1",
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",  # else an offline server logs a telemetry ERROR
    "PREFECT_LOGGING_LEVEL": "WARNING",
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "60",  # the default 20 is short on a cold machine
    "PREFECT_SERVER_UI_ENABLED": "false",
    "PREFECT_SERVER_REGISTER_BLOCKS_ON_START": "false",
    "PREFECT_CLI_PROMPT": "false",
    "PREFECT_RESULTS_PERSIST_BY_DEFAULT": "false",
    "PREFECT_LOGGING_LOG_PRINTS": "false",
}


def configure_prefect_env() -> None:
    for name, value in QUIET_DEFAULTS.items():
        os.environ.setdefault(name, value)
    # noise a user cannot act on: deprecations inside dependencies, pydantic/asyncio chatter
    warnings.filterwarnings("ignore", category=DeprecationWarning)
    warnings.filterwarnings("ignore", category=FutureWarning)
    warnings.filterwarnings("ignore", module="pydantic.*")
    for noisy in ("prefect", "httpx", "uvicorn", "alembic", "docket", "fakeredis"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def prestart_temporary_server() -> Callable[[], None]:
    """Start Prefect's temporary server now, in a thread, when no server is configured.

    The server's process takes seconds to boot; started before the flow's own imports, that time
    overlaps them instead of following them. Returns a function that waits until the server is
    up (the flow's client then finds it running) and re-raises a failure to start.
    """
    from_environment = os.environ.get("PREFECT_API_URL", "")
    ephemeral = os.environ.get("PREFECT_SERVER_EPHEMERAL_ENABLED", "true").lower() not in ("0", "false")
    if from_environment or not ephemeral:
        return lambda: None
    failure: list[BaseException] = []

    def start() -> None:
        try:
            from prefect.settings import PREFECT_API_URL

            if PREFECT_API_URL.value():  # a profile names a server: nothing to start
                return
            from prefect.server.api.server import SubprocessASGIServer

            SubprocessASGIServer().start()
        except BaseException as exc:  # reported by wait(); the flow would fail the same way
            failure.append(exc)

    thread = threading.Thread(target=start, name="prefect-server-start", daemon=True)
    thread.start()

    def wait() -> None:
        thread.join()
        if failure:
            raise failure[0]

    return wait

"""Prefect settings for a quiet, offline, prompt-free run. Call before `import prefect`.

Every value is a default: a user's own environment (PREFECT_API_URL for a real server,
PREFECT_HOME elsewhere) wins.
"""

from __future__ import annotations

import logging
import os
import warnings

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

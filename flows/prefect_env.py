"""Prefect settings for a quiet, offline, prompt-free run. Call before `import prefect`.

Every value is a default: a user's own environment (PREFECT_API_URL for a real server,
PREFECT_HOME elsewhere) wins.
"""

from __future__ import annotations

import atexit
import importlib.util
import logging
import os
import socket
import subprocess
import sys
import time
import urllib.request
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

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
# no part of a run calls BLAS, but OpenBLAS starts a thread per core in every process that imports numpy,
# and they spin while the run starts (0.2 s of CPU and of the fixed cost, in the flow, the server, the forkserver)
PROCESS_DEFAULTS = {"OPENBLAS_NUM_THREADS": "1"}
SERVER_ENVIRONMENT = {"PREFECT_UI_ENABLED": "0", "PREFECT__SERVER_EPHEMERAL": "1", "PREFECT__SERVER_FINAL": "1"}
_PORT_IN_USE = 3  # uvicorn's exit code when its port is taken
_NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # the server is on this machine


def configure_prefect_env() -> None:
    for name, value in (QUIET_DEFAULTS | PROCESS_DEFAULTS).items():
        os.environ.setdefault(name, value)
    # noise a user cannot act on: deprecations inside dependencies, pydantic/asyncio chatter
    warnings.filterwarnings("ignore", category=DeprecationWarning)
    warnings.filterwarnings("ignore", category=FutureWarning)
    warnings.filterwarnings("ignore", module="pydantic.*")
    for noisy in ("prefect", "httpx", "uvicorn", "alembic", "docket", "fakeredis"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


class TemporaryServer:
    """Prefect's temporary API server for one run, launched before the flow imports Prefect.

    Left to itself, Prefect launches the same server (same command, same environment) on the
    flow's first API call, after the flow's process has imported Prefect's server code: the
    imports and the server's boot, seconds each, then run one after the other. Launched first,
    the server boots on the other core while the flow's imports run.
    """

    def __init__(self) -> None:
        self.port = _free_port()
        self.process = self._launch()
        atexit.register(self.stop)  # registered before Prefect's own exit handlers, so it runs after them

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api"

    def _launch(self) -> subprocess.Popen[bytes]:
        spec = importlib.util.find_spec("prefect")  # finds the package without importing it
        if spec is None or not spec.submodule_search_locations:
            raise RuntimeError("prefect is not installed")
        packages = Path(next(iter(spec.submodule_search_locations))).parent
        command = [sys.executable, "-m", "uvicorn", "--app-dir", str(packages), "--factory"]
        command += ["prefect.server.api.server:create_app", "--host", "127.0.0.1", "--port", str(self.port)]
        command += ["--log-level", "error", "--lifespan", "on"]
        return subprocess.Popen(command, env=os.environ | SERVER_ENVIRONMENT)

    def wait_healthy(self, timeout_s: float) -> None:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            code = self.process.poll()
            if code == _PORT_IN_USE:  # taken since it was found free: try another
                self.port = _free_port()
                self.process = self._launch()
            elif code is not None:
                raise RuntimeError(f"Prefect's temporary server exited with code {code} while starting")
            if api_healthy(self.api_url):
                return
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"Prefect's temporary server did not become healthy within {timeout_s:.0f} s")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def api_healthy(api_url: str) -> bool:
    """Whether the Prefect API at `api_url` answers its health check."""
    try:
        with _NO_PROXY.open(f"{api_url}/health", timeout=1) as response:
            return bool(response.status == 200)
    except OSError:
        return False


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_temporary_server() -> TemporaryServer | None:
    """Launch the temporary server now unless the environment names a server or forbids one.

    A server named only in a Prefect profile or prefect.toml is known once Prefect is imported:
    `prefect_api` then stops this one unused."""
    if os.environ.get("PREFECT_API_URL"):
        return None
    if os.environ.get("PREFECT_SERVER_EPHEMERAL_ENABLED", "true").lower() in ("0", "false"):
        return None
    return TemporaryServer()


@contextmanager
def prefect_api(server: TemporaryServer | None) -> Iterator[None]:
    """Within the block Prefect's client uses the server the settings name, else `server` once healthy.
    Processes started in the block (a local Dask cluster's workers) inherit its address."""
    if server is None:
        yield
        return
    from prefect.settings import PREFECT_API_URL, temporary_settings

    if PREFECT_API_URL.value():
        server.stop()
        yield
        return
    server.wait_healthy(float(os.environ.get("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "60")))
    os.environ["PREFECT_API_URL"] = server.api_url
    try:
        with temporary_settings(updates={PREFECT_API_URL: server.api_url}):
            yield
    finally:
        del os.environ["PREFECT_API_URL"]

"""`trials serve`: the flow on a cron schedule.

Prefect schedules nothing on its temporary server, so serving needs a real one: use the
server PREFECT_API_URL names, or start `prefect server start` (project-local PREFECT_HOME)
and stop it on exit. Prefect is imported only after PREFECT_API_URL is set.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

HEALTH_TIMEOUT_S = 120


def _healthy(api_url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{api_url}/health", timeout=2) as response:
            return bool(response.status == 200)
    except OSError:
        return False


def start_server(port: int) -> tuple[subprocess.Popen[bytes] | None, str]:
    api_url = f"http://127.0.0.1:{port}/api"
    if _healthy(api_url):
        return None, api_url
    prefect = Path(sys.executable).with_name("prefect")
    log = open(Path(os.environ["PREFECT_HOME"]) / "server.log", "ab")  # noqa: SIM115 - lives as long as the server
    server = subprocess.Popen(
        [str(prefect), "server", "start", "--host", "127.0.0.1", "--port", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + HEALTH_TIMEOUT_S
    while not _healthy(api_url):
        if server.poll() is not None or time.monotonic() > deadline:
            server.kill()
            raise RuntimeError(f"Prefect server did not start; see {log.name}")
        time.sleep(1)
    return server, api_url


def serve(sources: list[str], db: str, parquet: str, cron: str, port: int) -> int:
    Path(os.environ["PREFECT_HOME"]).mkdir(parents=True, exist_ok=True)
    server = None
    if not os.environ.get("PREFECT_API_URL"):
        server, api_url = start_server(port)
        os.environ["PREFECT_API_URL"] = api_url
        print(f"Prefect server at {api_url} (log in $PREFECT_HOME/server.log)")
    from flows.etl import etl

    try:
        print(f"serving trials-etl on cron '{cron}' over {', '.join(sources)}; Ctrl-C stops")
        etl.serve(
            name="trials-scheduled",
            cron=cron,
            parameters={
                "sources": [str(Path(s).resolve()) for s in sources],
                "db": str(Path(db).resolve()),
                "parquet": str(Path(parquet).resolve()),
            },
        )
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
    return 0

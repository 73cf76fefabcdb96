"""`trials serve` (what `make serve` runs): a real Prefect server, a cron schedule, a scheduled run.

Fixtures: the five seeds. The schedule is every minute so one scheduled run happens within the test.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from pathlib import Path

from tests.conftest import SEEDS, TRIALS, Warehouse

PORT = 4317


def _port_open(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def test_serve_runs_the_flow_on_its_schedule(tmp_path: Path) -> None:
    db = tmp_path / "trials.duckdb"
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    env["PREFECT_HOME"] = str(tmp_path / "prefect")  # its own server database, not the project's
    serve = subprocess.Popen(
        [
            TRIALS,
            "serve",
            "--source",
            str(SEEDS),
            "--db",
            str(db),
            "--parquet",
            str(tmp_path / "parquet"),
            "--cron",
            "* * * * *",
            "--port",
            str(PORT),
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline and not (db.exists() and (tmp_path / "parquet").exists()):
            assert serve.poll() is None, serve.stdout.read() if serve.stdout else ""
            time.sleep(2)
        assert (tmp_path / "parquet" / "trials.parquet").exists(), "no scheduled run within 4 minutes"
        serve.send_signal(signal.SIGTERM)  # as a service manager stops it: serve stops its server too
        output = serve.communicate(timeout=90)[0]
        time.sleep(2)
        server_left = _port_open(PORT)
    finally:
        if serve.poll() is None or _port_open(PORT):
            os.killpg(serve.pid, signal.SIGKILL)
    wh = Warehouse(db, tmp_path / "parquet", output)
    assert wh.scalar("SELECT count(*) FROM trials") == 5
    assert "served and polling for scheduled runs" in output
    assert not server_left, "the Prefect server started by serve is still running"

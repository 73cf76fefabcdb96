"""The temporary Prefect server `trials run` launches before its imports: a real uvicorn process
serving Prefect's API, used for the run and stopped afterwards."""

from __future__ import annotations

import os
import urllib.request
from pathlib import Path

import psutil
import pytest
from prefect.settings import PREFECT_API_URL, temporary_settings

from flows.prefect_env import TemporaryServer, configure_prefect_env, prefect_api, start_temporary_server
from tests.conftest import SEEDS, run_trials

SERVER_APP = "prefect.server.api.server:create_app"


def _health(url: str) -> int:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(f"{url}/health", timeout=5) as response:
        return int(response.status)


@pytest.mark.parametrize(
    ("variable", "value"),
    [("PREFECT_API_URL", "http://127.0.0.1:4200/api"), ("PREFECT_SERVER_EPHEMERAL_ENABLED", "false")],
)
def test_no_server_is_launched_when_the_environment_names_one_or_forbids_it(
    variable: str, value: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(variable, value)
    assert start_temporary_server() is None


def test_the_run_uses_the_launched_server_and_it_stops(monkeypatch: pytest.MonkeyPatch) -> None:
    configure_prefect_env()
    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    server = TemporaryServer()
    try:
        with temporary_settings(restore_defaults={PREFECT_API_URL}), prefect_api(server):
            assert PREFECT_API_URL.value() == server.api_url
            assert os.environ["PREFECT_API_URL"] == server.api_url  # for the processes the run starts
            assert _health(server.api_url) == 200
        assert "PREFECT_API_URL" not in os.environ
        assert server.process.poll() is None  # serves until the command exits
    finally:
        server.stop()
    assert server.process.poll() is not None
    with pytest.raises(OSError):
        _health(server.api_url)


def test_a_server_named_in_the_settings_wins_and_the_launched_one_stops(monkeypatch: pytest.MonkeyPatch) -> None:
    configure_prefect_env()
    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    server = TemporaryServer()
    named = "http://127.0.0.1:4200/api"  # as a profile or prefect.toml would name it
    with temporary_settings(updates={PREFECT_API_URL: named}), prefect_api(server):
        assert PREFECT_API_URL.value() == named
        assert server.process.poll() is not None


def _servers() -> set[int]:
    found = set()
    for process in psutil.process_iter(["cmdline"]):
        if SERVER_APP in (process.info["cmdline"] or []):
            found.add(process.pid)
    return found


@pytest.mark.flow
def test_trials_run_leaves_no_server_behind(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    before = _servers()
    result = run_trials(
        "run", "--source", str(SEEDS), "--db", str(tmp_path / "t.duckdb"), "--parquet", str(tmp_path / "p")
    )
    assert "5 documents seen, 5 loaded" in result.stdout
    assert _servers() - before == set()

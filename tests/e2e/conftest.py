"""Fixtures for runs of the DAG through Airflow (``dag.test()``) against a sandbox started per test."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from optin_sync.sandbox import SandboxCredentials, SandboxServer

ROOT = Path(__file__).resolve().parents[2]
DAG_ID = "vtex_woowup_optin_sync"
# Made up per test session, like the sandbox credentials: the key of the personal-data hashes.
PII_KEY = secrets.token_hex(16)


@pytest.fixture(scope="session")
def airflow_db() -> None:
    """Migrate the session's SQLite metadata database once."""
    airflow = Path(sys.executable).parent / "airflow"
    subprocess.run([str(airflow), "db", "migrate"], check=True, env=os.environ.copy(),
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


@pytest.fixture(scope="session")
def sync_dag(airflow_db):
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=str(ROOT / "dags"))
    assert bag.import_errors == {}
    return bag.dags[DAG_ID]


class Sandbox:
    """A started sandbox plus plain HTTP helpers for its admin endpoints."""

    def __init__(self, server: SandboxServer, data_dir: Path) -> None:
        self.server = server
        self.url = server.url
        self.data_dir = data_dir

    def reset(self, payload: dict) -> dict:
        response = httpx.post(f"{self.url}/_sandbox/reset", json=payload, timeout=60)
        assert response.status_code == 200, response.text
        return response.json()

    def users(self) -> list[dict]:
        return httpx.get(f"{self.url}/_sandbox/woowup/users", timeout=60).json()

    def requests(self) -> list[dict]:
        return httpx.get(f"{self.url}/_sandbox/requests", timeout=60).json()

    def writes(self) -> list[dict]:
        return [entry for entry in self.requests() if entry["method"] == "PUT" and entry["api"] == "woowup"]


@pytest.fixture
def sandbox(monkeypatch, tmp_path):
    credentials = SandboxCredentials.generate()
    with SandboxServer(host="127.0.0.1", port=0, credentials=credentials) as server:
        vtex = {"conn_type": "http", "host": server.url, "login": credentials.vtex_app_key,
                "password": credentials.vtex_app_token}
        woowup = {"conn_type": "http", "host": f"{server.url}/apiv3", "password": credentials.woowup_api_key}
        monkeypatch.setenv("AIRFLOW_CONN_VTEX_DEFAULT", json.dumps(vtex))
        monkeypatch.setenv("AIRFLOW_CONN_WOOWUP_DEFAULT", json.dumps(woowup))
        monkeypatch.setenv("AIRFLOW_CONN_OPTIN_SYNC_PII", json.dumps({"conn_type": "generic", "password": PII_KEY}))
        monkeypatch.setenv("OPTIN_SYNC_DATA_DIR", str(tmp_path / "data"))
        yield Sandbox(server, tmp_path / "data")


def run_dag(dag, *, window: tuple[str, str] | None = None, **params):
    """Run the DAG once with ``dag.test()``; returns the finished DagRun."""
    # Every Param is given: dag.test() keeps the conf of an earlier call as the defaults of the next one.
    conf = {"window_start": None, "window_end": None, "full_refresh": False, "dry_run": False,
            "allow_mass_change": False, **params}
    if window:
        conf.update(window_start=window[0], window_end=window[1])
    return dag.test(run_conf=conf)


def task_states(dag_run) -> dict[str, str]:
    return {ti.task_id: str(ti.state) for ti in dag_run.get_task_instances()}

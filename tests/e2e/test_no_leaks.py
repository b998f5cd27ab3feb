"""No credential reaches a log, an XCom value or an analyst file; in masked mode no email or phone does either."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from conftest import run_dag, task_states
from test_analyst_commands import analyst_texts, personal_values
from world import WINDOW, world

pytestmark = pytest.mark.e2e


def xcom_values(dag_run) -> list[str]:
    from airflow.models.xcom import XComModel
    from airflow.utils.session import create_session

    with create_session() as session:
        rows = session.query(XComModel).filter(XComModel.run_id == dag_run.run_id).all()
        return [json.dumps(row.value, default=str) for row in rows]


def task_log_texts() -> list[str]:
    logs = Path(os.environ["AIRFLOW_HOME"]) / "logs"
    return [path.read_text(errors="replace") for path in logs.rglob("*") if path.is_file()] if logs.exists() else []


def test_run_leaks_no_secret_and_no_personal_value(sandbox, sync_dag, capfd, caplog):
    sandbox.reset(world())
    dag_run = run_dag(sync_dag, window=WINDOW)
    assert str(dag_run.state) == "success", task_states(dag_run)
    printed = capfd.readouterr()

    credentials = sandbox.server.credentials
    secrets = {credentials.vtex_app_key, credentials.vtex_app_token, credentials.woowup_api_key,
               os.environ["AIRFLOW_CONN_OPTIN_SYNC_PII"]}
    secrets.add(json.loads(os.environ["AIRFLOW_CONN_OPTIN_SYNC_PII"])["password"])
    personal = personal_values(world())

    xcoms = xcom_values(dag_run)
    assert len(xcoms) >= 7
    sources = {"stdout": printed.out, "stderr": printed.err, "log records": caplog.text,
               **{f"xcom {n}": text for n, text in enumerate(xcoms)},
               **{f"task log {n}": text for n, text in enumerate(task_log_texts())},
               **{str(path): text for path, text in analyst_texts(sandbox.data_dir).items()}}
    # The run printed its progress, so the scan had something to read.
    assert "write_run_summary" in printed.out + printed.err + caplog.text

    leaked_secrets = {name for name, text in sources.items() if any(secret in text for secret in secrets)}
    assert leaked_secrets == set()
    leaked_values = {name: sorted(v for v in personal if v in text) for name, text in sources.items()
                     if any(v in text for v in personal)}
    assert leaked_values == {}

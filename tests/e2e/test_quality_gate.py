"""A Great Expectations check that fails stops the run before any write and names what it observed."""

from __future__ import annotations

import json

import pytest
from conftest import run_dag, task_states
from world import WINDOW, world

pytestmark = pytest.mark.e2e


def test_failed_expectation_stops_the_load(sandbox, sync_dag, monkeypatch, caplog):
    monkeypatch.setenv("OPTIN_SYNC_QUALITY_MIN_CUSTOMERS", "100")
    sandbox.reset(world())
    dag_run = run_dag(sync_dag, window=WINDOW)

    states = task_states(dag_run)
    assert str(dag_run.state) == "failed"
    assert states["check_quality"] == "failed"
    assert states["push_updates"] == "upstream_failed"
    assert sandbox.writes() == []

    validation = json.loads(next(sandbox.data_dir.glob("quality/run_date=*/run_id=*/validation.json")).read_text())
    row_count = next(check for check in validation["checks"]
                     if check["expectation"] == "ExpectTableRowCountToBeBetween")
    assert row_count["success"] is False
    assert row_count["observed"] == 12
    assert validation["failures"] == ["woowup_customers: ExpectTableRowCountToBeBetween() observed=12"]
    summary = json.loads(next(sandbox.data_dir.glob("run_summary/run_date=*/run_id=*/run_summary.json")).read_text())
    assert summary["status"] == "stopped_by_gate"
    # The failure notifier ran and logged the run, instead of failing on the serialized DAG of the callback.
    assert "opt-in sync run failed dag_id=vtex_woowup_optin_sync" in caplog.text
    assert "get_template_env" not in caplog.text

"""A nightly run end to end: hand-written shoppers and customers, the DAG through Airflow, the sandbox's state."""

from __future__ import annotations

import pytest
from conftest import run_dag, task_states
from world import EXPECTED_STATES, WINDOW, world

pytestmark = pytest.mark.e2e


def states(users: list[dict]) -> dict[int, dict[str, str]]:
    return {u["userapp_id"]: {c: u[f"{c}_enabled"] for c in ("mailing", "sms", "whatsapp")} for u in users}


def test_nightly_run_final_states(sandbox, sync_dag):
    sandbox.reset(world())
    dag_run = run_dag(sync_dag, window=WINDOW)
    assert str(dag_run.state) == "success", task_states(dag_run)
    assert states(sandbox.users()) == EXPECTED_STATES


def test_nightly_run_creates_no_customer(sandbox, sync_dag):
    sandbox.reset(world())
    run_dag(sync_dag, window=WINDOW)
    log = sandbox.requests()
    assert not [e for e in log if e["api"] == "woowup" and e["method"] == "POST" and e["path"].endswith("/users")]
    assert not [e for e in log if e["status"] == 201 and e["path"].endswith("/multiusers")]
    assert sorted(u["userapp_id"] for u in sandbox.users()) == sorted(EXPECTED_STATES)


def test_protected_channel_never_written(sandbox, sync_dag):
    sandbox.reset(world())
    run_dag(sync_dag, window=WINDOW)
    protected = next(u for u in sandbox.users() if u["userapp_id"] == 105)
    assert protected["mailing_enabled_reason"] == "unsubscribe-2025-10-09 20:55:21"
    for entry in sandbox.writes():
        assert entry["body"].get("email") != "dario@gmail.com" or "mailing_enabled" not in entry["body"]


def test_writes_only_changed_customers(sandbox, sync_dag):
    sandbox.reset(world())
    run_dag(sync_dag, window=WINDOW)
    written = sorted(entry["body"].get("email") or entry["body"].get("telephone") for entry in sandbox.writes())
    assert written == sorted(["ana.perez@gmail.com", "bruno@hotmail.com", "lucia@gmail.com", "carla@yahoo.com.ar",
                              "dario@gmail.com", "elena@gmail.com", "karina@gmail.com"])


def test_disable_sends_reason_other_only(sandbox, sync_dag):
    sandbox.reset(world())
    run_dag(sync_dag, window=WINDOW)
    body = next(e["body"] for e in sandbox.writes() if e["body"].get("email") == "bruno@hotmail.com")
    assert body == {"email": "bruno@hotmail.com", "mailing_enabled": "disabled", "mailing_enabled_reason": "other",
                    "custom_attributes": {"opt_in_vtex": "False"}}


def test_attribute_defined_before_first_write(sandbox, sync_dag):
    sandbox.reset(world())
    run_dag(sync_dag, window=WINDOW)
    log = [e for e in sandbox.requests() if e["api"] == "woowup"]
    define = next(i for i, e in enumerate(log) if e["method"] == "POST" and "custom-attributes" in e["path"])
    first_put = next(i for i, e in enumerate(log) if e["method"] == "PUT")
    assert define < first_put


def test_same_window_twice_second_run_writes_nothing(sandbox, sync_dag):
    sandbox.reset(world())
    run_dag(sync_dag, window=WINDOW)
    before = len(sandbox.writes())
    second = run_dag(sync_dag, window=WINDOW)
    assert str(second.state) == "success"
    assert len(sandbox.writes()) == before


def test_dry_run_sends_nothing(sandbox, sync_dag):
    sandbox.reset(world())
    dag_run = run_dag(sync_dag, window=WINDOW, dry_run=True)
    assert str(dag_run.state) == "success", task_states(dag_run)
    assert sandbox.writes() == []
    assert states(sandbox.users())[102]["mailing"] == "enabled"


def test_mass_change_guard_stops_before_writes(sandbox, sync_dag):
    from world import document, user

    payload = {"vtex": {"CL": [document(f"cl-{n}", email=f"c{n}@gmail.com", opt_in=False) for n in range(60)]},
               "woowup": {"users": [user(n, email=f"c{n}@gmail.com") for n in range(1, 61)],
                          "custom_attributes": []}, "settings": {}}
    payload["vtex"]["CL"] = [document(f"cl-{n}", email=f"c{n}@gmail.com", opt_in=False) for n in range(1, 61)]
    sandbox.reset(payload)
    dag_run = run_dag(sync_dag, window=WINDOW)
    states_by_task = task_states(dag_run)
    assert str(dag_run.state) == "failed"
    assert states_by_task["check_quality"] == "failed"
    assert states_by_task["push_updates"] != "success"
    assert sandbox.writes() == []


def test_gate_stop_leaves_summary(sandbox, sync_dag):
    import json
    from pathlib import Path

    from world import document, user

    sandbox.reset({"vtex": {"CL": [document(f"cl-{n}", email=f"c{n}@gmail.com", opt_in=False) for n in range(1, 61)]},
                   "woowup": {"users": [user(n, email=f"c{n}@gmail.com") for n in range(1, 61)],
                              "custom_attributes": []}, "settings": {}})
    run_dag(sync_dag, window=WINDOW)
    summaries = list(Path(sandbox.data_dir).glob("run_summary/*/*/run_summary.json"))
    summary = json.loads(summaries[0].read_text())
    assert summary["status"] == "stopped_by_gate"
    assert "mass-change guard" in summary["gate_failures"][0]
    assert summary["outcomes"]["mailing"]["disable"] == 60

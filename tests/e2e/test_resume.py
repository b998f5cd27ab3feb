"""Runs of the DAG that crash mid-load: the task retry resumes from the journal, the next run finishes the rest."""

from __future__ import annotations

import threading
import time
from collections import Counter
from datetime import timedelta

import pytest
from conftest import run_dag, task_states
from world import EXPECTED_STATES, WINDOW, document, user, world

pytestmark = pytest.mark.e2e

SHOPPERS = 40
NEXT_WINDOW = ("2026-12-04T00:00:00", "2026-12-05T00:00:00")
# 23:30 local time on the first window's day: outside the next window, inside its two-hour lookback.
LATE_EVENING = "2026-12-04T02:30:00.5000000Z"


def refusing_world(crash_after_writes: int) -> dict:
    documents = [document(f"cl-{n}", email=f"shopper{n}@gmail.com", opt_in=False) for n in range(1, SHOPPERS + 1)]
    users = [user(n, email=f"shopper{n}@gmail.com") for n in range(1, SHOPPERS + 1)]
    return {"vtex": {"CL": documents}, "woowup": {"users": users, "custom_attributes": []},
            "settings": {"crash_after_writes": crash_after_writes, "woowup": {"rate_limit_per_minute": 100_000}}}


def successful_puts(log: list[dict]) -> Counter:
    return Counter(entry["body"].get("email") or entry["body"].get("telephone") for entry in log
                   if entry["method"] == "PUT" and entry["status"] == 200)


def unanswered_puts(log: list[dict]) -> set[str]:
    """Targets of writes that the client saw fail: a crash mid-response or an injected fault."""
    return {entry["body"].get("email") or entry["body"].get("telephone") for entry in log
            if entry["method"] == "PUT" and (entry["status"] is None or entry["fault"] is not None)}


def states(users: list[dict]) -> dict[int, dict[str, str]]:
    return {u["userapp_id"]: {c: u[f"{c}_enabled"] for c in ("mailing", "sms", "whatsapp")} for u in users}


@pytest.fixture
def quick_retries(monkeypatch, sync_dag):
    """Keep the DAG's retries but wait 6 s between tries instead of minutes, and give each request 2 attempts."""
    for task in sync_dag.tasks:
        monkeypatch.setattr(task, "retry_delay", timedelta(seconds=6))
        monkeypatch.setattr(task, "retry_exponential_backoff", False)
    monkeypatch.setenv("OPTIN_SYNC_MAX_ATTEMPTS", "2")
    monkeypatch.setenv("OPTIN_SYNC_WOOWUP_RATE_LIMIT_PER_MINUTE", "100000")


def restart_after_crash(server, delay: float) -> threading.Thread:
    def restart() -> None:
        if server.crash_event.wait(timeout=120):
            time.sleep(delay)
            server.restart()

    thread = threading.Thread(target=restart, daemon=True)
    thread.start()
    return thread


def test_load_task_retry_resumes_after_crash(sandbox, sync_dag, quick_retries):
    sandbox.reset(refusing_world(crash_after_writes=10))
    # The load stops within about 2 s of the crash; the server is back before the task's retry 6 s later.
    restarter = restart_after_crash(sandbox.server, delay=3.0)

    dag_run = run_dag(sync_dag, window=WINDOW, allow_mass_change=True)
    restarter.join(timeout=5)

    assert str(dag_run.state) == "success", task_states(dag_run)
    push = next(ti for ti in dag_run.get_task_instances() if ti.task_id == "push_updates")
    assert push.try_number > 1
    log = sandbox.requests()
    assert all(u["mailing_enabled"] == "disabled" for u in sandbox.users())
    twice = {target for target, count in successful_puts(log).items() if count > 1}
    assert twice <= unanswered_puts(log) | {None}
    assert len(successful_puts(log)) == SHOPPERS


def test_failed_writes_planned_by_next_run(sandbox, sync_dag, quick_retries):
    payload = world()
    payload["settings"] = {"crash_after_writes": 3}
    sandbox.reset(payload)

    first = run_dag(sync_dag, window=WINDOW)
    assert str(first.state) == "failed"
    assert task_states(first)["write_run_summary"] == "failed"
    written_first = successful_puts(sandbox.server.state.requests())
    assert 3 <= sum(written_first.values()) < 7

    sandbox.server.restart()
    second = run_dag(sync_dag, window=WINDOW)

    assert str(second.state) == "success", task_states(second)
    assert states(sandbox.users()) == EXPECTED_STATES
    log = sandbox.requests()
    assert len(successful_puts(log)) == 7
    twice = {target for target, count in successful_puts(log).items() if count > 1}
    assert twice <= unanswered_puts(log)


def test_late_indexed_profile_picked_by_next_run(sandbox, sync_dag):
    payload = world()
    late = document("cl-late", email="late@gmail.com", opt_in=False, updated=LATE_EVENING)
    payload["vtex"]["CL_late"] = [{"visible_after_seconds": 10, "document": late}]
    payload["woowup"]["users"].append(user(120, email="late@gmail.com"))
    sandbox.reset(payload)
    visible_at = time.monotonic() + 10

    first = run_dag(sync_dag, window=WINDOW)
    assert str(first.state) == "success", task_states(first)
    assert states(sandbox.users())[120]["mailing"] == "enabled"

    time.sleep(max(0.0, visible_at - time.monotonic()))
    second = run_dag(sync_dag, window=NEXT_WINDOW)

    assert str(second.state) == "success", task_states(second)
    assert states(sandbox.users())[120]["mailing"] == "disabled"

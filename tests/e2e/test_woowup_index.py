"""Nights between full exports plan on the WoowUp index and re-read only the customers they are about to write."""

from __future__ import annotations

import json
import shutil

import pytest
from conftest import run_dag, task_states
from world import IN_WINDOW, WINDOW, document, user

pytestmark = pytest.mark.e2e

NEXT_WINDOW = ("2026-12-04T00:00:00", "2026-12-05T00:00:00")
NEXT_DAY = "2026-12-04T15:00:00Z"


def two_customer_world() -> dict:
    documents = [document("cl-ana", email="ana@gmail.com", opt_in=True, updated=IN_WINDOW),
                 document("cl-beto", email="beto@gmail.com", opt_in=True, updated=IN_WINDOW),
                 document("cl-caro", email="caro@gmail.com", opt_in=True, updated=IN_WINDOW)]
    users = [user(201, email="ana@gmail.com", state="disabled", reasons={"mailing": "other"}),
             user(202, email="beto@gmail.com"),
             user(203, email="caro@gmail.com")]
    return {"vtex": {"CL": documents}, "woowup": {"users": users, "custom_attributes": []}, "settings": {}}


def change_opt_in(sandbox, profile_id: str, opt_in: bool) -> None:
    state = sandbox.server.state
    with state.lock:
        state.vtex_documents[profile_id]["isNewsletterOptIn"] = opt_in
        state.vtex_documents[profile_id]["updatedIn"] = NEXT_DAY


def woowup_calls(entries: list[dict]) -> list[tuple[str, str]]:
    return [(entry["method"], entry["path"].split("?")[0].removeprefix("/apiv3")) for entry in entries
            if entry["api"] == "woowup"]


def extracted(sandbox) -> list[dict]:
    return [json.loads(path.read_text()) for path in
            sorted(sandbox.data_dir.glob("woowup_customers/run_date=*/run_id=*/_extracted.json"))]


def test_second_night_reads_only_the_customers_it_writes(sandbox, sync_dag):
    sandbox.reset(two_customer_world())
    first = run_dag(sync_dag, window=WINDOW)
    assert str(first.state) == "success", task_states(first)
    assert ("GET", "/users") in woowup_calls(sandbox.requests())

    change_opt_in(sandbox, "cl-beto", False)
    seen = len(sandbox.requests())
    second = run_dag(sync_dag, window=NEXT_WINDOW)
    assert str(second.state) == "success", task_states(second)

    calls = woowup_calls(sandbox.requests()[seen:])
    assert ("GET", "/users") not in calls
    assert calls.count(("GET", "/multiusers/find")) == 1
    assert calls.count(("PUT", "/multiusers")) == 1
    users = {u["userapp_id"]: u for u in sandbox.users()}
    assert users[202]["mailing_enabled"] == "disabled"
    assert [e["source"] for e in extracted(sandbox)] == ["full_export", "index"]


def test_protection_added_after_the_export_is_honoured(sandbox, sync_dag):
    sandbox.reset(two_customer_world())
    run_dag(sync_dag, window=WINDOW)
    state = sandbox.server.state
    with state.lock:
        state.woowup_users[203]["mailing_enabled_reason"] = "unsubscribe-2026-12-04 08:00:00"
    change_opt_in(sandbox, "cl-caro", False)
    seen = len(sandbox.requests())

    dag_run = run_dag(sync_dag, window=NEXT_WINDOW)
    assert str(dag_run.state) == "success", task_states(dag_run)
    calls = woowup_calls(sandbox.requests()[seen:])
    assert ("GET", "/multiusers/find") in calls
    puts = [entry["body"] for entry in sandbox.requests()[seen:]
            if entry["api"] == "woowup" and entry["method"] == "PUT" and entry["body"].get("email") == "caro@gmail.com"]
    assert all("mailing_enabled" not in body for body in puts)
    caro = next(u for u in sandbox.users() if u["userapp_id"] == 203)
    assert caro["mailing_enabled"] == "enabled"
    assert caro["mailing_enabled_reason"] == "unsubscribe-2026-12-04 08:00:00"


@pytest.mark.parametrize("trigger", ["every_run_setting", "missing_index", "full_refresh"])
def test_full_export_runs_again(sandbox, sync_dag, monkeypatch, trigger):
    sandbox.reset(two_customer_world())
    run_dag(sync_dag, window=WINDOW)
    params = {}
    if trigger == "every_run_setting":
        monkeypatch.setenv("OPTIN_SYNC_WOOWUP_FULL_EXPORT_EVERY", "0")
    elif trigger == "missing_index":
        shutil.rmtree(sandbox.data_dir / "_raw" / "woowup_index")
    else:
        params["full_refresh"] = True
    seen = len(sandbox.requests())
    dag_run = run_dag(sync_dag, window=NEXT_WINDOW, **params)
    assert str(dag_run.state) == "success", task_states(dag_run)
    assert ("GET", "/users") in woowup_calls(sandbox.requests()[seen:])
    assert extracted(sandbox)[-1]["source"] == "full_export"

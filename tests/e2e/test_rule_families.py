"""Rule families that the nightly world does not reach: write budget, ambiguous targets, settings of scope."""

from __future__ import annotations

import pytest
from conftest import run_dag, task_states
from world import WINDOW, document, user

pytestmark = pytest.mark.e2e


def reset(sandbox, documents, users):
    sandbox.reset({"vtex": {"CL": documents}, "woowup": {"users": users, "custom_attributes": []}, "settings": {}})


def mailing_states(sandbox) -> dict[int, str]:
    return {u["userapp_id"]: u["mailing_enabled"] for u in sandbox.users()}


def test_write_budget_defers_then_next_run_writes(sandbox, sync_dag, monkeypatch):
    monkeypatch.setenv("OPTIN_SYNC_MAX_WRITES_PER_RUN", "2")
    reset(sandbox, [document(f"cl-{n}", email=f"c{n}@gmail.com", opt_in=False) for n in range(1, 5)],
          [user(n, email=f"c{n}@gmail.com") for n in range(1, 5)])
    first = run_dag(sync_dag, window=WINDOW)
    assert str(first.state) == "success", task_states(first)
    assert len(sandbox.writes()) == 2
    second = run_dag(sync_dag, window=WINDOW)
    assert str(second.state) == "success", task_states(second)
    assert len(sandbox.writes()) == 4
    assert set(mailing_states(sandbox).values()) == {"disabled"}


def test_deferred_writes_go_out_on_the_following_nights(sandbox, sync_dag, monkeypatch):
    monkeypatch.setenv("OPTIN_SYNC_MAX_WRITES_PER_RUN", "2")
    reset(sandbox, [document(f"cl-{n}", email=f"c{n}@gmail.com", opt_in=False) for n in range(1, 6)],
          [user(n, email=f"c{n}@gmail.com") for n in range(1, 6)])
    nights = [WINDOW, ("2026-12-04T00:00:00", "2026-12-05T00:00:00"), ("2026-12-05T00:00:00", "2026-12-06T00:00:00")]
    written = []
    for night in nights:
        dag_run = run_dag(sync_dag, window=night)
        assert str(dag_run.state) == "success", task_states(dag_run)
        written.append(len(sandbox.writes()))
    # No profile changed after the first night: the deferred ones come from the carried-over evidence.
    assert written == [2, 4, 5]
    assert set(mailing_states(sandbox).values()) == {"disabled"}
    carried = [summary["carried_over_profiles"] for summary in summaries(sandbox)]
    assert carried == [3, 1, 0]


def test_gate_stop_carries_the_night_to_the_next_run(sandbox, sync_dag, monkeypatch):
    reset(sandbox, [document(f"cl-{n}", email=f"c{n}@gmail.com", opt_in=False) for n in range(1, 4)],
          [user(n, email=f"c{n}@gmail.com") for n in range(1, 4)])
    monkeypatch.setenv("OPTIN_SYNC_QUALITY_MIN_CUSTOMERS", "50")
    stopped = run_dag(sync_dag, window=WINDOW)
    assert str(stopped.state) == "failed"
    assert sandbox.writes() == []
    monkeypatch.setenv("OPTIN_SYNC_QUALITY_MIN_CUSTOMERS", "1")
    next_night = run_dag(sync_dag, window=("2026-12-04T00:00:00", "2026-12-05T00:00:00"))
    assert str(next_night.state) == "success", task_states(next_night)
    assert set(mailing_states(sandbox).values()) == {"disabled"}


def summaries(sandbox) -> list[dict]:
    import json

    paths = sorted(sandbox.data_dir.glob("run_summary/run_date=*/run_id=*/run_summary.json"))
    return [json.loads(path.read_text()) for path in paths]


def test_ambiguous_customers_are_not_written(sandbox, sync_dag):
    reset(sandbox, [document("cl-1", phone="011 15-2803-4063", opt_in=False)],
          [user(1, email="family@gmail.com", telephone="+5491128034063"),
           user(2, email="family@gmail.com", telephone="+5491128034063")])
    dag_run = run_dag(sync_dag, window=WINDOW)
    assert str(dag_run.state) == "success", task_states(dag_run)
    assert sandbox.writes() == []


def test_consent_channels_mailing_only(sandbox, sync_dag, monkeypatch):
    monkeypatch.setenv("OPTIN_SYNC_CONSENT_CHANNELS", "mailing")
    reset(sandbox, [document("cl-1", email="ana@gmail.com", phone="011 15-2803-4063", opt_in=True)],
          [user(1, email="ana@gmail.com", telephone="+5491128034063", state="disabled")])
    run_dag(sync_dag, window=WINDOW)
    ana = sandbox.users()[0]
    assert ana["mailing_enabled"] == "enabled"
    assert ana["sms_enabled"] == "disabled"
    assert ana["whatsapp_enabled"] == "disabled"


def test_scope_all_carries_phone_match_to_mailing(sandbox, sync_dag, monkeypatch):
    monkeypatch.setenv("OPTIN_SYNC_CHANNEL_SCOPE", "all")
    reset(sandbox, [document("cl-1", phone="011 15-2803-4063", opt_in=False)],
          [user(1, email="lucia@gmail.com", telephone="+5491128034063")])
    run_dag(sync_dag, window=WINDOW)
    assert mailing_states(sandbox) == {1: "disabled"}


def test_full_refresh_reads_profiles_outside_window(sandbox, sync_dag):
    reset(sandbox, [document("cl-1", email="ana@gmail.com", opt_in=False, updated="2025-08-10T10:00:00Z")],
          [user(1, email="ana@gmail.com")])
    run_dag(sync_dag, window=WINDOW)
    assert mailing_states(sandbox) == {1: "enabled"}
    run_dag(sync_dag, window=WINDOW, full_refresh=True)
    assert mailing_states(sandbox) == {1: "disabled"}

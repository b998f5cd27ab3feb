"""The fault matrix: each injected fault alone, then all together, must end with the customers of a fault-free run."""

from __future__ import annotations

from collections import Counter

import pandas as pd
import pytest
from conftest import run_dag, task_states

pytestmark = pytest.mark.e2e

WINDOW = ("2026-12-03T00:00:00", "2026-12-04T00:00:00")
GENERATE = {"seed": 23, "profiles": 300, "customers": 300, "anchor_date": "2026-12-04",
            "timezone": "America/Argentina/Buenos_Aires"}
NO_LIMIT = {"woowup": {"rate_limit_per_minute": 100_000}}
FAULTS = {
    "error_500": {"error_500_rate": 0.05},
    "error_502": {"error_502_rate": 0.05},
    "error_503": {"error_503_rate": 0.05},
    "error_408": {"error_408_rate": 0.05},
    "burst_429": {"burst_429_rate": 0.02, "burst_429_seconds": 1},
    "connection_reset": {"connection_reset_rate": 0.05},
    "truncated_body": {"truncated_body_rate": 0.05},
    "latency": {"latency_ms": 40},
    "fault_after_write": {"fault_after_write_rate": 0.2},
    "all_together": {"error_500_rate": 0.02, "error_502_rate": 0.02, "error_503_rate": 0.02,
                     "error_408_rate": 0.02, "burst_429_rate": 0.01, "burst_429_seconds": 1,
                     "connection_reset_rate": 0.02, "truncated_body_rate": 0.02, "latency_ms": 10,
                     "fault_after_write_rate": 0.05,
                     "woowup": {"rate_limit_per_minute": 100_000, "boolean_channels_rate": 0.5}},
}
_baseline: dict[str, list[dict]] = {}


def comparable(users: list[dict]) -> list[dict]:
    """Customers without the update times, which differ between any two runs."""
    return [{key: value for key, value in user.items() if not key.endswith("updatetime")} for user in users]


def target(entry: dict) -> str:
    body = entry["body"]
    return next(f"{name}={body[name]}" for name in ("service_uid", "email", "document", "telephone") if body.get(name))


@pytest.fixture
def data_dir(monkeypatch, tmp_path):
    """Point the run at a fresh data folder; each call gives a new one, so the ledger starts empty."""

    def use(name: str):
        monkeypatch.setenv("OPTIN_SYNC_DATA_DIR", str(tmp_path / name))
        return tmp_path / name

    return use


@pytest.fixture(autouse=True)
def client_settings(monkeypatch):
    # Eight attempts let the client retries absorb a few % of faults, so no task fails and waits for Airflow's
    # retry delay. The pacer is opened up because the sandbox's limit is lifted too.
    monkeypatch.setenv("OPTIN_SYNC_MAX_ATTEMPTS", "8")
    monkeypatch.setenv("OPTIN_SYNC_WOOWUP_RATE_LIMIT_PER_MINUTE", "100000")


def fault_free_customers(sandbox, sync_dag, data_dir) -> list[dict]:
    if "customers" not in _baseline:
        data_dir("fault-free")
        sandbox.reset({"generate": GENERATE, "settings": NO_LIMIT})
        dag_run = run_dag(sync_dag, window=WINDOW)
        assert str(dag_run.state) == "success", task_states(dag_run)
        writes = [entry for entry in sandbox.requests() if entry["method"] == "PUT"]
        assert len(writes) >= 5, f"the world plans only {len(writes)} writes"
        _baseline["customers"] = comparable(sandbox.users())
    return _baseline["customers"]


@pytest.mark.parametrize("fault", list(FAULTS))
def test_fault_ends_like_fault_free_run(sandbox, sync_dag, data_dir, fault):
    expected = fault_free_customers(sandbox, sync_dag, data_dir)
    folder = data_dir(f"with-{fault}")
    settings = {"fault_seed": 5, **NO_LIMIT, **FAULTS[fault]}
    sandbox.reset({"generate": GENERATE, "settings": settings})

    first = run_dag(sync_dag, window=WINDOW)
    if str(first.state) != "success":
        # Failed writes are planned again by the next run.
        second = run_dag(sync_dag, window=WINDOW)
        assert str(second.state) == "success", task_states(second)

    assert comparable(sandbox.users()) == expected
    if fault != "latency":
        assert any(entry["fault"] for entry in sandbox.requests()), "no fault was injected"
    log = [entry for entry in sandbox.requests() if entry["method"] == "PUT"]
    applied = Counter(target(entry) for entry in log
                      if entry["status"] == 200 and entry["fault"] in (None, "reset_after_write"))
    failed = Counter(target(entry) for entry in log if entry["fault"] is not None or entry["status"] is None)
    for name, count in applied.items():
        assert count <= 1 + failed[name], f"{name} written {count} times after {failed[name]} failed attempts"
    results = pd.read_parquet(folder / "write_results")
    unsettled = results[results["result"] != "written"]
    assert unsettled["errors"].notna().all(), unsettled.to_dict("records")
    assert not any(name.endswith("_disabled_reason") for entry in log for name in entry["body"])

"""A run split into buckets on the CeleryExecutor: two Celery workers share the mapped bucket tasks.

The test creates its own metadata database on the machine's PostgreSQL (127.0.0.1:5432) and uses the machine's Redis
(127.0.0.1:6379) as the broker, under a key prefix of its own. It starts a scheduler, a DAG processor, an API server
and two ``airflow celery worker`` processes against a generated sandbox world. The world is above a lowered
``OPTIN_SYNC_BUCKET_THRESHOLD_ROWS``, so planning runs as 4 mapped buckets. Everything it started is stopped, the
database dropped and the Redis keys deleted, also when an assertion fails.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import httpx
import pandas as pd
import pytest
from test_scheduler import (  # noqa: F401 - metadata_db is a fixture
    AIRFLOW,
    ROOT,
    AirflowStack,
    _healthy,
    account_connections,
    airflow_env,
    free_port,
    metadata_db,
)

from optin_sync.run.planning import plan_frames
from optin_sync.sandbox import SandboxCredentials, SandboxServer
from optin_sync.settings import load_settings
from optin_sync.snapshots import schemas
from optin_sync.snapshots.store import RunKey, SnapshotStore

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(420)]

DAG_ID = "vtex_woowup_optin_sync"
WORKERS = ("worker-a", "worker-b")
BUCKETS = 4
# The generated world's window is the local day before the anchor: about 100 of its 400 profiles, and 500 customers.
ANCHOR = date(2026, 11, 20)
WORLD = {"generate": {"seed": 11, "profiles": 400, "customers": 500, "anchor_date": ANCHOR.isoformat(),
                      "define_opt_in_attribute": True}}
REDIS = {"host": "127.0.0.1", "port": 6379, "db": 9}
RUN_TIMEOUT = 4 * 60


class CeleryStack(AirflowStack):
    """An Airflow deployment on the CeleryExecutor, with named workers."""

    def start_worker(self, name: str) -> None:
        """Start an ``airflow celery worker`` that reports ``name`` as the hostname of the tasks it runs."""
        env = {**self.env, "OPTIN_SYNC_E2E_WORKER": name,
               "AIRFLOW__CORE__HOSTNAME_CALLABLE": "worker_hostname.worker_hostname"}
        command = [AIRFLOW, "celery", "worker", "--celery-hostname", name, "--queues", "default",
                   "--concurrency", "2", "--skip-serve-logs", "--pid", str(self.home / f"{name}.pid")]
        log = (self.home / f"{name}.log").open("w")
        self.processes[name] = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT,
                                                start_new_session=True)

    def runs(self) -> list[tuple]:
        """Return the DAG's runs as (run_id, state)."""
        return self.query("SELECT run_id, state FROM dag_run WHERE dag_id = %s ORDER BY run_id", DAG_ID)


@pytest.fixture
def broker():
    """A Redis URL and a key prefix of this test's own. Every key under the prefix is deleted at the end."""
    import redis

    client = redis.Redis(socket_connect_timeout=5, **REDIS)
    try:
        client.ping()
    except redis.RedisError as exc:
        pytest.skip(f"Redis is not reachable at 127.0.0.1:6379 ({exc}); .ci/run installs and starts it")
    prefix = f"optin_sync_e2e_{secrets.token_hex(6)}:"
    try:
        yield f"redis://127.0.0.1:6379/{REDIS['db']}", prefix
    finally:
        keys = list(client.scan_iter(match=f"{prefix}*"))
        if keys:
            client.delete(*keys)
        client.close()


@pytest.fixture
def sandbox_server():
    credentials = SandboxCredentials.generate()
    with SandboxServer(host="127.0.0.1", port=0, credentials=credentials) as server:
        response = httpx.post(f"{server.url}/_sandbox/reset", json=WORLD, timeout=60)
        assert response.status_code == 200, response.text
        yield server, credentials


@pytest.fixture
def celery_stack(tmp_path, metadata_db, broker, sandbox_server):
    server, credentials = sandbox_server
    broker_url, prefix = broker
    home = tmp_path / "airflow"
    home.mkdir()
    port = free_port()
    api = f"http://127.0.0.1:{port}"
    database = f"postgres@127.0.0.1:5432/{metadata_db}"
    env = airflow_env(home, metadata_db, api, executor="CeleryExecutor", parallelism=8)
    env.update({
        **account_connections(server.url, credentials, "vtex_default", "woowup_default", "optin_sync_pii"),
        "AIRFLOW__CELERY__BROKER_URL": broker_url,
        "AIRFLOW__CELERY__RESULT_BACKEND": f"db+postgresql+psycopg2://{database}",
        "AIRFLOW__CELERY_BROKER_TRANSPORT_OPTIONS__GLOBAL_KEYPREFIX": prefix,
        "AIRFLOW__CELERY_BROKER_TRANSPORT_OPTIONS__VISIBILITY_TIMEOUT": "3600",
        # The scheduler creates no nightly run: the only run is the one the test triggers, on an unpaused DAG.
        "AIRFLOW__SCHEDULER__USE_JOB_SCHEDULE": "False",
        "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "False",
        "OPTIN_SYNC_DATA_DIR": str(tmp_path / "data"),
        "OPTIN_SYNC_BUCKET_THRESHOLD_ROWS": "100",
        "OPTIN_SYNC_BUCKETS": str(BUCKETS),
        # The workers import worker_hostname from this folder.
        "PYTHONPATH": os.pathsep.join([str(Path(__file__).parent), env["PYTHONPATH"]]),
    })
    stack = CeleryStack(home, metadata_db, env)
    try:
        stack.cli("db", "migrate", timeout=300)
        stack.start("api-server", "api-server", "--host", "127.0.0.1", "--port", str(port))
        stack.start("dag-processor", "dag-processor")
        stack.start("scheduler", "scheduler")
        for name in WORKERS:
            stack.start_worker(name)
        # The operator's step while the services start: the account's WoowUp pool.
        pools = tmp_path / "pools.json"
        pools.write_text(subprocess.run([sys.executable, "-m", "optin_sync.accounts", "pools"], env=env,
                                        capture_output=True, text=True, check=True).stdout)
        stack.cli("pools", "import", str(pools))
        stack.wait_for("the API server", lambda: _healthy(api), timeout=120)
        # A worker that is not consuming yet would leave every bucket to the other one.
        stack.wait_for("both Celery workers", lambda: all(f"{name} ready" in stack.log_text(name)
                                                          for name in WORKERS), timeout=120)
        yield stack
    finally:
        stack.stop()


def test_buckets_run_on_both_workers(celery_stack, broker, tmp_path):
    import redis

    stack = celery_stack
    started = time.monotonic()
    stack.wait_for("the DAG to be parsed", lambda: stack.query(
        "SELECT 1 FROM serialized_dag WHERE dag_id = %s", DAG_ID) != [], timeout=120)
    # A dry run of the night before the anchor: planning is what this test is about, and it writes nothing.
    window_start = ANCHOR - timedelta(days=1)
    conf = {"window_start": f"{window_start.isoformat()}T00:00:00", "window_end": f"{ANCHOR.isoformat()}T00:00:00",
            "dry_run": True}
    stack.cli("dags", "trigger", DAG_ID, "--conf", json.dumps(conf))

    def finished() -> bool:
        states = [state for _, state in stack.runs()]
        return bool(states) and states[0] in ("success", "failed")

    stack.wait_for("the triggered run", finished, timeout=RUN_TIMEOUT)
    [(run_id, state)] = stack.runs()
    assert state == "success", stack.task_logs()

    # Each mapped step ran once per bucket, and the buckets were shared by both workers.
    instances = stack.query("SELECT task_id, map_index, state, hostname FROM task_instance "
                            "WHERE dag_id = %s AND task_id IN ('match_bucket', 'decide_bucket')", DAG_ID)
    for task_id in ("match_bucket", "decide_bucket"):
        indexes = sorted(index for task, index, _, _ in instances if task == task_id)
        assert indexes == list(range(BUCKETS)), task_id
    assert {state for _, _, state, _ in instances} == {"success"}
    assert {hostname for _, _, _, hostname in instances} == set(WORKERS)

    # The decisions and the planned writes equal a plan of the same snapshots in one process.
    data_dir = tmp_path / "data"
    [partition] = (data_dir / "decisions").glob("run_date=*/run_id=*")
    run = RunKey(date.fromisoformat(partition.parent.name.removeprefix("run_date=")),
                 partition.name.removeprefix("run_id="))
    raw = SnapshotStore(data_dir / "_raw")
    profiles, customers = raw.read("vtex_profiles", run), raw.read("woowup_customers", run)
    assert len(profiles) + len(customers) > 100
    single = plan_frames(profiles, customers, load_settings(data_dir=data_dir))
    assert len(single.plan.decisions) > 50
    expected = SnapshotStore(tmp_path / "expected")
    published = {"decisions": SnapshotStore(data_dir), "planned_writes": raw}
    for dataset, frame, schema in (("decisions", single.plan.decisions, schemas.DECISIONS),
                                   ("planned_writes", single.plan.writes, schemas.PLANNED_WRITES)):
        expected.write(dataset, frame, schema, run)
        pd.testing.assert_frame_equal(published[dataset].read(dataset, run), expected.read(dataset, run),
                                      obj=dataset)
    guard = json.loads((data_dir / "decisions" / run.partition() / "_guard.json").read_text())
    assert guard == json.loads(json.dumps(single.verdict.to_dict()))

    # Celery kept its broker keys under the test's prefix.
    _, prefix = broker
    keys = [key.decode() for key in redis.Redis(**REDIS).scan_iter()]
    assert any(key.startswith(prefix) for key in keys)
    assert [key for key in keys if not key.startswith("optin_sync_e2e_")] == []

    # The reduce step deleted the bucket files.
    assert not (data_dir / "_raw" / "buckets" / run.partition()).exists()
    print(f"\ncelery e2e: run {run_id} done {time.monotonic() - started:.0f} s after the services were up")

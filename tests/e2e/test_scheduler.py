"""A 3-day backfill through a real Airflow: PostgreSQL, scheduler, DAG processor, API server, LocalExecutor.

The test creates its own metadata database on the machine's PostgreSQL (127.0.0.1:5432, user postgres, trust
auth), migrates it, and starts the three Airflow services with the project's dags/ and plugins/ against a sandbox
in this process. The DAGs come from an accounts file, so the run also proves per-account Connections, pools and
data folders. A second account's pool is missing on purpose: its run must time out and be reported. Everything the
test started is stopped, and the database dropped, also when an assertion fails.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from datetime import date, datetime, time as clock, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pandas as pd
import pytest
from world import OPT_IN_DEFINITION, document, user

from optin_sync.sandbox import SandboxCredentials, SandboxServer

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(1200)]

ROOT = Path(__file__).resolve().parents[2]
AIRFLOW = str(Path(sys.executable).parent / "airflow")
TZ = "America/Argentina/Buenos_Aires"
ACCOUNT = "norte"
DAG_ID = f"vtex_woowup_optin_sync__{ACCOUNT}"
POSTGRES = {"host": "127.0.0.1", "port": 5432, "user": "postgres"}
RUNS_TIMEOUT = 8 * 60
RERUN_TIMEOUT = 4 * 60
# Three local days, far enough back that their data intervals have ended.
DAYS = [datetime.now(ZoneInfo(TZ)).date() - timedelta(days=offset) for offset in (12, 11, 10)]
# The second account's pool is left out of Airflow, so its run must fail at its short timeout, not wait for ever.
MISSING_POOL = "woowup_missing"
OTHER_DAG_ID = "vtex_woowup_optin_sync__sur"
ACCOUNTS_FILE = f"""
accounts:
  - name: {ACCOUNT}
    settings:
      timezone: {TZ}
  - name: sur
    pool: {MISSING_POOL}
    settings:
      run_timeout: PT60S
"""


def noon(day: date) -> str:
    """Return noon of a local day in UTC, in the form of Master Data's ``updatedIn``."""
    local = datetime.combine(day, clock(12), tzinfo=ZoneInfo(TZ))
    return local.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def three_day_world() -> dict:
    """Return a world with one change per day (an opt-in, an opt-out by email, an opt-out by phone) and two
    profiles that need no write."""
    first, second, third = DAYS
    documents = [
        document("cl-day1", email="ana@gmail.com", opt_in=True, updated=noon(first)),
        document("cl-day2", email="bruno@hotmail.com", opt_in=False, updated=noon(second)),
        document("cl-day2-same", email="carla@yahoo.com.ar", opt_in=True, updated=noon(second)),
        document("cl-day3", phone="011 15-2803-4063", opt_in=False, updated=noon(third)),
        document("cl-before", email="dora@gmail.com", opt_in=False, updated=noon(first - timedelta(days=3))),
    ]
    users = [
        user(201, email="ana@gmail.com", state="disabled", reasons={"mailing": "other"}),
        user(202, email="bruno@hotmail.com"),
        user(203, telephone="+5491128034063"),
        user(204, email="carla@yahoo.com.ar", opt_in_vtex="True"),
        user(205, email="dora@gmail.com"),
    ]
    return {"vtex": {"CL": documents}, "woowup": {"users": users, "custom_attributes": [OPT_IN_DEFINITION]},
            "settings": {}}


EXPECTED_STATES = {
    201: {"mailing": "enabled", "sms": "disabled", "whatsapp": "disabled"},
    202: {"mailing": "disabled", "sms": "enabled", "whatsapp": "enabled"},
    203: {"mailing": "enabled", "sms": "disabled", "whatsapp": "disabled"},
    204: {"mailing": "enabled", "sms": "enabled", "whatsapp": "enabled"},
    205: {"mailing": "enabled", "sms": "enabled", "whatsapp": "enabled"},
}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def connect(database: str = "postgres"):
    import psycopg2

    connection = psycopg2.connect(dbname=database, connect_timeout=5, **POSTGRES)
    connection.autocommit = True
    return connection


@pytest.fixture
def metadata_db():
    """A new, empty database on the machine's PostgreSQL, dropped at the end."""
    import psycopg2

    try:
        admin = connect()
    except psycopg2.OperationalError as exc:
        pytest.skip(f"PostgreSQL is not reachable at 127.0.0.1:5432 as user postgres with trust auth ({exc}); "
                    ".ci/run installs and starts it")
    name = f"optin_sync_e2e_{secrets.token_hex(6)}"
    with admin.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    try:
        yield name
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


class AirflowStack:
    """The environment of one Airflow deployment, its services as process groups, and its metadata database."""

    def __init__(self, home: Path, database: str, env: dict[str, str]) -> None:
        self.home = home
        self.database = database
        self.env = env
        self.processes: dict[str, subprocess.Popen] = {}

    def cli(self, *args: str, timeout: float = 180) -> str:
        result = subprocess.run([AIRFLOW, *args], env=self.env, capture_output=True, text=True, timeout=timeout)
        assert result.returncode == 0, f"airflow {' '.join(args)} failed:\n{result.stdout[-3000:]}\n" \
                                       f"{result.stderr[-3000:]}"
        return result.stdout

    def start(self, name: str, *args: str) -> None:
        log = (self.home / f"{name}.log").open("w")
        self.processes[name] = subprocess.Popen([AIRFLOW, *args], env=self.env, stdout=log,
                                                stderr=subprocess.STDOUT, start_new_session=True)

    def check_alive(self) -> None:
        for name, process in self.processes.items():
            assert process.poll() is None, f"airflow {name} exited with {process.returncode}:\n{self.log_tail(name)}"

    def stop(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + 30
        for process in self.processes.values():
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)

    def log_text(self, name: str) -> str:
        path = self.home / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def log_tail(self, name: str, size: int = 4000) -> str:
        return self.log_text(name)[-size:]

    def dag_processor_logs(self) -> list[str]:
        """Return the DAG processor's output and its per-file logs, where DAG callbacks log."""
        files = sorted((self.home / "logs" / "dag_processor").rglob("*.log"))
        return [self.log_text("dag-processor"), *(path.read_text(errors="replace") for path in files)]

    def task_logs(self) -> str:
        """Return the ends of the task logs that record an error, for the message of a failed assertion."""
        chunks = []
        for path in sorted((self.home / "logs").rglob("*.log")):
            text = path.read_text(errors="replace")
            if '"level":"error"' in text or "Traceback" in text:
                chunks.append(f"--- {path.relative_to(self.home)}\n{text[-3000:]}")
        return "\n".join(chunks[-4:])

    def query(self, sql: str, *params) -> list[tuple]:
        with connect(self.database) as connection, connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    def runs(self) -> list[tuple]:
        """Return the DAG's runs as (run_id, state, run_type, end_date, local date of the logical date).

        A manual run without a logical date has None as its date and comes last.
        """
        rows = self.query("SELECT run_id, state, run_type, end_date, logical_date FROM dag_run WHERE dag_id = %s "
                          "ORDER BY logical_date", DAG_ID)
        return [(*row[:4], row[4].astimezone(ZoneInfo(TZ)).date() if row[4] else None) for row in rows]

    def wait_for(self, description: str, condition, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.check_alive()
            if condition():
                return
            time.sleep(2)
        pytest.fail(f"timed out after {timeout:.0f} s waiting for {description}; runs={self.runs()}\n"
                    f"scheduler:\n{self.log_tail('scheduler')}\n{self.task_logs()}")


@pytest.fixture
def sandbox_server():
    credentials = SandboxCredentials.generate()
    with SandboxServer(host="127.0.0.1", port=0, credentials=credentials) as server:
        response = httpx.post(f"{server.url}/_sandbox/reset", json=three_day_world(), timeout=60)
        assert response.status_code == 200, response.text
        yield server, credentials


def airflow_env(home: Path, metadata_db: str, api: str, *, executor: str, parallelism: int) -> dict[str, str]:
    """Return the environment of an Airflow stack on the project's DAGs, the test's database and a local API server."""
    return {
        **os.environ,
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(ROOT / "dags"),
        "AIRFLOW__CORE__PLUGINS_FOLDER": str(ROOT / "plugins"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__EXECUTOR": executor,
        "AIRFLOW__CORE__PARALLELISM": str(parallelism),
        # Plain --from-date/--to-date values are read in this zone, so they name the account's local days.
        "AIRFLOW__CORE__DEFAULT_TIMEZONE": TZ,
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"postgresql+psycopg2://postgres@127.0.0.1:5432/{metadata_db}",
        "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"{api}/execution/",
        "AIRFLOW__API__BASE_URL": api,
        "AIRFLOW__API__WORKERS": "1",
        "AIRFLOW__API_AUTH__JWT_SECRET": secrets.token_urlsafe(32),
        "AIRFLOW__API__SECRET_KEY": secrets.token_urlsafe(32),
        "AIRFLOW__SCHEDULER__SCHEDULER_IDLE_SLEEP_TIME": "0.5",
        "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "5",
        "AIRFLOW__DAG_PROCESSOR__PARSING_PROCESSES": "1",
        "PYTHONPATH": os.pathsep.join([str(ROOT / "plugins"), os.environ.get("PYTHONPATH", "")]),
    }


def account_connections(server_url: str, credentials: SandboxCredentials, vtex: str, woowup: str,
                        pii: str) -> dict[str, str]:
    """Return the environment variables of one account's Connections to the sandbox, by their Connection ids."""
    return {
        f"AIRFLOW_CONN_{vtex.upper()}": json.dumps({"conn_type": "http", "host": server_url,
                                                    "login": credentials.vtex_app_key,
                                                    "password": credentials.vtex_app_token}),
        f"AIRFLOW_CONN_{woowup.upper()}": json.dumps({"conn_type": "http", "host": f"{server_url}/apiv3",
                                                      "password": credentials.woowup_api_key}),
        f"AIRFLOW_CONN_{pii.upper()}": json.dumps({"conn_type": "generic", "password": secrets.token_hex(16)}),
    }


@pytest.fixture
def stack(tmp_path, metadata_db, sandbox_server):
    server, credentials = sandbox_server
    home = tmp_path / "airflow"
    home.mkdir()
    accounts_file = tmp_path / "accounts.yaml"
    accounts_file.write_text(ACCOUNTS_FILE, encoding="utf-8")
    port = free_port()
    api = f"http://127.0.0.1:{port}"
    env = {
        **airflow_env(home, metadata_db, api, executor="LocalExecutor", parallelism=4),
        **account_connections(server.url, credentials, "vtex_norte", "woowup_norte", "optin_sync_pii_norte"),
        **account_connections(server.url, credentials, "vtex_sur", "woowup_sur", "optin_sync_pii_sur"),
        # The scheduler creates no nightly run, so every run comes from the test's CLI commands.
        "AIRFLOW__SCHEDULER__USE_JOB_SCHEDULE": "False",
        "OPTIN_SYNC_ACCOUNTS_FILE": str(accounts_file),
        "OPTIN_SYNC_DATA_DIR": str(tmp_path / "data"),
    }
    stack = AirflowStack(home, metadata_db, env)
    try:
        stack.cli("db", "migrate", timeout=300)
        stack.start("api-server", "api-server", "--host", "127.0.0.1", "--port", str(port))
        stack.start("dag-processor", "dag-processor")
        stack.start("scheduler", "scheduler")
        stack.wait_for("the API server", lambda: _healthy(api), timeout=120)
        yield stack
    finally:
        stack.stop()


def _healthy(api: str) -> bool:
    try:
        return httpx.get(f"{api}/api/v2/monitor/health", timeout=2).status_code == 200
    except httpx.TransportError:
        return False


def sandbox_writes(url: str) -> list[dict]:
    log = httpx.get(f"{url}/_sandbox/requests", timeout=60).json()
    return [entry for entry in log if entry["api"] == "woowup" and entry["method"] == "PUT"]


def sandbox_states(url: str) -> dict[int, dict[str, str]]:
    users = httpx.get(f"{url}/_sandbox/woowup/users", timeout=60).json()
    return {u["userapp_id"]: {c: u[f"{c}_enabled"] for c in ("mailing", "sms", "whatsapp")} for u in users}


def summary_of(data_dir: Path, day: date) -> dict:
    [path] = data_dir.glob(f"run_summary/run_date={day.isoformat()}/run_id=backfill__*/run_summary.json")
    return json.loads(path.read_text(encoding="utf-8"))


def check_missing_pool_run(stack: AirflowStack) -> None:
    stack.wait_for("the run with a missing pool to time out", lambda: stack.query(
        "SELECT state FROM dag_run WHERE dag_id = %s", OTHER_DAG_ID) == [("failed",)], timeout=180)
    [(logical_date,)] = stack.query("SELECT logical_date FROM dag_run WHERE dag_id = %s", OTHER_DAG_ID)
    assert logical_date is None
    started = stack.query("SELECT task_id FROM task_instance WHERE dag_id = %s AND pool = %s AND start_date IS NOT "
                          "NULL", OTHER_DAG_ID, MISSING_POOL)
    assert started == []
    assert f"Tasks using non-existent pool '{MISSING_POOL}' will not be scheduled" in stack.log_text("scheduler")

    def notified() -> bool:
        return any(f"opt-in sync run failed dag_id={OTHER_DAG_ID}" in text and "reason=timed_out" in text
                   for text in stack.dag_processor_logs())

    stack.wait_for("the failure notice of the timed-out run", notified, timeout=120)


def test_backfill_three_days(stack, sandbox_server, tmp_path):
    server, _ = sandbox_server
    data_dir = tmp_path / "data" / ACCOUNT
    started = time.monotonic()

    # The DAG processor parses the accounts file: one DAG per account.
    stack.wait_for("both account DAGs", lambda: len(stack.query(
        "SELECT dag_id FROM serialized_dag WHERE dag_id LIKE 'vtex_woowup_optin_sync__%%'")) >= 2, timeout=180)
    dag_ids = {row[0] for row in stack.query("SELECT dag_id FROM dag")}
    assert {DAG_ID, OTHER_DAG_ID} <= dag_ids
    assert "vtex_woowup_optin_sync" not in dag_ids

    # The operator's steps: pools from the accounts file, unpause, backfill.
    printed = subprocess.run([sys.executable, "-m", "optin_sync.accounts", "pools"], env=stack.env,
                             capture_output=True, text=True, check=True).stdout
    pools = json.loads(printed)
    assert sorted(pools) == [MISSING_POOL, "woowup_norte"]
    del pools[MISSING_POOL]
    pools_file = tmp_path / "pools.json"
    pools_file.write_text(json.dumps(pools))
    stack.cli("pools", "import", str(pools_file))
    stack.cli("dags", "unpause", DAG_ID)
    stack.cli("backfill", "create", "--dag-id", DAG_ID, "--from-date", DAYS[0].isoformat(),
              "--to-date", DAYS[-1].isoformat(), "--max-active-runs", "1")

    # A manual run without a logical date, of the account whose pool is missing.
    stack.cli("dags", "unpause", OTHER_DAG_ID)
    stack.cli("dags", "trigger", OTHER_DAG_ID)

    def all_succeeded() -> bool:
        runs = stack.runs()
        failed = [run for run in runs if run[1] == "failed"]
        assert not failed, f"runs failed: {failed}\n{stack.task_logs()}"
        return len(runs) == 3 and all(run[1] == "success" for run in runs)

    stack.wait_for("3 successful backfill runs", all_succeeded, timeout=RUNS_TIMEOUT)
    backfill_seconds = time.monotonic() - started

    runs = stack.runs()
    assert [run[2] for run in runs] == ["backfill"] * 3
    assert [run[4] for run in runs] == DAYS
    task_pools = stack.query("SELECT DISTINCT task_id, pool FROM task_instance WHERE dag_id = %s", DAG_ID)
    assert {pool for task_id, pool in task_pools if task_id in
            {"extract_woowup_customers", "ensure_opt_in_attribute", "push_updates"}} == {"woowup_norte"}

    # Each date has its own snapshots, run date and window: the local day.
    for day in DAYS:
        summary = summary_of(data_dir, day)
        start = datetime.combine(day, clock.min, tzinfo=ZoneInfo(TZ))
        assert summary["run_date"] == day.isoformat()
        assert datetime.fromisoformat(summary["window"]["start"]) == start
        assert datetime.fromisoformat(summary["window"]["end"]) == start + timedelta(days=1)
        assert summary["status"] == "ok"
        for dataset in ("vtex_profiles", "woowup_customers", "decisions", "planned_writes", "write_results"):
            assert list(data_dir.glob(f"{dataset}/run_date={day.isoformat()}/run_id=*/part-0.parquet")), \
                (dataset, day)
    profiles = pd.read_parquet(data_dir / "vtex_profiles")
    by_date = {str(day): sorted(ids) for day, ids in profiles.groupby(profiles["run_date"].astype(str))["profile_id"]}
    assert by_date == {
        DAYS[0].isoformat(): ["cl-day1"],
        DAYS[1].isoformat(): ["cl-day2", "cl-day2-same"],
        DAYS[2].isoformat(): ["cl-day3"],
    }
    assert sorted(path.name for path in (tmp_path / "data").iterdir()) == [ACCOUNT, "sur"]

    # The sandbox: each window's change is written once, and nothing else.
    assert sandbox_states(server.url) == EXPECTED_STATES
    written = sorted(entry["body"].get("email") or entry["body"].get("telephone") for entry in
                     sandbox_writes(server.url))
    assert written == ["+5491128034063", "ana@gmail.com", "bruno@hotmail.com"]

    # The run whose pool is missing failed at its timeout, without starting a WoowUp task, and was reported.
    check_missing_pool_run(stack)

    # Re-running a date as the runbook does, with window Params, writes nothing and keeps the first run's files.
    writes_before = len(sandbox_writes(server.url))
    window_start = datetime.combine(DAYS[1], clock.min, tzinfo=ZoneInfo(TZ))
    conf = {"window_start": window_start.isoformat(), "window_end": (window_start + timedelta(days=1)).isoformat()}
    stack.cli("dags", "trigger", DAG_ID, "--conf", json.dumps(conf))

    def rerun_succeeded() -> bool:
        manual = [run for run in stack.runs() if run[2] == "manual"]
        assert not [run for run in manual if run[1] == "failed"], f"the re-run failed\n{stack.task_logs()}"
        return len(manual) == 1 and manual[0][1] == "success"

    stack.wait_for("the re-run of the second day", rerun_succeeded, timeout=RERUN_TIMEOUT)
    assert len(sandbox_writes(server.url)) == writes_before
    assert sandbox_states(server.url) == EXPECTED_STATES
    summaries = sorted(data_dir.glob(f"run_summary/run_date={DAYS[1].isoformat()}/run_id=*/run_summary.json"))
    assert [path.parent.name.split("__")[0] for path in summaries] == ["run_id=backfill", "run_id=manual"]
    rerun = json.loads(summaries[1].read_text(encoding="utf-8"))
    assert rerun["status"] == "ok"
    assert rerun["write_results"] == {}
    print(f"\nscheduler e2e: 3-day backfill done in {backfill_seconds:.0f} s, "
          f"re-run done {time.monotonic() - started:.0f} s after the services were up")

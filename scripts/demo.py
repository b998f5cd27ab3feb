"""Run one nightly sync against a local sandbox: start it, run the DAG with ``airflow dags test``, show the summary.

Credentials are made up for this run only and reach Airflow as Connections in the environment; they are never
printed. Exits non-zero when the run fails.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
DAG_ID = "vtex_woowup_optin_sync"
PII_CONN_ID = "optin_sync_pii"
PROFILES = int(os.environ.get("DEMO_PROFILES", "3000"))
CUSTOMERS = int(os.environ.get("DEMO_CUSTOMERS", "4000"))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_sandbox(port: int, credentials: dict[str, str], anchor: str, tz_name: str, log_path: Path):
    env = {**os.environ,
           "OPTIN_SYNC_SANDBOX_VTEX_APP_KEY": credentials["vtex_app_key"],
           "OPTIN_SYNC_SANDBOX_VTEX_APP_TOKEN": credentials["vtex_app_token"],
           "OPTIN_SYNC_SANDBOX_WOOWUP_API_KEY": credentials["woowup_api_key"]}
    command = [sys.executable, "-m", "optin_sync.sandbox", "--host", "127.0.0.1", "--port", str(port),
               "--seed", "42", "--profiles", str(PROFILES), "--customers", str(CUSTOMERS),
               "--anchor-date", anchor, "--timezone", tz_name, "--define-opt-in-attribute"]
    process = subprocess.Popen(command, env=env, stdout=log_path.open("w"), stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the sandbox exited with code {process.returncode}; see {log_path}")
        try:
            if httpx.get(f"{url}/_sandbox/health", timeout=1).status_code == 200:
                return process, url
        except httpx.TransportError:
            time.sleep(0.2)
    process.terminate()
    raise SystemExit(f"the sandbox did not respond within 60 s; see {log_path}")


def airflow_env(url: str, credentials: dict[str, str], airflow_home: Path, data_dir: Path) -> dict[str, str]:
    vtex = {"conn_type": "http", "host": url, "login": credentials["vtex_app_key"],
            "password": credentials["vtex_app_token"]}
    woowup = {"conn_type": "http", "host": f"{url}/apiv3", "password": credentials["woowup_api_key"]}
    return {
        **os.environ,
        "AIRFLOW_HOME": str(airflow_home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(ROOT / "dags"),
        "AIRFLOW__CORE__PLUGINS_FOLDER": str(ROOT / "plugins"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW_CONN_VTEX_DEFAULT": json.dumps(vtex),
        "AIRFLOW_CONN_WOOWUP_DEFAULT": json.dumps(woowup),
        "OPTIN_SYNC_DATA_DIR": str(data_dir),
        "PYTHONPATH": os.pathsep.join([str(ROOT / "plugins"), os.environ.get("PYTHONPATH", "")]),
    }


def ensure_pii_connection(env: dict[str, str]) -> None:
    """Keep one hash key in the demo's metadata database, so a person's hashes meet across demo runs."""
    airflow = str(VENV_BIN / "airflow")
    found = subprocess.run([airflow, "connections", "get", PII_CONN_ID], env=env, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
    if found.returncode == 0:
        return
    subprocess.run([airflow, "connections", "add", PII_CONN_ID, "--conn-type", "generic", "--conn-password",
                    secrets.token_hex(32)], env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    print(f"created the Connection {PII_CONN_ID} with a new random hash key", flush=True)


def latest_summary(data_dir: Path, since: float) -> dict | None:
    candidates = [path for path in data_dir.glob("run_summary/run_date=*/run_id=*/run_summary.json")
                  if path.stat().st_mtime >= since]
    if not candidates:
        return None
    return json.loads(max(candidates, key=lambda path: path.stat().st_mtime).read_text(encoding="utf-8"))


def main() -> int:
    from optin_sync.report.summary import render_text

    tz_name = os.environ.get("OPTIN_SYNC_TIMEZONE", "America/Argentina/Buenos_Aires")
    today = datetime.now(ZoneInfo(tz_name)).date()
    airflow_home = ROOT / ".airflow"
    data_dir = Path(os.environ.get("OPTIN_SYNC_DATA_DIR", ROOT / "data")).resolve()
    airflow_home.mkdir(exist_ok=True)
    # The sandbox world is new on every demo, so the ledger of an earlier demo would describe other shoppers.
    # The same goes for the WoowUp index of an earlier demo's full export.
    for folder in (data_dir / "consent_ledger", data_dir / "_raw" / "woowup_index"):
        if folder.exists():
            shutil.rmtree(folder)
            print(f"removed the previous demo's {folder.name} at {folder}")
    credentials = {name: secrets.token_urlsafe(24) for name in ("vtex_app_key", "vtex_app_token", "woowup_api_key")}

    started = time.time()
    process, url = start_sandbox(free_port(), credentials, today.isoformat(), tz_name, airflow_home / "sandbox.log")
    print(f"sandbox started url={url} profiles={PROFILES} customers={CUSTOMERS}", flush=True)
    try:
        env = airflow_env(url, credentials, airflow_home, data_dir)
        subprocess.run([str(VENV_BIN / "airflow"), "db", "migrate"], env=env, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        ensure_pii_connection(env)
        logical_date = f"{today.isoformat()}T03:00:00"
        log_path = airflow_home / "demo-run.log"
        print(f"running {DAG_ID} for the night of {today} (log: {log_path})", flush=True)
        with log_path.open("w") as log_file:
            run = subprocess.run([str(VENV_BIN / "airflow"), "dags", "test", DAG_ID, logical_date], env=env,
                                 stdout=log_file, stderr=subprocess.STDOUT)
    finally:
        process.terminate()
        process.wait(timeout=30)

    summary = latest_summary(data_dir, started)
    if summary is not None:
        print(render_text(summary))
        print("\nsnapshots:")
        for dataset, path in sorted(summary["snapshots"].items()):
            print(f"  {dataset:<18} {path}")
        if summary.get("report"):
            print(f"\nreport: {summary['report']}")
        print("\nnext: .venv/bin/optin-sync summary | AIRFLOW_HOME=.airflow .venv/bin/optin-sync lookup --email "
              "<email>  (the hash key is in the demo's Airflow Connection optin_sync_pii)")
    if run.returncode != 0 or summary is None or summary.get("status") != "ok":
        print(f"the run failed (exit code {run.returncode}); see {log_path}", file=sys.stderr)
        return 1
    print(f"\ndemo finished in {time.time() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())

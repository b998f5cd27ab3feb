"""docker-compose.yml and the Dockerfile, checked as files: no Docker engine runs on the development machine."""

from __future__ import annotations

import re
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[3]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
SERVICES = COMPOSE["services"]
DOCKERFILE = (ROOT / "Dockerfile").read_text(encoding="utf-8")
REQUIREMENTS = ROOT / "requirements.lock.txt"
EXPORT = ["export", "--frozen", "--no-dev", "--no-hashes", "--no-emit-project", "--extra", "celery"]

AIRFLOW_SERVICES = {"airflow-init", "airflow-apiserver", "airflow-scheduler", "airflow-dag-processor",
                    "airflow-triggerer", "airflow-worker"}
LONG_RUNNING = AIRFLOW_SERVICES - {"airflow-init"}
# service -> the Airflow command it runs
COMMANDS = {"airflow-apiserver": "api-server", "airflow-scheduler": "scheduler",
            "airflow-dag-processor": "dag-processor", "airflow-triggerer": "triggerer",
            "airflow-worker": "celery worker"}
PROFILES = {"redis": ["celery"], "airflow-worker": ["celery"], "sandbox": ["sandbox"]}


def locked_versions() -> dict[str, str]:
    lock = tomllib.loads((ROOT / "uv.lock").read_text(encoding="utf-8"))
    return {package["name"]: package["version"] for package in lock["package"] if "version" in package}


def pinned_requirements() -> dict[str, str]:
    pins = {}
    for line in REQUIREMENTS.read_text(encoding="utf-8").splitlines():
        match = re.match(r"^([A-Za-z0-9_.\-]+)==([^\s;]+)", line)
        if match:
            pins[match.group(1).lower()] = match.group(2)
    return pins


def find_uv() -> str | None:
    local = ROOT / ".tools" / "bin" / "uv"
    return str(local) if local.exists() else shutil.which("uv")


def test_compose_services():
    assert set(SERVICES) == {"postgres", "redis", "sandbox"} | AIRFLOW_SERVICES


@pytest.mark.parametrize(("service", "profiles"), sorted(PROFILES.items()))
def test_optional_services_have_profiles(service, profiles):
    assert SERVICES[service]["profiles"] == profiles


def test_core_services_start_without_profile():
    for name in {"postgres"} | AIRFLOW_SERVICES - {"airflow-worker"}:
        assert "profiles" not in SERVICES[name], name


@pytest.mark.parametrize(("service", "command"), sorted(COMMANDS.items()))
def test_airflow_commands(service, command):
    assert SERVICES[service]["command"] == command


def test_init_migrates_and_creates_pools():
    script = "\n".join(SERVICES["airflow-init"]["command"])
    steps = ["airflow db migrate", "python -m optin_sync.accounts pools", "airflow pools import"]
    positions = [script.index(step) for step in steps]
    assert positions == sorted(positions)
    assert "set -euo pipefail" in script


def test_services_wait_for_init():
    for name in LONG_RUNNING:
        depends = SERVICES[name]["depends_on"]
        assert depends["airflow-init"]["condition"] == "service_completed_successfully", name
        assert depends["postgres"]["condition"] == "service_healthy", name


def test_long_running_services_have_healthchecks():
    for name in LONG_RUNNING | {"postgres", "redis"}:
        assert SERVICES[name]["healthcheck"]["test"], name


def test_airflow_environment():
    for name in AIRFLOW_SERVICES:
        environment = SERVICES[name]["environment"]
        assert environment["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"].startswith("postgresql+psycopg2://"), name
        assert "@postgres/airflow" in environment["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"], name
        assert environment["AIRFLOW__CORE__EXECUTOR"] == "${AIRFLOW__CORE__EXECUTOR:-LocalExecutor}", name
        assert environment["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"] == "http://airflow-apiserver:8080/execution/"
        assert environment["AIRFLOW__CELERY__BROKER_URL"] == "redis://:@redis:6379/0", name
        assert environment["OPTIN_SYNC_DATA_DIR"] == "/opt/airflow/data", name
        assert environment["AIRFLOW__CORE__LOAD_EXAMPLES"] == "false", name


def test_secrets_come_from_environment():
    # Every secret is a ${...} reference to .env, never a value written in the file.
    for name in AIRFLOW_SERVICES:
        environment = SERVICES[name]["environment"]
        for key in ("AIRFLOW__CORE__FERNET_KEY", "AIRFLOW__API_AUTH__JWT_SECRET", "AIRFLOW__API__SECRET_KEY"):
            assert re.fullmatch(r"\$\{" + key + r":\?[^}]+\}", environment[key]), (name, key)
        for key, value in environment.items():
            assert not key.startswith("AIRFLOW_CONN_"), (name, key)
            if re.search(r"PASSWORD|SECRET|TOKEN", key) and not key.endswith("_FILE"):
                assert value.startswith("${"), (name, key)


def test_connections_from_env_file():
    for name in AIRFLOW_SERVICES | {"sandbox"}:
        assert SERVICES[name]["env_file"] == [{"path": ".env", "required": False}], name


def test_env_example_names_connections():
    example = (ROOT / ".env.example").read_text(encoding="utf-8")
    for variable in ("AIRFLOW_CONN_VTEX_DEFAULT", "AIRFLOW_CONN_WOOWUP_DEFAULT", "AIRFLOW_CONN_OPTIN_SYNC_PII",
                     "AIRFLOW__CORE__FERNET_KEY", "AIRFLOW__API_AUTH__JWT_SECRET", "AIRFLOW_UID"):
        assert re.search(rf"^{variable}=", example, re.MULTILINE), variable


def test_data_and_logs_volumes():
    for name in AIRFLOW_SERVICES | {"sandbox"}:
        targets = {volume.rsplit(":", 1)[1] for volume in SERVICES[name]["volumes"]}
        assert {"/opt/airflow/data", "/opt/airflow/logs", "/opt/airflow/config"} <= targets, name
    assert "postgres-db-volume" in COMPOSE["volumes"]
    assert SERVICES["postgres"]["volumes"] == ["postgres-db-volume:/var/lib/postgresql/data"]


def test_sandbox_reachable_from_tasks_on_loopback():
    sandbox = SERVICES["sandbox"]
    assert sandbox["network_mode"] == "service:airflow-scheduler"
    assert sandbox["entrypoint"] == ["python", "-m", "optin_sync.sandbox"]
    assert sandbox["command"][:4] == ["--host", "127.0.0.1", "--port", "8765"]


def test_services_use_project_image():
    for name in AIRFLOW_SERVICES | {"sandbox"}:
        assert SERVICES[name]["build"] == ".", name


def test_dockerfile_base_is_locked_airflow():
    [base] = re.findall(r"^FROM\s+(\S+)", DOCKERFILE, re.MULTILINE)
    assert base == f"apache/airflow:{locked_versions()['apache-airflow']}"


def test_dockerfile_installs_lock_then_project():
    install_lock = DOCKERFILE.index("pip install --no-cache-dir -r /opt/optin-sync/requirements.lock.txt")
    install_project = DOCKERFILE.index("pip install --no-cache-dir --no-deps /opt/optin-sync")
    assert install_lock < install_project
    for copied in ("requirements.lock.txt", "include", "dags", "plugins"):
        assert re.search(rf"^COPY .*\b{copied}\b", DOCKERFILE, re.MULTILINE), copied


def test_requirements_pin_locked_versions():
    locked = locked_versions()
    pins = pinned_requirements()
    assert pins, "requirements.lock.txt pins nothing"
    for name, version in pins.items():
        assert locked.get(name) == version, (name, version, locked.get(name))
    for needed in ("apache-airflow", "psycopg2-binary", "asyncpg", "apache-airflow-providers-celery"):
        assert needed in pins, needed


def test_requirements_match_fresh_export():
    uv = find_uv()
    if uv is None:
        pytest.skip("uv is not installed; `make install` puts it in .tools/bin")
    export = subprocess.run([uv, *EXPORT], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert export == REQUIREMENTS.read_text(encoding="utf-8"), \
        "requirements.lock.txt is not the export of uv.lock; run `make requirements`"

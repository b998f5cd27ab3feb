"""Admin endpoints, the request log, the in-process API and the command line."""

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from optin_sync.sandbox import BadRequest, SandboxServer

pytestmark = pytest.mark.integration

FIND_KEYS = {"service_uid": "", "email": "", "document": "", "telephone": ""}


def test_health(admin):
    assert admin.get("/health").json() == {"status": "ok"}


def test_reset_replaces_all_state(admin, sandbox, profile_factory, customer_factory):
    sandbox.reset({"vtex": {"CL": [profile_factory(1)]}, "woowup": {"users": [customer_factory(1)]}})

    response = admin.post("/reset", json={"woowup": {"users": [customer_factory(5), customer_factory(6)]}})

    assert response.status_code == 200
    assert response.json()["vtex"] == {"CL": 0, "CL_late": 0}
    assert [customer["userapp_id"] for customer in admin.get("/woowup/users").json()] == [5, 6]


def test_reset_fills_customer_defaults(admin):
    admin.post("/reset", json={"woowup": {"users": [{"email": "a@b.com"}]}})

    customer = admin.get("/woowup/users").json()[0]

    assert customer["userapp_id"] == 1
    assert customer["mailing_enabled"] == "enabled"
    assert customer["custom_attributes"] == {}


@pytest.mark.parametrize(
    "payload",
    [
        {"vtex": {"CL": [{"email": "no-id@b.com"}]}},
        {"vtex": {"CL": [{"id": "1", "favoriteColor": "red"}]}},
        {"vtex": {"CL": [{"id": "1", "updatedIn": "yesterday"}]}},
        {"vtex": {"CL": [{"id": "1"}, {"id": "1"}]}},
        {"vtex": {"CL_late": [{"document": {"id": "1"}}]}},
        {"vtex": {"Clients": []}},
        {"woowup": {"users": [{"userapp_id": 1}, {"userapp_id": 1}]}},
        {"woowup": {"users": [{"mailing": "enabled"}]}},
        {"woowup": {"custom_attributes": [{"name": "x"}]}},
        {"settings": {"eror_500_rate": 1.0}},
        {"generate": {"seed": 1}, "vtex": {"CL": []}},
        {"unknown": 1},
    ],
)
def test_reset_rejects_invalid_payload(admin, payload):
    response = admin.post("/reset", json=payload)

    assert response.status_code == 400
    assert response.json()["error"]


def test_reset_rejected_keeps_previous_state(admin, sandbox, customer_factory):
    sandbox.reset({"woowup": {"users": [customer_factory(1)]}})

    admin.post("/reset", json={"woowup": {"users": [customer_factory(2)]}, "settings": {"nope": 1}})

    assert [customer["userapp_id"] for customer in admin.get("/woowup/users").json()] == [1]


def test_reset_generated_data(admin, vtex):
    payload = {"generate": {"seed": 42, "profiles": 300, "customers": 400, "anchor_date": "2026-05-27"}}

    response = admin.post("/reset", json=payload)

    assert response.status_code == 200
    assert response.json()["vtex"]["CL"] == 300
    assert response.json()["woowup"]["users"] == 400
    assert response.json()["scenario"]["timeline"]["window_start"] == "2026-05-26T03:00:00Z"
    assert vtex.get("/search", headers={"REST-Range": "resources=0-1"}).headers["REST-Content-Range"].endswith("/300")


def test_in_process_reset_raises_bad_request(sandbox):
    with pytest.raises(BadRequest):
        sandbox.reset({"settings": {"latency_ms": "slow"}})


def test_request_log_content(admin, vtex, woowup, sandbox, customer_factory):
    sandbox.reset({"woowup": {"users": [customer_factory(1)]}})
    vtex.get("/search", params={"_fields": "id", "_where": "email=a@b.com"})
    body = {"email": "shopper1@gmail.com", "mailing_enabled": "disabled", "mailing_enabled_reason": "other"}
    woowup.put("/multiusers", json=body)
    woowup.get("/multiusers/find", params={**FIND_KEYS, "email": "shopper1@gmail.com"})

    log = admin.get("/requests").json()

    assert [(entry["api"], entry["method"], entry["status"]) for entry in log] == [
        ("vtex", "GET", 200),
        ("woowup", "PUT", 200),
        ("woowup", "GET", 200),
    ]
    assert log[0]["path"] == "/api/dataentities/CL/search"
    assert log[0]["query"] == {"_fields": "id", "_where": "email=a@b.com"}
    assert log[0]["body"] is None
    assert log[1]["body"] == body
    assert log[2]["query"]["telephone"] == ""
    assert log[0]["time"].endswith("Z")


def test_request_log_has_no_headers(admin, woowup, sandbox):
    woowup.get("/users")

    text = json.dumps(admin.get("/requests").json())

    assert sandbox.credentials.woowup_api_key not in text
    assert "Authorization" not in text


def test_request_log_cleared_by_reset(admin, woowup):
    woowup.get("/users")

    admin.post("/reset", json={})

    assert admin.get("/requests").json() == []


def test_settings_endpoint_keeps_data(admin, woowup, customer_factory):
    admin.post("/reset", json={"woowup": {"users": [customer_factory(1)]}})

    response = admin.post("/settings", json={"woowup": {"error_500_rate": 1.0}})

    assert response.status_code == 200
    assert woowup.get("/users").status_code == 500
    assert len(admin.get("/woowup/users").json()) == 1


def test_unknown_paths_404(sandbox, admin):
    assert admin.get("/nothing").status_code == 404
    assert httpx.get(f"{sandbox.url}/api/v2/anything").status_code == 404


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.10", "example.com", "::"])
def test_server_rejects_non_loopback_host(host):
    with pytest.raises(ValueError, match="loopback|IP address"):
        SandboxServer(host=host)


def test_server_ipv6_loopback():
    try:
        server = SandboxServer(host="::1").start()
    except OSError:
        pytest.skip("IPv6 loopback is not available")
    try:
        assert server.url.startswith("http://[::1]:")
        assert httpx.get(f"{server.url}/_sandbox/health").status_code == 200
    finally:
        server.stop()


def test_command_line_serves_and_stops(tmp_path: Path):
    credentials_file = tmp_path / "credentials.json"
    environment = {**os.environ, "OPTIN_SYNC_SANDBOX_WOOWUP_API_KEY": "cli-woowup-key"}
    environment.pop("OPTIN_SYNC_SANDBOX_VTEX_APP_KEY", None)
    command = [
        sys.executable, "-m", "optin_sync.sandbox", "--port", "0", "--seed", "5", "--profiles", "50",
        "--customers", "60", "--anchor-date", "2026-05-27", "--credentials-file", str(credentials_file),
    ]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=environment)
    try:
        line = process.stdout.readline().strip()
        assert line.startswith("sandbox listening url=http://127.0.0.1:")
        url = line.split("url=", 1)[1]

        saved = json.loads(credentials_file.read_text())
        response = httpx.get(f"{url}/apiv3/users", headers={"Authorization": "Basic cli-woowup-key"})

        assert stat.S_IMODE(credentials_file.stat().st_mode) == 0o600
        assert saved["woowup_api_key"] == "cli-woowup-key"
        assert set(saved) == {"vtex_app_key", "vtex_app_token", "woowup_api_key"}
        assert response.status_code == 200
    finally:
        process.terminate()
        _, stderr = process.communicate(timeout=10)

    assert process.returncode == 0
    assert saved["vtex_app_token"] not in stderr
    assert "cli-woowup-key" not in stderr

"""Every fault setting, observed by a real HTTP client over loopback."""

import socket
import time

import httpx
import pytest

pytestmark = pytest.mark.integration

FIND_KEYS = {"service_uid": "", "email": "", "document": "", "telephone": ""}


@pytest.fixture
def load(sandbox, profile_factory, customer_factory):
    def apply(settings):
        sandbox.reset(
            {
                "vtex": {"CL": [profile_factory(number) for number in range(1, 31)]},
                "woowup": {"users": [customer_factory(number) for number in range(1, 31)]},
                "settings": settings,
            }
        )

    return apply


def stored(sandbox, userapp_id):
    return next(customer for customer in sandbox.state.customers() if customer["userapp_id"] == userapp_id)


def test_latency_added(vtex, load):
    load({"vtex": {"latency_ms": 150}})

    started = time.perf_counter()
    vtex.get("/search")

    assert time.perf_counter() - started >= 0.15


@pytest.mark.parametrize(
    ("setting", "status", "content_type"),
    [
        ("error_500_rate", 500, "application/json"),
        ("error_502_rate", 502, "text/html"),
        ("error_503_rate", 503, "text/html"),
        ("error_408_rate", 408, "text/html"),
    ],
)
def test_error_rate_returns_status(vtex, woowup, load, setting, status, content_type):
    load({setting: 1.0})

    vtex_response = vtex.get("/search")
    woowup_response = woowup.get("/users")

    assert vtex_response.status_code == status
    assert woowup_response.status_code == status
    assert vtex_response.headers["Content-Type"].startswith(content_type)


def test_woowup_500_envelope(woowup, load):
    load({"woowup": {"error_500_rate": 1.0}})

    response = woowup.get("/users")

    assert response.json()["code"] == "internal_error"


def test_error_before_write_changes_nothing(woowup, sandbox, load):
    load({"woowup": {"error_503_rate": 1.0}})

    woowup.put("/multiusers", json={"email": "shopper1@gmail.com", "mailing_enabled": "disabled"})

    assert stored(sandbox, 1)["mailing_enabled"] == "enabled"


def test_error_rate_share_is_seeded(vtex, load):
    def statuses():
        load({"fault_seed": 9, "vtex": {"error_500_rate": 0.3}})
        return [vtex.get("/search").status_code for _ in range(30)]

    first, second = statuses(), statuses()

    assert first == second
    assert 3 <= first.count(500) <= 18


def test_burst_429_lasts_its_seconds(woowup, vtex, load):
    load({"burst_429_rate": 1.0, "burst_429_seconds": 0.4})

    first = woowup.get("/users")
    vtex_first = vtex.get("/search")

    assert first.status_code == 429
    assert first.headers["Retry-After"] == "1"
    assert first.json()["code"] == "too_many_requests"
    assert vtex_first.status_code == 429


def test_burst_429_ends(woowup, load):
    load({"fault_seed": 2, "woowup": {"burst_429_rate": 0.2, "burst_429_seconds": 0.2}})
    statuses = []
    # Until a 200 follows a 429, within a bound: a busy machine changes how many requests fall in each burst.
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and len(statuses) < 500:
        statuses.append(woowup.get("/users").status_code)
        if 429 in statuses and statuses[-1] == 200:
            break
        time.sleep(0.02)

    assert 429 in statuses
    assert 200 in statuses[statuses.index(429):]


def test_connection_reset(vtex, woowup, load):
    load({"connection_reset_rate": 1.0})

    with pytest.raises((httpx.ReadError, httpx.RemoteProtocolError)):
        vtex.get("/search")
    with pytest.raises((httpx.ReadError, httpx.RemoteProtocolError)):
        woowup.get("/users")


def test_connection_reset_sends_rst(sandbox, load):
    load({"connection_reset_rate": 1.0})
    host, port = sandbox.host, sandbox.port

    with socket.create_connection((host, port), timeout=2) as connection:
        connection.sendall(b"GET /apiv3/users HTTP/1.1\r\nHost: x\r\n\r\n")
        with pytest.raises(ConnectionResetError):
            connection.recv(1024)


def test_truncated_body(vtex, woowup, sandbox, load):
    load({"truncated_body_rate": 1.0})

    with pytest.raises(httpx.RemoteProtocolError):
        vtex.get("/search")
    with pytest.raises(httpx.RemoteProtocolError):
        woowup.put("/multiusers", json={"email": "shopper1@gmail.com", "mailing_enabled": "disabled"})
    assert stored(sandbox, 1)["mailing_enabled"] == "enabled"


def test_truncated_scroll_does_not_advance(vtex, admin, load):
    load({})
    token = vtex.get("/scroll", params={"_size": 10, "_sort": "id ASC"}).headers["X-VTEX-MD-TOKEN"]
    admin.post("/settings", json={"vtex": {"truncated_body_rate": 1.0}})

    with pytest.raises(httpx.RemoteProtocolError):
        vtex.get("/scroll", params={"_token": token})
    admin.post("/settings", json={})
    second_page = vtex.get("/scroll", params={"_token": token})

    assert second_page.status_code == 200
    assert [document["id"][-2:] for document in second_page.json()] == [f"{number:02d}" for number in range(11, 21)]


def test_fault_after_write_applies_then_resets(woowup, sandbox, load):
    load({"woowup": {"fault_after_write_rate": 1.0}})

    with pytest.raises((httpx.ReadError, httpx.RemoteProtocolError)):
        woowup.put("/multiusers", json={"email": "shopper1@gmail.com", "mailing_enabled": "disabled"})

    assert stored(sandbox, 1)["mailing_enabled"] == "disabled"
    assert sandbox.state.requests()[-1]["fault"] == "reset_after_write"


def test_fault_after_write_spares_reads(woowup, load):
    load({"woowup": {"fault_after_write_rate": 1.0}})

    assert woowup.get("/users").status_code == 200


def test_crash_after_writes_and_restart(woowup, sandbox, load):
    load({"crash_after_writes": 2})
    for number in (1, 2):
        response = woowup.put("/multiusers", json={"email": f"shopper{number}@gmail.com", "mailing_enabled": "disabled"})
        assert response.status_code == 200
    sandbox.crash_event.wait(timeout=5)

    with pytest.raises(httpx.TransportError):
        woowup.get("/users")
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{sandbox.url}/_sandbox/health")
    assert stored(sandbox, 2)["mailing_enabled"] == "disabled"

    port = sandbox.port
    sandbox.restart()

    assert sandbox.port == port
    assert httpx.get(f"{sandbox.url}/_sandbox/health").json() == {"status": "ok"}
    assert woowup.get("/users").json()["payload"][1]["mailing_enabled"] == "disabled"
    assert woowup.put("/multiusers", json={"email": "shopper3@gmail.com"}).status_code == 200


def test_faults_never_on_admin(admin, load):
    load({"error_500_rate": 1.0, "connection_reset_rate": 1.0, "latency_ms": 500})

    started = time.perf_counter()
    response = admin.get("/health")

    assert response.status_code == 200
    assert time.perf_counter() - started < 0.4


def test_faulted_requests_logged(vtex, sandbox, load):
    load({"vtex": {"error_502_rate": 1.0}})

    vtex.get("/search", params={"_fields": "id"})

    entry = sandbox.state.requests()[-1]
    assert entry["status"] == 502
    assert entry["fault"] == "error_502"

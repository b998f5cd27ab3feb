"""A sandbox served on a free loopback port for the whole session, emptied before each test."""

from collections.abc import Iterator

import httpx
import pytest

from optin_sync.sandbox import SandboxCredentials, SandboxServer

CREDENTIALS = SandboxCredentials(
    vtex_app_key="vtexappkey-test-SANDBOX",
    vtex_app_token="test-app-token",
    woowup_api_key="test-woowup-key",
)
TIMEOUT = httpx.Timeout(5.0)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "integration: runs against a server over loopback HTTP")


@pytest.fixture(scope="session")
def sandbox_server() -> Iterator[SandboxServer]:
    with SandboxServer(host="127.0.0.1", port=0, credentials=CREDENTIALS) as server:
        yield server


@pytest.fixture
def sandbox(sandbox_server: SandboxServer) -> Iterator[SandboxServer]:
    sandbox_server.reset({})
    yield sandbox_server
    if sandbox_server.crashed:
        sandbox_server.restart()


@pytest.fixture
def vtex(sandbox: SandboxServer) -> Iterator[httpx.Client]:
    headers = {"X-VTEX-API-AppKey": CREDENTIALS.vtex_app_key, "X-VTEX-API-AppToken": CREDENTIALS.vtex_app_token}
    with httpx.Client(base_url=f"{sandbox.url}/api/dataentities/CL", headers=headers, timeout=TIMEOUT) as client:
        yield client


@pytest.fixture
def woowup(sandbox: SandboxServer) -> Iterator[httpx.Client]:
    headers = {"Authorization": f"Basic {CREDENTIALS.woowup_api_key}", "Accept": "application/json"}
    with httpx.Client(base_url=f"{sandbox.url}/apiv3", headers=headers, timeout=TIMEOUT) as client:
        yield client


@pytest.fixture
def admin(sandbox: SandboxServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=f"{sandbox.url}/_sandbox", timeout=TIMEOUT) as client:
        yield client


def shopper_profile(number: int, **fields: object) -> dict[str, object]:
    """Return a CL document for shopper `number`; keyword arguments override its fields."""
    profile: dict[str, object] = {
        "id": f"00000000-0000-0000-0000-{number:012d}",
        "email": f"shopper{number}@gmail.com",
        "isNewsletterOptIn": True,
        "phone": f"+54 9 11 2803-{number:04d}",
        "firstName": "Ana",
        "lastName": "Pérez",
        "createdIn": "2025-03-19T21:44:01.4199691Z",
        "updatedIn": "2026-05-26T12:00:00.1234567Z",
    }
    profile.update(fields)
    return profile


def crm_customer(number: int, **fields: object) -> dict[str, object]:
    """Return a stored WoowUp customer for shopper `number`; keyword arguments override its fields."""
    customer: dict[str, object] = {
        "userapp_id": number,
        "email": f"shopper{number}@gmail.com",
        "telephone": f"+54911280{number:05d}",
        "first_name": "Ana",
        "last_name": "Pérez",
        "mailing_enabled": "enabled",
        "sms_enabled": "enabled",
        "whatsapp_enabled": "enabled",
    }
    customer.update(fields)
    return customer


@pytest.fixture
def profile_factory():
    return shopper_profile


@pytest.fixture
def customer_factory():
    return crm_customer

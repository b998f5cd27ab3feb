from __future__ import annotations

import pytest

from optin_sync.sandbox import SandboxCredentials, SandboxServer


@pytest.fixture
def server():
    with SandboxServer(host="127.0.0.1", port=0, credentials=SandboxCredentials.generate()) as running:
        yield running

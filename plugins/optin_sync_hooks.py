"""Hooks that read the VTEX and WoowUp Connections and hand the library a base URL and credentials.

Connections: ``vtex_default`` (host = base URL, login = app key, password = app token), ``woowup_default``
(host = base URL, password = API key) and ``optin_sync_pii`` (password = the key of the personal-data hashes).
The credentials are registered with Airflow's secret masker, so they are
replaced by ``***`` if they ever reach a log line.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from airflow.sdk import BaseHook
from airflow.sdk.log import mask_secret

if TYPE_CHECKING:
    from airflow.sdk import Connection
    from optin_sync.sources.vtex import VtexCredentials
    from optin_sync.sources.woowup import WoowUpCredentials


def base_url(conn: Connection) -> str:
    """Return the base URL of a connection whose host is a full URL, or build one from its parts."""
    host = (conn.host or "").rstrip("/")
    if not host:
        raise ValueError(f"connection {conn.conn_id!r} has no host; set it to the API's base URL")
    if "://" in host:
        return host
    scheme = conn.schema or "https"
    port = f":{conn.port}" if conn.port else ""
    return f"{scheme}://{host}{port}"


class VtexHook(BaseHook):
    """Reads a VTEX Master Data connection.

    Args:
        vtex_conn_id: the connection id, ``vtex_default`` unless given.
    """

    conn_name_attr = "vtex_conn_id"
    default_conn_name = "vtex_default"
    conn_type = "http"
    hook_name = "VTEX Master Data"

    def __init__(self, vtex_conn_id: str = default_conn_name) -> None:
        super().__init__()
        self.vtex_conn_id = vtex_conn_id

    def endpoint(self) -> tuple[str, VtexCredentials]:
        from optin_sync.sources.vtex import VtexCredentials

        conn = self.get_connection(self.vtex_conn_id)
        if not conn.login or not conn.password:
            raise ValueError(f"connection {self.vtex_conn_id!r} needs login (app key) and password (app token)")
        mask_secret(conn.login)
        mask_secret(conn.password)
        return base_url(conn), VtexCredentials(app_key=conn.login, app_token=conn.password)


class WoowUpHook(BaseHook):
    """Reads a WoowUp connection.

    Args:
        woowup_conn_id: the connection id, ``woowup_default`` unless given.
    """

    conn_name_attr = "woowup_conn_id"
    default_conn_name = "woowup_default"
    conn_type = "http"
    hook_name = "WoowUp"

    def __init__(self, woowup_conn_id: str = default_conn_name) -> None:
        super().__init__()
        self.woowup_conn_id = woowup_conn_id

    def endpoint(self) -> tuple[str, WoowUpCredentials]:
        from optin_sync.sources.woowup import WoowUpCredentials

        conn = self.get_connection(self.woowup_conn_id)
        if not conn.password:
            raise ValueError(f"connection {self.woowup_conn_id!r} needs the API key as its password")
        mask_secret(conn.password)
        return base_url(conn), WoowUpCredentials(api_key=conn.password)


class PiiKeyHook(BaseHook):
    """Reads the secret key of the keyed hashes that stand in for emails and phones in analyst datasets.

    Args:
        pii_conn_id: the connection id, ``optin_sync_pii`` unless given; the key is its password.
    """

    conn_name_attr = "pii_conn_id"
    default_conn_name = "optin_sync_pii"
    conn_type = "generic"
    hook_name = "Opt-in sync personal-data key"

    def __init__(self, pii_conn_id: str = default_conn_name) -> None:
        super().__init__()
        self.pii_conn_id = pii_conn_id

    def key(self) -> str | None:
        """Return the key, or None when the connection does not exist (clear mode can run without it)."""
        from airflow.exceptions import AirflowNotFoundException

        try:
            conn = self.get_connection(self.pii_conn_id)
        except AirflowNotFoundException:
            return None
        if conn.password:
            mask_secret(conn.password)
        return conn.password or None

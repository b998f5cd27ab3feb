"""Read Airflow Connections from the command line, the way the DAG's hooks do, without a running task."""

from __future__ import annotations

from optin_sync.errors import OptInSyncError


class ConnectionMissing(OptInSyncError):
    """The Connection is not defined in the environment or in Airflow's metadata database."""


def get_connection(conn_id: str):
    """Return the Airflow Connection ``conn_id`` from ``AIRFLOW_CONN_*`` variables, secrets backends or the database."""
    # Imported here: Airflow takes seconds to import, and summary and lookup without a key need none of it.
    from airflow.exceptions import AirflowNotFoundException
    from airflow.models.connection import Connection

    try:
        return Connection.get_connection_from_secrets(conn_id)
    except AirflowNotFoundException as error:
        raise ConnectionMissing(
            f"the Airflow Connection {conn_id!r} is not defined: set AIRFLOW_CONN_{conn_id.upper()} or run this "
            f"command with the AIRFLOW_HOME of the Airflow that has it"
        ) from error


def pii_key(conn_id: str) -> str:
    connection = get_connection(conn_id)
    if not connection.password:
        raise ConnectionMissing(f"the Airflow Connection {conn_id!r} has no password (the hash key)")
    return connection.password


def woowup_endpoint(conn_id: str):
    """Return the WoowUp base URL and credentials of a Connection (host = base URL, password = API key)."""
    from optin_sync.sources.woowup import WoowUpCredentials

    connection = get_connection(conn_id)
    host = (connection.host or "").rstrip("/")
    if not host or not connection.password:
        raise ConnectionMissing(
            f"the Airflow Connection {conn_id!r} needs a host (base URL) and a password (API key)")
    if "://" not in host:
        port = f":{connection.port}" if connection.port else ""
        host = f"{connection.schema or 'https'}://{host}{port}"
    return host, WoowUpCredentials(api_key=connection.password)

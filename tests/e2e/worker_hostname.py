"""The hostname that the e2e Celery workers report to Airflow, set as ``[core] hostname_callable``.

Both workers of the Celery test run on one machine, so the machine's name would not tell them apart in
``task_instance.hostname``. Each worker's environment names it in ``OPTIN_SYNC_E2E_WORKER``.
"""

from __future__ import annotations

import os
import socket


def worker_hostname() -> str:
    return os.environ.get("OPTIN_SYNC_E2E_WORKER") or socket.getfqdn()

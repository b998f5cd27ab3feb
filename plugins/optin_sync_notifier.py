"""The notifier of a failed sync run, chosen by ``OPTIN_SYNC_FAILURE_NOTIFIER``.

``log`` (the default) writes one error line per failed run. Any other value is the dotted path of an Airflow
``BaseNotifier`` subclass, built with the keyword arguments in ``OPTIN_SYNC_FAILURE_NOTIFIER_KWARGS``, for example
``airflow.providers.smtp.notifications.smtp.SmtpNotifier`` with ``{"to": "ops@example.com"}``. Airflow runs a DAG's
``on_failure_callback`` in the DAG processor, so that is where the line is logged and where the notifier runs.
"""

from __future__ import annotations

import importlib
import logging
from typing import TYPE_CHECKING

from airflow.sdk import BaseNotifier

if TYPE_CHECKING:
    from airflow.sdk import Context
    from optin_sync.settings import Settings

log = logging.getLogger(__name__)


class LogFailureNotifier(BaseNotifier):
    """Logs a failed run with its DAG, run id, reason and last task. The line has no secret and no personal data."""

    def notify(self, context: Context) -> None:
        dag = context.get("dag")
        task_instance = context.get("ti")
        log.error(
            "opt-in sync run failed dag_id=%s run_id=%s reason=%s task_id=%s",
            getattr(dag, "dag_id", None),
            context.get("run_id"),
            context.get("reason"),
            getattr(task_instance, "task_id", None),
        )


def _tolerate_serialized_dag(notifier: BaseNotifier) -> BaseNotifier:
    """Let ``notifier`` render its templates when the callback's context holds a serialized DAG.

    Failure callbacks run where the DAG is a ``SerializedDAG``, which has no ``get_template_env``; BaseNotifier
    would raise AttributeError there before notifying. Such a DAG gets Airflow's default sandboxed environment.
    """

    def template_env(dag=None):
        return BaseNotifier.get_template_env(notifier, dag=dag if hasattr(dag, "get_template_env") else None)

    notifier.get_template_env = template_env
    return notifier


def failure_notifier(settings: Settings) -> BaseNotifier:
    """Build the notifier that ``settings.failure_notifier`` names; raise ``SettingsError`` if it cannot be built."""
    from optin_sync.errors import SettingsError

    name = settings.failure_notifier
    if name == "log":
        return _tolerate_serialized_dag(LogFailureNotifier())

    module_name, _, class_name = name.rpartition(".")
    try:
        notifier_class = getattr(importlib.import_module(module_name), class_name)
    except (ImportError, AttributeError) as exc:
        raise SettingsError(f"OPTIN_SYNC_FAILURE_NOTIFIER: {name!r} could not be imported ({exc}); give the dotted "
                            "path of a BaseNotifier subclass, or log") from None
    if not (isinstance(notifier_class, type) and issubclass(notifier_class, BaseNotifier)):
        raise SettingsError(f"OPTIN_SYNC_FAILURE_NOTIFIER: {name!r} is not a BaseNotifier subclass")
    try:
        return _tolerate_serialized_dag(notifier_class(**settings.failure_notifier_kwargs))
    except TypeError as exc:
        raise SettingsError(f"OPTIN_SYNC_FAILURE_NOTIFIER_KWARGS: {name} does not accept these arguments "
                            f"({exc})") from None

"""Settings of a deployment's operations: run duration warning, run timeout and the failure notifier."""

from datetime import timedelta

import pytest

from optin_sync.errors import SettingsError
from optin_sync.settings import load_settings


def test_operations_defaults():
    settings = load_settings()
    assert settings.max_run_duration == timedelta(hours=2)
    assert settings.run_timeout == timedelta(hours=20)
    assert settings.failure_notifier == "log"
    assert settings.failure_notifier_kwargs == {}


def test_operations_from_environment(monkeypatch):
    monkeypatch.setenv("OPTIN_SYNC_MAX_RUN_DURATION", "5400")
    monkeypatch.setenv("OPTIN_SYNC_RUN_TIMEOUT", "PT12H")
    monkeypatch.setenv("OPTIN_SYNC_FAILURE_NOTIFIER", "airflow.providers.smtp.notifications.smtp.SmtpNotifier")
    monkeypatch.setenv("OPTIN_SYNC_FAILURE_NOTIFIER_KWARGS", '{"to": "ops@example.com"}')
    settings = load_settings()
    assert settings.max_run_duration == timedelta(minutes=90)
    assert settings.run_timeout == timedelta(hours=12)
    assert settings.failure_notifier == "airflow.providers.smtp.notifications.smtp.SmtpNotifier"
    assert settings.failure_notifier_kwargs == {"to": "ops@example.com"}


@pytest.mark.parametrize(("variable", "value", "accepted"), [
    ("OPTIN_SYNC_MAX_RUN_DURATION", "0", "longer than zero"),
    ("OPTIN_SYNC_RUN_TIMEOUT", "-60", "longer than zero"),
    ("OPTIN_SYNC_FAILURE_NOTIFIER", "send mail", "dotted path"),
    ("OPTIN_SYNC_FAILURE_NOTIFIER", "SmtpNotifier", "dotted path"),
    ("OPTIN_SYNC_FAILURE_NOTIFIER_KWARGS", "{to: ops}", "JSON object"),
    ("OPTIN_SYNC_FAILURE_NOTIFIER_KWARGS", '["ops@example.com"]', "JSON object"),
])
def test_bad_operations_value(monkeypatch, variable, value, accepted):
    monkeypatch.setenv(variable, value)
    with pytest.raises(SettingsError) as caught:
        load_settings()
    assert variable in str(caught.value)
    assert accepted in str(caught.value)

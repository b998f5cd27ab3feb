from datetime import timedelta

import pytest

from optin_sync.errors import SettingsError
from optin_sync.settings import ChannelScope, load_settings


def test_defaults():
    settings = load_settings()
    assert settings.timezone == "America/Argentina/Buenos_Aires"
    assert settings.channel_scope is ChannelScope.MATCHED
    assert settings.consent_channels == ["mailing", "sms", "whatsapp"]
    assert settings.lookback == timedelta(hours=2)
    assert settings.max_writes_per_run == 5000


def test_reads_environment(monkeypatch):
    monkeypatch.setenv("OPTIN_SYNC_CONSENT_CHANNELS", "mailing")
    monkeypatch.setenv("OPTIN_SYNC_LOOKBACK", "PT3H")
    monkeypatch.setenv("OPTIN_SYNC_PHONE_FIELDS", "homePhone, cellPhone")
    settings = load_settings()
    assert settings.consent_channels == ["mailing"]
    assert settings.lookback == timedelta(hours=3)
    assert settings.phone_fields == ["homePhone", "cellPhone"]


@pytest.mark.parametrize(("variable", "value", "accepted"), [
    ("OPTIN_SYNC_CHANNEL_SCOPE", "everything", "matched, all"),
    ("OPTIN_SYNC_CONSENT_CHANNELS", "mailing,fax", "mailing, sms, whatsapp"),
    ("OPTIN_SYNC_TIMEZONE", "Mars/Base", "IANA time zone"),
    ("OPTIN_SYNC_VTEX_PARALLEL_SCROLLS", "11", "1 to 10"),
    ("OPTIN_SYNC_MAX_DISABLE_RATIO", "1.5", "0 to 1"),
    ("OPTIN_SYNC_LOOKBACK", "two hours", "ISO 8601"),
    ("OPTIN_SYNC_PII_MODE", "visible", "masked, clear"),
])
def test_bad_value_names_variable_and_accepted(monkeypatch, variable, value, accepted):
    monkeypatch.setenv(variable, value)
    with pytest.raises(SettingsError) as caught:
        load_settings()
    assert variable in str(caught.value)
    assert accepted in str(caught.value)


@pytest.mark.parametrize(("value", "expected"), [("7200", timedelta(hours=2)), ("PT3H", timedelta(hours=3)),
                                                 ("01:30:00", timedelta(hours=1, minutes=30))])
def test_duration_forms(monkeypatch, value, expected):
    monkeypatch.setenv("OPTIN_SYNC_LOOKBACK", value)
    assert load_settings().lookback == expected


@pytest.mark.parametrize(("variable", "value"), [("OPTIN_SYNC_DEFAULT_AREA_CODE", "1"),
                                                 ("OPTIN_SYNC_DEFAULT_REGION", "XX")])
def test_phone_settings_checked_at_start(monkeypatch, variable, value):
    monkeypatch.setenv(variable, value)
    with pytest.raises(SettingsError, match=variable):
        load_settings()


@pytest.mark.parametrize(("variable", "value"), [("OPTIN_SYNC_LOOKBACK", "-PT2H"),
                                                 ("OPTIN_SYNC_PHONE_FIELDS", "phone,bogus")])
def test_values_that_would_lose_changes_rejected(monkeypatch, variable, value):
    monkeypatch.setenv(variable, value)
    with pytest.raises(SettingsError, match=variable):
        load_settings()

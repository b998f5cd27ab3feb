"""The accounts file: one DAG per retailer, each with its own Connections, settings, pool and folders."""

import json
from datetime import timedelta
from pathlib import Path

import pytest

from optin_sync.accounts import ACCOUNTS_FILE_VARIABLE, load_accounts, main, pools
from optin_sync.errors import AccountsError, SettingsError

TWO_ACCOUNTS = """
accounts:
  - name: norte
    schedule_time: "03:30"
    pool: woowup_shared
    connections: {vtex: vtex_store_norte, woowup: woowup_key_norte, pii: pii_norte}
    settings:
      timezone: America/Argentina/Cordoba
      woowup_rate_limit_per_minute: 100
  - name: sur
    data_dir: {sur_dir}
"""


def two_accounts(tmp_path: Path) -> str:
    return TWO_ACCOUNTS.replace("{sur_dir}", str(tmp_path / "sur"))


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "accounts.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def base_data_dir(monkeypatch, tmp_path) -> Path:
    monkeypatch.setenv("OPTIN_SYNC_DATA_DIR", str(tmp_path / "data"))
    return tmp_path / "data"


def test_default_account_without_file(monkeypatch, base_data_dir):
    monkeypatch.delenv(ACCOUNTS_FILE_VARIABLE, raising=False)
    [account] = load_accounts()
    assert account.dag_id == "vtex_woowup_optin_sync"
    assert (account.vtex_conn_id, account.woowup_conn_id, account.pool) == ("vtex_default", "woowup_default",
                                                                            "woowup_default")
    assert account.settings().data_dir == base_data_dir
    assert account.settings().pii_conn_id == "optin_sync_pii"


def test_accounts_file_from_environment(monkeypatch, tmp_path, base_data_dir):
    path = write(tmp_path, two_accounts(tmp_path))
    monkeypatch.setenv(ACCOUNTS_FILE_VARIABLE, str(path))
    accounts = load_accounts()
    assert [account.dag_id for account in accounts] == ["vtex_woowup_optin_sync__norte",
                                                        "vtex_woowup_optin_sync__sur"]


def test_account_fields_given(tmp_path, base_data_dir):
    norte, _ = load_accounts(write(tmp_path, two_accounts(tmp_path)))
    settings = norte.settings()
    assert (norte.vtex_conn_id, norte.woowup_conn_id, norte.pool) == ("vtex_store_norte", "woowup_key_norte",
                                                                      "woowup_shared")
    assert settings.pii_conn_id == "pii_norte"
    assert settings.schedule_time == "03:30"
    assert settings.timezone == "America/Argentina/Cordoba"
    assert settings.woowup_rate_limit_per_minute == 100
    assert settings.data_dir == base_data_dir / "norte"


def test_account_defaults_derive_from_name(tmp_path, base_data_dir):
    _, sur = load_accounts(write(tmp_path, two_accounts(tmp_path)))
    settings = sur.settings()
    assert (sur.vtex_conn_id, sur.woowup_conn_id, sur.pool) == ("vtex_sur", "woowup_sur", "woowup_sur")
    assert settings.pii_conn_id == "optin_sync_pii_sur"
    assert settings.data_dir == tmp_path / "sur"
    assert settings.schedule_time == "03:00"


def test_environment_applies_under_overrides(monkeypatch, tmp_path, base_data_dir):
    monkeypatch.setenv("OPTIN_SYNC_LOOKBACK", "PT3H")
    monkeypatch.setenv("OPTIN_SYNC_TIMEZONE", "UTC")
    norte, sur = load_accounts(write(tmp_path, two_accounts(tmp_path)))
    assert norte.settings().lookback == timedelta(hours=3)
    assert norte.settings().timezone == "America/Argentina/Cordoba"
    assert sur.settings().timezone == "UTC"


def test_raw_dir_separated_per_account(monkeypatch, tmp_path, base_data_dir):
    monkeypatch.setenv("OPTIN_SYNC_RAW_DIR", str(tmp_path / "raw"))
    norte, sur = load_accounts(write(tmp_path, two_accounts(tmp_path)))
    assert norte.settings().raw_dir == tmp_path / "raw" / "norte"
    assert sur.settings().raw_dir == tmp_path / "raw" / "sur"


# (file text, words the message must contain): every message names the account and the field.
BAD_FILES = [
    ("accounts:\n  - name: norte\n    settings: {timezone: Mars/Base}\n",
     ["account 'norte'", "field settings.timezone", "Mars/Base", "IANA time zone"]),
    ("accounts:\n  - name: norte\n    schedule_time: '25:00'\n",
     ["account 'norte'", "field schedule_time", "HH:MM"]),
    ("accounts:\n  - name: norte\n    settings: {max_writes_per_rnu: 10}\n",
     ["account 'norte'", "field settings.max_writes_per_rnu", "unknown setting"]),
    ("accounts:\n  - name: norte\n    colour: blue\n",
     ["account 'norte'", "field colour", "unknown field"]),
    ("accounts:\n  - name: norte\n    connections: {vtex: ''}\n",
     ["account 'norte'", "field connections.vtex"]),
    ("accounts:\n  - name: norte\n    connections: {crm: woowup_x}\n",
     ["account 'norte'", "field connections.crm", "unknown field"]),
    ("accounts:\n  - name: Norte Grande\n",
     ["account 'Norte Grande'", "field name", "lower-case"]),
    ("accounts:\n  - schedule_time: '03:00'\n",
     ["account #1", "field name", "required"]),
    ("accounts:\n  - name: norte\n  - name: norte\n",
     ["account 'norte'", "field name", "used twice"]),
    ("accounts:\n  - name: norte\n    schedule_time: '03:00'\n    settings: {schedule_time: '04:00'}\n",
     ["account 'norte'", "field schedule_time", "settings.schedule_time"]),
    ("accounts:\n  - name: norte\n    data_dir: /srv/shared\n  - name: sur\n    data_dir: /srv/shared\n",
     ["account 'sur'", "field data_dir", "account 'norte'"]),
    ("accounts:\n  - name: norte\n    settings: {max_run_duration: '0'}\n",
     ["account 'norte'", "field settings.max_run_duration", "longer than zero"]),
    ("accounts:\n  - just-a-string\n", ["account #1", "mapping"]),
    ("accounts: []\n", ["non-empty list", "'accounts'"]),
    ("account:\n  - name: norte\n", ["non-empty list", "'accounts'"]),
    ("accounts:\n  - name: norte\nextra: 1\n", ["unknown top-level key 'extra'"]),
    ("accounts:\n  - name: [norte\n", ["not valid YAML", "line"]),
]


@pytest.mark.parametrize(("text", "words"), BAD_FILES)
def test_bad_file_names_account_and_field(tmp_path, base_data_dir, text, words):
    path = write(tmp_path, text)
    with pytest.raises(AccountsError) as caught:
        load_accounts(path)
    message = str(caught.value)
    assert str(path) in message
    for word in words:
        assert word in message


def test_bad_environment_named_as_variable(monkeypatch, tmp_path, base_data_dir):
    monkeypatch.setenv("OPTIN_SYNC_MAX_ENABLE_RATIO", "3")
    with pytest.raises(SettingsError, match="OPTIN_SYNC_MAX_ENABLE_RATIO"):
        load_accounts(write(tmp_path, "accounts:\n  - name: norte\n"))


def test_missing_file_names_variable(tmp_path):
    with pytest.raises(AccountsError) as caught:
        load_accounts(tmp_path / "missing.yaml")
    assert ACCOUNTS_FILE_VARIABLE in str(caught.value)
    assert "not found" in str(caught.value)


def test_accounts_error_is_a_settings_error():
    # The DAG fails a run at once, without retries, on a SettingsError.
    assert issubclass(AccountsError, SettingsError)


def test_pools_one_slot_each(tmp_path, base_data_dir):
    text = two_accounts(tmp_path) + "  - name: oeste\n    pool: woowup_shared\n"
    result = pools(load_accounts(write(tmp_path, text)))
    assert sorted(result) == ["woowup_shared", "woowup_sur"]
    assert {pool["slots"] for pool in result.values()} == {1}
    assert "norte, oeste" in result["woowup_shared"]["description"]


def test_pools_command_prints_import_json(tmp_path, base_data_dir, capsys):
    path = write(tmp_path, two_accounts(tmp_path))
    assert main(["pools", "--file", str(path)]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["woowup_sur"] == {"slots": 1, "include_deferred": False,
                                     "description": "WoowUp calls of opt-in sync account(s) sur; one at a time"}


def test_command_reports_bad_file(tmp_path, base_data_dir, capsys):
    path = write(tmp_path, "accounts:\n  - name: norte\n    pool: ''\n")
    assert main(["list", "--file", str(path)]) == 2
    error = capsys.readouterr().err
    assert "account 'norte'" in error
    assert "field pool" in error

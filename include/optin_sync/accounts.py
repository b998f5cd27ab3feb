"""Accounts: the retailers one deployment syncs, each with its own Connections, settings, pool and data folder.

Without an accounts file there is one account, ``default``: the DAG ``vtex_woowup_optin_sync``, the Connections
``vtex_default`` and ``woowup_default``, the pool ``woowup_default`` and the ``OPTIN_SYNC_*`` settings as they are.
When ``OPTIN_SYNC_ACCOUNTS_FILE`` names a YAML file, every account listed there gets its own DAG,
``vtex_woowup_optin_sync__<name>``, and the single-account DAG is not built::

    accounts:
      - name: norte                  # lower-case letters, digits and _, starting with a letter or digit
        schedule_time: "03:30"       # else OPTIN_SYNC_SCHEDULE_TIME
        pool: woowup_norte           # else woowup_<name>
        data_dir: /data/norte        # else <OPTIN_SYNC_DATA_DIR>/<name>
        connections:                 # else vtex_<name>, woowup_<name> and optin_sync_pii_<name>
          vtex: vtex_norte
          woowup: woowup_norte
          pii: optin_sync_pii_norte
        settings:                    # any field of settings.py; wins over the environment
          timezone: America/Argentina/Cordoba
          woowup_rate_limit_per_minute: 100

The whole file is checked when it is read, so a bad file fails the DAG file's import with a message naming the
account and the field. ``python -m optin_sync.accounts pools`` prints the pools in the JSON form that
``airflow pools import`` reads.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from optin_sync.errors import AccountsError
from optin_sync.settings import Settings, accepted_values, load_settings

ACCOUNTS_FILE_VARIABLE = "OPTIN_SYNC_ACCOUNTS_FILE"
BASE_DAG_ID = "vtex_woowup_optin_sync"
DEFAULT_ACCOUNT = "default"
NAME_PATTERN = r"^[a-z0-9][a-z0-9_]{0,49}$"


class _Connections(BaseModel):
    model_config = ConfigDict(extra="forbid")

    vtex: str | None = Field(default=None, min_length=1)
    woowup: str | None = Field(default=None, min_length=1)
    pii: str | None = Field(default=None, min_length=1)


class _Entry(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(pattern=NAME_PATTERN)
    schedule_time: str | None = None
    pool: str | None = Field(default=None, min_length=1, max_length=256)
    data_dir: Path | None = None
    connections: _Connections = _Connections()
    settings: dict[str, Any] = {}


@dataclass(frozen=True, slots=True)
class Account:
    """One retailer's sync.

    Args:
        name: the account's name, ``default`` for the single-account deployment.
        dag_id: the id of the account's DAG.
        vtex_conn_id: the Connection of the account's VTEX store.
        woowup_conn_id: the Connection of the account's WoowUp API key.
        pool: the Airflow pool of the tasks that call WoowUp; one slot serialises them across runs.
        overrides: settings that win over the environment, as ``load_settings(**overrides)`` takes them.
    """

    name: str
    dag_id: str
    vtex_conn_id: str
    woowup_conn_id: str
    pool: str
    overrides: dict[str, Any] = field(default_factory=dict)

    def settings(self) -> Settings:
        """Read the account's settings: the environment, then the account's overrides over it."""
        return load_settings(**self.overrides)


def default_account() -> Account:
    """Return the single account of a deployment without an accounts file."""
    return Account(DEFAULT_ACCOUNT, BASE_DAG_ID, "vtex_default", "woowup_default", "woowup_default")


def load_accounts(path: str | Path | None = None) -> list[Account]:
    """Return the accounts of ``path``, else of the file named by ``OPTIN_SYNC_ACCOUNTS_FILE``, else the default."""
    if path is None:
        path = os.environ.get(ACCOUNTS_FILE_VARIABLE, "").strip() or None
    if path is None:
        account = default_account()
        account.settings()
        return [account]
    return read_accounts_file(Path(path))


def read_accounts_file(path: Path) -> list[Account]:
    """Read and check an accounts file; raise ``AccountsError`` naming the account and field at the first fault."""
    entries = _read_entries(path)
    base = load_settings()

    accounts: list[Account] = []
    data_dirs: dict[str, str] = {}
    for index, raw in enumerate(entries, start=1):
        account = _build_account(path, index, raw, base)
        if any(known.name == account.name for known in accounts):
            raise AccountsError(f"{path}: account {account.name!r}: field name: the name is used twice; "
                                "give every account its own name")
        data_dir = os.path.abspath(account.overrides["data_dir"])
        if data_dir in data_dirs:
            raise AccountsError(f"{path}: account {account.name!r}: field data_dir: {data_dir} is also the data "
                                f"folder of account {data_dirs[data_dir]!r}; every account needs its own")
        data_dirs[data_dir] = account.name
        accounts.append(account)
    return accounts


def _read_entries(path: Path) -> list[Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise AccountsError(f"accounts file {path} (named by {ACCOUNTS_FILE_VARIABLE}) not found; fix the path, "
                            "or unset the variable to run the single default account") from None
    except OSError as exc:
        raise AccountsError(f"accounts file {path} could not be read: {exc.strerror}") from None

    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        raise AccountsError(f"accounts file {path} is not valid YAML{where}: "
                            f"{getattr(exc, 'problem', None) or exc}") from None

    if not isinstance(document, dict) or not isinstance(document.get("accounts"), list) or not document["accounts"]:
        raise AccountsError(f"accounts file {path} must hold a non-empty list under the key 'accounts'")
    unknown = sorted(str(key) for key in document if key != "accounts")
    if unknown:
        raise AccountsError(f"accounts file {path}: unknown top-level key {unknown[0]!r}; only 'accounts' is read")
    return document["accounts"]


def _build_account(path: Path, index: int, raw: Any, base: Settings) -> Account:
    label = f"account #{index}"
    if isinstance(raw, dict) and isinstance(raw.get("name"), str):
        label = f"account {raw['name']!r}"
    if not isinstance(raw, dict):
        raise AccountsError(f"{path}: {label}: expected a mapping of fields, got {type(raw).__name__}")
    try:
        entry = _Entry.model_validate(raw)
    except ValidationError as exc:
        raise AccountsError(f"{path}: {label}: {_describe_entry_errors(exc)}") from None

    overrides, sources = _overrides(path, label, entry, base)
    _check_settings(path, label, overrides, sources)
    return Account(
        name=entry.name,
        dag_id=f"{BASE_DAG_ID}__{entry.name}",
        vtex_conn_id=entry.connections.vtex or f"vtex_{entry.name}",
        woowup_conn_id=entry.connections.woowup or f"woowup_{entry.name}",
        pool=entry.pool or f"woowup_{entry.name}",
        overrides=overrides,
    )


def _overrides(path: Path, label: str, entry: _Entry, base: Settings) -> tuple[dict[str, Any], dict[str, str]]:
    """Return the account's settings overrides and, per setting, the field of the file that gave it."""
    unknown = sorted(name for name in entry.settings if name not in Settings.model_fields)
    if unknown:
        raise AccountsError(f"{path}: {label}: field settings.{unknown[0]}: unknown setting; the names are the "
                            "fields of include/optin_sync/settings.py, listed in docs/settings.md")
    overrides = dict(entry.settings)
    sources = {name: f"settings.{name}" for name in overrides}

    shortcuts = {"schedule_time": entry.schedule_time, "data_dir": entry.data_dir, "pii_conn_id": entry.connections.pii}
    for name, value in shortcuts.items():
        if value is None:
            continue
        shortcut = "connections.pii" if name == "pii_conn_id" else name
        if name in overrides:
            raise AccountsError(f"{path}: {label}: field {shortcut}: also given as settings.{name}; keep one")
        overrides[name] = value
        sources[name] = shortcut

    # Every account gets its own folders and hash key unless the file names them.
    if "data_dir" not in overrides:
        overrides["data_dir"] = Path(base.data_dir) / entry.name
        sources["data_dir"] = "data_dir"
    if "raw_dir" not in overrides and base.raw_dir is not None:
        overrides["raw_dir"] = Path(base.raw_dir) / entry.name
        sources["raw_dir"] = "settings.raw_dir"
    if "pii_conn_id" not in overrides:
        overrides["pii_conn_id"] = f"optin_sync_pii_{entry.name}"
        sources["pii_conn_id"] = "connections.pii"
    return overrides, sources


def _check_settings(path: Path, label: str, overrides: dict[str, Any], sources: dict[str, str]) -> None:
    try:
        Settings(**overrides)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            name = str(error["loc"][0]) if error["loc"] else "?"
            where = f"field {sources[name]}" if name in sources else f"OPTIN_SYNC_{name.upper()} (environment)"
            problems.append(f"{where}: invalid value {error.get('input')!r} ({error['msg']}); "
                            f"accepted: {accepted_values(name)}")
        raise AccountsError(f"{path}: {label}: " + "; ".join(problems)) from None


def _describe_entry_errors(exc: ValidationError) -> str:
    problems = []
    for error in exc.errors():
        where = ".".join(str(part) for part in error["loc"]) or "?"
        if error["type"] == "extra_forbidden":
            problems.append(f"field {where}: unknown field")
        elif where == "name" and error["type"] == "string_pattern_mismatch":
            problems.append(f"field name: invalid value {error.get('input')!r}; use 1 to 50 lower-case letters, "
                            "digits and _, starting with a letter or digit")
        else:
            problems.append(f"field {where}: {error['msg']}")
    return "; ".join(problems)


def pools(accounts: list[Account]) -> dict[str, dict[str, Any]]:
    """Return one pool of one slot per pool name, in the JSON form of ``airflow pools import``."""
    users: dict[str, list[str]] = {}
    for account in accounts:
        users.setdefault(account.pool, []).append(account.name)
    return {
        name: {"slots": 1, "include_deferred": False,
               "description": f"WoowUp calls of opt-in sync account(s) {', '.join(names)}; one at a time"}
        for name, names in users.items()
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m optin_sync.accounts",
                                     description=f"Check the accounts file named by {ACCOUNTS_FILE_VARIABLE}.")
    parser.add_argument("command", choices=["list", "pools"],
                        help="list: one line per account; pools: the pools as JSON for `airflow pools import`")
    parser.add_argument("--file", help=f"the accounts file; default: {ACCOUNTS_FILE_VARIABLE}, else no file")
    args = parser.parse_args(argv)
    try:
        accounts = load_accounts(args.file)
    except AccountsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2

    if args.command == "pools":
        print(json.dumps(pools(accounts), indent=2))
        return 0
    for account in accounts:
        settings = account.settings()
        print(f"{account.name}\tdag_id={account.dag_id}\tpool={account.pool}\tvtex={account.vtex_conn_id}\t"
              f"woowup={account.woowup_conn_id}\tpii={settings.pii_conn_id}\tschedule={settings.schedule_time} "
              f"{settings.timezone}\tdata_dir={settings.data_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

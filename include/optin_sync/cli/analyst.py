"""The analyst and operator commands: ``report``, ``lookup``, ``forget`` and ``revert``."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd

from optin_sync.analyst.forget import forget
from optin_sync.analyst.lookup import history
from optin_sync.analyst.people import PersonNotGiven, find_person, person_hashes
from optin_sync.errors import SettingsError, SnapshotError
from optin_sync.analyst.revert import RESTORE, RevertUnavailable, apply_revert, plan_revert
from optin_sync.cli.connections import ConnectionMissing, pii_key, woowup_endpoint
from optin_sync.cli.main import EXIT_NOT_FOUND, EXIT_USAGE, command_settings, locate_run
from optin_sync.cli.runs import SummaryUnreadable, read_summary
from optin_sync.privacy.hashing import PiiHasher
from optin_sync.privacy.masks import mask_email, mask_phone
from optin_sync.report.html import load_history, render_report
from optin_sync.report.messages import catalogue
from optin_sync.snapshots import schemas
from optin_sync.snapshots.store import RunKey, SnapshotStore
from optin_sync.snapshots.zones import raw_dir
from optin_sync.sources.retry import RetryPolicy
from optin_sync.sources.woowup import WoowUpClient
from optin_sync.windows import safe_run_id

EXIT_REFUSED = 3


def _table(frame: pd.DataFrame, messages: dict[str, str]) -> str:
    if frame.empty:
        return "  " + messages["lookup.none"]
    return frame.to_string(index=False, na_rep="-")


def _run_key(summary_path: Path) -> RunKey:
    run_date = summary_path.parent.parent.name.removeprefix("run_date=")
    return RunKey(datetime.strptime(run_date, "%Y-%m-%d").date(), summary_path.parent.name.removeprefix("run_id="))


def run_report_command(arguments: argparse.Namespace) -> int:
    settings = command_settings(arguments)
    if settings is None:
        return EXIT_USAGE
    messages = catalogue(settings.lang)
    store = SnapshotStore(settings.data_dir)
    found = locate_run(store.root, arguments.run_id, messages)
    if found is None:
        return EXIT_NOT_FOUND
    try:
        summary = read_summary(found)
    except SummaryUnreadable as error:
        print(messages["error.unreadable"].format(path=error.path, error=error.error), file=sys.stderr)
        return EXIT_NOT_FOUND
    run = _run_key(found.path)
    if summary.get("status") == "incomplete":
        print(messages["report.incomplete"].format(run_id=run.run_id), file=sys.stderr)
        return EXIT_NOT_FOUND
    validation_path = store.folder("quality", run) / "validation.json"
    try:
        validation = json.loads(validation_path.read_text(encoding="utf-8")) if validation_path.exists() else None
        html = render_report(summary, validation, load_history(store.root), settings.lang)
    except (KeyError, TypeError, AttributeError, ValueError) as error:
        print(messages["error.unreadable"].format(path=found.path, error=f"unexpected content ({error!r})"),
              file=sys.stderr)
        return EXIT_NOT_FOUND
    if arguments.output:
        arguments.output.parent.mkdir(parents=True, exist_ok=True)
        arguments.output.write_text(html, encoding="utf-8")
        path = arguments.output
    else:
        path = store.write_text("report", "report.html", html, run)
    print(messages["report.written"].format(path=path))
    return 0


def _person(arguments: argparse.Namespace, settings, messages):
    """Find the person of --email or --phone; print why not and return None on a user or data error."""
    try:
        hasher = PiiHasher(pii_key(settings.pii_conn_id))
        person = person_hashes(settings, hasher, email=arguments.email, phone=arguments.phone)
        return find_person(Path(settings.data_dir), person)
    except ConnectionMissing as error:
        print(messages["error.connection"].format(error=error), file=sys.stderr)
    except (PersonNotGiven, SettingsError, SnapshotError) as error:
        print(f"optin-sync: {error}", file=sys.stderr)
    return None


def run_lookup_command(arguments: argparse.Namespace) -> int:
    settings = command_settings(arguments)
    if settings is None:
        return EXIT_USAGE
    messages = catalogue(settings.lang)
    person = _person(arguments, settings, messages)
    if person is None:
        return EXIT_USAGE
    try:
        found = history(Path(settings.data_dir), person)
    except SnapshotError as error:
        print(f"optin-sync: {error}", file=sys.stderr)
        return EXIT_NOT_FOUND
    if arguments.json:
        content = {"found": {"profiles": len(person.profile_ids), "customers": len(person.userapp_ids),
                             "key_rejected": person.key is None}}
        content |= {name: json.loads(getattr(found, name).to_json(orient="records", date_format="iso"))
                    for name in ("profiles", "decisions", "quarantine", "writes")}
        print(json.dumps(content, indent=2, ensure_ascii=False))
        return 0 if person.found else EXIT_NOT_FOUND
    mask = mask_email if person.kind == "email" else mask_phone
    shown = mask(person.key) if person.key else "-"
    print(messages["lookup.searching"].format(kind=person.kind, key=shown))
    if person.key is None:
        print(messages["lookup.rejected_key"])
    if not person.found and found.quarantine.empty:
        print(messages["lookup.not_found"].format(folder=settings.data_dir))
        return EXIT_NOT_FOUND
    print(messages["lookup.found"].format(profiles=len(person.profile_ids), customers=len(person.userapp_ids)))
    for heading, frame in (("lookup.profiles", found.profiles), ("lookup.decisions", found.decisions),
                           ("lookup.quarantine", found.quarantine), ("lookup.writes", found.writes)):
        print()
        print(messages[heading])
        print(_table(frame, messages))
    return 0


def run_forget_command(arguments: argparse.Namespace) -> int:
    settings = command_settings(arguments)
    if settings is None:
        return EXIT_USAGE
    messages = catalogue(settings.lang)
    person = _person(arguments, settings, messages)
    if person is None:
        return EXIT_USAGE
    if person.key is None:
        # A placeholder or unreadable value is not one person's: erasing by it would erase everyone who has it.
        print(messages["forget.rejected_value"], file=sys.stderr)
        return EXIT_REFUSED
    records = len(person.profile_ids) + len(person.userapp_ids)
    if records > arguments.max_records:
        print(messages["forget.too_many"].format(records=records, limit=arguments.max_records), file=sys.stderr)
        return EXIT_REFUSED
    try:
        erasure = forget(Path(settings.data_dir), raw_dir(settings), person, apply=not arguments.dry_run)
    except SnapshotError as error:
        print(f"optin-sync: {error}", file=sys.stderr)
        return EXIT_NOT_FOUND
    if not erasure.total:
        print(messages["forget.nothing"])
        return 0
    heading = "forget.would_remove" if arguments.dry_run else "forget.done"
    print(messages[heading].format(total=erasure.total, runs=len(erasure.runs)))
    for name, count in sorted(erasure.removed.items()):
        print(f"  {name:<32} {count}")
    if not raw_dir(settings).exists():
        print(messages["forget.no_raw_zone"].format(folder=raw_dir(settings)))
    return 0


def run_revert_command(arguments: argparse.Namespace) -> int:
    settings = command_settings(arguments)
    if settings is None:
        return EXIT_USAGE
    messages = catalogue(settings.lang)
    store = SnapshotStore(settings.data_dir)
    found = locate_run(store.root, arguments.run_id, messages)
    if found is None:
        return EXIT_NOT_FOUND
    run = _run_key(found.path)
    try:
        base_url, credentials = woowup_endpoint(arguments.woowup_conn_id)
    except ConnectionMissing as error:
        print(messages["error.connection"].format(error=error), file=sys.stderr)
        return EXIT_USAGE

    async def go():
        async with WoowUpClient(base_url, credentials, rate_limit_per_minute=settings.woowup_rate_limit_per_minute,
                                timeout_seconds=settings.http_timeout_seconds,
                                retry=RetryPolicy(max_attempts=settings.max_attempts)) as client:
            plan = await plan_revert(store.root, raw_dir(settings), run, client)
            results = await apply_revert(plan, client) if arguments.apply else None
            return plan, results

    try:
        plan, results = asyncio.run(go())
    except RevertUnavailable as error:
        print(messages["revert.unavailable"].format(error=error), file=sys.stderr)
        return EXIT_NOT_FOUND
    steps = plan.frame()
    restore = int((steps["action"] == RESTORE).sum())
    print(messages["revert.plan"].format(run_id=run.run_id, restore=restore, skip=len(steps) - restore))
    print(_table(steps, messages))
    if not restore:
        print(messages["revert.nothing"])
        return 0
    if results is None:
        print(messages["revert.dry"].format(customers=len(plan.bodies())))
        return 0
    recorded = steps.merge(results[["userapp_id", "result", "http_status"]], on="userapp_id", how="left")
    recorded.loc[recorded["action"] != RESTORE, ["result", "http_status"]] = pd.NA
    recorded.insert(0, "reverted_run_id", run.run_id)
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    key = RunKey(datetime.now(timezone.utc).date(), safe_run_id(f"revert__{run.run_id}__{stamp}"))
    path = store.write("reverts", recorded.astype({"http_status": "Int64"}), schemas.REVERTS, key)
    counts = results["result"].value_counts().to_dict()
    print(messages["revert.applied"].format(results=counts, path=path))
    return 0 if set(counts) <= {"written"} else EXIT_NOT_FOUND

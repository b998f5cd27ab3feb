"""Closing step: the run summary, and the consent ledger advanced by what the run settled."""

from __future__ import annotations

import logging

import pandas as pd

from optin_sync.consent import outcomes as o
from optin_sync.consent.ledger import advance, empty_ledger
from optin_sync.errors import LoadError
from optin_sync.load import journal as j
from optin_sync.report.html import load_history, render_report
from optin_sync.report.summary import build_summary, render_text
from optin_sync.run.context import RunContext
from optin_sync.run.duration import check_run_duration
from optin_sync.run.loading import journal_for
from optin_sync.settings import Settings
from optin_sync.snapshots import schemas
from optin_sync.snapshots.manifest import write_manifest
from optin_sync.snapshots.carry import write_carry_over
from optin_sync.snapshots.store import SnapshotStore
from optin_sync.snapshots.zones import Zones, purge_raw

log = logging.getLogger(__name__)

DATASETS = ("vtex_profiles", "woowup_customers", "match_keys", "matches", "quarantine", "decisions",
            "planned_writes", "write_results")


# Results after which writing the same change again is pointless or harmful (a second creation).
_SETTLED_RESULTS = frozenset({j.WRITTEN, j.UNCHANGED_ON_RECHECK, j.NOT_FOUND, j.CREATED})


def unsettled_customers(writes: pd.DataFrame, results: pd.DataFrame | None) -> set[int]:
    """Customers whose planned change did not land: deferred, ambiguous, rejected, failed or never tried."""
    pending = writes[writes["status"].isin(["planned", o.DEFERRED, o.AMBIGUOUS_IDENTIFIER])]
    settled = set()
    if results is not None and len(results):
        settled = set(results.loc[results["result"].isin(_SETTLED_RESULTS), "userapp_id"])
    return set(pending["userapp_id"]) - settled


def advance_ledger(store: SnapshotStore, ctx: RunContext, profiles: pd.DataFrame, pairs: pd.DataFrame,
                   blocked_customers: set[int]) -> set[str]:
    """Record the run's observations, except those of profiles behind a write that did not land; return those.

    Holding those back keeps their evidence new, and carrying them over makes the next run plan the write again.
    """
    blocked_profiles = set(pairs.loc[pairs["userapp_id"].isin(blocked_customers), "profile_id"])
    observations = profiles[~profiles["profile_id"].isin(blocked_profiles)].rename(columns={"opt_in_status": "status"})
    ledger = store.read_ledger()
    advanced = advance(ledger if ledger is not None else empty_ledger(), observations, ctx.run_id)
    store.write_ledger(advanced, schemas.CONSENT_LEDGER, ctx.key)
    return blocked_profiles


def run_status(store: SnapshotStore, ctx: RunContext) -> str:
    """Return how far the run got: ``ok``, ``stopped_by_gate`` or ``incomplete`` (a step before failed)."""
    key = ctx.key
    if not store.path("planned_writes", key).exists():
        return "incomplete"
    validation = store.folder("quality", key) / "validation.json"
    if not validation.exists():
        return "incomplete"
    if store.read_json("quality", "validation.json", key).get("failures"):
        return "stopped_by_gate"
    if not ctx.dry_run and not store.path("write_results", key).exists():
        return "incomplete"
    return "ok"


def write_run_summary(ctx: RunContext, settings: Settings) -> dict:
    """Write ``run_summary.json``, advance the ledger after a complete run (not a dry run), log the summary.

    It runs after every run, including one the gate stopped, so each run leaves a summary. It raises after
    writing everything when the run did not complete, or when a write failed or created a customer, so the
    run shows red.
    """
    zones = Zones(settings)
    store = zones.analyst
    key = ctx.key
    status = run_status(store, ctx)
    if status == "incomplete":
        summary = {**ctx.to_dict(), "status": status, "duration": check_run_duration(ctx, settings)}
        summary_path = store.write_json("run_summary", "run_summary.json", summary, key)
        raise LoadError(f"the run stopped before its plan was checked and sent; nothing was written by this "
                        f"summary step (see {summary_path} and the failed task's log)")

    profiles = zones.read("vtex_profiles", key)
    writes = zones.read("planned_writes", key)
    pairs = store.read("matches", key)
    results_path = store.path("write_results", key)
    results = store.read("write_results", key) if results_path.exists() else None
    paths = {name: str(store.folder(name, key)) for name in DATASETS if store.folder(name, key).exists()}

    summary = build_summary(
        context=ctx.to_dict(),
        decisions=store.read("decisions", key),
        profiles=profiles,
        customers_count=len(zones.read("woowup_customers", key)),
        pairs=pairs,
        quarantine=store.read("quarantine", key),
        writes=writes,
        results=results,
        guard=store.read_json("decisions", "_guard.json", key),
        scope=settings.channel_scope,
        snapshot_paths=paths,
    )
    summary["duration"] = check_run_duration(ctx, settings)
    schema = schemas.vtex_profiles(settings.phone_fields)
    if status == "stopped_by_gate":
        summary["status"] = status
        summary["gate_failures"] = store.read_json("quality", "validation.json", key)["failures"]
        if not ctx.dry_run:
            # Nothing of this run was written, so all its new evidence waits for the next run.
            carry = profiles[profiles["new_evidence"].astype(bool)]
            write_carry_over(zones.raw, carry, schema, key)
            summary["carried_over_profiles"] = len(carry)
    elif not ctx.dry_run:
        blocked = unsettled_customers(writes, results)
        held_back = advance_ledger(store, ctx, profiles, pairs, blocked)
        summary["ledger_held_back_profiles"] = len(held_back)
        carry = profiles[profiles["profile_id"].isin(held_back)]
        write_carry_over(zones.raw, carry, schema, key)
        summary["carried_over_profiles"] = len(carry)
    summary["pii_mode"] = settings.pii_mode.value
    summary["raw_partitions_deleted"] = purge_raw(settings, key)
    summary_path = store.write_json("run_summary", "run_summary.json", summary, key)
    validation = store.read_json("quality", "validation.json", key)
    report = render_report(summary, validation, load_history(store.root), settings.lang)
    report_path = store.write_text("report", "report.html", report, key)
    summary_path = store.write_json("run_summary", "run_summary.json", {**summary, "report": str(report_path)}, key)
    write_manifest(store, key)
    log.info("run summary path=%s\n%s", summary_path, render_text(summary))

    if status == "stopped_by_gate":
        raise LoadError(f"the quality gate stopped the run before any write; see {summary_path}")
    failed = summary["write_results"].get(j.FAILED, 0)
    created = summary["write_results"].get(j.CREATED, 0)
    if failed or created:
        raise LoadError(
            f"{failed} writes failed and {created} created a customer; see {results_path}. Failed writes are "
            "planned again by the next run"
        )
    return {"summary_path": str(summary_path), "status": summary["status"]}

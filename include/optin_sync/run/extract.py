"""Extraction steps: VTEX profiles of the window and every WoowUp customer, each to a snapshot."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timezone

import pandas as pd

from optin_sync.consent.ledger import empty_ledger, mark_new_evidence
from optin_sync.consent.optin import parse_crm_times, parse_vtex_times, read_opt_in
from optin_sync.run.context import RunContext
from optin_sync.settings import CHANNELS, Settings
from optin_sync.snapshots import schemas
from optin_sync.snapshots.carry import read_carry_over
from optin_sync.snapshots.index import IndexInfo, WoowUpIndex
from optin_sync.snapshots.zones import Zones
from optin_sync.sources.records import customers_frame, profiles_frame
from optin_sync.sources.retry import RetryPolicy
from optin_sync.sources.vtex import VtexClient, VtexCredentials
from optin_sync.sources.woowup import WoowUpClient, WoowUpCredentials
from optin_sync.windows import Window, vtex_day_bounds

log = logging.getLogger(__name__)

INVALID_DATE = "invalid_date"


def in_window(profiles: pd.DataFrame, window: Window) -> pd.Series:
    """``(updatedIn in window) OR (updatedIn is null AND createdIn in window)``, exactly, on parsed times."""
    updated = profiles["updated_at"]
    created = profiles["created_at"]
    start, end = pd.Timestamp(window.start), pd.Timestamp(window.end)
    by_update = updated.notna() & (updated >= start) & (updated < end)
    by_creation = profiles["updatedIn"].isna() & created.notna() & (created >= start) & (created < end)
    return (by_update | by_creation).astype(bool)


def prepare_profiles(raw: pd.DataFrame, ledger: pd.DataFrame, ctx: RunContext,
                     settings: Settings) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Add opt-in status, evidence time and new evidence; split off rows with unreadable dates.

    Returns the profiles of the window and the quarantined rows with their cause.
    """
    profiles = raw.copy()
    profiles["updated_at"] = parse_vtex_times(profiles["updatedIn"])
    profiles["created_at"] = parse_vtex_times(profiles["createdIn"])
    bad_update = profiles["updatedIn"].notna() & profiles["updated_at"].isna()
    bad_creation = profiles["updatedIn"].isna() & profiles["created_at"].isna()
    bad = bad_update | bad_creation
    quarantine = pd.DataFrame({
        "side": "vtex", "record_id": profiles.loc[bad, "profile_id"],
        "field": ["updatedIn" if flag else "createdIn" for flag in bad_update[bad]],
        "cause": INVALID_DATE,
        "raw_value": profiles.loc[bad, "updatedIn"].where(bad_update[bad], profiles.loc[bad, "createdIn"]),
    })
    profiles = profiles[~bad]

    if not ctx.full_refresh:
        profiles = profiles[in_window(profiles, ctx.window.extended(settings.lookback))]

    profiles["opt_in_status"] = profiles["isNewsletterOptIn"].map(read_opt_in, na_action=None).astype("string")
    profiles["evidence_time"] = profiles["updated_at"].fillna(profiles["created_at"])
    profiles["new_evidence"] = mark_new_evidence(
        profiles.rename(columns={"opt_in_status": "status"}), ledger, full_refresh=ctx.full_refresh
    )
    return profiles.drop(columns=["updated_at", "created_at"]).reset_index(drop=True), quarantine


def extract_vtex_profiles(ctx: RunContext, settings: Settings, base_url: str,
                          credentials: VtexCredentials, pii_key: str | None = None) -> dict:
    """Scroll the window's profiles (whole days with a margin), keep the exact window, write the snapshot."""
    zones = Zones(settings, pii_key)
    window = ctx.window.extended(settings.lookback)
    first, last = (None, None) if ctx.full_refresh else vtex_day_bounds(window)
    log.info("extract vtex run_id=%s window=%s..%s days=%s..%s full_refresh=%s", ctx.run_id,
             window.start.isoformat(), window.end.isoformat(), first, last, ctx.full_refresh)

    async def scroll() -> list[dict]:
        async with VtexClient(base_url, credentials, phone_fields=settings.phone_fields,
                              scroll_size=settings.vtex_scroll_size, timeout_seconds=settings.http_timeout_seconds,
                              retry=RetryPolicy(max_attempts=settings.max_attempts)) as client:
            return await client.extract(first, last, parallel=settings.vtex_parallel_scrolls)

    documents = asyncio.run(scroll())
    raw = profiles_frame(documents, settings.phone_fields)
    ledger = zones.analyst.read_ledger()
    ledger = ledger if ledger is not None else empty_ledger()
    profiles, quarantine = prepare_profiles(raw, ledger, ctx, settings)
    carried = carried_profiles(zones, profiles, ledger, ctx)
    if len(carried):
        profiles = pd.concat([profiles, carried], ignore_index=True)

    zones.publish("vtex_profiles", profiles, schemas.vtex_profiles(settings.phone_fields), ctx.key)
    zones.publish("vtex_quarantine", quarantine, schemas.QUARANTINE, ctx.key)
    log.info("extract vtex done scrolled=%d profiles=%d carried_over=%d quarantined=%d", len(raw), len(profiles),
             len(carried), len(quarantine))
    return {"scrolled": len(raw), "profiles": len(profiles), "carried_over": len(carried),
            "quarantined": len(quarantine)}


def carried_profiles(zones: Zones, profiles: pd.DataFrame, ledger: pd.DataFrame, ctx: RunContext) -> pd.DataFrame:
    """Return the profiles an earlier run carried over that this window did not read again.

    Their evidence is checked against the ledger again, since a later run may have recorded it meanwhile.
    """
    carried = read_carry_over(zones.raw)
    if carried is None or ctx.full_refresh or carried.empty:
        return profiles.iloc[0:0]
    carried = carried[~carried["profile_id"].isin(profiles["profile_id"])].reindex(columns=profiles.columns)
    carried["new_evidence"] = mark_new_evidence(carried.rename(columns={"opt_in_status": "status"}), ledger,
                                                full_refresh=False)
    return carried[carried["new_evidence"]].reset_index(drop=True)


def prepare_customers(raw: pd.DataFrame, settings: Settings) -> pd.DataFrame:
    customers = raw.copy()
    for channel in CHANNELS:
        customers[f"{channel}_updated_at"] = parse_crm_times(customers[f"{channel}_enabled_updatetime"],
                                                             settings.crm_timezone)
    return customers


FULL_EXPORT = "full_export"
INDEX = "index"


def woowup_source(ctx: RunContext, settings: Settings, index: IndexInfo | None, now: datetime) -> str:
    """Return ``full_export`` when the run must page every customer, else ``index``.

    A full export runs for a full refresh, when there is no index, when ``woowup_full_export_every`` is 0, and once
    the index is that old.
    """
    every = settings.woowup_full_export_every
    if ctx.full_refresh or index is None or not every or now - index.read_at >= every:
        return FULL_EXPORT
    return INDEX


def extract_woowup_customers(ctx: RunContext, settings: Settings, base_url: str,
                             credentials: WoowUpCredentials, pii_key: str | None = None) -> dict:
    """Take the WoowUp customers from the index or a full export; write the snapshot and when it was read.

    With the index, ``_extracted.json`` carries the index's read time, so the load re-reads every customer before
    writing it and decides on fresh protection data.
    """
    zones = Zones(settings, pii_key)
    started = datetime.now(timezone.utc)
    index = WoowUpIndex(zones.raw.root)
    info = index.info()
    source = woowup_source(ctx, settings, info, started)
    if source == INDEX:
        customers = index.read()
        zones.publish("woowup_customers", customers, schemas.woowup_customers(), ctx.key)
        zones.analyst.write_json("woowup_customers", "_extracted.json",
                                 {"started_at": info.read_at.isoformat(), "rows": len(customers), "source": INDEX,
                                  "index_run_id": info.run_id}, ctx.key)
        log.info("woowup customers from index run_id=%s rows=%d read_at=%s", info.run_id, len(customers),
                 info.read_at.isoformat())
        return {"customers": len(customers), "read_started_at": info.read_at.isoformat(), "source": INDEX,
                "requests": 0}

    requests = 0

    async def page_all() -> list[dict]:
        nonlocal requests
        customers: list[dict] = []
        async with WoowUpClient(base_url, credentials, rate_limit_per_minute=settings.woowup_rate_limit_per_minute,
                                timeout_seconds=settings.http_timeout_seconds,
                                retry=RetryPolicy(max_attempts=settings.max_attempts)) as client:
            async for page in client.iter_user_pages():
                customers.extend(page)
            requests = client.request_count
        return customers

    customers = prepare_customers(customers_frame(asyncio.run(page_all())), settings)
    zones.publish("woowup_customers", customers, schemas.woowup_customers(), ctx.key)
    zones.restrict()
    index.replace(customers, schemas.woowup_customers(), ctx.run_id, started)
    zones.analyst.write_json("woowup_customers", "_extracted.json",
                             {"started_at": started.isoformat(), "rows": len(customers), "source": FULL_EXPORT},
                             ctx.key)
    return {"customers": len(customers), "read_started_at": started.isoformat(), "source": FULL_EXPORT,
            "requests": requests}

"""Load steps: define the ``opt_in_vtex`` attribute, then push the planned writes."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timezone

from optin_sync.load.journal import WriteJournal
from optin_sync.load.push import push
from optin_sync.plan.writes import OPT_IN_ATTRIBUTE
from optin_sync.run.context import RunContext
from optin_sync.settings import Settings
from optin_sync.snapshots import schemas
from optin_sync.snapshots.zones import Zones
from optin_sync.sources.retry import RetryPolicy
from optin_sync.sources.woowup import WoowUpClient, WoowUpCredentials

log = logging.getLogger(__name__)

OPT_IN_DEFINITION = {"name": OPT_IN_ATTRIBUTE, "label": "Opt-in VTEX", "data_type": "string", "field_type": "text"}
JOURNAL_NAME = "_journal.jsonl"


def _client(settings: Settings, base_url: str, credentials: WoowUpCredentials) -> WoowUpClient:
    return WoowUpClient(base_url, credentials, rate_limit_per_minute=settings.woowup_rate_limit_per_minute,
                        timeout_seconds=settings.http_timeout_seconds,
                        retry=RetryPolicy(max_attempts=settings.max_attempts))


def ensure_opt_in_attribute(ctx: RunContext, settings: Settings, base_url: str,
                            credentials: WoowUpCredentials) -> dict:
    """Define ``opt_in_vtex`` in WoowUp when it is missing: a write with an undefined attribute is rejected."""
    if ctx.dry_run:
        return {"defined": False, "skipped": "dry_run"}

    async def ensure() -> bool:
        async with _client(settings, base_url, credentials) as client:
            names = {definition.get("name") for definition in await client.list_custom_attributes()}
            if OPT_IN_ATTRIBUTE in names:
                return False
            await client.create_custom_attribute(OPT_IN_DEFINITION)
            return True

    created = asyncio.run(ensure())
    log.info("opt_in_vtex attribute created=%s", created)
    return {"defined": True, "created": created}


def journal_for(settings: Settings, ctx: RunContext) -> WriteJournal:
    # In the raw zone: API error messages can echo the values sent, and the journal is what a retry resumes from.
    return WriteJournal(Zones(settings).raw.folder("write_results", ctx.key) / JOURNAL_NAME)


def push_updates(ctx: RunContext, settings: Settings, base_url: str, credentials: WoowUpCredentials,
                 pii_key: str | None = None) -> dict:
    """Send the planned writes not yet settled in this run; re-read each target first when the snapshot is old."""
    zones = Zones(settings, pii_key)
    store = zones.analyst
    writes = zones.read("planned_writes", ctx.key)
    if ctx.dry_run:
        log.info("dry run: nothing sent planned=%d", int((writes["status"] == "planned").sum()))
        return {"sent": 0, "dry_run": True}

    decisions = store.read("decisions", ctx.key)
    extracted = store.read_json("woowup_customers", "_extracted.json", ctx.key)
    read_at = datetime.fromisoformat(extracted["started_at"])
    # State from the index is days old, and state from a long plan may be too: re-read before writing.
    recheck = extracted.get("source") == "index" or datetime.now(timezone.utc) - read_at > settings.recheck_after
    journal = journal_for(settings, ctx)
    zones.restrict()

    async def run() -> dict:
        async with _client(settings, base_url, credentials) as client:
            report = await push(writes, decisions, client, journal, settings, recheck=recheck)
            return {"results": report.results, "skipped_already_settled": report.skipped_already_settled,
                    "requests": report.requests, "rate_limited": report.rate_limited,
                    "seconds": round(report.seconds, 2)}

    try:
        return asyncio.run(run())
    finally:
        # Written even when the load stops early, so the results settled so far can be read before a retry.
        zones.publish("write_results", journal.frame(), schemas.WRITE_RESULTS, ctx.key)

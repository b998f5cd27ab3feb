"""Send the planned writes to WoowUp with bounded concurrency, journaling each result as it completes."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from dataclasses import dataclass

import pandas as pd

from optin_sync.consent import outcomes as o
from optin_sync.consent.decisions import customer_channel_state
from optin_sync.consent.optin import parse_crm_times
from optin_sync.consent.rules import evaluate_channels
from optin_sync.errors import RateLimited, WoowUpError
from optin_sync.load import journal as j
from optin_sync.plan.writes import changed_fields
from optin_sync.settings import CHANNELS, Settings
from optin_sync.sources.records import customers_frame
from optin_sync.sources.woowup import WoowUpClient

log = logging.getLogger(__name__)

# Writes in a row that got no response at all (every attempt refused, reset or timed out) before the load stops.
# Each such write has already spent its whole retry budget, so WoowUp is down rather than flaky; going on would
# spend that budget again on every remaining write.
UNREACHABLE_AFTER = 8


class WoowUpUnreachable(WoowUpError):
    """The load stopped early because consecutive writes got no response; the journal keeps what was settled."""


@dataclass(frozen=True, slots=True)
class PushReport:
    """Counts of one load: results by kind, requests sent and 429s met."""

    results: dict[str, int]
    skipped_already_settled: int
    requests: int
    rate_limited: int
    seconds: float


def replan(fresh: dict, rows: pd.DataFrame, opt_in_vtex: str | None, settings: Settings) -> dict | None:
    """Re-plan one customer's write against its freshly read state; None when nothing is left to write.

    ``rows`` are the customer's decisions with planned writes; the rules run again on the fresh channel states,
    so a protection or a newer change that arrived after the snapshot is honoured.
    """
    customer = customers_frame([fresh])
    for channel in CHANNELS:
        customer[f"{channel}_updated_at"] = parse_crm_times(customer[f"{channel}_enabled_updatetime"],
                                                            settings.crm_timezone)
    state = customer_channel_state(customer).drop(columns="userapp_id")
    facts = rows[["channel", "opt_in_status", "evidence_time", "new_evidence"]].rename(
        columns={"opt_in_status": "status"})
    merged = facts.merge(state, on="channel", how="left")
    verdict = evaluate_channels(merged, consent_channels=frozenset(settings.consent_channels),
                                respect_newer_crm_changes=settings.respect_newer_crm_changes)
    changes = {
        channel: desired
        for channel, desired, outcome in zip(merged["channel"], verdict["desired_state"], verdict["outcome"])
        if outcome in o.WRITE_OUTCOMES
    }
    stored = customer["opt_in_vtex"].iloc[0]
    stored = None if pd.isna(stored) else str(stored)
    attribute = opt_in_vtex if opt_in_vtex and opt_in_vtex != stored else None
    if not changes and attribute is None:
        return None
    return changed_fields(changes, attribute)


async def push(
    writes: pd.DataFrame,
    decisions: pd.DataFrame,
    client: WoowUpClient,
    journal: j.WriteJournal,
    settings: Settings,
    *,
    recheck: bool,
) -> PushReport:
    """Send every planned write not yet settled in ``journal``; return the counts of what happened."""
    started = time.monotonic()
    settled = journal.settled()
    pending = writes[(writes["status"] == "planned") & ~writes["userapp_id"].isin(settled)]
    decision_rows = {
        userapp_id: group for userapp_id, group in
        decisions[decisions["outcome"].isin(o.WRITE_OUTCOMES)].groupby("userapp_id")
    }
    log.info("push start planned=%d already_settled=%d recheck=%s", len(pending), len(writes) - len(pending), recheck)

    semaphore = asyncio.Semaphore(settings.woowup_concurrency)
    counts: dict[str, int] = {}
    unanswered_in_row = 0
    stopped = asyncio.Event()

    async def send(row: pd.Series) -> None:
        nonlocal unanswered_in_row
        async with semaphore:
            if stopped.is_set():
                return
            result, answered = await _send_one(row, decision_rows.get(row["userapp_id"]), client, journal, settings,
                                               recheck=recheck)
        counts[result] = counts.get(result, 0) + 1
        unanswered_in_row = 0 if answered else unanswered_in_row + 1
        if unanswered_in_row >= UNREACHABLE_AFTER and not stopped.is_set():
            log.error("push stopping: woowup unreachable unanswered_in_row=%d done=%d of=%d",
                      unanswered_in_row, sum(counts.values()), len(pending))
            stopped.set()
        done = sum(counts.values())
        if done % 100 == 0:
            log.info("push progress done=%d of=%d rate_per_min=%.0f", done, len(pending),
                     60 * done / max(time.monotonic() - started, 1e-9))

    await asyncio.gather(*(send(row) for _, row in pending.iterrows()))
    report = PushReport(counts, len(writes[writes["status"] == "planned"]) - len(pending), client.request_count,
                        client.pacer.rate_limited_count, time.monotonic() - started)
    log.info("push done results=%s requests=%d rate_limited=%d seconds=%.1f",
             counts, report.requests, report.rate_limited, report.seconds)
    if stopped.is_set():
        raise WoowUpUnreachable(
            f"{UNREACHABLE_AFTER} writes in a row got no response from WoowUp, so the load stopped with "
            f"{len(pending) - sum(counts.values())} writes not sent; a retry of the load sends them and skips the "
            "writes already settled in this run"
        )
    return report


async def _send_one(row: pd.Series, rows: pd.DataFrame | None, client: WoowUpClient, journal: j.WriteJournal,
                    settings: Settings, *, recheck: bool) -> tuple[str, bool]:
    """Send one planned write and journal its result; return the result and whether WoowUp sent any response."""
    userapp_id = int(row["userapp_id"])
    identifier = {row["target_field"]: row["target_value"]}
    body = json.loads(row["body"])

    if recheck:
        try:
            fresh = await client.find(identifier)
        except (WoowUpError, RateLimited) as exc:
            log.warning("woowup recheck failed userapp_id=%d error=%s", userapp_id, exc)
            journal.record(userapp_id, j.FAILED, errors=(f"recheck failed: {exc}",))
            return j.FAILED, False
        if fresh is None:
            journal.record(userapp_id, j.NOT_FOUND, http_status=404)
            return j.NOT_FOUND, True
        empty_rows = rows if rows is not None else pd.DataFrame(
            columns=["channel", "opt_in_status", "evidence_time", "new_evidence"])
        fields = replan(fresh, empty_rows, row["opt_in_vtex"] if pd.notna(row["opt_in_vtex"]) else None, settings)
        if fields is None:
            journal.record(userapp_id, j.UNCHANGED_ON_RECHECK, http_status=200)
            return j.UNCHANGED_ON_RECHECK, True
        body = {**identifier, **fields}

    outcome = await client.update(body)
    if outcome.succeeded:
        result = j.WRITTEN
    elif outcome.created:
        # The identifier matched no one and WoowUp created a customer: the sync never means to create one.
        log.error("woowup created a customer on update userapp_id=%d target_field=%s", userapp_id, row["target_field"])
        result = j.CREATED
    elif 400 <= outcome.status < 500 and outcome.status not in (408, 429):
        log.warning("woowup rejected write userapp_id=%d status=%d errors=%d", userapp_id, outcome.status,
                    len(outcome.errors))
        result = j.REJECTED
    else:
        result = j.FAILED
    journal.record(userapp_id, result, http_status=outcome.status or None, attempts=outcome.attempts,
                   errors=outcome.errors)
    return result, outcome.status != 0

"""The load step against the sandbox: a crash between two writes, and the retried load that resumes from the journal."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timezone

import pytest

from optin_sync.load import journal as j
from optin_sync.load.push import WoowUpUnreachable
from optin_sync.run.context import RunContext
from optin_sync.run.extract import extract_vtex_profiles, extract_woowup_customers
from optin_sync.run.loading import ensure_opt_in_attribute, journal_for, push_updates
from optin_sync.run.planning import plan_channel_updates
from optin_sync.settings import load_settings
from optin_sync.sources.vtex import VtexCredentials
from optin_sync.sources.woowup import WoowUpCredentials
from optin_sync.windows import Window

pytestmark = pytest.mark.integration

SHOPPERS = 40
WINDOW = Window(datetime(2026, 12, 3, 3, tzinfo=timezone.utc), datetime(2026, 12, 4, 3, tzinfo=timezone.utc),
                "America/Argentina/Buenos_Aires")


def refusing_world(crash_after_writes: int | None) -> dict:
    """Shoppers who refused the newsletter in the window, each matching one WoowUp customer still enabled."""
    documents = [{"id": f"cl-{n}", "email": f"shopper{n}@gmail.com", "isNewsletterOptIn": False,
                  "createdIn": "2025-02-01T10:00:00Z", "updatedIn": "2026-12-03T15:30:00.1234567Z"}
                 for n in range(1, SHOPPERS + 1)]
    users = [{"userapp_id": n, "email": f"shopper{n}@gmail.com", "mailing_enabled": "enabled",
              "sms_enabled": "enabled", "whatsapp_enabled": "enabled",
              "mailing_enabled_updatetime": "2025-06-01 10:00:00"} for n in range(1, SHOPPERS + 1)]
    settings = {"woowup": {"rate_limit_per_minute": 100_000}, "crash_after_writes": crash_after_writes}
    return {"vtex": {"CL": documents}, "woowup": {"users": users, "custom_attributes": []}, "settings": settings}


@pytest.fixture
def planned_run(server, tmp_path):
    """Reset the sandbox to ``refusing_world`` and run every step before the load; yield what the load needs."""

    def prepare(crash_after_writes: int | None):
        server.reset(refusing_world(crash_after_writes))
        settings = load_settings(data_dir=tmp_path / "data", pii_mode="clear", woowup_rate_limit_per_minute=100_000,
                                 max_attempts=2,
                                 max_disable_ratio=1.0)
        vtex = (server.url, VtexCredentials(server.credentials.vtex_app_key, server.credentials.vtex_app_token))
        woowup = (f"{server.url}/apiv3", WoowUpCredentials(server.credentials.woowup_api_key))
        ctx = RunContext.create("resume-test", WINDOW)
        extract_vtex_profiles(ctx, settings, *vtex)
        extract_woowup_customers(ctx, settings, *woowup)
        plan_channel_updates(ctx, settings)
        ensure_opt_in_attribute(ctx, settings, *woowup)
        return ctx, settings, woowup

    return prepare


def successful_puts(log: list[dict]) -> Counter:
    return Counter(entry["body"]["email"] for entry in log
                   if entry["method"] == "PUT" and entry["status"] == 200)


def test_load_without_crash_writes_each_once(server, planned_run):
    ctx, settings, woowup = planned_run(None)
    outcome = push_updates(ctx, settings, *woowup)
    assert outcome["results"] == {j.WRITTEN: SHOPPERS}
    assert set(successful_puts(server.state.requests()).values()) == {1}


def test_retried_load_skips_settled_writes(server, planned_run):
    ctx, settings, woowup = planned_run(None)
    push_updates(ctx, settings, *woowup)
    before = len(server.state.requests())

    outcome = push_updates(ctx, settings, *woowup)

    assert outcome["skipped_already_settled"] == SHOPPERS
    assert outcome["requests"] == 0
    assert len(server.state.requests()) == before


def test_crash_between_writes_stops_load(server, planned_run):
    ctx, settings, woowup = planned_run(10)
    with pytest.raises(WoowUpUnreachable, match="writes not sent"):
        push_updates(ctx, settings, *woowup)
    written = {entry["userapp_id"] for entry in journal_for(settings, ctx).entries()
               if entry["result"] == j.WRITTEN}
    assert len(written) >= 10


def test_crash_then_retry_loses_and_duplicates_nothing(server, planned_run):
    ctx, settings, woowup = planned_run(10)
    with pytest.raises(WoowUpUnreachable):
        push_updates(ctx, settings, *woowup)
    journal = journal_for(settings, ctx)
    settled_before = {entry["userapp_id"] for entry in journal.entries() if entry["result"] == j.WRITTEN}
    failed_before = {entry["userapp_id"] for entry in journal.entries() if entry["result"] == j.FAILED}
    server.restart()
    first_push_requests = len(server.state.requests())

    outcome = push_updates(ctx, settings, *woowup)

    assert outcome["skipped_already_settled"] == len(settled_before)
    resent = {entry["body"]["email"] for entry in server.state.requests()[first_push_requests:]}
    assert not resent & {f"shopper{n}@gmail.com" for n in settled_before}
    assert all(customer["mailing_enabled"] == "disabled" for customer in server.state.customers())
    twice = {email for email, count in successful_puts(server.state.requests()).items() if count > 1}
    assert twice <= {f"shopper{n}@gmail.com" for n in failed_before}
    assert journal_for(settings, ctx).frame()["result"].eq(j.WRITTEN).all()


def test_results_snapshot_written_when_load_stops(server, planned_run):
    from optin_sync.snapshots.store import SnapshotStore

    ctx, settings, woowup = planned_run(5)
    with pytest.raises(WoowUpUnreachable):
        push_updates(ctx, settings, *woowup)
    results = SnapshotStore(settings.data_dir).read("write_results", ctx.key)
    assert (results["result"] == j.WRITTEN).sum() >= 5

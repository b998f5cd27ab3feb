"""The re-read before writing: a protection that arrives after the snapshot is honoured."""

from __future__ import annotations

import pytest
from world import WINDOW, world

from optin_sync.run.context import RunContext
from optin_sync.run.extract import extract_vtex_profiles, extract_woowup_customers
from optin_sync.run.finish import write_run_summary
from optin_sync.run.gate import check_quality
from optin_sync.run.loading import ensure_opt_in_attribute, push_updates
from optin_sync.run.planning import plan_channel_updates
from optin_sync.settings import load_settings
from optin_sync.sources.vtex import VtexCredentials
from optin_sync.sources.woowup import WoowUpCredentials
from optin_sync.windows import resolve_window

pytestmark = pytest.mark.e2e


def run_steps_with_change_before_push(sandbox, change, **overrides):
    """Run the steps of one night, calling ``change`` between planning and the push."""
    settings = load_settings(data_dir=sandbox.data_dir, pii_mode="clear", **overrides)
    window = resolve_window(window_start=WINDOW[0], window_end=WINDOW[1], data_interval_start=None,
                            data_interval_end=None, tz_name=settings.timezone)
    ctx = RunContext.create("recheck_run", window)
    credentials = sandbox.server.credentials
    vtex = (sandbox.url, VtexCredentials(credentials.vtex_app_key, credentials.vtex_app_token))
    woowup = (f"{sandbox.url}/apiv3", WoowUpCredentials(credentials.woowup_api_key))

    extract_vtex_profiles(ctx, settings, *vtex)
    extract_woowup_customers(ctx, settings, *woowup)
    plan_channel_updates(ctx, settings)
    check_quality(ctx, settings)
    change()
    ensure_opt_in_attribute(ctx, settings, *woowup)
    push_updates(ctx, settings, *woowup)
    write_run_summary(ctx, settings)


def bounce_bruno(sandbox):
    def change():
        sandbox.server.state.woowup_users[102]["mailing_enabled_reason"] = "bounce"
    return change


def test_recheck_honours_new_protection(sandbox):
    sandbox.reset(world())
    run_steps_with_change_before_push(sandbox, bounce_bruno(sandbox), recheck_after=0)
    bruno = next(u for u in sandbox.users() if u["userapp_id"] == 102)
    assert bruno["mailing_enabled"] == "enabled"
    assert bruno["mailing_enabled_reason"] == "bounce"


def test_recheck_reads_each_target(sandbox):
    sandbox.reset(world())
    run_steps_with_change_before_push(sandbox, lambda: None, recheck_after=0)
    finds = [e for e in sandbox.requests() if e["path"].endswith("/multiusers/find")]
    assert len(finds) == len(sandbox.writes())


def test_fresh_snapshot_skips_recheck(sandbox):
    sandbox.reset(world())
    run_steps_with_change_before_push(sandbox, lambda: None)
    finds = [e for e in sandbox.requests() if e["path"].endswith("/multiusers/find")]
    assert finds == []

"""Builders of test data that read like the domain: a shopper in VTEX, a customer in WoowUp, a plan."""

from __future__ import annotations

import functools
from datetime import date

import pandas as pd

from optin_sync.consent.ledger import empty_ledger
from optin_sync.run.context import RunContext
from optin_sync.run.extract import prepare_customers, prepare_profiles
from optin_sync.run.planning import PlanResult, plan_frames
from optin_sync.settings import Settings, load_settings
from optin_sync.sources.records import customers_frame, profiles_frame
from optin_sync.windows import local_day_window

NIGHT = date(2026, 12, 3)
IN_WINDOW = "2026-12-03T15:00:00.1234567Z"


def shopper(profile_id: str, *, email: str | None = None, opt_in: object = True, phone: str | None = None,
            updated: str | None = IN_WINDOW, created: str = "2025-01-01T00:00:00Z", **fields: object) -> dict:
    """A VTEX CL document as Master Data returns it."""
    return {"id": profile_id, "email": email, "isNewsletterOptIn": opt_in, "homePhone": phone,
            "updatedIn": updated, "createdIn": created, **fields}


def customer(userapp_id: int, *, email: str | None = None, telephone: str | None = None, state: str = "enabled",
             reasons: dict[str, str] | None = None, updatetimes: dict[str, str] | None = None,
             opt_in_vtex: str | None = None, **fields: object) -> dict:
    """A WoowUp customer as ``GET /users`` returns it; every channel starts in ``state``."""
    record: dict = {"userapp_id": userapp_id, "email": email, "telephone": telephone, "service_uid": None,
                    "document": None, "custom_attributes": {} if opt_in_vtex is None else {"opt_in_vtex": opt_in_vtex}}
    for channel in ("mailing", "sms", "whatsapp"):
        record[f"{channel}_enabled"] = state
        record[f"{channel}_enabled_reason"] = (reasons or {}).get(channel)
        record[f"{channel}_enabled_updatetime"] = (updatetimes or {}).get(channel, "2025-06-01 10:00:00")
    record.update(fields)
    return record


def run_context(**flags: bool) -> RunContext:
    return RunContext.create("test_run", local_day_window(NIGHT, "America/Argentina/Buenos_Aires"), **flags)


@functools.cache
def _default_settings() -> Settings:
    return load_settings(data_dir="/nonexistent")


def plan_for(shoppers: list[dict], customers: list[dict], *, settings: Settings | None = None,
             ledger: pd.DataFrame | None = None, full_refresh: bool = False,
             allow_mass_change: bool = False) -> PlanResult:
    """Plan a run in memory, as the DAG's planning step does from its snapshots."""
    settings = settings or _default_settings()
    ctx = run_context(full_refresh=full_refresh)
    profiles, _ = prepare_profiles(profiles_frame(shoppers, settings.phone_fields),
                                   ledger if ledger is not None else empty_ledger(), ctx, settings)
    frame = prepare_customers(customers_frame(customers), settings)
    return plan_frames(profiles, frame, settings, full_refresh=full_refresh, allow_mass_change=allow_mass_change)


def outcome(result: PlanResult, userapp_id: int, channel: str) -> str:
    decisions = result.plan.decisions
    row = decisions[(decisions["userapp_id"] == userapp_id) & (decisions["channel"] == channel)]
    return str(row["outcome"].iloc[0]) if len(row) else "none"


def bodies(result: PlanResult) -> dict[int, dict]:
    import json

    planned = result.plan.planned
    return {int(row.userapp_id): json.loads(row.body) for row in planned.itertuples()}

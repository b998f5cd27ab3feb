"""Planning step: keys, matches, decisions and the writes, from the two snapshots of the run."""

from __future__ import annotations

import logging
from dataclasses import dataclass

import pandas as pd

from optin_sync.consent.decisions import decide, desired_opt_in_attribute
from optin_sync.identity.matching import KeySet, build_keys, drop_shared_keys, match
from optin_sync.plan.writes import Plan, build_plan
from optin_sync.quality.guard import GuardVerdict, measure
from optin_sync.run.context import RunContext
from optin_sync.settings import Settings
from optin_sync.snapshots import schemas
from optin_sync.snapshots.zones import Zones

log = logging.getLogger(__name__)

MISSING_ID = "missing_id"
DUPLICATE_ID = "duplicate_id"
INVALID_OPT_IN = "invalid_opt_in"


def split_bad_customers(customers: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Set aside customers without an id or sharing one: no write could name them safely."""
    missing = customers["userapp_id"].isna()
    duplicated = customers["userapp_id"].duplicated(keep=False) & ~missing
    bad = missing | duplicated
    quarantine = pd.DataFrame({
        "side": "woowup",
        "record_id": customers.loc[bad, "userapp_id"].astype("string"),
        "field": "userapp_id",
        "cause": [MISSING_ID if flag else DUPLICATE_ID for flag in missing[bad]],
        "raw_value": customers.loc[bad, "userapp_id"].astype("string"),
    })
    good = customers[~bad].astype({"userapp_id": "int64"}).reset_index(drop=True)
    return good, quarantine


def invalid_opt_ins(profiles: pd.DataFrame) -> pd.DataFrame:
    rows = profiles[profiles["opt_in_status"] == "invalid"]
    return pd.DataFrame({"side": "vtex", "record_id": rows["profile_id"], "field": "isNewsletterOptIn",
                         "cause": INVALID_OPT_IN, "raw_value": rows["isNewsletterOptIn"]})


@dataclass(frozen=True, slots=True)
class PlanResult:
    """Everything planning produces, before it is written to snapshots."""

    pairs: pd.DataFrame
    keys: pd.DataFrame
    quarantine: pd.DataFrame
    plan: Plan
    verdict: GuardVerdict


@dataclass(frozen=True, slots=True)
class KeyedRun:
    """The customers a write may name, both sides' keys after the shared-key rule, and what was set aside.

    ``keys`` is the ``match_keys`` dataset; ``quarantine`` holds bad customer ids, invalid opt-ins and rejected keys.
    """

    customers: pd.DataFrame
    profile_keys: KeySet
    customer_keys: KeySet
    keys: pd.DataFrame
    quarantine: pd.DataFrame


# The profile columns that decisions read, with ``opt_in_status`` named ``status``.
FACT_COLUMNS = ["profile_id", "status", "evidence_time", "new_evidence"]


def profile_facts(profiles: pd.DataFrame) -> pd.DataFrame:
    return profiles.rename(columns={"opt_in_status": "status"})[FACT_COLUMNS]


def key_run(profiles: pd.DataFrame, customers: pd.DataFrame, settings: Settings) -> KeyedRun:
    """Set aside bad customers, build keys on both sides and drop the keys that too many records share.

    The shared-key rule counts the records of each key over the whole run, so this step sees every key.
    """
    customers, bad_customers = split_bad_customers(customers)
    profile_keys = build_keys(profiles, id_column="profile_id", email_fields=["email"],
                              phone_fields=settings.phone_fields, side="vtex", settings=settings)
    customer_keys = build_keys(customers.astype({"userapp_id": "string"}), id_column="userapp_id",
                               email_fields=["email"], phone_fields=["telephone"], side="woowup", settings=settings)
    profile_keys, customer_keys = drop_shared_keys(profile_keys, customer_keys, settings.max_customers_per_key)

    keys = pd.concat([profile_keys.keys.assign(side="vtex"), customer_keys.keys.assign(side="woowup")],
                     ignore_index=True)
    rejected_keys = pd.concat([profile_keys.rejections, customer_keys.rejections], ignore_index=True)
    quarantine = pd.concat([bad_customers, invalid_opt_ins(profiles), rejected_keys.assign(raw_value=pd.NA)],
                           ignore_index=True)
    return KeyedRun(customers=customers, profile_keys=profile_keys, customer_keys=customer_keys, keys=keys,
                    quarantine=quarantine)


def decide_customers(customers: pd.DataFrame, facts: pd.DataFrame, pairs: pd.DataFrame,
                     settings: Settings) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return the decisions and the desired ``opt_in_vtex`` of the customers in ``pairs``.

    Both depend only on each customer's own pairs, channel states and profile facts, so any split of the customers
    gives the same rows.
    """
    decisions = decide(customers, facts, pairs, settings)
    attribute = desired_opt_in_attribute(decisions, pairs, facts)
    return decisions, attribute


def finish_plan(decisions: pd.DataFrame, attribute: pd.DataFrame, customers: pd.DataFrame, settings: Settings, *,
                full_refresh: bool, allow_mass_change: bool) -> tuple[Plan, GuardVerdict]:
    """Plan the writes within the run's write budget and measure the mass-change guard, over the whole run."""
    plan = build_plan(decisions, customers, attribute, max_writes=settings.max_writes_per_run,
                      full_refresh=full_refresh)
    verdict = measure(plan.decisions, max_disable_ratio=settings.max_disable_ratio,
                      max_enable_ratio=settings.max_enable_ratio, min_guard_count=settings.min_guard_count,
                      allow_mass_change=allow_mass_change)
    return plan, verdict


def plan_frames(profiles: pd.DataFrame, customers: pd.DataFrame, settings: Settings, *, full_refresh: bool = False,
                allow_mass_change: bool = False) -> PlanResult:
    """Build keys on both sides, match, decide every channel, plan the writes and measure the guard.

    ``profiles`` carry ``opt_in_status``, ``evidence_time`` and ``new_evidence``; ``customers`` carry the parsed
    ``<channel>_updated_at`` times.
    """
    keyed = key_run(profiles, customers, settings)
    pairs = match(keyed.profile_keys, keyed.customer_keys)
    decisions, attribute = decide_customers(keyed.customers, profile_facts(profiles), pairs, settings)
    plan, verdict = finish_plan(decisions, attribute, keyed.customers, settings, full_refresh=full_refresh,
                                allow_mass_change=allow_mass_change)
    return PlanResult(pairs=pairs, keys=keyed.keys, quarantine=keyed.quarantine, plan=plan, verdict=verdict)


def plan_channel_updates(ctx: RunContext, settings: Settings, pii_key: str | None = None, buckets: int = 0) -> dict:
    """Plan the run and write keys, matches, quarantine, decisions and writes.

    With ``buckets`` 0 the whole plan is computed here from the two snapshots. Otherwise the run was split into that
    many buckets (``optin_sync.run.buckets``), and this step reduces their results, then deletes their files.
    """
    zones = Zones(settings, pii_key)
    if buckets:
        # Imported here: the bucketed planner is built from this module's steps.
        from optin_sync.scale.files import BucketFiles
        from optin_sync.scale.planner import reduce_buckets

        files = BucketFiles(zones.raw.root, ctx.key)
        result = reduce_buckets(files, buckets, zones.read("woowup_customers", ctx.key), settings,
                                full_refresh=ctx.full_refresh, allow_mass_change=ctx.allow_mass_change)
    else:
        result = plan_frames(zones.read("vtex_profiles", ctx.key), zones.read("woowup_customers", ctx.key),
                             settings, full_refresh=ctx.full_refresh, allow_mass_change=ctx.allow_mass_change)
    quarantine = pd.concat([zones.read("vtex_quarantine", ctx.key), result.quarantine], ignore_index=True)

    zones.publish("match_keys", result.keys, schemas.MATCH_KEYS, ctx.key)
    zones.publish("matches", result.pairs, schemas.MATCHES, ctx.key)
    zones.publish("quarantine", quarantine, schemas.QUARANTINE, ctx.key)
    zones.publish("decisions", result.plan.decisions, schemas.DECISIONS, ctx.key)
    zones.publish("planned_writes", result.plan.writes, schemas.PLANNED_WRITES, ctx.key)
    zones.analyst.write_json("decisions", "_guard.json", result.verdict.to_dict(), ctx.key)
    if buckets:
        files.delete()

    matched = int(result.plan.decisions["userapp_id"].nunique())
    counts = {str(k): int(v) for k, v in result.plan.writes["status"].value_counts().items()}
    log.info("plan done matched_customers=%d decisions=%d writes=%s guard=%s buckets=%d", matched,
             len(result.plan.decisions), counts, result.verdict.describe(), buckets)
    return {"matched_customers": matched, "writes": counts, "guard_tripped": result.verdict.tripped,
            "buckets": buckets}

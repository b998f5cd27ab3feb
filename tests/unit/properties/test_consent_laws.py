"""Laws of the consent rules, checked on generated worlds of shoppers and customers."""

import json
import random

import pandas as pd
import pytest
from builders import customer, plan_for, shopper
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from optin_sync.consent import outcomes as o
from optin_sync.consent.ledger import advance, empty_ledger
from optin_sync.consent.rules import is_protected
from optin_sync.settings import CHANNELS

LAW = settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
# A thousand plans take about two minutes on one free core; a busy machine needs more than the suite's 600 s.
pytestmark = pytest.mark.timeout(1800)

EMAILS = ["ana@gmail.com", "ANA@gmail.com ", "bob@hotmail.com", "carla@yahoo.com.ar", "x@ct.vtex.com.br", None]
SHOPPER_PHONES = ["011 15-2803-4063", "+54 9 11 5555-6666", "(0351) 15 444-5555", "15-4444-5555", None]
CUSTOMER_PHONES = ["+5491128034063", "1155556666", "+543514445555", "11+5491128034063", None]
REASONS = [None, "", "other", "Other ", "bounce", "unsubscribe-2025-10-09 20:55:21", "INVALID_EMAIL"]
OPT_INS = [True, False, None, "True", "False", "si", "0", "maybe"]
TIMES = [f"2026-12-03T{hour:02d}:00:00Z" for hour in (4, 9, 15, 20)]
CRM_TIMES = [None, "2025-06-01 10:00:00", "2026-12-03 12:00:00", "2026-12-04 01:00:00"]


@st.composite
def shoppers(draw):
    count = draw(st.integers(1, 6))
    return [shopper(f"p{n}", email=draw(st.sampled_from(EMAILS)), phone=draw(st.sampled_from(SHOPPER_PHONES)),
                    opt_in=draw(st.sampled_from(OPT_INS)), updated=draw(st.sampled_from(TIMES)))
            for n in range(count)]


@st.composite
def customers(draw):
    count = draw(st.integers(1, 6))
    records = []
    for n in range(1, count + 1):
        record = customer(n, email=draw(st.sampled_from(EMAILS)), telephone=draw(st.sampled_from(CUSTOMER_PHONES)),
                          document=draw(st.sampled_from([None, f"doc{n}", "doc-shared"])),
                          opt_in_vtex=draw(st.sampled_from([None, "True", "False"])))
        for channel in CHANNELS:
            record[f"{channel}_enabled"] = draw(st.sampled_from(["enabled", "disabled", True, False]))
            record[f"{channel}_enabled_reason"] = draw(st.sampled_from(REASONS))
            record[f"{channel}_enabled_updatetime"] = draw(st.sampled_from(CRM_TIMES))
        records.append(record)
    return records


def apply_writes(records: list[dict], result) -> list[dict]:
    """Apply planned bodies as WoowUp would, by the identifier each names."""
    updated = [dict(record) for record in records]
    for row in result.plan.planned.itertuples():
        body = json.loads(row.body)
        target = next(record for record in updated if record["userapp_id"] == row.userapp_id)
        for field, value in body.items():
            if field == "custom_attributes":
                target["custom_attributes"] = {**(target.get("custom_attributes") or {}), **value}
            elif field.endswith("_enabled") or field.endswith("_enabled_reason"):
                target[field] = value
        for channel in CHANNELS:
            if f"{channel}_enabled" in body:
                target[f"{channel}_enabled_updatetime"] = "2026-12-04 07:00:00"
                if body[f"{channel}_enabled"] == "enabled":
                    target[f"{channel}_enabled_reason"] = None
    return updated


def written_channels(result) -> set[tuple[int, str]]:
    pairs = set()
    for row in result.plan.planned.itertuples():
        body = json.loads(row.body)
        pairs |= {(row.userapp_id, channel) for channel in CHANNELS if f"{channel}_enabled" in body}
    return pairs


def protected_writes(result, records: list[dict]) -> list[tuple[int, str]]:
    frame = pd.DataFrame(records)
    found = []
    for userapp_id, channel in written_channels(result):
        reason = frame.loc[frame["userapp_id"] == userapp_id, f"{channel}_enabled_reason"]
        if bool(is_protected(reason.astype("string")).iloc[0]):
            found.append((userapp_id, channel))
    return found


def badly_targeted_writes(result, records: list[dict]) -> list[int]:
    """Writes that name no customer, several customers, or a customer other than the planned one."""
    found = []
    for row in result.plan.planned.itertuples():
        body = json.loads(row.body)
        identifiers = [field for field in ("service_uid", "email", "document", "telephone") if field in body]
        holders = [record["userapp_id"] for record in records
                   if len(identifiers) == 1 and record.get(identifiers[0]) == body[identifiers[0]]]
        if holders != [row.userapp_id]:
            found.append(row.userapp_id)
    return found


def decision_keys(result) -> pd.DataFrame:
    columns = ["userapp_id", "channel", "outcome", "winning_profile_id"]
    return result.plan.decisions[columns].sort_values(["userapp_id", "channel"]).reset_index(drop=True)


# Each law is checked on every generated world; one plan serves several laws to keep the suite fast.
@LAW
@given(shoppers(), customers())
def test_plan_writes_only_writable_channels_of_one_customer(world_shoppers, world_customers):
    result = plan_for(world_shoppers, world_customers)
    assert protected_writes(result, world_customers) == []
    assert badly_targeted_writes(result, world_customers) == []


@LAW
@given(shoppers(), customers(), st.randoms(use_true_random=False))
def test_plan_is_order_free_and_idempotent(world_shoppers, world_customers, rng: random.Random):
    first = plan_for(world_shoppers, world_customers)

    shuffled_shoppers, shuffled_customers = list(world_shoppers), list(world_customers)
    rng.shuffle(shuffled_shoppers)
    rng.shuffle(shuffled_customers)
    shuffled = plan_for(shuffled_shoppers, shuffled_customers)
    pd.testing.assert_frame_equal(decision_keys(first), decision_keys(shuffled))

    again = plan_for(world_shoppers, apply_writes(world_customers, first))
    assert again.plan.planned.empty


@LAW
@given(shoppers(), customers(), st.sampled_from(TIMES[:2]))
def test_older_window_never_overrides_newer(world_shoppers, world_customers, older_time):
    newer = [{**record, "updatedIn": "2026-12-03T22:00:00Z"} for record in world_shoppers]
    newer_result = plan_for(newer, world_customers)
    observations = pd.DataFrame({
        "profile_id": [record["id"] for record in newer],
        "evidence_time": pd.Timestamp("2026-12-03T22:00:00Z"),
        "status": [_status(record["isNewsletterOptIn"]) for record in newer],
    })
    ledger = advance(empty_ledger(), observations, "newer")
    after_newer = apply_writes(world_customers, newer_result)

    older = [{**record, "updatedIn": older_time, "isNewsletterOptIn": _flip(record["isNewsletterOptIn"])}
             for record in world_shoppers]
    older_result = plan_for(older, after_newer, ledger=ledger)
    assert written_channels(older_result) == set()


def _status(value):
    from optin_sync.consent.optin import read_opt_in

    return read_opt_in(value)


def _flip(value):
    return {True: False, False: True, "True": "False", "False": "True", "si": "no", "0": "1"}.get(value, value)

"""The plan: one ``PUT /multiusers`` body per changed customer, its target identifier, and the write budget."""

from __future__ import annotations

import json
from dataclasses import dataclass

import pandas as pd

from optin_sync.consent import outcomes as o
from optin_sync.consent.rules import DISABLED, ENABLED, INTEGRATION_REASON
from optin_sync.plan.targets import target_identifiers
from optin_sync.sources.woowup import IDENTIFIER_FIELDS

OPT_IN_ATTRIBUTE = "opt_in_vtex"
PLAN_COLUMNS = [
    "userapp_id", "target_field", "target_value", "channels_enabled", "channels_disabled", "opt_in_vtex",
    "body", "priority", "status",
]


@dataclass(frozen=True, slots=True)
class Plan:
    """Decisions with their final outcomes, and the writes to send (``status`` planned or deferred)."""

    decisions: pd.DataFrame
    writes: pd.DataFrame

    @property
    def planned(self) -> pd.DataFrame:
        return self.writes[self.writes["status"] == "planned"]


def channel_fields(channel: str, state: str) -> dict[str, str]:
    """Return the fields that set one channel: enabling sends no reason, disabling sends ``other``."""
    if state == ENABLED:
        return {f"{channel}_enabled": ENABLED}
    return {f"{channel}_enabled": DISABLED, f"{channel}_enabled_reason": INTEGRATION_REASON}


def changed_fields(changes: dict[str, str], opt_in_vtex: str | None) -> dict:
    """Return every field a write changes: the channels' states and reasons, then ``opt_in_vtex``."""
    fields: dict[str, object] = {}
    for channel, state in changes.items():
        fields.update(channel_fields(channel, state))
    if opt_in_vtex is not None:
        fields["custom_attributes"] = {OPT_IN_ATTRIBUTE: opt_in_vtex}
    return fields


def build_body(target_field: str, target_value: str, changes: dict[str, str], opt_in_vtex: str | None) -> dict:
    """Return a ``PUT /multiusers`` body: the target identifier, then every changed field of the customer."""
    return {target_field: target_value, **changed_fields(changes, opt_in_vtex)}


def attribute_changes(customers: pd.DataFrame, attribute: pd.DataFrame, *, full_refresh: bool) -> pd.DataFrame:
    """Return ``userapp_id`` and ``opt_in_vtex`` for customers whose stored attribute differs from the winner's.

    Only new evidence moves the attribute, so an old window run again never rolls back a newer value.
    """
    current = customers[["userapp_id", "opt_in_vtex"]].astype({"userapp_id": "int64"})
    rows = attribute.merge(current, on="userapp_id", how="left")
    moved = rows["attribute_new_evidence"].astype(bool) | full_refresh
    differs = rows["desired_opt_in_vtex"] != rows["opt_in_vtex"].fillna("")
    changed = rows[moved & differs]
    return pd.DataFrame({"userapp_id": changed["userapp_id"], "opt_in_vtex": changed["desired_opt_in_vtex"]})


def build_plan(
    decisions: pd.DataFrame, customers: pd.DataFrame, attribute: pd.DataFrame, *, max_writes: int,
    full_refresh: bool,
) -> Plan:
    """Turn decisions into writes: mark customers without a unique identifier, then apply the write budget.

    Disables go first within the budget, because a missed refusal is worse than a late consent.
    """
    decisions = decisions.copy()
    writes = decisions[decisions["outcome"].isin(o.WRITE_OUTCOMES)]
    attributes = attribute_changes(customers, attribute, full_refresh=full_refresh).set_index("userapp_id")

    # Plain loops over the few changed customers: pandas group and label lookups cost far more per customer.
    changes_by_customer: dict[int, dict[str, str]] = {}
    for userapp_id, channel, state in zip(writes["userapp_id"].tolist(), writes["channel"].tolist(),
                                          writes["desired_state"].tolist()):
        changes_by_customer.setdefault(userapp_id, {})[channel] = state
    changed_ids = sorted(set(changes_by_customer) | set(attributes.index.tolist()))
    targets = target_identifiers(_sharing_identifiers(customers, changed_ids))
    chosen = targets.drop_duplicates("userapp_id").set_index("userapp_id").reindex(changed_ids)
    opt_ins = attributes["opt_in_vtex"].to_dict()
    rows = [
        _plan_row(userapp_id, changes_by_customer.get(userapp_id, {}), field, value, opt_ins.get(userapp_id))
        for userapp_id, field, value in zip(changed_ids, chosen["target_field"].tolist(),
                                            chosen["target_value"].tolist())
    ]
    plan = pd.DataFrame(rows, columns=PLAN_COLUMNS)

    ambiguous = set(plan.loc[plan["target_field"].isna(), "userapp_id"])
    decisions.loc[decisions["userapp_id"].isin(ambiguous) & decisions["outcome"].isin(o.WRITE_OUTCOMES),
                  "outcome"] = o.AMBIGUOUS_IDENTIFIER
    plan.loc[plan["userapp_id"].isin(ambiguous), "status"] = o.AMBIGUOUS_IDENTIFIER

    plan = plan.sort_values(["priority", "userapp_id"]).reset_index(drop=True)
    writable = plan["status"] == "planned"
    over_budget = writable & (writable.cumsum() > max_writes)
    plan.loc[over_budget, "status"] = o.DEFERRED
    deferred = set(plan.loc[over_budget, "userapp_id"])
    decisions.loc[decisions["userapp_id"].isin(deferred) & decisions["outcome"].isin(o.WRITE_OUTCOMES),
                  "outcome"] = o.DEFERRED
    return Plan(decisions=decisions, writes=plan.astype({"userapp_id": "int64"}))


def _sharing_identifiers(customers: pd.DataFrame, changed_ids: list[int]) -> pd.DataFrame:
    """Return the changed customers and every customer that shares an identifier value with one of them.

    Whether a changed customer's value is unique depends only on the customers holding that same value, so
    `target_identifiers` gives the changed customers the same targets on this subset as on all customers.
    """
    changed = customers["userapp_id"].isin(changed_ids)
    sharing = changed.copy()
    for field in IDENTIFIER_FIELDS:
        values = customers.loc[changed, field].dropna()
        sharing |= customers[field].isin(values.unique())
    return customers[sharing.to_numpy(dtype=bool)]


def _priority(disabled: list[str], enabled: list[str]) -> int:
    """Order of writes within the budget: disables, then enables, then attribute-only writes."""
    if disabled:
        return 0
    if enabled:
        return 1
    return 2


def _plan_row(userapp_id: int, changes: dict[str, str], target_field: object, target_value: object,
              opt_in: str | None) -> dict:
    has_target = pd.notna(target_field)
    body = build_body(target_field, target_value, changes, opt_in) if has_target else None
    disabled = sorted(channel for channel, state in changes.items() if state == DISABLED)
    enabled = sorted(channel for channel, state in changes.items() if state == ENABLED)
    return {
        "userapp_id": userapp_id,
        "target_field": target_field if has_target else None,
        "target_value": target_value if has_target else None,
        "channels_enabled": ",".join(enabled),
        "channels_disabled": ",".join(disabled),
        "opt_in_vtex": opt_in,
        "body": json.dumps(body, ensure_ascii=False, sort_keys=True) if body is not None else None,
        "priority": _priority(disabled, enabled),
        "status": "planned",
    }

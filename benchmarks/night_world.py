"""A generated night for the API-cost benchmark, and the checks of what a night wrote to the sandbox.

The sandbox generator changes the consent of 2.5% of the window's profiles (`needs_enable` and `needs_disable`)
and makes a few customers `newer_in_crm`. `keep_changed_share` gives the surplus its new states, so that a chosen
share of the window's profiles is left with a changed consent.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from optin_sync.consent import outcomes as o
from optin_sync.consent.rules import is_protected
from optin_sync.sandbox import SandboxServer
from optin_sync.settings import CHANNELS

ANCHOR = date(2026, 12, 4)
TIMEZONE = "America/Argentina/Buenos_Aires"
WRITE = ("PUT", "/apiv3/multiusers")


def generate_world(server: SandboxServer, customers: int, profiles: int, seed: int, rate_limit: int) -> dict:
    """Reset the sandbox to a generated world whose ``opt_in_vtex`` values agree with the channels.

    Returns the generator's scenario: the counts and the customers of each category.
    """
    return server.reset({
        "generate": {"seed": seed, "profiles": profiles, "customers": customers, "anchor_date": ANCHOR.isoformat(),
                     "timezone": TIMEZONE, "define_opt_in_attribute": True},
        "settings": {"woowup": {"rate_limit_per_minute": rate_limit}},
    })["scenario"]


def keep_changed_share(server: SandboxServer, scenario: dict, share: float) -> dict[int, str]:
    """Leave ``share`` of the window's profiles with a changed consent and return the expected ``mailing`` states.

    Every ``newer_in_crm`` customer stays, because its consent changed in VTEX but WoowUp's newer channels must stay.
    The ``needs_enable`` and ``needs_disable`` customers fill the rest, half each. The surplus gets the new channel
    states and ``opt_in_vtex`` value now, so the night has nothing to write for it.
    """
    customers = scenario["customers"]
    enable, disable, newer = customers["needs_enable"], customers["needs_disable"], customers["newer_in_crm"]
    fill = max(0, round(share * scenario["counts"]["window_profiles"]) - len(newer))
    expected = {**{userapp_id: "enabled" for userapp_id in enable[: (fill + 1) // 2]},
                **{userapp_id: "disabled" for userapp_id in disable[: fill // 2]}}
    state = server.state
    with state.lock:
        expected.update({userapp_id: state.woowup_users[userapp_id]["mailing_enabled"] for userapp_id in newer})
        surplus = [(userapp_id, "enabled") for userapp_id in enable if userapp_id not in expected]
        surplus += [(userapp_id, "disabled") for userapp_id in disable if userapp_id not in expected]
        for userapp_id, new_state in surplus:
            customer = state.woowup_users[userapp_id]
            for channel in CHANNELS:
                customer[f"{channel}_enabled"] = new_state
                customer[f"{channel}_enabled_reason"] = None if new_state == "enabled" else "other"
            customer["custom_attributes"]["opt_in_vtex"] = "True" if new_state == "enabled" else "False"
    return expected


def bounce_late(server: SandboxServer, expected: dict[int, str], enable: list[int], count: int) -> None:
    """Give ``mailing`` a ``bounce`` on ``count`` customers about to be enabled, after the index was read.

    Their ``mailing`` must stay disabled, so ``expected`` changes with them.
    """
    state = server.state
    with state.lock:
        bounced = [userapp_id for userapp_id in enable if expected.get(userapp_id) == "enabled"
                   and state.woowup_users[userapp_id]["mailing_enabled"] != "enabled"]
        for userapp_id in bounced[:count]:
            customer = state.woowup_users[userapp_id]
            customer["mailing_enabled_reason"] = "bounce"
            customer["mailing_enabled_updatetime"] = state.now_text()
            expected[userapp_id] = customer["mailing_enabled"]


def protected_channels(server: SandboxServer) -> dict[tuple[int, str], tuple[str, str]]:
    """Return the state and reason of every channel whose reason forbids a write, by customer and channel."""
    with server.state.lock:
        # Most reasons are empty or "other", so only the rest go through the rule's own test.
        rows = [(userapp_id, channel, customer[f"{channel}_enabled"], customer[f"{channel}_enabled_reason"])
                for userapp_id, customer in server.state.woowup_users.items() for channel in CHANNELS
                if customer[f"{channel}_enabled_reason"] not in (None, "other")]
    frame = pd.DataFrame(rows, columns=["userapp_id", "channel", "state", "reason"])
    frame = frame[is_protected(frame["reason"])]
    return {(userapp_id, channel): (state, reason) for userapp_id, channel, state, reason
            in zip(frame["userapp_id"], frame["channel"], frame["state"], frame["reason"])}


def update_times(server: SandboxServer) -> dict[int, str]:
    with server.state.lock:
        return {userapp_id: customer["updatetime"] for userapp_id, customer in server.state.woowup_users.items()}


def as_expected(server: SandboxServer, expected: dict[int, str]) -> int:
    """Count the customers whose ``mailing`` is the expected one."""
    with server.state.lock:
        return sum(server.state.woowup_users[userapp_id]["mailing_enabled"] == mailing
                   for userapp_id, mailing in expected.items())


def _written(server: SandboxServer, entries: list[dict]) -> list[tuple[int, dict, int | None]]:
    """Return the customer id, body and status of every ``PUT /multiusers`` in ``entries``."""
    writes = []
    for entry in entries:
        if (entry["method"], entry["path"]) == WRITE:
            customer, _ = server.state.customer_lookup.find(entry["body"])
            writes.append((customer["userapp_id"] if customer else -1, entry["body"], entry["status"]))
    return writes


def protected_written(server: SandboxServer, protected: dict, entries: list[dict]) -> int:
    """Count the protected channels that a write named, or that no longer have their state and reason."""
    with server.state.lock:
        named = {(userapp_id, channel) for userapp_id, body, _ in _written(server, entries)
                 for channel in CHANNELS if f"{channel}_enabled" in body}
        users = server.state.woowup_users
        moved = {(userapp_id, channel) for (userapp_id, channel), before in protected.items()
                 if (users[userapp_id][f"{channel}_enabled"], users[userapp_id][f"{channel}_enabled_reason"]) != before}
    return len((named & set(protected)) | moved)


def changed_without_write(server: SandboxServer, before: dict[int, str], entries: list[dict]) -> int:
    """Count the customers whose ``updatetime`` moved though no write to them succeeded."""
    with server.state.lock:
        written = {userapp_id for userapp_id, _, status in _written(server, entries) if status == 200}
        moved = {userapp_id for userapp_id, customer in server.state.woowup_users.items()
                 if customer["updatetime"] != before.get(userapp_id)}
    return len(moved - written)


def writes_not_applied(server: SandboxServer, decisions: pd.DataFrame, protected: dict) -> int:
    """Count the channel writes the plan decided that the sandbox does not show, except on protected channels."""
    planned = decisions[decisions["outcome"].isin(o.WRITE_OUTCOMES)]
    with server.state.lock:
        users = server.state.woowup_users
        return sum(users[int(userapp_id)][f"{channel}_enabled"] != desired
                   for userapp_id, channel, desired in zip(planned["userapp_id"], planned["channel"],
                                                           planned["desired_state"])
                   if (int(userapp_id), channel) not in protected)

"""Generated WoowUp customers whose channels are in a steady state with VTEX, except on purpose."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from optin_sync.sandbox.customers import CHANNELS, new_customer
from optin_sync.sandbox.people import PROTECTING_REASONS, Person, crm_email, crm_telephone
from optin_sync.sandbox.timeline import Timeline, crm_time

if TYPE_CHECKING:
    from optin_sync.sandbox.generator import Shopper

OPT_IN_ATTRIBUTE = {"name": "opt_in_vtex", "label": "Opt-in VTEX", "data_type": "string", "field_type": "text"}
OTHER_ATTRIBUTES = (
    {"name": "sucursal_favorita", "label": "Sucursal favorita", "data_type": "string", "field_type": "text"},
    {"name": "puntos_club", "label": "Puntos club", "data_type": "integer", "field_type": "text"},
)
PROTECTED_SHARE = 0.07
SHOP_PHONES = (("011 4311-0000", "+541143110000"), ("(0351) 422-1000", "+543514221000"))
SHOP_PHONE_PROFILES = 7
SHOP_PHONE_CUSTOMERS = 6


def attribute_definitions(define_opt_in_attribute: bool) -> list[dict[str, str]]:
    definitions = [dict(definition) for definition in OTHER_ATTRIBUTES]
    if define_opt_in_attribute:
        definitions.append(dict(OPT_IN_ATTRIBUTE))
    return definitions


def _set_channel(customer: dict[str, Any], channel: str, value: str, reason: str | None, moment: datetime | None) -> None:
    customer[f"{channel}_enabled"] = value
    customer[f"{channel}_enabled_reason"] = reason
    customer[f"{channel}_enabled_updatetime"] = None if moment is None else crm_time(moment)


def _protecting_reason(rng: random.Random, timeline: Timeline) -> str:
    if rng.random() < 0.3:
        return f"unsubscribe-{crm_time(timeline.before_window(rng))}"
    return rng.choice(PROTECTING_REASONS)


def _agree(customer: dict[str, Any], opt_in: bool | None, moment: datetime | None, channels=CHANNELS) -> None:
    for channel in channels:
        if opt_in is False:
            _set_channel(customer, channel, "disabled", "other", moment)
        else:
            _set_channel(customer, channel, "enabled", None, moment)


def _base(rng: random.Random, person: Person, timeline: Timeline) -> tuple[dict[str, Any], datetime]:
    created = timeline.before_window(rng)
    customer = new_customer(0, crm_time(created))
    customer.update(
        first_name=person.first_name,
        last_name=person.last_name,
        telephone=crm_telephone(rng, person),
        document=person.document if rng.random() < 0.6 else None,
        service_uid=f"CLI-{person.index:07d}" if rng.random() < 0.35 else None,
        tags=["vip"] if rng.random() < 0.05 else [],
    )
    if rng.random() < 0.2:
        customer["custom_attributes"]["puntos_club"] = rng.randint(0, 5000)
    return customer, created


def _finish(customer: dict[str, Any]) -> dict[str, Any]:
    """Set updatetime to the latest change; the text format sorts like the times it holds."""
    times = [customer["createtime"]] + [customer[f"{channel}_enabled_updatetime"] or "" for channel in CHANNELS]
    customer["updatetime"] = max(times)
    return customer


def _history(rng: random.Random, timeline: Timeline, created: datetime) -> datetime | None:
    """Return when a steady-state channel last changed; a quarter never changed."""
    return None if rng.random() < 0.25 else timeline.before_window(rng, earliest=created)


def build_customer(rng: random.Random, shopper: Shopper, timeline: Timeline, define_opt_in_attribute: bool) -> dict[str, Any]:
    """Build the WoowUp customer of a matched shopper, with channels set by the shopper's category."""
    customer, created = _base(rng, shopper.person, timeline)
    customer["email"] = shopper.person.email if shopper.category else crm_email(rng, shopper.person)
    evidence = shopper.evidences[0]
    opt_in, category = shopper.opt_in, shopper.category
    previous_opt_in = opt_in

    if category in ("needs_enable", "needs_disable", "newer_in_crm"):
        previous_opt_in = not opt_in
        if category == "newer_in_crm":
            moment = evidence + timedelta(minutes=rng.randint(30, 180))
        else:
            moment = timeline.before_window(rng, earliest=created)
        _agree(customer, previous_opt_in, moment)
        if previous_opt_in is False and rng.random() < 0.3:
            for channel in CHANNELS:
                customer[f"{channel}_enabled_reason"] = None
    elif category == "protected" or (category is None and rng.random() < PROTECTED_SHARE):
        _agree(customer, opt_in, _history(rng, timeline, created), ("sms", "whatsapp"))
        _set_channel(customer, "mailing", "disabled", _protecting_reason(rng, timeline), timeline.before_window(rng, earliest=created))
    else:
        _agree(customer, opt_in if opt_in is not None else rng.random() < 0.8, _history(rng, timeline, created))

    if define_opt_in_attribute and previous_opt_in is not None:
        customer["custom_attributes"]["opt_in_vtex"] = "True" if previous_opt_in else "False"
    return _finish(customer)


def build_crm_only_customer(rng: random.Random, person: Person, timeline: Timeline) -> dict[str, Any]:
    """Build a WoowUp customer who never shopped online (no VTEX profile)."""
    customer, created = _base(rng, person, timeline)
    customer["email"] = crm_email(rng, person)
    roll = rng.random()
    if roll < PROTECTED_SHARE:
        _agree(customer, True, _history(rng, timeline, created), ("sms", "whatsapp"))
        _set_channel(customer, "mailing", "disabled", _protecting_reason(rng, timeline), timeline.before_window(rng, earliest=created))
    elif roll < PROTECTED_SHARE + 0.15:
        _agree(customer, False, _history(rng, timeline, created))
    elif roll < PROTECTED_SHARE + 0.21:
        _agree(customer, True, _history(rng, timeline, created))
        _set_channel(customer, "mailing", "disabled", "other", timeline.before_window(rng, earliest=created))
    else:
        _agree(customer, True, _history(rng, timeline, created))
    return _finish(customer)


def share_shop_phone(rng: random.Random, shoppers: list[Shopper], crm_only: list[dict[str, Any]]) -> dict[str, int]:
    """Write two shop phones on several profiles and customers, as stores do at the till."""
    bystanders = [shopper for shopper in shoppers if shopper.category is None and not shopper.duplicate]
    profiles = customers = 0
    for vtex_format, crm_format in SHOP_PHONES:
        for shopper in rng.sample(bystanders, min(SHOP_PHONE_PROFILES, len(bystanders))):
            shopper.documents[0]["phone"] = vtex_format
            profiles += 1
        for customer in rng.sample(crm_only, min(SHOP_PHONE_CUSTOMERS, len(crm_only))):
            customer["telephone"] = crm_format
            customers += 1
    return {"shop_phone_profiles": profiles, "shop_phone_customers": customers}

"""Seeded, realistic data for both APIs in a steady state relative to an anchor date.

The story: a nightly sync has been running, so most shoppers found on both sides already have
WoowUp channels that agree with their VTEX opt-in. About a quarter of the VTEX profiles were
saved during the previous local day (the window). A few of those changed consent since the last
run, so their WoowUp channels disagree. Every VTEX person has one profile, and a few have two.

The returned `scenario` names, per category, the WoowUp customers and VTEX profiles that the
generator built on purpose. It describes the generator's intent, not the sync's expected
output, which also depends on the sync's settings (channel scope, ledger, guards).

Categories (only for matched shoppers whose profile is in the window):

- `needs_enable` / `needs_disable`: consent changed in VTEX, every WoowUp channel disagrees,
  its update time is older than the VTEX evidence.
- `newer_in_crm`: channels disagree, but were changed in WoowUp after the VTEX evidence.
- `protected`: `mailing_enabled` disabled with a delivery reason (bounce, unsubscribe, ...).
- `agreeing`: every channel already matches the opt-in.
- `unknown_opt_in`: the profile's `isNewsletterOptIn` is null.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from optin_sync.sandbox.crm import attribute_definitions, build_crm_only_customer, build_customer, share_shop_phone
from optin_sync.sandbox.messages import BadRequest
from optin_sync.sandbox.people import Person, make_person, vtex_email
from optin_sync.sandbox.profiles import build_documents, guid
from optin_sync.sandbox.timeline import Timeline

CATEGORIES = ("needs_enable", "needs_disable", "newer_in_crm", "protected", "agreeing", "unknown_opt_in")
WINDOW_SHARE = 0.25
MATCHED_SHARE = 0.60
DUPLICATE_SHARE = 0.03
# Share of the window's profiles whose consent changed since the last run, split into enable and disable.
CHANGED_SHARE = 0.025
PROTECTED_SHARE = 0.07
DEFAULT_TIMEZONE = "America/Argentina/Buenos_Aires"


@dataclass(frozen=True)
class GenerationRequest:
    """Parameters of a generated data set (the `generate` object of a reset)."""

    seed: int = 42
    profiles: int = 3000
    customers: int = 4000
    anchor_date: date | None = None
    timezone: str = DEFAULT_TIMEZONE
    define_opt_in_attribute: bool = False

    @classmethod
    def from_json(cls, raw: Any) -> GenerationRequest:
        if not isinstance(raw, dict):
            raise BadRequest("generate must be a JSON object")
        allowed = {"seed", "profiles", "customers", "anchor_date", "timezone", "define_opt_in_attribute"}
        unknown = sorted(set(raw) - allowed)
        if unknown:
            raise BadRequest(f"unknown generate keys {unknown}; expected {sorted(allowed)}")
        for key in ("seed", "profiles", "customers"):
            value = raw.get(key, 0)
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise BadRequest(f"generate.{key} must be an integer >= 0, got {value!r}")
        if not isinstance(raw.get("define_opt_in_attribute", False), bool):
            raise BadRequest("generate.define_opt_in_attribute must be true or false")
        anchor = raw.get("anchor_date")
        try:
            anchor_date = None if anchor is None else date.fromisoformat(anchor)
            zone = raw.get("timezone", DEFAULT_TIMEZONE)
            ZoneInfo(zone)
        except (TypeError, ValueError, ZoneInfoNotFoundError) as error:
            raise BadRequest(f"generate: invalid anchor_date or timezone ({error}); use YYYY-MM-DD and an IANA name")
        defaults = cls()
        return cls(
            seed=raw.get("seed", defaults.seed),
            profiles=raw.get("profiles", defaults.profiles),
            customers=raw.get("customers", defaults.customers),
            anchor_date=anchor_date,
            timezone=zone,
            define_opt_in_attribute=raw.get("define_opt_in_attribute", False),
        )

    def resolved_anchor(self) -> date:
        return self.anchor_date or datetime.now(ZoneInfo(self.timezone)).date()


@dataclass
class Shopper:
    """A VTEX person and the plan for their profiles and, when matched, their WoowUp customer."""

    person: Person
    opt_in: bool | None
    in_window: bool
    matched: bool
    duplicate: bool
    email: str | None
    email_is_mailbox: bool
    category: str | None = None
    documents: list[dict[str, Any]] = field(default_factory=list)
    evidences: list[datetime] = field(default_factory=list)


@dataclass
class GeneratedData:
    documents: list[dict[str, Any]]
    customers: list[dict[str, Any]]
    custom_attributes: list[dict[str, str]]
    scenario: dict[str, Any]


def generate(request: GenerationRequest) -> GeneratedData:
    """Build VTEX profiles and WoowUp customers; the same request always gives the same data."""
    rng = random.Random(request.seed)
    timeline = Timeline.for_anchor(request.resolved_anchor(), request.timezone)

    shoppers = _plan_shoppers(rng, request)
    _assign_categories(rng, shoppers)
    account_id = guid(rng)
    for shopper in shoppers:
        build_documents(rng, shopper, timeline, account_id)

    matched = [shopper for shopper in shoppers if shopper.matched]
    customers = [(build_customer(rng, shopper, timeline, request.define_opt_in_attribute), shopper) for shopper in matched]
    next_index = len(shoppers)
    while len(customers) < request.customers:
        customers.append((build_crm_only_customer(rng, make_person(rng, next_index), timeline), None))
        next_index += 1

    rng.shuffle(customers)
    for userapp_id, (customer, _) in enumerate(customers, start=1):
        customer["userapp_id"] = userapp_id
    documents = [document for shopper in shoppers for document in shopper.documents]
    shop = share_shop_phone(rng, shoppers, [customer for customer, shopper in customers if shopper is None])

    scenario = _scenario(timeline, shoppers, customers, documents, shop)
    definitions = attribute_definitions(request.define_opt_in_attribute)
    return GeneratedData(documents, [customer for customer, _ in customers], definitions, scenario)


def _plan_shoppers(rng: random.Random, request: GenerationRequest) -> list[Shopper]:
    """Plan VTEX people until their profiles (duplicates included) reach `request.profiles`."""
    estimated_people = max(1.0, request.profiles / (1 + DUPLICATE_SHARE))
    matched_probability = min(MATCHED_SHARE, request.customers / estimated_people)
    shoppers: list[Shopper] = []
    profiles_left = request.profiles
    matched_count = 0
    while profiles_left > 0:
        person = make_person(rng, len(shoppers))
        opt_in = rng.choices((True, False, None), (55, 35, 10))[0]
        matched = matched_count < request.customers and rng.random() < matched_probability
        duplicate = profiles_left >= 2 and rng.random() < DUPLICATE_SHARE
        email, is_mailbox = vtex_email(rng, person)
        shopper = Shopper(person, opt_in, rng.random() < WINDOW_SHARE, matched, duplicate, email, is_mailbox)
        shoppers.append(shopper)
        matched_count += matched
        profiles_left -= 2 if duplicate else 1
    return shoppers


def _assign_categories(rng: random.Random, shoppers: list[Shopper]) -> None:
    """Pick the in-window matched shoppers of each category; at least a few of each when possible."""
    window_profiles = sum((2 if shopper.duplicate else 1) for shopper in shoppers if shopper.in_window)
    candidates = [
        shopper
        for shopper in shoppers
        if shopper.matched and shopper.in_window and not shopper.duplicate and shopper.email_is_mailbox
    ]
    for shopper in candidates:
        if shopper.opt_in is None:
            shopper.category = "unknown_opt_in"
    known = [shopper for shopper in candidates if shopper.opt_in is not None]
    rng.shuffle(known)

    changed_each = max(3, round(CHANGED_SHARE * window_profiles / 2))
    quotas = (
        ("needs_enable", changed_each),
        ("needs_disable", changed_each),
        ("newer_in_crm", max(2, round(0.005 * len(known)))),
        ("protected", max(3, round(PROTECTED_SHARE * len(known)))),
    )
    position = 0
    for category, quota in quotas:
        for shopper in known[position : position + quota]:
            shopper.category = category
        position += quota
    for shopper in known[position:]:
        shopper.category = "agreeing"

    for shopper in known:
        if shopper.category == "needs_enable":
            shopper.opt_in = True
        elif shopper.category == "needs_disable":
            shopper.opt_in = False


def _scenario(
    timeline: Timeline,
    shoppers: list[Shopper],
    customers: list[tuple[dict[str, Any], Shopper | None]],
    documents: list[dict[str, Any]],
    shop: dict[str, int],
) -> dict[str, Any]:
    customer_ids: dict[str, list[int]] = {category: [] for category in CATEGORIES}
    profile_ids: dict[str, list[str]] = {category: [] for category in CATEGORIES}
    for customer, shopper in customers:
        if shopper is not None and shopper.category is not None:
            customer_ids[shopper.category].append(customer["userapp_id"])
            profile_ids[shopper.category].extend(document["id"] for document in shopper.documents)

    start, end = timeline.window_start, timeline.window_end
    window_profiles = sum(1 for shopper in shoppers for moment in shopper.evidences if start <= moment < end)
    counts = {
        "profiles": len(documents),
        "people": len(shoppers),
        "customers": len(customers),
        "matched_people": sum(1 for shopper in shoppers if shopper.matched),
        "people_with_duplicate_profiles": sum(1 for shopper in shoppers if shopper.duplicate),
        "window_profiles": window_profiles,
        **shop,
        **{category: len(ids) for category, ids in customer_ids.items()},
    }
    return {
        "timeline": timeline.describe(),
        "counts": counts,
        "customers": {category: sorted(ids) for category, ids in customer_ids.items() if category != "agreeing"},
        "profiles": {category: sorted(ids) for category, ids in profile_ids.items() if category != "agreeing"},
    }

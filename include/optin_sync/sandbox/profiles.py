"""Generated Master Data CL documents of one shopper, dated relative to the nightly window."""

from __future__ import annotations

import random
from datetime import datetime
from typing import TYPE_CHECKING, Any

from optin_sync.sandbox.people import vtex_phone
from optin_sync.sandbox.timeline import LOOKBACK, Timeline, vtex_timestamp

if TYPE_CHECKING:
    from optin_sync.sandbox.generator import Shopper

ACCOUNT_NAME = "tiendaejemplo"
NEW_SIGNUP_SHARE = 0.20
NEVER_UPDATED_SHARE = 0.30
STRING_OPT_IN_SHARE = 0.03
PHONE_FIELDS = (("phone", 60), ("homePhone", 25), ("cellPhone", 15))


def guid(rng: random.Random) -> str:
    text = f"{rng.getrandbits(128):032x}"
    return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"


def _dates(rng: random.Random, timeline: Timeline, in_window: bool) -> tuple[datetime, datetime | None]:
    """Return (createdIn, updatedIn) of a primary profile."""
    if in_window:
        if rng.random() < NEW_SIGNUP_SHARE:
            return timeline.in_window(rng), None
        return timeline.before_window(rng), timeline.in_window(rng)

    created = timeline.before_window(rng)
    roll = rng.random()
    if roll < 0.013:
        # Saved during the extraction's lookback margin, just before the window.
        return created, timeline.between(rng, timeline.window_start - LOOKBACK, timeline.window_start)
    if roll < 0.026:
        # Saved today, after the window closed and before the nightly run.
        return created, timeline.between(rng, timeline.window_end, timeline.run_time)
    if roll < 0.026 + NEVER_UPDATED_SHARE:
        return created, None
    return created, timeline.before_window(rng, earliest=created)


def _stored_opt_in(rng: random.Random, opt_in: bool | None) -> bool | str | None:
    if opt_in is not None and rng.random() < STRING_OPT_IN_SHARE:
        return "True" if opt_in else "False"
    return opt_in


def _document(rng: random.Random, shopper: Shopper, account_id: str, email: str | None,
              opt_in: bool | None, created: datetime, updated: datetime | None) -> dict[str, Any]:
    person = shopper.person
    document = person.document if rng.random() < 0.85 else None
    record: dict[str, Any] = {
        "id": guid(rng),
        "email": email,
        "isNewsletterOptIn": _stored_opt_in(rng, opt_in),
        "phone": None,
        "homePhone": None,
        "cellPhone": None,
        "businessPhone": None,
        "document": document,
        "documentType": "dni" if document else None,
        "firstName": person.first_name,
        "lastName": person.last_name,
        "isCorporate": False,
        "createdIn": vtex_timestamp(rng, created),
        "updatedIn": None if updated is None else vtex_timestamp(rng, updated),
        "lastInteractionIn": None,
        "accountId": account_id,
        "accountName": ACCOUNT_NAME,
        "dataEntityId": "CL",
        "userId": guid(rng) if rng.random() < 0.85 else None,
    }
    record["lastInteractionIn"] = record["updatedIn"] or record["createdIn"]
    if rng.random() < 0.92:
        phone_field = rng.choices([name for name, _ in PHONE_FIELDS], [weight for _, weight in PHONE_FIELDS])[0]
        record[phone_field] = vtex_phone(rng, person)
        if rng.random() < 0.10:
            second = "cellPhone" if phone_field != "cellPhone" else "homePhone"
            record[second] = vtex_phone(rng, person)
    return record


def build_documents(rng: random.Random, shopper: Shopper, timeline: Timeline, account_id: str) -> None:
    """Build the shopper's profile and, for a duplicate, an older second profile with another opt-in.

    Sets `shopper.documents` and `shopper.evidences` (each document's updatedIn or else createdIn).
    """
    created, updated = _dates(rng, timeline, shopper.in_window)
    primary = _document(rng, shopper, account_id, shopper.email, shopper.opt_in, created, updated)
    shopper.documents = [primary]
    shopper.evidences = [updated or created]
    if not shopper.duplicate:
        return

    evidence = updated or created
    if shopper.in_window and rng.random() < 0.3:
        # Both profiles in the window: the older one was saved earlier the same day.
        older_created, older_updated = timeline.before_window(rng), timeline.between(rng, timeline.window_start, evidence)
    else:
        older_created = timeline.before_window(rng)
        older_updated = timeline.before_window(rng, earliest=older_created)
    email = shopper.email.upper() if shopper.email and shopper.email != shopper.email.upper() else shopper.email
    other_opt_in = True if shopper.opt_in is None else not shopper.opt_in
    older = _document(rng, shopper, account_id, email, other_opt_in, older_created, older_updated)
    shopper.documents.append(older)
    shopper.evidences.append(older_updated)

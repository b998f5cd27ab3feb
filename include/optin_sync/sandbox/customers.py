"""WoowUp customers: stored form, validation of PUT /multiusers bodies and how an update applies."""

from __future__ import annotations

import copy
import re
from datetime import datetime, timezone
from typing import Any

from optin_sync.sandbox.messages import BadRequest

CHANNELS = ("mailing", "sms", "whatsapp")
IDENTIFIERS = ("service_uid", "email", "document", "telephone")
CHANNEL_VALUES = ("enabled", "disabled")
TEXT_FIELDS = ("first_name", "last_name")
READ_ONLY_FIELDS = frozenset(
    ("userapp_id", "createtime", "updatetime", *(f"{channel}_enabled_updatetime" for channel in CHANNELS))
)
CUSTOMER_FIELDS = (
    "userapp_id",
    *IDENTIFIERS,
    *TEXT_FIELDS,
    *(f"{channel}{suffix}" for channel in CHANNELS for suffix in ("_enabled", "_enabled_reason", "_enabled_updatetime")),
    "custom_attributes",
    "createtime",
    "updatetime",
    "tags",
)
DATA_TYPES = ("string", "integer", "timestamp", "float")
FIELD_TYPES = ("text", "select", "datetime", "checkbox")

# WoowUp rejects a whole request whose telephone has a digit, a plus sign and a digit in a row.
PLUS_INSIDE_NUMBER = re.compile(r"\d\+\d")


class BadRequestErrors(BadRequest):
    """A rejected write with one message per problem, returned as `payload.errors`."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("; ".join(errors))
        self.errors = errors


def format_time(moment: datetime) -> str:
    """Format a moment the way WoowUp stores times: UTC, `YYYY-mm-dd HH:MM:SS`."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S")


def new_customer(userapp_id: int, created: str) -> dict[str, Any]:
    """Return a customer with every field present, channels enabled and no reasons."""
    customer: dict[str, Any] = {name: None for name in CUSTOMER_FIELDS}
    customer.update(userapp_id=userapp_id, createtime=created, updatetime=created, custom_attributes={}, tags=[])
    for channel in CHANNELS:
        customer[f"{channel}_enabled"] = "enabled"
    return customer


def validate_stored_customer(raw: Any, position: str, next_id: int, created: str) -> dict[str, Any]:
    """Check a customer given in a reset and fill missing fields; an absent userapp_id gets `next_id`."""
    if not isinstance(raw, dict):
        raise BadRequest(f"{position}: a customer must be a JSON object")
    unknown = sorted(set(raw) - set(CUSTOMER_FIELDS))
    if unknown:
        raise BadRequest(f"{position}: unknown customer fields {unknown}; known fields are {list(CUSTOMER_FIELDS)}")
    userapp_id = raw.get("userapp_id", next_id)
    if isinstance(userapp_id, bool) or not isinstance(userapp_id, int) or userapp_id < 1:
        raise BadRequest(f"{position}: userapp_id must be a positive integer, got {userapp_id!r}")
    customer = new_customer(userapp_id, created)
    customer.update(copy.deepcopy(raw))
    if not isinstance(customer["custom_attributes"], dict):
        raise BadRequest(f"{position}: custom_attributes must be a JSON object")
    return customer


def validate_attribute_definition(raw: Any) -> dict[str, str]:
    """Check a custom attribute definition (`name`, `label`, `data_type`, `field_type`)."""
    if not isinstance(raw, dict):
        raise BadRequest("a custom attribute definition must be a JSON object")
    errors = []
    for key in ("name", "label"):
        if not isinstance(raw.get(key), str) or not raw[key].strip():
            errors.append(f"{key} is required and must be a non-empty string")
    if raw.get("data_type") not in DATA_TYPES:
        errors.append(f"data_type must be one of {list(DATA_TYPES)}, got {raw.get('data_type')!r}")
    if raw.get("field_type") not in FIELD_TYPES:
        errors.append(f"field_type must be one of {list(FIELD_TYPES)}, got {raw.get('field_type')!r}")
    if errors:
        raise BadRequestErrors(errors)
    return {key: raw[key] for key in ("name", "label", "data_type", "field_type")}


def _attribute_value_ok(data_type: str, value: Any) -> bool:
    if value is None:
        return True
    if data_type in ("string", "timestamp"):
        return isinstance(value, str)
    if data_type == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def validate_update(body: Any, definitions: dict[str, dict[str, str]]) -> list[str]:
    """Return every problem of a PUT /multiusers body; an empty list means it may be applied."""
    if not isinstance(body, dict):
        return ["the request body must be a JSON object"]
    errors = []
    if not any(isinstance(body.get(key), str) and body[key] != "" for key in IDENTIFIERS):
        errors.append(f"at least one identifier is required: {', '.join(IDENTIFIERS)}")
    for key in IDENTIFIERS:
        if key in body and body[key] is not None and not isinstance(body[key], str):
            errors.append(f"{key} must be a string")
    telephone = body.get("telephone")
    if isinstance(telephone, str) and PLUS_INSIDE_NUMBER.search(telephone):
        errors.append("telephone is invalid: a '+' sign between digits is not allowed")
    for channel in CHANNELS:
        value = body.get(f"{channel}_enabled")
        if f"{channel}_enabled" in body and value not in CHANNEL_VALUES:
            errors.append(f"{channel}_enabled must be 'enabled' or 'disabled', got {value!r}")
        reason = body.get(f"{channel}_enabled_reason")
        if reason is not None and not isinstance(reason, str):
            errors.append(f"{channel}_enabled_reason must be a string")
    errors.extend(_custom_attribute_errors(body.get("custom_attributes"), definitions))
    return errors


def _custom_attribute_errors(attributes: Any, definitions: dict[str, dict[str, str]]) -> list[str]:
    if attributes is None:
        return []
    if not isinstance(attributes, dict):
        return ["custom_attributes must be a JSON object"]
    errors = []
    for name, value in attributes.items():
        definition = definitions.get(name)
        if definition is None:
            errors.append(f"custom attribute {name!r} is not defined; define it with POST /account/custom-attributes")
        elif not _attribute_value_ok(definition["data_type"], value):
            errors.append(f"custom attribute {name!r} expects a {definition['data_type']} value, got {value!r}")
    return errors


def find_by_identifiers(customers: dict[int, dict[str, Any]], values: dict[str, Any]) -> tuple[dict | None, str | None]:
    """Return the first customer whose identifier equals a given one exactly, searching in IDENTIFIERS order.

    Among several customers with the same value, the lowest userapp_id wins.
    """
    for key in IDENTIFIERS:
        identifier = values.get(key)
        if not isinstance(identifier, str) or identifier == "":
            continue
        matches = [userapp_id for userapp_id, customer in customers.items() if customer.get(key) == identifier]
        if matches:
            return customers[min(matches)], key
    return None, None


def apply_update(customer: dict[str, Any], body: dict[str, Any], matched_key: str | None, now: str) -> dict[str, Any]:
    """Return a copy of `customer` with a validated PUT body applied.

    Identifiers other than `matched_key` are written as fields, even when empty or null, so a
    client that sends a second identifier may overwrite it. Read-only fields and
    `*_disabled_reason` fields are ignored, as WoowUp does. Unknown fields are ignored too.
    """
    updated = copy.deepcopy(customer)
    for key in (*IDENTIFIERS, *TEXT_FIELDS):
        if key in body and key != matched_key:
            updated[key] = body[key]
    if "tags" in body:
        updated["tags"] = body["tags"]
    for name, value in (body.get("custom_attributes") or {}).items():
        updated["custom_attributes"][name] = value
    for channel in CHANNELS:
        _apply_channel(updated, customer, body, channel, now)
    if updated != customer:
        updated["updatetime"] = now
    return updated


def _apply_channel(updated: dict, original: dict, body: dict, channel: str, now: str) -> None:
    status_key, reason_key = f"{channel}_enabled", f"{channel}_enabled_reason"
    if status_key in body:
        # Enabling or disabling takes the reason from the body, or clears it when absent.
        updated[status_key] = body[status_key]
        updated[reason_key] = body.get(reason_key)
        if body[status_key] != original.get(status_key):
            updated[f"{channel}_enabled_updatetime"] = now
    elif reason_key in body:
        updated[reason_key] = body[reason_key]


def read_form(customer: dict[str, Any], boolean_channels: bool) -> dict[str, Any]:
    """Return the customer as the API returns it; older responses carry channels as booleans."""
    response_form = copy.deepcopy(customer)
    if boolean_channels:
        for channel in CHANNELS:
            value = response_form.get(f"{channel}_enabled")
            if value in CHANNEL_VALUES:
                response_form[f"{channel}_enabled"] = value == "enabled"
    return response_form

"""Explicit pyarrow schemas of every snapshot dataset, each with a schema version in its metadata."""

from __future__ import annotations

from collections.abc import Sequence

import pyarrow as pa

from optin_sync.settings import CHANNELS

SCHEMA_VERSION = "1"
UTC_SECONDS = pa.timestamp("us", tz="UTC")


def _versioned(name: str, fields: list[pa.Field]) -> pa.Schema:
    return pa.schema(fields, metadata={"dataset": name, "schema_version": SCHEMA_VERSION})


def vtex_profiles(phone_fields: Sequence[str]) -> pa.Schema:
    fields = [pa.field("profile_id", pa.string(), nullable=False)]
    names = ["email", "document", "documentType", "firstName", "lastName", *phone_fields, "isNewsletterOptIn",
             "createdIn", "updatedIn"]
    fields += [pa.field(name, pa.string()) for name in dict.fromkeys(names)]
    fields += [
        pa.field("opt_in_status", pa.string()),
        pa.field("evidence_time", UTC_SECONDS),
        pa.field("new_evidence", pa.bool_()),
    ]
    return _versioned("vtex_profiles", fields)


def woowup_customers() -> pa.Schema:
    fields = [pa.field("userapp_id", pa.int64())]
    fields += [pa.field(name, pa.string()) for name in
               ("service_uid", "email", "telephone", "document", "first_name", "last_name")]
    for channel in CHANNELS:
        fields += [
            pa.field(f"{channel}_enabled", pa.string()),
            pa.field(f"{channel}_enabled_raw", pa.string()),
            pa.field(f"{channel}_enabled_reason", pa.string()),
            pa.field(f"{channel}_enabled_updatetime", pa.string()),
            pa.field(f"{channel}_updated_at", UTC_SECONDS),
        ]
    fields.append(pa.field("opt_in_vtex", pa.string()))
    return _versioned("woowup_customers", fields)


MATCH_KEYS = _versioned("match_keys", [
    pa.field("side", pa.string(), nullable=False),
    pa.field("record_id", pa.string(), nullable=False),
    pa.field("key_type", pa.string(), nullable=False),
    pa.field("key", pa.string(), nullable=False),
    pa.field("field", pa.string(), nullable=False),
])

QUARANTINE = _versioned("quarantine", [
    pa.field("side", pa.string(), nullable=False),
    pa.field("record_id", pa.string()),
    pa.field("field", pa.string()),
    pa.field("cause", pa.string(), nullable=False),
    pa.field("raw_value", pa.string()),
])

DECISIONS = _versioned("decisions", [
    pa.field("userapp_id", pa.int64(), nullable=False),
    pa.field("channel", pa.string(), nullable=False),
    pa.field("current_state", pa.string()),
    pa.field("current_reason", pa.string()),
    pa.field("current_updatetime", pa.string()),
    pa.field("desired_state", pa.string()),
    pa.field("outcome", pa.string(), nullable=False),
    pa.field("winning_profile_id", pa.string()),
    pa.field("evidence_time", UTC_SECONDS),
    pa.field("opt_in_status", pa.string()),
    pa.field("new_evidence", pa.bool_()),
    pa.field("matched_by", pa.string()),
    pa.field("conflict", pa.bool_()),
    pa.field("profile_count", pa.int64()),
])

PLANNED_WRITES = _versioned("planned_writes", [
    pa.field("userapp_id", pa.int64(), nullable=False),
    pa.field("target_field", pa.string()),
    pa.field("target_value", pa.string()),
    pa.field("channels_enabled", pa.string()),
    pa.field("channels_disabled", pa.string()),
    pa.field("opt_in_vtex", pa.string()),
    pa.field("body", pa.string()),
    pa.field("priority", pa.int64()),
    pa.field("status", pa.string(), nullable=False),
])

WRITE_RESULTS = _versioned("write_results", [
    pa.field("userapp_id", pa.int64(), nullable=False),
    pa.field("result", pa.string(), nullable=False),
    pa.field("http_status", pa.int64()),
    pa.field("attempts", pa.int64()),
    pa.field("errors", pa.string()),
    pa.field("finished_at", UTC_SECONDS),
])

CONSENT_LEDGER = _versioned("consent_ledger", [
    pa.field("profile_id", pa.string(), nullable=False),
    pa.field("evidence_time", UTC_SECONDS),
    pa.field("opt_in", pa.bool_()),
    # Not named run_id: that name is the partition column, and a reader would see two of them.
    pa.field("observed_run_id", pa.string()),
])

MATCHES = _versioned("matches", [
    pa.field("userapp_id", pa.int64(), nullable=False),
    pa.field("profile_id", pa.string(), nullable=False),
    pa.field("key_type", pa.string(), nullable=False),
])

REVERTS = _versioned("reverts", [
    pa.field("reverted_run_id", pa.string(), nullable=False),
    pa.field("userapp_id", pa.int64(), nullable=False),
    pa.field("channel", pa.string(), nullable=False),
    pa.field("written_state", pa.string()),
    pa.field("restore_state", pa.string()),
    pa.field("current_state", pa.string()),
    pa.field("action", pa.string(), nullable=False),
    pa.field("why", pa.string()),
    pa.field("result", pa.string()),
    pa.field("http_status", pa.int64()),
])

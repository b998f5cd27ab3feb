"""The join, decisions and diff of the planning step, once with the library's pandas code and once in DuckDB SQL.

Both start from the same keyed inputs: the match keys of both sides (as `build_keys` returns them), the VTEX
profiles' opt-in facts, and the WoowUp customers with unique ids. Both drop shared keys, match, pick each
channel's winning profile, apply the consent rules, choose the `opt_in_vtex` value, pick target identifiers,
build the write bodies and apply the write budget. `tests/unit/benchmarks/test_transform_reference.py` checks
that they give the same decisions and writes, so that timing one against the other compares equal work.

NOTE: the SQL folds reasons with `lower(trim(...))`, where the pandas rule uses Python's `strip` and `casefold`.
They differ only for reasons with non-space whitespace at the ends or characters such as `ß`, which the
generated worlds do not contain.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import pandas as pd
import pyarrow as pa

from optin_sync.consent.decisions import decide, desired_opt_in_attribute
from optin_sync.identity.matching import KeySet, build_keys, drop_shared_keys, match
from optin_sync.plan.writes import Plan, build_plan
from optin_sync.quality.guard import measure
from optin_sync.settings import CHANNELS, ChannelScope, Settings
from optin_sync.sources.woowup import IDENTIFIER_FIELDS

DECISION_COLUMNS = ["userapp_id", "channel", "winning_profile_id", "opt_in_status", "evidence_time", "new_evidence",
                    "matched_by", "conflict", "profile_count", "current_state", "current_reason",
                    "current_updatetime", "desired_state", "outcome"]
WRITE_COLUMNS = ["userapp_id", "target_field", "target_value", "channels_enabled", "channels_disabled",
                 "opt_in_vtex", "body", "priority", "status"]


@dataclass(frozen=True)
class KeyedInputs:
    """Inputs of both engines: both sides' keys, the profiles' facts and the customers."""

    profile_keys: KeySet
    customer_keys: KeySet
    facts: pd.DataFrame
    customers: pd.DataFrame


def keyed_inputs(profiles: pd.DataFrame, customers: pd.DataFrame, settings: Settings) -> KeyedInputs:
    """Key both sides as the planning step does; `customers` must already have unique, present ids."""
    profile_keys = build_keys(profiles, id_column="profile_id", email_fields=["email"],
                              phone_fields=settings.phone_fields, side="vtex", settings=settings)
    customer_keys = build_keys(customers.astype({"userapp_id": "string"}), id_column="userapp_id",
                               email_fields=["email"], phone_fields=["telephone"], side="woowup", settings=settings)
    return KeyedInputs(profile_keys, customer_keys, profiles.rename(columns={"opt_in_status": "status"}), customers)


def pandas_plan(keyed: KeyedInputs, settings: Settings, *, full_refresh: bool) -> Plan:
    """Run the library's join, decisions and diff, in the order `plan_frames` calls them."""
    profile_keys, customer_keys = drop_shared_keys(keyed.profile_keys, keyed.customer_keys,
                                                   settings.max_customers_per_key)
    pairs = match(profile_keys, customer_keys)
    decisions = decide(keyed.customers, keyed.facts, pairs, settings)
    attribute = desired_opt_in_attribute(decisions, pairs, keyed.facts)
    plan = build_plan(decisions, keyed.customers, attribute, max_writes=settings.max_writes_per_run,
                      full_refresh=full_refresh)
    measure(plan.decisions, max_disable_ratio=settings.max_disable_ratio, max_enable_ratio=settings.max_enable_ratio,
            min_guard_count=settings.min_guard_count, allow_mass_change=False)
    return plan


def duckdb_plan(keyed: KeyedInputs, settings: Settings, *, full_refresh: bool, threads: int | None = None,
                memory_limit: str = "6GB") -> tuple[pd.DataFrame, pd.DataFrame]:
    """Run the same logic in DuckDB; return the decisions and the writes as pandas frames."""
    connection = duckdb.connect(config={"memory_limit": memory_limit})
    if threads is not None:
        connection.execute(f"SET threads = {int(threads)}")
    # The frames are copied into DuckDB tables once, as part of the measured work.
    inputs = {"profile_keys": keyed.profile_keys.keys, "customer_keys": keyed.customer_keys.keys,
              "facts": keyed.facts[["profile_id", "status", "evidence_time", "new_evidence"]],
              "customers": keyed.customers}
    for name, frame in inputs.items():
        connection.register(f"{name}_frame", pa.Table.from_pandas(frame, preserve_index=False))
        connection.execute(f"CREATE TEMP TABLE {name} AS SELECT * FROM {name}_frame")
        connection.unregister(f"{name}_frame")

    for statement in _statements(settings, full_refresh=full_refresh):
        connection.execute(statement)
    # Through Arrow, so that strings stay Arrow strings in pandas, as in the library's frames.
    decisions = connection.sql("SELECT * FROM final_decisions ORDER BY userapp_id, channel").to_arrow_table()
    writes = connection.sql("SELECT * FROM final_writes ORDER BY priority, userapp_id").to_arrow_table()
    connection.execute("SELECT * FROM guard").fetchall()
    connection.close()
    return decisions.to_pandas(), writes.to_pandas()


def _channels_sql(scope: ChannelScope) -> str:
    key_types = {"mailing": "email", "sms": "phone", "whatsapp": "phone"}
    if scope is ChannelScope.MATCHED:
        rows = ", ".join(f"('{channel}', '{key_types[channel]}')" for channel in CHANNELS)
    else:
        rows = ", ".join(f"('{channel}', key_type)" for channel in CHANNELS for key_type in ("email", "phone"))
    return f"SELECT * FROM (VALUES {rows}) AS channel_keys(channel, key_type)"


def _state_sql() -> str:
    parts = [f"""SELECT userapp_id, '{channel}' AS channel, {channel}_enabled AS current_state,
                    {channel}_enabled_reason AS current_reason, {channel}_enabled_updatetime AS current_updatetime,
                    {channel}_updated_at AS current_updated_at FROM customers""" for channel in CHANNELS]
    return " UNION ALL ".join(parts)


def _target_sql() -> str:
    """Return the SQL of each customer's target: the first of service_uid, email, document and phone it alone holds."""
    usable = {field: f"({field} IS NOT NULL AND trim({field}) <> ''"
                     + (r" AND NOT regexp_matches(telephone, '\d\+\d'))" if field == "telephone" else ")")
              for field in IDENTIFIER_FIELDS}
    counts = " ".join(f"""LEFT JOIN (SELECT {field}, count(*) AS {field}_count FROM customers WHERE {usable[field]}
                                   GROUP BY {field}) USING ({field})""" for field in IDENTIFIER_FIELDS)
    unique = {field: f"({usable[field]} AND {field}_count = 1)" for field in IDENTIFIER_FIELDS}
    field_case = " ".join(f"WHEN {unique[field]} THEN '{field}'" for field in IDENTIFIER_FIELDS)
    value_case = " ".join(f"WHEN {unique[field]} THEN {field}" for field in IDENTIFIER_FIELDS)
    return f"""
        SELECT userapp_id, CASE {field_case} END AS target_field, CASE {value_case} END AS target_value
        FROM customers {counts}"""


def _statements(settings: Settings, *, full_refresh: bool) -> list[str]:
    consent_channels = ", ".join(f"'{channel}'" for channel in settings.consent_channels) or "NULL"
    respect = "TRUE" if settings.respect_newer_crm_changes else "FALSE"
    refresh = "TRUE" if full_refresh else "FALSE"
    return [
        # Keys held by more than max_customers_per_key records on either side are dropped.
        f"""CREATE TEMP TABLE shared AS
            SELECT DISTINCT key_type, key FROM (
                SELECT key_type, key FROM profile_keys GROUP BY ALL
                HAVING count(DISTINCT record_id) > {settings.max_customers_per_key}
                UNION ALL
                SELECT key_type, key FROM customer_keys GROUP BY ALL
                HAVING count(DISTINCT record_id) > {settings.max_customers_per_key})""",
        """CREATE TEMP TABLE pairs AS
            SELECT DISTINCT CAST(c.record_id AS BIGINT) AS userapp_id, p.record_id AS profile_id, c.key_type
            FROM customer_keys c JOIN profile_keys p USING (key_type, key)
            WHERE NOT EXISTS (SELECT 1 FROM shared s WHERE s.key_type = c.key_type AND s.key = c.key)""",
        # Every candidate profile of a customer channel, ranked: known first, latest evidence, refusal, lowest id.
        f"""CREATE TEMP TABLE candidates AS
            WITH labels AS (
                SELECT userapp_id, profile_id,
                       CASE WHEN bool_or(key_type = 'email') AND bool_or(key_type = 'phone') THEN 'email+phone'
                            WHEN bool_or(key_type = 'email') THEN 'email' ELSE 'phone' END AS matched_by
                FROM pairs GROUP BY ALL)
            SELECT DISTINCT p.userapp_id, p.profile_id, k.channel, l.matched_by
            FROM pairs p JOIN ({_channels_sql(settings.channel_scope)}) k USING (key_type)
                 JOIN labels l USING (userapp_id, profile_id)""",
        """CREATE TEMP TABLE winners AS
            WITH facts_of AS (
                SELECT c.*, f.status, f.evidence_time, f.new_evidence,
                       f.status IN ('consent', 'refusal') AS known
                FROM candidates c LEFT JOIN facts f USING (profile_id))
            SELECT userapp_id, channel,
                   first(profile_id ORDER BY known DESC, evidence_time DESC NULLS LAST,
                         (status = 'refusal') DESC NULLS LAST, profile_id) AS winning_profile_id,
                   first(CASE WHEN known THEN status END ORDER BY known DESC, evidence_time DESC NULLS LAST,
                         (status = 'refusal') DESC NULLS LAST, profile_id) AS known_status,
                   first(evidence_time ORDER BY known DESC, evidence_time DESC NULLS LAST,
                         (status = 'refusal') DESC NULLS LAST, profile_id) AS evidence_time,
                   first(new_evidence ORDER BY known DESC, evidence_time DESC NULLS LAST,
                         (status = 'refusal') DESC NULLS LAST, profile_id) AS new_evidence,
                   first(matched_by ORDER BY known DESC, evidence_time DESC NULLS LAST,
                         (status = 'refusal') DESC NULLS LAST, profile_id) AS matched_by,
                   count(*) AS profile_count,
                   coalesce(bool_or(status = 'consent') AND bool_or(status = 'refusal'), FALSE) AS conflict,
                   coalesce(bool_or(status = 'invalid'), FALSE) AS any_invalid
            FROM facts_of GROUP BY userapp_id, channel""",
        f"""CREATE TEMP TABLE decisions AS
            WITH statused AS (
                SELECT userapp_id, channel, winning_profile_id,
                       coalesce(known_status, CASE WHEN any_invalid THEN 'invalid' ELSE 'unknown' END)
                           AS opt_in_status,
                       evidence_time, coalesce(new_evidence, FALSE) AS new_evidence, matched_by, conflict,
                       profile_count
                FROM winners),
            joined AS (
                SELECT w.*, s.current_state, s.current_reason, s.current_updatetime, s.current_updated_at,
                       CASE w.opt_in_status WHEN 'consent' THEN 'enabled' WHEN 'refusal' THEN 'disabled' END
                           AS would_be
                FROM statused w LEFT JOIN ({_state_sql()}) s USING (userapp_id, channel)),
            judged AS (
                SELECT *,
                    CASE
                        WHEN current_reason IS NOT NULL AND lower(trim(current_reason)) NOT IN ('', 'other')
                            THEN 'protected'
                        WHEN opt_in_status = 'unknown' OR opt_in_status IS NULL THEN 'unknown_opt_in'
                        WHEN opt_in_status = 'invalid' THEN 'invalid_opt_in'
                        WHEN NOT new_evidence THEN 'no_new_evidence'
                        WHEN coalesce(current_state = would_be, FALSE) THEN 'unchanged'
                        WHEN would_be = 'enabled' AND channel NOT IN ({consent_channels}) THEN 'not_a_consent_channel'
                        WHEN {respect} AND current_updated_at IS NOT NULL AND evidence_time IS NOT NULL
                             AND current_updated_at > evidence_time THEN 'newer_in_crm'
                        WHEN would_be = 'enabled' THEN 'enable'
                        WHEN would_be = 'disabled' THEN 'disable'
                        ELSE 'unknown_opt_in'
                    END AS outcome
                FROM joined)
            SELECT *, CASE WHEN outcome = 'not_a_consent_channel' THEN NULL ELSE would_be END AS desired_state
            FROM judged""",
        # opt_in_vtex: the mailing winner where an email matched and its value is known, else the overall winner.
        """CREATE TEMP TABLE attribute AS
            WITH overall AS (
                SELECT userapp_id, profile_id, status, new_evidence FROM (
                    SELECT p.userapp_id, p.profile_id, f.status, f.new_evidence,
                           row_number() OVER (PARTITION BY p.userapp_id
                                              ORDER BY f.status IN ('consent', 'refusal') DESC,
                                                       f.evidence_time DESC NULLS LAST,
                                                       (f.status = 'refusal') DESC NULLS LAST, p.profile_id)
                               AS position
                    FROM (SELECT DISTINCT userapp_id, profile_id FROM pairs) p LEFT JOIN facts f USING (profile_id))
                WHERE position = 1),
            mailing AS (
                SELECT userapp_id, opt_in_status AS status, new_evidence FROM decisions
                WHERE channel = 'mailing' AND opt_in_status IN ('consent', 'refusal')
                  AND userapp_id IN (SELECT userapp_id FROM pairs WHERE key_type = 'email')),
            chosen AS (
                SELECT * FROM mailing
                UNION ALL
                SELECT userapp_id, status, new_evidence FROM overall
                WHERE userapp_id NOT IN (SELECT userapp_id FROM mailing))
            SELECT userapp_id, CASE status WHEN 'consent' THEN 'True' ELSE 'False' END AS desired_opt_in_vtex,
                   coalesce(new_evidence, FALSE) AS attribute_new_evidence
            FROM chosen WHERE status IN ('consent', 'refusal')""",
        f"""CREATE TEMP TABLE attribute_changes AS
            SELECT a.userapp_id, a.desired_opt_in_vtex AS opt_in_vtex
            FROM attribute a JOIN customers c USING (userapp_id)
            WHERE (a.attribute_new_evidence OR {refresh})
              AND a.desired_opt_in_vtex IS DISTINCT FROM coalesce(c.opt_in_vtex, '')""",
        f"""CREATE TEMP TABLE changes AS
            WITH channel_changes AS (
                SELECT userapp_id,
                       string_agg(channel, ',' ORDER BY channel) FILTER (desired_state = 'enabled') AS enabled,
                       string_agg(channel, ',' ORDER BY channel) FILTER (desired_state = 'disabled') AS disabled,
                       list(struct_pack(channel := channel, state := desired_state)) AS channel_list
                FROM decisions WHERE outcome IN ('enable', 'disable') GROUP BY userapp_id),
            changed AS (
                SELECT userapp_id, coalesce(c.enabled, '') AS channels_enabled,
                       coalesce(c.disabled, '') AS channels_disabled, a.opt_in_vtex, c.channel_list
                FROM channel_changes c FULL JOIN attribute_changes a USING (userapp_id))
            SELECT changed.*, t.target_field, t.target_value,
                   CASE WHEN channels_disabled <> '' THEN 0 WHEN channels_enabled <> '' THEN 1 ELSE 2 END AS priority
            FROM changed JOIN ({_target_sql()}) t USING (userapp_id)""",
        # The body as json.dumps(..., ensure_ascii=False, sort_keys=True) writes it.
        """CREATE TEMP TABLE bodies AS
            WITH fields AS (
                SELECT userapp_id, target_field AS name, to_json(target_value)::VARCHAR AS value FROM changes
                UNION ALL
                SELECT userapp_id, item.channel || '_enabled', to_json(item.state)::VARCHAR
                FROM (SELECT userapp_id, unnest(channel_list) AS item FROM changes)
                UNION ALL
                SELECT userapp_id, item.channel || '_enabled_reason', '"other"'
                FROM (SELECT userapp_id, unnest(channel_list) AS item FROM changes) WHERE item.state = 'disabled'
                UNION ALL
                SELECT userapp_id, 'custom_attributes', '{"opt_in_vtex": ' || to_json(opt_in_vtex)::VARCHAR || '}'
                FROM changes WHERE opt_in_vtex IS NOT NULL)
            SELECT userapp_id, '{' || string_agg(to_json(name)::VARCHAR || ': ' || value, ', ' ORDER BY name) || '}'
                AS body
            FROM fields GROUP BY userapp_id""",
        f"""CREATE TEMP TABLE final_writes AS
            WITH statused AS (
                SELECT c.*, b.body,
                       CASE WHEN c.target_field IS NULL THEN 'ambiguous_identifier' ELSE 'planned' END AS first_status
                FROM changes c LEFT JOIN bodies b USING (userapp_id)),
            budgeted AS (
                SELECT *, sum(CASE WHEN first_status = 'planned' THEN 1 ELSE 0 END)
                              OVER (ORDER BY priority, userapp_id ROWS UNBOUNDED PRECEDING) AS planned_so_far
                FROM statused)
            SELECT userapp_id, target_field, target_value, channels_enabled, channels_disabled, opt_in_vtex,
                   CASE WHEN target_field IS NULL THEN NULL ELSE body END AS body, priority,
                   CASE WHEN first_status = 'planned' AND planned_so_far > {settings.max_writes_per_run}
                        THEN 'deferred' ELSE first_status END AS status
            FROM budgeted""",
        """CREATE TEMP TABLE final_decisions AS
            SELECT d.* REPLACE (
                CASE WHEN d.outcome IN ('enable', 'disable') AND w.status IN ('ambiguous_identifier', 'deferred')
                     THEN w.status ELSE d.outcome END AS outcome)
            FROM decisions d LEFT JOIN final_writes w USING (userapp_id)""",
        """CREATE TEMP TABLE guard AS
            SELECT count(DISTINCT userapp_id) FILTER (
                       current_reason IS NULL OR lower(trim(current_reason)) IN ('', 'other')) AS writable,
                   count(DISTINCT userapp_id) FILTER (
                       outcome IN ('enable', 'disable', 'deferred') AND desired_state = 'disabled') AS disabling,
                   count(DISTINCT userapp_id) FILTER (
                       outcome IN ('enable', 'disable', 'deferred') AND desired_state = 'enabled') AS enabling
            FROM final_decisions""",
    ]

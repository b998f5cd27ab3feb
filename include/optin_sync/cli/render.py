"""Render a run summary as a table for the terminal, in the language of a message catalogue."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from optin_sync.consent import outcomes as o
from optin_sync.settings import CHANNELS

OUTCOME_WIDTH = 22
CHANNEL_WIDTH = 10
INCOMPLETE = "incomplete"


def render_summary(summary: dict[str, Any], messages: dict[str, str]) -> str:
    """Render ``summary`` with the labels of ``messages``.

    An ``incomplete`` summary contains only the run's context, so only the context and the status are shown.
    """
    lines = context_lines(summary, messages)
    if summary.get("status") == INCOMPLETE:
        lines += ["", messages["incomplete_note"]]
        return "\n".join(lines)

    lines += [""] + count_lines(summary, messages)
    lines += [""] + outcome_table(summary.get("outcomes", {}), messages)
    lines += [""] + write_lines(summary, messages)
    return "\n".join(lines)


def label_lines(pairs: list[tuple[str, str]]) -> list[str]:
    """Align ``label: value`` pairs on the widest label."""
    width = max(len(label) for label, _ in pairs) + 1
    return [f"{label + ':':<{width}} {value}" for label, value in pairs]


def local_window(window: dict[str, str]) -> str:
    """Show the window's bounds in its own time zone, or as stored when they cannot be converted."""
    start, end, tz_name = window.get("start", "?"), window.get("end", "?"), window.get("timezone", "")
    try:
        tz = ZoneInfo(tz_name)
        start = datetime.fromisoformat(start).astimezone(tz).isoformat(timespec="minutes")
        end = datetime.fromisoformat(end).astimezone(tz).isoformat(timespec="minutes")
    except (ValueError, TypeError, ZoneInfoNotFoundError):
        pass
    return f"{start} .. {end} ({tz_name})" if tz_name else f"{start} .. {end}"


def context_lines(summary: dict[str, Any], messages: dict[str, str]) -> list[str]:
    status = str(summary.get("status", "?"))
    description = messages.get(f"status.{status}", messages["status.unknown"])
    return label_lines([
        (messages["run"], str(summary.get("run_id", "?"))),
        (messages["run_date"], str(summary.get("run_date", "?"))),
        (messages["window"], local_window(summary.get("window", {}))),
        (messages["dry_run"], messages["yes"] if summary.get("dry_run") else messages["no"]),
        (messages["status"], f"{status} ({description})"),
    ])


def count_lines(summary: dict[str, Any], messages: dict[str, str]) -> list[str]:
    profiles = summary.get("profiles", {})
    breakdown = messages["profiles_breakdown"].format(**{
        name: profiles.get(name, 0) for name in ("consent", "refusal", "unknown", "invalid", "new_evidence")
    })
    return label_lines([
        (messages["profiles_in_window"], f"{profiles.get('in_window', 0)} ({breakdown})"),
        (messages["customers"], str(summary.get("customers", 0))),
        (messages["matched_customers"], str(summary.get("matched_customers", 0))),
    ])


def outcome_table(outcomes: dict[str, dict[str, int]], messages: dict[str, str]) -> list[str]:
    """Tabulate the counts per outcome code and channel, with each code's description beside it."""
    channels = [channel for channel in CHANNELS if channel in outcomes]
    channels += sorted(channel for channel in outcomes if channel not in CHANNELS)
    description_width = max(len(messages[f"outcome.{name}"]) for name in o.SUMMARY_COUNTS)

    def row(name: str) -> str:
        counts = "".join(f"{outcomes[channel].get(name, 0):>{CHANNEL_WIDTH}}" for channel in channels)
        return f"{name:<{OUTCOME_WIDTH}}{messages[f'outcome.{name}']:<{description_width}}{counts}"

    header = (f"{messages['column_outcome']:<{OUTCOME_WIDTH}}{messages['column_description']:<{description_width}}"
              + "".join(f"{channel:>{CHANNEL_WIDTH}}" for channel in channels))
    lines = [messages["outcomes_heading"], header]
    lines += [row(name) for name in o.ALL_OUTCOMES]
    lines.append(messages["also_counted_heading"])
    lines += [row(name) for name in (o.CONFLICT, o.UNMATCHED)]
    return lines


def format_counts(counts: dict[str, int], messages: dict[str, str]) -> str:
    if not counts:
        return messages["none"]
    return ", ".join(f"{name} {count}" for name, count in sorted(counts.items()))


def write_lines(summary: dict[str, Any], messages: dict[str, str]) -> list[str]:
    """List planned writes, their results, the guard's measures, gate failures and quarantine causes."""
    pairs = [
        (messages["writes"], format_counts(summary.get("writes", {}), messages)),
        (messages["write_results"], format_counts(summary.get("write_results", {}), messages)),
    ]
    guard = summary.get("guard")
    if guard:
        pairs.append((messages["guard"], guard_detail(guard, messages)))
    if "ledger_held_back_profiles" in summary:
        pairs.append((messages["ledger_held_back"], str(summary["ledger_held_back_profiles"])))
    for side, causes in sorted(summary.get("causes", {}).items()):
        pairs.append((messages["causes"].format(side=side), format_counts(causes, messages)))
    lines = label_lines(pairs)

    failures = summary.get("gate_failures") or []
    if failures:
        lines.append(f"{messages['gate_failures']}:")
        lines += [f"  - {failure}" for failure in failures]
    return lines


def guard_detail(guard: dict[str, Any], messages: dict[str, str]) -> str:
    return messages["guard_detail"].format(
        enabling=guard.get("enabling_customers", 0),
        disabling=guard.get("disabling_customers", 0),
        writable=guard.get("writable_customers", 0),
        enable_ratio=float(guard.get("enable_ratio", 0.0)),
        disable_ratio=float(guard.get("disable_ratio", 0.0)),
        max_enable_ratio=float(guard.get("max_enable_ratio", 0.0)),
        max_disable_ratio=float(guard.get("max_disable_ratio", 0.0)),
        min_guard_count=guard.get("min_guard_count", 0),
        tripped=messages["yes"] if guard.get("tripped") else messages["no"],
        overridden=messages["yes"] if guard.get("overridden") else messages["no"],
    )

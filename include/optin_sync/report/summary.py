"""The run summary: counts per outcome and channel, key rejections, guard and write results."""

from __future__ import annotations

from typing import Any

import pandas as pd

from optin_sync.consent import outcomes as o
from optin_sync.consent.decisions import channel_candidates
from optin_sync.settings import CHANNELS, ChannelScope


def outcome_counts(decisions: pd.DataFrame, profiles: pd.DataFrame, pairs: pd.DataFrame,
                   scope: ChannelScope) -> dict[str, dict[str, int]]:
    """Return ``{channel: {count name: n}}`` with every outcome, conflicts and unmatched profiles."""
    candidates = channel_candidates(pairs, scope) if len(pairs) else pd.DataFrame(columns=["channel", "profile_id"])
    counts: dict[str, dict[str, int]] = {}
    for channel in CHANNELS:
        rows = decisions[decisions["channel"] == channel]
        per_outcome = rows["outcome"].value_counts()
        channel_counts = {name: int(per_outcome.get(name, 0)) for name in o.ALL_OUTCOMES}
        channel_counts[o.CONFLICT] = int(rows["conflict"].fillna(False).astype(bool).sum())
        deciding = set(candidates.loc[candidates["channel"] == channel, "profile_id"])
        channel_counts[o.UNMATCHED] = int((~profiles["profile_id"].isin(deciding)).sum())
        counts[channel] = channel_counts
    return counts


def cause_counts(quarantine: pd.DataFrame) -> dict[str, dict[str, int]]:
    """Return ``{side: {cause: n}}`` for rejected keys and quarantined rows."""
    result: dict[str, dict[str, int]] = {}
    for (side, cause), size in quarantine.groupby(["side", "cause"]).size().items():
        result.setdefault(str(side), {})[str(cause)] = int(size)
    return result


def build_summary(*, context: dict, decisions: pd.DataFrame, profiles: pd.DataFrame, customers_count: int,
                  pairs: pd.DataFrame, quarantine: pd.DataFrame, writes: pd.DataFrame, results: pd.DataFrame | None,
                  guard: dict, scope: ChannelScope, snapshot_paths: dict[str, str]) -> dict[str, Any]:
    statuses = profiles["opt_in_status"].value_counts()
    write_results = results["result"].value_counts().to_dict() if results is not None else {}
    failed = int(write_results.get("failed", 0)) + int(write_results.get("created", 0))
    return {
        **context,
        "status": "failed_writes" if failed else "ok",
        "profiles": {
            "in_window": int(len(profiles)),
            "consent": int(statuses.get("consent", 0)),
            "refusal": int(statuses.get("refusal", 0)),
            "unknown": int(statuses.get("unknown", 0)),
            "invalid": int(statuses.get("invalid", 0)),
            "new_evidence": int(profiles["new_evidence"].fillna(False).astype(bool).sum()),
        },
        "customers": customers_count,
        "matched_customers": int(decisions["userapp_id"].nunique()),
        "outcomes": outcome_counts(decisions, profiles, pairs, scope),
        "causes": cause_counts(quarantine),
        "writes": {str(k): int(v) for k, v in writes["status"].value_counts().items()},
        "write_results": {str(k): int(v) for k, v in write_results.items()},
        "guard": guard,
        "snapshots": snapshot_paths,
    }


def render_text(summary: dict[str, Any]) -> str:
    """Render the summary as a short fixed-width table for logs and the terminal."""
    if summary.get("status") == "incomplete" or "profiles" not in summary:
        window = summary.get("window") or {}
        return (f"run {summary.get('run_id')}  date {summary.get('run_date')}  window {window.get('start')} .. "
                f"{window.get('end')}  status={summary.get('status', 'unknown')}: the run stopped before its plan "
                "was checked and sent; see the failed task's log")
    lines = [
        f"run {summary['run_id']}  date {summary['run_date']}  window {summary['window']['start']} .. "
        f"{summary['window']['end']}  dry_run={summary['dry_run']}  status={summary['status']}",
        f"profiles in window: {summary['profiles']['in_window']}  customers: {summary['customers']}  "
        f"matched customers: {summary['matched_customers']}",
        "",
        "",
        "matched customers per channel, by outcome:",
        f"{'outcome':<22}" + "".join(f"{channel:>10}" for channel in CHANNELS),
    ]
    for name in o.ALL_OUTCOMES:
        lines.append(f"{name:<22}" + "".join(f"{summary['outcomes'][c][name]:>10}" for c in CHANNELS))
    lines.append("also counted: conflict = customers whose profiles disagreed (already in an outcome above);")
    lines.append("              unmatched = profiles in the window that decided no customer on that channel")
    for name in (o.CONFLICT, o.UNMATCHED):
        lines.append(f"{name:<22}" + "".join(f"{summary['outcomes'][c][name]:>10}" for c in CHANNELS))
    lines.append("")
    lines.append(f"writes: {summary['writes']}  results: {summary['write_results']}")
    for side, causes in summary["causes"].items():
        lines.append(f"rejected keys and quarantine ({side}): {causes}")
    return "\n".join(lines)

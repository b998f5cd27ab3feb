"""Undo a run: restore the channel states it wrote, where they are unchanged since the run and not protected."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

import pandas as pd

from optin_sync.consent import outcomes as o
from optin_sync.consent.rules import is_protected
from optin_sync.errors import OptInSyncError
from optin_sync.load import journal as j
from optin_sync.plan.writes import build_body
from optin_sync.snapshots.store import RunKey, SnapshotStore
from optin_sync.sources.records import customers_frame
from optin_sync.sources.woowup import WoowUpClient

RESTORE = "restore"
SKIP = "skip"
# Causes for leaving a channel as it is.
CHANGED_SINCE = "changed_since_run"
PROTECTED = "protected"
NOT_FOUND = "customer_not_found"
NO_PREVIOUS_STATE = "no_previous_state"


class RevertUnavailable(OptInSyncError):
    """The run cannot be reverted: its snapshots, or the raw zone with the identifiers, are gone."""


@dataclass(frozen=True, slots=True)
class RevertStep:
    """One channel of one customer the run wrote, and what a revert does with it."""

    userapp_id: int
    channel: str
    written_state: str
    restore_state: str | None
    current_state: str | None
    current_reason: str | None
    action: str
    why: str | None = None


@dataclass(frozen=True, slots=True)
class RevertPlan:
    run: RunKey
    steps: list[RevertStep]
    targets: dict[int, tuple[str, str]]
    attributes: dict[int, str | None]

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame([asdict(step) for step in self.steps],
                            columns=list(RevertStep.__dataclass_fields__))

    def bodies(self) -> dict[int, dict]:
        """Return one ``PUT /multiusers`` body per customer with at least one channel to restore."""
        changes: dict[int, dict[str, str]] = {}
        for step in self.steps:
            if step.action == RESTORE:
                changes.setdefault(step.userapp_id, {})[step.channel] = step.restore_state
        bodies = {}
        for userapp_id, channel_changes in changes.items():
            field, value = self.targets[userapp_id]
            bodies[userapp_id] = build_body(field, value, channel_changes, self.attributes.get(userapp_id))
        return bodies


def _written(data_dir: Path, raw_dir: Path, run: RunKey) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    analyst, raw = SnapshotStore(data_dir), SnapshotStore(raw_dir)
    if not analyst.path("decisions", run).exists() or not analyst.path("write_results", run).exists():
        raise RevertUnavailable(f"run {run.run_id} has no decisions or write results under {data_dir}")
    if not raw.path("planned_writes", run).exists():
        raise RevertUnavailable(
            f"the raw zone of run {run.run_id} is gone (deleted after OPTIN_SYNC_RAW_RETENTION_DAYS, or never "
            f"written here): it holds the identifiers a revert writes to"
        )
    results = analyst.read("write_results", run)
    written = set(results.loc[results["result"] == j.WRITTEN, "userapp_id"])
    decisions = analyst.read("decisions", run)
    decisions = decisions[decisions["userapp_id"].isin(written) & decisions["outcome"].isin([o.ENABLE, o.DISABLE])]
    writes = raw.read("planned_writes", run)
    writes = writes[writes["userapp_id"].isin(written)]
    customers = analyst.read("woowup_customers", run)[["userapp_id", "opt_in_vtex"]]
    return decisions, writes, customers


async def plan_revert(data_dir: Path, raw_dir: Path, run: RunKey, client: WoowUpClient) -> RevertPlan:
    """Re-read every customer the run wrote and decide, channel by channel, whether its old state comes back."""
    decisions, writes, customers = _written(data_dir, raw_dir, run)
    before = dict(zip(customers["userapp_id"], customers["opt_in_vtex"], strict=False))
    steps: list[RevertStep] = []
    targets: dict[int, tuple[str, str]] = {}
    attributes: dict[int, str | None] = {}
    for write in writes.itertuples(index=False):
        userapp_id = int(write.userapp_id)
        targets[userapp_id] = (write.target_field, write.target_value)
        fresh = await client.find({write.target_field: write.target_value})
        rows = decisions[decisions["userapp_id"] == userapp_id]
        if fresh is None:
            steps += [RevertStep(userapp_id, row.channel, row.desired_state, row.current_state, None, None, SKIP,
                                 NOT_FOUND) for row in rows.itertuples(index=False)]
            continue
        now = customers_frame([fresh]).iloc[0]
        for row in rows.itertuples(index=False):
            state, reason = now[f"{row.channel}_enabled"], now[f"{row.channel}_enabled_reason"]
            state = None if pd.isna(state) else str(state)
            reason = None if pd.isna(reason) else str(reason)
            previous = None if pd.isna(row.current_state) else str(row.current_state)
            if state != row.desired_state:
                action, why = SKIP, CHANGED_SINCE
            elif bool(is_protected(pd.Series([reason])).iloc[0]):
                action, why = SKIP, PROTECTED
            elif previous is None:
                action, why = SKIP, NO_PREVIOUS_STATE
            else:
                action, why = RESTORE, None
            steps.append(RevertStep(userapp_id, row.channel, row.desired_state, previous, state, reason, action, why))
        written_attribute = write.opt_in_vtex
        current_attribute = None if pd.isna(now["opt_in_vtex"]) else str(now["opt_in_vtex"])
        previous_attribute = before.get(userapp_id)
        if (not pd.isna(written_attribute) and current_attribute == written_attribute
                and not pd.isna(previous_attribute)):
            attributes[userapp_id] = str(previous_attribute)
    return RevertPlan(run, steps, targets, attributes)


async def apply_revert(plan: RevertPlan, client: WoowUpClient) -> pd.DataFrame:
    """Send the plan's bodies; return one row per customer with the result."""
    rows = []
    for userapp_id, body in plan.bodies().items():
        outcome = await client.update(body)
        result = j.WRITTEN if outcome.succeeded and not outcome.created else (
            j.CREATED if outcome.created else j.FAILED)
        rows.append({"userapp_id": userapp_id, "result": result, "http_status": outcome.status,
                     "errors": "; ".join(outcome.errors) or None})
    return pd.DataFrame(rows, columns=["userapp_id", "result", "http_status", "errors"])

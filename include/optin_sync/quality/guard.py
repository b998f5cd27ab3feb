"""The mass-change guard: a run that would enable or disable too many customers at once stops before writing."""

from __future__ import annotations

from dataclasses import asdict, dataclass

import pandas as pd

from optin_sync.consent import outcomes as o
from optin_sync.consent.rules import is_protected

PLANNED_CHANGES = frozenset({o.ENABLE, o.DISABLE, o.DEFERRED})


@dataclass(frozen=True, slots=True)
class GuardVerdict:
    """Measurements and decision of the guard; ``tripped`` is true when the run must stop."""

    writable_customers: int
    disabling_customers: int
    enabling_customers: int
    disable_ratio: float
    enable_ratio: float
    max_disable_ratio: float
    max_enable_ratio: float
    min_guard_count: int
    tripped_disable: bool
    tripped_enable: bool
    overridden: bool

    @property
    def tripped(self) -> bool:
        return (self.tripped_disable or self.tripped_enable) and not self.overridden

    def describe(self) -> str:
        return (
            f"disable {self.disabling_customers}/{self.writable_customers}={self.disable_ratio:.2%} "
            f"(max {self.max_disable_ratio:.2%}), enable {self.enabling_customers}/{self.writable_customers}="
            f"{self.enable_ratio:.2%} (max {self.max_enable_ratio:.2%}), applies from {self.min_guard_count} customers"
        )

    def to_dict(self) -> dict:
        return {**asdict(self), "tripped": self.tripped}


def measure(
    decisions: pd.DataFrame, *, max_disable_ratio: float, max_enable_ratio: float, min_guard_count: int,
    allow_mass_change: bool,
) -> GuardVerdict:
    """Measure planned disables and enables against matched customers with at least one writable channel."""
    writable = decisions[~is_protected(decisions["current_reason"])]
    writable_customers = writable["userapp_id"].nunique()
    changes = decisions[decisions["outcome"].isin(PLANNED_CHANGES)]
    disabling = changes.loc[changes["desired_state"] == "disabled", "userapp_id"].nunique()
    enabling = changes.loc[changes["desired_state"] == "enabled", "userapp_id"].nunique()

    disable_ratio = disabling / writable_customers if writable_customers else 0.0
    enable_ratio = enabling / writable_customers if writable_customers else 0.0
    return GuardVerdict(
        writable_customers=int(writable_customers),
        disabling_customers=int(disabling),
        enabling_customers=int(enabling),
        disable_ratio=disable_ratio,
        enable_ratio=enable_ratio,
        max_disable_ratio=max_disable_ratio,
        max_enable_ratio=max_enable_ratio,
        min_guard_count=min_guard_count,
        tripped_disable=disabling >= min_guard_count and disable_ratio > max_disable_ratio,
        tripped_enable=enabling >= min_guard_count and enable_ratio > max_enable_ratio,
        overridden=allow_mass_change,
    )

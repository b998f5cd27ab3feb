"""The identity of one run, passed between tasks as a small dict with no personal data and no secret."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

from optin_sync.snapshots.store import RunKey
from optin_sync.windows import Window, safe_run_id


@dataclass(frozen=True, slots=True)
class RunContext:
    """A run's id, window and flags.

    Args:
        run_id: path-safe run id; snapshots of this run live under it.
        window: the half-open window of VTEX changes the run reads.
        full_refresh: read every profile and treat every known opt-in as new evidence.
        dry_run: plan and report, send nothing, leave the consent ledger as it is.
        allow_mass_change: let a run through the mass-change guard.
    """

    run_id: str
    window: Window
    full_refresh: bool = False
    dry_run: bool = False
    allow_mass_change: bool = False
    started_at: str = ""

    @classmethod
    def create(cls, run_id: str, window: Window, **flags: bool) -> RunContext:
        return cls(safe_run_id(run_id), window, started_at=datetime.now(timezone.utc).isoformat(), **flags)

    @property
    def key(self) -> RunKey:
        return RunKey(self.window.run_date, self.run_id)

    def to_dict(self) -> dict:
        return {
            "run_id": self.run_id,
            "run_date": self.window.run_date.isoformat(),
            "window": self.window.to_dict(),
            "full_refresh": self.full_refresh,
            "dry_run": self.dry_run,
            "allow_mass_change": self.allow_mass_change,
            "started_at": self.started_at,
        }

    @classmethod
    def from_dict(cls, data: dict) -> RunContext:
        return cls(
            run_id=data["run_id"],
            window=Window.from_dict(data["window"]),
            full_refresh=bool(data.get("full_refresh")),
            dry_run=bool(data.get("dry_run")),
            allow_mass_change=bool(data.get("allow_mass_change")),
            started_at=data.get("started_at", ""),
        )

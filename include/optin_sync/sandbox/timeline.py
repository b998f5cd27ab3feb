"""Dates of generated data: the nightly window and timestamps in VTEX's and WoowUp's formats."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

HISTORY_DAYS = 3 * 365
LOOKBACK = timedelta(hours=2)
# The nightly run is assumed to start at 02:00 local time on the anchor date.
RUN_HOUR = 2


@dataclass(frozen=True)
class Timeline:
    """The previous local day of `anchor_date` in UTC, plus the history before it and the run time."""

    anchor_date: date
    timezone_name: str
    window_start: datetime
    window_end: datetime
    run_time: datetime
    history_start: datetime

    @classmethod
    def for_anchor(cls, anchor_date: date, timezone_name: str) -> Timeline:
        zone = ZoneInfo(timezone_name)
        local_midnight = datetime.combine(anchor_date, time(0), tzinfo=zone)
        window_start = (local_midnight - timedelta(days=1)).astimezone(timezone.utc)
        window_end = local_midnight.astimezone(timezone.utc)
        return cls(
            anchor_date=anchor_date,
            timezone_name=timezone_name,
            window_start=window_start,
            window_end=window_end,
            run_time=(local_midnight + timedelta(hours=RUN_HOUR)).astimezone(timezone.utc),
            history_start=window_start - timedelta(days=HISTORY_DAYS),
        )

    def between(self, rng: random.Random, start: datetime, end: datetime) -> datetime:
        """Return a random moment in [start, end)."""
        span = max(0.0, (end - start).total_seconds())
        return start + timedelta(seconds=rng.random() * span)

    def in_window(self, rng: random.Random) -> datetime:
        return self.between(rng, self.window_start, self.window_end)

    def before_window(self, rng: random.Random, earliest: datetime | None = None) -> datetime:
        """Return a moment in history, before the extraction's lookback margin."""
        return self.between(rng, earliest or self.history_start, self.window_start - LOOKBACK - timedelta(hours=1))

    def describe(self) -> dict[str, str]:
        return {
            "anchor_date": self.anchor_date.isoformat(),
            "timezone": self.timezone_name,
            "window_start": self.window_start.isoformat().replace("+00:00", "Z"),
            "window_end": self.window_end.isoformat().replace("+00:00", "Z"),
        }


def vtex_timestamp(rng: random.Random, moment: datetime) -> str:
    """Format a moment as Master Data does, mostly with 7 fractional digits, sometimes fewer."""
    base = moment.astimezone(timezone.utc).isoformat(timespec="seconds")[:19]
    micros = f"{moment.microsecond:06d}"
    roll = rng.random()
    if roll < 0.80:
        fraction = f"{micros}{rng.randint(0, 9)}"
    elif roll < 0.92:
        fraction = micros[:3]
    elif roll < 0.97:
        fraction = micros[: rng.randint(1, 6)]
    else:
        return f"{base}Z"
    return f"{base}.{fraction}Z"


def crm_time(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).isoformat(sep=" ", timespec="seconds")[:19]

"""Run windows: which stretch of VTEX changes a run reads, and under which run date its snapshots go."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from optin_sync.errors import WindowError

UTC = timezone.utc


@dataclass(frozen=True, slots=True)
class Window:
    """A half-open window ``[start, end)`` in UTC, with the time zone that names its run date."""

    start: datetime
    end: datetime
    tz_name: str

    def __post_init__(self) -> None:
        if self.start.tzinfo is None or self.end.tzinfo is None:
            raise WindowError("window bounds must carry a time zone")
        if self.end <= self.start:
            raise WindowError(f"window end {self.end.isoformat()} is not after its start {self.start.isoformat()}")

    @property
    def run_date(self) -> date:
        """Local date of the window start: the ``run_date=`` partition of its snapshots."""
        return self.start.astimezone(ZoneInfo(self.tz_name)).date()

    def extended(self, lookback: timedelta) -> Window:
        """Return the window reaching ``lookback`` further back, for late-indexed Master Data writes."""
        return Window(self.start - lookback, self.end, self.tz_name)

    def to_dict(self) -> dict[str, str]:
        return {"start": self.start.isoformat(), "end": self.end.isoformat(), "timezone": self.tz_name}

    @classmethod
    def from_dict(cls, data: dict[str, str]) -> Window:
        return cls(parse_instant(data["start"], UTC), parse_instant(data["end"], UTC), data["timezone"])


def parse_instant(value: str | datetime, tz: ZoneInfo | timezone) -> datetime:
    """Parse an ISO 8601 time; one without an offset is read in ``tz``. Returns UTC."""
    if isinstance(value, datetime):
        moment = value
    else:
        text = value.strip()
        try:
            moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            raise WindowError(f"invalid ISO 8601 time {value!r}; expected e.g. 2026-12-03T00:00:00-03:00") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=tz)
    return moment.astimezone(UTC)


def previous_local_day(run_after: datetime, tz_name: str) -> Window:
    """Return the local calendar day before ``run_after``'s local date, as a window."""
    tz = ZoneInfo(tz_name)
    local_day = run_after.astimezone(tz).date() - timedelta(days=1)
    return local_day_window(local_day, tz_name)


def local_day_window(day: date, tz_name: str) -> Window:
    tz = ZoneInfo(tz_name)
    start = datetime.combine(day, time.min, tzinfo=tz)
    end = datetime.combine(day + timedelta(days=1), time.min, tzinfo=tz)
    return Window(start.astimezone(UTC), end.astimezone(UTC), tz_name)


def resolve_window(
    *,
    window_start: str | None,
    window_end: str | None,
    data_interval_start: datetime | None,
    data_interval_end: datetime | None,
    tz_name: str,
    run_after: datetime | None = None,
) -> Window:
    """Return a run's window: the Params when given, else the data interval, else fail loudly.

    A manual run triggered without a logical date has no data interval. Given its ``run_after``, such a run
    covers the local day before it, as a nightly run created at that moment would.
    """
    tz = ZoneInfo(tz_name)
    if window_start or window_end:
        if not (window_start and window_end):
            raise WindowError("window_start and window_end must be given together (half-open, ISO 8601)")
        return Window(parse_instant(window_start, tz), parse_instant(window_end, tz), tz_name)

    if data_interval_start is not None and data_interval_end is not None and data_interval_end > data_interval_start:
        return Window(data_interval_start.astimezone(UTC), data_interval_end.astimezone(UTC), tz_name)

    if data_interval_start is None and data_interval_end is None and run_after is not None:
        return previous_local_day(run_after, tz_name)

    raise WindowError(
        "no window: the run has no data interval and no window_start/window_end Params; "
        "trigger it with both Params or let the schedule create it"
    )


def vtex_day_bounds(window: Window) -> tuple[date, date]:
    """Return the UTC days to ask Master Data for, one day of margin on each side.

    Master Data compares dates by whole days and strictly, so the query is widened to days and the exact window
    is applied afterwards on the client.
    """
    return (window.start.date() - timedelta(days=1), window.end.date() + timedelta(days=1))


_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]+")


def safe_run_id(run_id: str) -> str:
    """Return ``run_id`` with every character that is awkward in a path replaced by ``_``."""
    cleaned = _UNSAFE.sub("_", run_id).strip("._")
    if not cleaned:
        raise WindowError(f"run id {run_id!r} has no usable characters")
    return cleaned

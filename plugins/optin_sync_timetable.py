"""The nightly timetable: each run covers the previous local calendar day and starts at a set local time."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from airflow.plugins_manager import AirflowPlugin
from airflow.timetables.base import DagRunInfo, DataInterval, Timetable
from pendulum import DateTime, instance

if TYPE_CHECKING:
    from airflow.timetables.base import TimeRestriction


def _local_midnight(moment: datetime, tz: ZoneInfo) -> datetime:
    return datetime.combine(moment.astimezone(tz).date(), time.min, tzinfo=tz)


class PreviousLocalDayTimetable(Timetable):
    """Runs once a day at ``run_at`` local time; the data interval is the whole previous local day.

    Args:
        timezone: IANA time zone of the day and of ``run_at``.
        run_at: local time of the run, ``HH:MM``.
    """

    def __init__(self, timezone: str = "America/Argentina/Buenos_Aires", run_at: str = "03:00") -> None:
        self.timezone = timezone
        self.run_at = run_at
        self._tz = ZoneInfo(timezone)
        hours, minutes = (int(part) for part in run_at.split(":"))
        self._offset = timedelta(hours=hours, minutes=minutes)
        self.description = f"Daily at {run_at} {timezone}, covering the previous local day"

    @property
    def summary(self) -> str:
        return f"daily {self.run_at} ({self.timezone})"

    def serialize(self) -> dict[str, Any]:
        return {"timezone": self.timezone, "run_at": self.run_at}

    @classmethod
    def deserialize(cls, data: dict[str, Any]) -> Timetable:
        return cls(timezone=data["timezone"], run_at=data["run_at"])

    def _interval_ending(self, day_end: datetime) -> DataInterval:
        start = datetime.combine(day_end.date() - timedelta(days=1), time.min, tzinfo=self._tz)
        return DataInterval(start=instance(start), end=instance(day_end))

    def infer_manual_data_interval(self, *, run_after: DateTime) -> DataInterval:
        return self._interval_ending(_local_midnight(run_after, self._tz))

    def next_dagrun_info(
        self, *, last_automated_data_interval: DataInterval | None, restriction: TimeRestriction
    ) -> DagRunInfo | None:
        if last_automated_data_interval is not None:
            day_end = _local_midnight(last_automated_data_interval.end, self._tz) + timedelta(days=1)
            day_end = datetime.combine(day_end.date(), time.min, tzinfo=self._tz)
        elif restriction.earliest is None:
            return None
        else:
            earliest = restriction.earliest
            if not restriction.catchup:
                earliest = max(earliest, datetime.now(self._tz) - timedelta(days=1) - self._offset)
            day_end = _local_midnight(earliest, self._tz)
            if day_end < earliest:
                day_end = datetime.combine(day_end.date() + timedelta(days=1), time.min, tzinfo=self._tz)
            # The first interval is the whole day before day_end, so it must start at or after earliest.
            if day_end - timedelta(days=1) < _local_midnight(restriction.earliest, self._tz):
                day_end = datetime.combine(day_end.date() + timedelta(days=1), time.min, tzinfo=self._tz)

        interval = self._interval_ending(day_end)
        run_after = datetime.combine(day_end.date(), time.min, tzinfo=self._tz) + self._offset
        if restriction.latest is not None and interval.start > restriction.latest:
            return None
        return DagRunInfo(run_after=instance(run_after), data_interval=interval)


class OptInSyncPlugin(AirflowPlugin):
    name = "optin_sync"
    timetables = [PreviousLocalDayTimetable]

from datetime import date, datetime, timezone

import pytest

from optin_sync.errors import WindowError
from optin_sync.windows import local_day_window, previous_local_day, resolve_window, safe_run_id, vtex_day_bounds

TZ = "America/Argentina/Buenos_Aires"
UTC = timezone.utc


def test_previous_local_day_late_evening_utc():
    window = previous_local_day(datetime(2026, 12, 4, 2, 30, tzinfo=UTC), TZ)  # 23:30 on Dec 3 in Buenos Aires
    assert window.start == datetime(2026, 12, 2, 3, tzinfo=UTC)
    assert window.run_date == date(2026, 12, 2)


def test_params_override_interval():
    window = resolve_window(window_start="2026-12-01T00:00:00", window_end="2026-12-02T00:00:00-03:00",
                            data_interval_start=datetime(2026, 1, 1, tzinfo=UTC),
                            data_interval_end=datetime(2026, 1, 2, tzinfo=UTC), tz_name=TZ)
    assert window.start == datetime(2026, 12, 1, 3, tzinfo=UTC)
    assert window.end == datetime(2026, 12, 2, 3, tzinfo=UTC)


def test_data_interval_used_without_params():
    window = resolve_window(window_start=None, window_end=None, data_interval_start=datetime(2026, 1, 1, 3, tzinfo=UTC),
                            data_interval_end=datetime(2026, 1, 2, 3, tzinfo=UTC), tz_name=TZ)
    assert window.run_date == date(2026, 1, 1)


@pytest.mark.parametrize(("start", "end"), [("2026-12-01", None), ("bad", "2026-12-02"),
                                            ("2026-12-02T00:00:00", "2026-12-01T00:00:00")])
def test_bad_params_fail(start, end):
    with pytest.raises(WindowError):
        resolve_window(window_start=start, window_end=end, data_interval_start=None, data_interval_end=None,
                       tz_name=TZ)


def test_no_window_fails_loudly():
    with pytest.raises(WindowError, match="no window"):
        resolve_window(window_start=None, window_end=None, data_interval_start=None, data_interval_end=None,
                       tz_name=TZ)


def test_vtex_days_have_margin():
    first, last = vtex_day_bounds(local_day_window(date(2026, 12, 3), TZ))
    assert (first, last) == (date(2026, 12, 2), date(2026, 12, 5))


def test_safe_run_id():
    assert safe_run_id("manual__2026-12-04T20:31:15.574162+00:00") == "manual__2026-12-04T20_31_15.574162_00_00"


def test_manual_run_without_logical_date():
    window = resolve_window(window_start=None, window_end=None, data_interval_start=None, data_interval_end=None,
                            tz_name=TZ, run_after=datetime(2026, 12, 4, 15, tzinfo=UTC))
    assert window.start == datetime(2026, 12, 3, 3, tzinfo=UTC)
    assert window.end == datetime(2026, 12, 4, 3, tzinfo=UTC)


def test_data_interval_wins_over_run_after():
    window = resolve_window(window_start=None, window_end=None, data_interval_start=datetime(2026, 1, 1, 3, tzinfo=UTC),
                            data_interval_end=datetime(2026, 1, 2, 3, tzinfo=UTC), tz_name=TZ,
                            run_after=datetime(2026, 12, 4, 15, tzinfo=UTC))
    assert window.run_date == date(2026, 1, 1)


def test_params_win_over_run_after():
    window = resolve_window(window_start="2026-11-01T00:00:00", window_end="2026-11-02T00:00:00",
                            data_interval_start=None, data_interval_end=None, tz_name=TZ,
                            run_after=datetime(2026, 12, 4, 15, tzinfo=UTC))
    assert window.run_date == date(2026, 11, 1)


def test_empty_data_interval_fails_loudly():
    moment = datetime(2026, 1, 1, 3, tzinfo=UTC)
    with pytest.raises(WindowError, match="no window"):
        resolve_window(window_start=None, window_end=None, data_interval_start=moment, data_interval_end=moment,
                       tz_name=TZ, run_after=datetime(2026, 12, 4, 15, tzinfo=UTC))

"""The run duration check of the summary step, against OPTIN_SYNC_MAX_RUN_DURATION."""

import logging
from datetime import date, datetime, timezone

from optin_sync.run.context import RunContext
from optin_sync.run.duration import check_run_duration
from optin_sync.settings import load_settings
from optin_sync.windows import local_day_window

STARTED = datetime(2026, 12, 4, 6, 0, tzinfo=timezone.utc)


def context(started_at: str = STARTED.isoformat()) -> RunContext:
    window = local_day_window(date(2026, 12, 3), "America/Argentina/Buenos_Aires")
    return RunContext("scheduled__2026-12-03", window, started_at=started_at)


def test_duration_within_limit(caplog):
    settings = load_settings(max_run_duration="PT2H")
    with caplog.at_level(logging.WARNING):
        result = check_run_duration(context(), settings, now=datetime(2026, 12, 4, 7, 30, tzinfo=timezone.utc))
    assert result == {"seconds": 5400.0, "limit_seconds": 7200.0, "exceeded": False}
    assert caplog.records == []


def test_duration_past_limit_warns(caplog):
    settings = load_settings(max_run_duration="PT1H")
    with caplog.at_level(logging.WARNING):
        result = check_run_duration(context(), settings, now=datetime(2026, 12, 4, 7, 30, tzinfo=timezone.utc))
    assert result["exceeded"] is True
    assert result["seconds"] == 5400.0
    assert "OPTIN_SYNC_MAX_RUN_DURATION" in caplog.text
    assert "run_id=scheduled__2026-12-03" in caplog.text


def test_duration_unknown_start():
    result = check_run_duration(context(started_at=""), load_settings())
    assert result == {"seconds": None, "limit_seconds": 7200.0, "exceeded": False}

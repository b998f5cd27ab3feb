"""The run's duration, measured from ``resolve_run`` to the summary, against ``OPTIN_SYNC_MAX_RUN_DURATION``.

Airflow 3 has no SLAs, so the last task checks the duration itself: past the limit it logs a warning and the run
summary records it. The run's state does not change.
"""

from __future__ import annotations

import logging
from datetime import datetime, timezone

from optin_sync.run.context import RunContext
from optin_sync.settings import Settings

log = logging.getLogger(__name__)


def check_run_duration(ctx: RunContext, settings: Settings, now: datetime | None = None) -> dict:
    """Return the run's duration and limit in seconds and whether it went past the limit; warn when it did."""
    limit = settings.max_run_duration.total_seconds()
    if not ctx.started_at:
        return {"seconds": None, "limit_seconds": limit, "exceeded": False}

    started = datetime.fromisoformat(ctx.started_at)
    seconds = round(((now or datetime.now(timezone.utc)) - started).total_seconds(), 1)
    exceeded = seconds > limit
    if exceeded:
        log.warning("run took longer than OPTIN_SYNC_MAX_RUN_DURATION run_id=%s seconds=%.0f limit_seconds=%.0f",
                    ctx.run_id, seconds, limit)
    return {"seconds": seconds, "limit_seconds": limit, "exceeded": exceeded}

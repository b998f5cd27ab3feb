"""Quality gate step: Great Expectations checks and the mass-change guard, before any write."""

from __future__ import annotations

import logging

from optin_sync.errors import QualityGateFailed
from optin_sync.quality.checks import Thresholds, run_checks, written_channels
from optin_sync.run.context import RunContext
from optin_sync.settings import Settings
from optin_sync.snapshots.zones import Zones

log = logging.getLogger(__name__)


def check_quality(ctx: RunContext, settings: Settings) -> dict:
    """Validate the run's datasets and the guard; raise ``QualityGateFailed`` naming every failure.

    A dry run reports what the guard would do without stopping, since it sends nothing.
    """
    zones = Zones(settings)
    store = zones.analyst
    decisions = zones.read("decisions", ctx.key)
    writes = zones.read("planned_writes", ctx.key)
    datasets = {
        "vtex_profiles": zones.read("vtex_profiles", ctx.key),
        "woowup_customers": zones.read("woowup_customers", ctx.key),
        "decisions": decisions,
        "planned_writes": writes[writes["status"] == "planned"],
        "written_channels": written_channels(decisions, writes),
    }
    results = run_checks(datasets, Thresholds.from_settings(settings))
    guard = store.read_json("decisions", "_guard.json", ctx.key)

    failures = [result.describe() for result in results if not result.success]
    if guard["tripped"] and not ctx.dry_run:
        failures.append(
            f"mass-change guard: disable {guard['disabling_customers']}/{guard['writable_customers']} "
            f"= {guard['disable_ratio']:.2%} (max {guard['max_disable_ratio']:.2%}), enable "
            f"{guard['enabling_customers']}/{guard['writable_customers']} = {guard['enable_ratio']:.2%} "
            f"(max {guard['max_enable_ratio']:.2%}); if the change is deliberate, trigger with allow_mass_change=true"
        )
    store.write_json("quality", "validation.json",
                     {"checks": [result.to_dict() for result in results], "guard": guard, "failures": failures},
                     ctx.key)
    if failures:
        log.error("quality gate failed failures=%d", len(failures))
        raise QualityGateFailed("quality gate failed, nothing was written: " + " | ".join(failures), failures)
    log.info("quality gate passed checks=%d guard_tripped=%s dry_run=%s", len(results), guard["tripped"], ctx.dry_run)
    return {"checks": len(results), "failed": 0, "guard_tripped": bool(guard["tripped"])}

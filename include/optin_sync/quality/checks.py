"""Great Expectations suites over the run's datasets; any failure gates the load."""

from __future__ import annotations

import logging
import os
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

import pandas as pd

from optin_sync.consent import outcomes as o
from optin_sync.consent.rules import is_protected

if TYPE_CHECKING:
    from great_expectations.expectations import Expectation

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class CheckResult:
    """One expectation's verdict on one dataset, with the value it observed."""

    dataset: str
    expectation: str
    column: str
    success: bool
    observed: Any

    def describe(self) -> str:
        return f"{self.dataset}: {self.expectation}({self.column}) observed={self.observed}"

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class Thresholds:
    """Limits of the checks that measure shares and sizes; each is a setting (see docs/settings.md).

    Args:
        min_customers: fewest WoowUp customers a run accepts; an empty or cut export hides every customer from the
            run, so no change would reach them.
        min_known_opt_in_share: least share of the window's profiles whose opt-in reads as consent or refusal; a
            renamed or emptied VTEX field shows as a drop here.
        min_rows_for_shares: share checks run only on at least this many profiles, so a quiet night with three
            profiles is not judged by percentages.
    """

    min_customers: int = 1
    min_known_opt_in_share: float = 0.5
    min_rows_for_shares: int = 50

    @classmethod
    def from_settings(cls, settings: Any) -> Thresholds:
        return cls(min_customers=settings.quality_min_customers,
                   min_known_opt_in_share=settings.quality_min_known_opt_in_share,
                   min_rows_for_shares=settings.quality_min_rows_for_shares)


KNOWN_OPT_IN = ["consent", "refusal"]


def _suites(datasets: dict[str, pd.DataFrame], limits: Thresholds) -> dict[str, list[Expectation]]:
    import great_expectations.expectations as gxe

    profile_checks = [
        gxe.ExpectColumnValuesToNotBeNull(column="profile_id"),
        gxe.ExpectColumnValuesToBeUnique(column="profile_id"),
    ]
    profiles = datasets.get("vtex_profiles")
    if profiles is not None and len(profiles) >= limits.min_rows_for_shares:
        profile_checks.append(gxe.ExpectColumnValuesToBeInSet(column="opt_in_status", value_set=KNOWN_OPT_IN,
                                                              mostly=limits.min_known_opt_in_share))
    suites = {
        "vtex_profiles": profile_checks,
        "woowup_customers": [
            gxe.ExpectTableRowCountToBeBetween(min_value=limits.min_customers),
            gxe.ExpectColumnValuesToNotBeNull(column="userapp_id"),
            gxe.ExpectColumnValuesToBeUnique(column="userapp_id"),
        ],
        "decisions": [
            gxe.ExpectColumnValuesToNotBeNull(column="userapp_id"),
            gxe.ExpectCompoundColumnsToBeUnique(column_list=["userapp_id", "channel"]),
            gxe.ExpectColumnValuesToBeInSet(column="outcome", value_set=list(o.ALL_OUTCOMES)),
        ],
        "planned_writes": [
            gxe.ExpectColumnValuesToBeUnique(column="userapp_id"),
            gxe.ExpectColumnValuesToNotBeNull(column="target_value"),
        ],
        "written_channels": [
            # The law of the product: a protected channel is never part of a write.
            gxe.ExpectColumnValuesToBeInSet(column="protected", value_set=[False]),
        ],
    }
    return {name: suite for name, suite in suites.items() if name in datasets}


def written_channels(decisions: pd.DataFrame, plan_writes: pd.DataFrame) -> pd.DataFrame:
    """Return each channel a planned write sets, with whether that channel is protected."""
    planned = plan_writes.loc[plan_writes["status"] == "planned", "userapp_id"]
    rows = decisions[decisions["userapp_id"].isin(planned) & decisions["outcome"].isin(o.WRITE_OUTCOMES)]
    return pd.DataFrame({
        "userapp_id": rows["userapp_id"],
        "channel": rows["channel"],
        "protected": is_protected(rows["current_reason"]).astype(bool),
    })


def run_checks(datasets: dict[str, pd.DataFrame], limits: Thresholds | None = None) -> list[CheckResult]:
    """Validate every dataset present in ``datasets`` against its suite and return every verdict."""
    limits = limits or Thresholds()
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    source = context.data_sources.add_pandas("optin_sync")
    results: list[CheckResult] = []
    for name, suite in _suites(datasets, limits).items():
        frame = datasets[name]
        if frame.empty:
            # GX reports nothing useful on an empty frame, so an empty input gets a verdict of its own: only a
            # minimum row count can fail on it.
            results.extend(_empty_verdict(name, e) for e in suite)
            continue
        batch = source.add_dataframe_asset(name).add_batch_definition_whole_dataframe(name).get_batch(
            batch_parameters={"dataframe": _plain(frame)}
        )
        for expectation in suite:
            verdict = batch.validate(expectation)
            results.append(CheckResult(name, type(expectation).__name__, _column(expectation),
                                       bool(verdict.success), _observed(verdict.result)))
    failed = sum(not result.success for result in results)
    log.info("quality checks done checks=%d failed=%d", len(results), failed)
    return results


def _empty_verdict(name: str, expectation: Expectation) -> CheckResult:
    minimum = getattr(expectation, "min_value", None)
    success = minimum is None or minimum <= 0
    return CheckResult(name, type(expectation).__name__, _column(expectation), success, 0 if minimum else "0 rows")


def _column(expectation: Expectation) -> str:
    column = getattr(expectation, "column", None)
    if column is None:
        column = ",".join(getattr(expectation, "column_list", []) or [])
    return str(column)


def _plain(frame: pd.DataFrame) -> pd.DataFrame:
    # GX's pandas engine handles object columns more reliably than pandas' nullable extension types.
    return frame.astype(object).where(frame.notna(), None)


def _observed(result: dict) -> Any:
    if "observed_value" in result:
        return result["observed_value"]
    return {
        "unexpected_count": result.get("unexpected_count", 0),
        "unexpected_percent": round(float(result.get("unexpected_percent") or 0.0), 4),
        "element_count": result.get("element_count"),
    }

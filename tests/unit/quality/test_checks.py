"""Great Expectations suites with thresholds from settings: which inputs pass, which fail, what each observed."""

from __future__ import annotations

import pandas as pd
import pytest

from optin_sync.quality.checks import Thresholds, run_checks
from optin_sync.settings import load_settings


def profiles(statuses: list[str | None]) -> pd.DataFrame:
    return pd.DataFrame({"profile_id": [f"p{i}" for i in range(len(statuses))],
                         "opt_in_status": pd.array(statuses, dtype="string")})


def customers(count: int) -> pd.DataFrame:
    return pd.DataFrame({"userapp_id": range(1, count + 1)})


def verdicts(results) -> dict[tuple[str, str, str], bool]:
    return {(r.dataset, r.expectation, r.column): r.success for r in results}


OPT_IN_CHECK = ("vtex_profiles", "ExpectColumnValuesToBeInSet", "opt_in_status")
ROW_COUNT = ("woowup_customers", "ExpectTableRowCountToBeBetween", "")


@pytest.mark.parametrize(("statuses", "limits", "expected"), [
    # 60 of 100 readable: passes at the default 50 %, fails when 70 % is asked.
    (["consent"] * 30 + ["refusal"] * 30 + ["unknown"] * 40, Thresholds(), True),
    (["consent"] * 30 + ["refusal"] * 30 + ["unknown"] * 40, Thresholds(min_known_opt_in_share=0.7), False),
    # A VTEX field emptied for everyone: nothing reads.
    (["unknown"] * 80, Thresholds(), False),
    # Below the minimum rows, the share is not judged at all.
    (["unknown"] * 10, Thresholds(), None),
    (["unknown"] * 10, Thresholds(min_rows_for_shares=5), False),
])
def test_known_opt_in_share(statuses, limits, expected):
    results = run_checks({"vtex_profiles": profiles(statuses)}, limits)
    assert verdicts(results).get(OPT_IN_CHECK) is expected


def test_failed_share_reports_its_observed_percentage():
    results = run_checks({"vtex_profiles": profiles(["consent"] * 20 + ["unknown"] * 80)}, Thresholds())
    failed = next(r for r in results if not r.success)
    assert failed.observed["unexpected_percent"] == 80.0
    assert "opt_in_status" in failed.describe()


@pytest.mark.parametrize(("count", "minimum", "expected"), [
    (0, 1, False),
    (1, 1, True),
    (3, 5, False),
    (0, 0, True),
])
def test_customer_count_minimum(count, minimum, expected):
    results = run_checks({"woowup_customers": customers(count)}, Thresholds(min_customers=minimum))
    assert verdicts(results)[ROW_COUNT] is expected


def test_duplicate_customer_ids_fail_with_their_count():
    frame = pd.DataFrame({"userapp_id": [1, 2, 2, 3]})
    results = run_checks({"woowup_customers": frame})
    unique = next(r for r in results if r.expectation == "ExpectColumnValuesToBeUnique")
    assert not unique.success
    assert unique.observed["unexpected_count"] == 2


def test_thresholds_come_from_settings():
    settings = load_settings(quality_min_customers=7, quality_min_known_opt_in_share=0.9,
                             quality_min_rows_for_shares=10)
    assert Thresholds.from_settings(settings) == Thresholds(7, 0.9, 10)

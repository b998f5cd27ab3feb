"""The API-cost benchmark at a small scale: the WoowUp requests of each night follow a formula, its writes are right."""

from __future__ import annotations

import pytest

from benchmarks.bench_api_cost import export_pages, measure, rows

pytestmark = pytest.mark.integration

CUSTOMERS = 2_000
# About 200 of them are saved in the window.
PROFILES = 800


@pytest.fixture(scope="module")
def nights():
    return measure(CUSTOMERS, PROFILES, late_bounces=1)


@pytest.mark.parametrize(("customers", "pages"), [(0, 1), (99, 1), (100, 2), (2_050, 21), (1_000_000, 10_001)])
def test_export_pages_formula(customers, pages):
    assert export_pages(customers) == pages


def test_index_night_pages_nothing(nights):
    assert nights.index.pages == 0


def test_index_night_finds_planned_writes(nights):
    assert nights.planned_writes > 0
    assert nights.index.finds == nights.planned_writes


def test_index_night_writes_after_recheck(nights):
    assert nights.index.writes == nights.planned_writes - nights.unchanged_on_recheck


def test_index_night_other_requests(nights):
    assert nights.index.attribute_calls == 1
    assert nights.index.other == 0


def test_index_night_client_counts_agree(nights):
    steps = nights.steps["index"]
    assert steps["woowup"]["requests"] == 0
    assert steps["load"]["requests"] == nights.index.finds + nights.index.writes


def test_full_export_pages_every_customer(nights):
    assert nights.full_export.pages == export_pages(CUSTOMERS)
    assert nights.steps["full_export"]["woowup"]["requests"] == export_pages(CUSTOMERS)


def test_full_export_short_paging_no_recheck(nights):
    # 21 pages last 9 seconds at 140 requests per minute, well within recheck_after.
    assert nights.full_export.finds == 0
    assert nights.full_export.writes == nights.planned_writes


def test_one_write_per_changed_customer(nights):
    assert nights.changed_customers == nights.planned_writes


def test_changed_customers_as_expected(nights):
    assert nights.changed_as_expected == nights.changed_customers


def test_planned_channel_writes_applied(nights):
    assert nights.writes_not_applied == 0


def test_protected_channels_untouched(nights):
    assert nights.protected_channels_written == 0


def test_customers_change_only_when_written(nights):
    assert nights.customers_changed_without_write == 0


def test_rows_meet_targets(nights):
    missed = [measure_name for measure_name, _, _, met in rows(nights) if not met]
    assert missed == []

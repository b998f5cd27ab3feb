"""The DuckDB reference of the join, decisions and diff gives the library's decisions and writes on one world."""

from __future__ import annotations

import functools

import pandas as pd
import pytest

from benchmarks.transform_reference import (
    DECISION_COLUMNS,
    WRITE_COLUMNS,
    KeyedInputs,
    duckdb_plan,
    keyed_inputs,
    pandas_plan,
)
from benchmarks.world_frames import generate_world
from optin_sync.run.planning import plan_frames, split_bad_customers
from optin_sync.settings import ChannelScope, Settings, load_settings

PROFILES = 4000
CUSTOMERS = 5000


@functools.cache
def world() -> tuple[pd.DataFrame, pd.DataFrame]:
    generated = generate_world(PROFILES, CUSTOMERS, seed=11)
    return generated.profiles, generated.customers


@functools.cache
def keyed() -> KeyedInputs:
    profiles, customers = world()
    good, _ = split_bad_customers(customers)
    return keyed_inputs(profiles, good, default_settings())


@functools.cache
def default_settings() -> Settings:
    return load_settings(data_dir="/nonexistent")


VARIANTS = {
    "defaults": {},
    "all-channels-scope": {"channel_scope": ChannelScope.ALL},
    "mailing-consent-only": {"consent_channels": ["mailing"]},
    "small-budget": {"max_writes_per_run": 40},
    "ignore-newer-crm": {"respect_newer_crm_changes": False},
    "shared-from-two": {"max_customers_per_key": 2},
}


def plain(frame: pd.DataFrame, columns: list[str]) -> list[tuple]:
    """Rows as tuples of plain values, missing values as None and times in UTC, for an exact comparison."""
    values = {}
    for name in columns:
        column = frame[name]
        if pd.api.types.is_datetime64_any_dtype(column):
            column = pd.to_datetime(column, utc=True)
        values[name] = column.astype(object).where(column.notna(), None).tolist()
    return list(zip(*(values[name] for name in columns)))


@pytest.mark.parametrize("full_refresh", [True, False], ids=["full-refresh", "window"])
@pytest.mark.parametrize("variant", list(VARIANTS))
def test_duckdb_reference_matches_pandas(variant: str, full_refresh: bool) -> None:
    settings = default_settings().model_copy(update=VARIANTS[variant])

    plan = pandas_plan(keyed(), settings, full_refresh=full_refresh)
    decisions, writes = duckdb_plan(keyed(), settings, full_refresh=full_refresh)

    expected = plan.decisions.sort_values(["userapp_id", "channel"])
    assert plain(decisions, DECISION_COLUMNS) == plain(expected, DECISION_COLUMNS)
    assert plain(writes, WRITE_COLUMNS) == plain(plan.writes, WRITE_COLUMNS)


def test_world_has_every_outcome() -> None:
    plan = pandas_plan(keyed(), default_settings(), full_refresh=True)

    outcomes = set(plan.decisions["outcome"])

    assert {"enable", "disable", "unchanged", "protected", "newer_in_crm", "unknown_opt_in"} <= outcomes
    assert len(plan.writes) > 50


def test_pandas_plan_matches_plan_frames() -> None:
    profiles, customers = world()

    result = plan_frames(profiles, customers, default_settings(), full_refresh=True)
    plan = pandas_plan(keyed(), default_settings(), full_refresh=True)

    pd.testing.assert_frame_equal(plan.decisions, result.plan.decisions)
    pd.testing.assert_frame_equal(plan.writes, result.plan.writes)


def test_world_is_reproducible() -> None:
    first = generate_world(300, 400, seed=5)
    second = generate_world(300, 400, seed=5)

    pd.testing.assert_frame_equal(first.profiles, second.profiles)
    pd.testing.assert_frame_equal(first.customers, second.customers)


def test_world_sizes_and_shapes() -> None:
    generated = generate_world(3000, 3500, seed=6)
    profiles, customers = generated.profiles, generated.customers

    assert len(profiles) == 3000
    assert len(customers) == 3500
    assert profiles["profile_id"].is_unique
    assert customers["userapp_id"].is_unique
    assert profiles["email"].str.contains("@ct.vtex.com.br", regex=False).any()
    assert profiles["phone"].str.startswith("+54 9 ").any()
    assert customers["telephone"].str.startswith("+549").any()
    assert set(profiles["opt_in_status"].dropna()) == {"consent", "refusal", "unknown"}

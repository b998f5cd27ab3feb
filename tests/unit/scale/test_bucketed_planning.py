"""The bucketed plan equals the single-process plan on generated worlds, and its files route every record once."""

from __future__ import annotations

import functools
from datetime import date

import pandas as pd
import pyarrow as pa
import pytest
from builders import run_context

from optin_sync.consent.ledger import empty_ledger
from optin_sync.run.extract import prepare_customers, prepare_profiles
from optin_sync.run.planning import PlanResult, plan_frames
from optin_sync.sandbox.generator import GenerationRequest, generate
from optin_sync.scale.files import BucketFiles
from optin_sync.scale.partition import bucket_count, customer_buckets, key_buckets
from optin_sync.scale.planner import plan_in_buckets, prepare_buckets
from optin_sync.settings import Settings, load_settings
from optin_sync.snapshots import schemas
from optin_sync.snapshots.store import RunKey
from optin_sync.sources.records import customers_frame, profiles_frame

RUN = RunKey(date(2026, 12, 3), "scheduled__2026-12-03")
# The generator's anchor is the day after the night the builders' run context covers.
ANCHOR = date(2026, 12, 4)
SETTINGS = {
    "defaults": {},
    # Every channel from any match, a write budget that defers most writes, and a low shared-key limit: the parts
    # that must see the whole run (budget, shared keys) then change the outcome.
    "tight": {"channel_scope": "all", "max_writes_per_run": 40, "max_customers_per_key": 2, "min_guard_count": 0},
}
PAIR_ORDER = ["userapp_id", "profile_id", "key_type"]


@functools.cache
def world(seed: int, full_refresh: bool) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Profiles and customers of a generated world as the planning step reads them."""
    settings = load_settings(data_dir="/nonexistent")
    data = generate(GenerationRequest(seed=seed, profiles=1500, customers=2000, anchor_date=ANCHOR))
    ctx = run_context(full_refresh=full_refresh)
    profiles, _ = prepare_profiles(profiles_frame(data.documents, settings.phone_fields), empty_ledger(), ctx,
                                   settings)
    return profiles, prepare_customers(customers_frame(data.customers), settings)


def as_published(frame: pd.DataFrame, schema: pa.Schema) -> pa.Table:
    return pa.Table.from_pandas(frame[[field.name for field in schema]], schema=schema, preserve_index=False)


def assert_same_plan(single: PlanResult, bucketed: PlanResult) -> None:
    pd.testing.assert_frame_equal(bucketed.plan.decisions, single.plan.decisions)
    pd.testing.assert_frame_equal(bucketed.plan.writes, single.plan.writes)
    assert bucketed.verdict == single.verdict
    # The reduce step sorts the pairs, so they are compared with the single-process pairs in that order.
    expected_pairs = single.pairs.sort_values(PAIR_ORDER, ignore_index=True)
    pd.testing.assert_frame_equal(bucketed.pairs, expected_pairs)
    # Keys and quarantine make a round trip through Parquet, so they are compared as the datasets publish them.
    assert as_published(bucketed.keys, schemas.MATCH_KEYS).equals(as_published(single.keys, schemas.MATCH_KEYS))
    assert as_published(bucketed.quarantine, schemas.QUARANTINE).equals(
        as_published(single.quarantine, schemas.QUARANTINE))


@pytest.mark.parametrize("buckets", [1, 3, 8])
@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("variant", sorted(SETTINGS))
def test_bucketed_plan_equals_single_process(tmp_path, seed, buckets, variant):
    settings = load_settings(data_dir=tmp_path, **SETTINGS[variant])
    profiles, customers = world(seed, full_refresh=True)

    single = plan_frames(profiles, customers, settings, full_refresh=True)
    bucketed = plan_in_buckets(profiles, customers, settings, BucketFiles(tmp_path / "_raw", RUN), buckets,
                               full_refresh=True)

    assert_same_plan(single, bucketed)
    assert len(single.plan.decisions) > 1000
    if variant == "tight":
        assert (single.plan.writes["status"] == "deferred").any()
        assert (single.quarantine["cause"] == "shared_key").any()


@pytest.mark.parametrize("allow_mass_change", [False, True])
def test_bucketed_plan_nightly_window(tmp_path, allow_mass_change):
    settings = load_settings(data_dir=tmp_path, min_guard_count=0, max_enable_ratio=0.0)
    profiles, customers = world(4, full_refresh=False)

    single = plan_frames(profiles, customers, settings, allow_mass_change=allow_mass_change)
    bucketed = plan_in_buckets(profiles, customers, settings, BucketFiles(tmp_path / "_raw", RUN), 3,
                               allow_mass_change=allow_mass_change)

    assert_same_plan(single, bucketed)
    assert single.verdict.tripped_enable
    assert bucketed.verdict.tripped is not allow_mass_change


def test_bucket_count_threshold():
    settings = load_settings(data_dir="/nonexistent", bucket_threshold_rows=100, buckets=4)

    assert bucket_count(100, settings) == 0
    assert bucket_count(101, settings) == 4
    assert bucket_count(0, load_settings(data_dir="/nonexistent", bucket_threshold_rows=0)) == 0
    assert bucket_count(1, load_settings(data_dir="/nonexistent", bucket_threshold_rows=0)) == 8


def test_key_buckets_stable_and_spread():
    keys = pd.DataFrame({"key_type": ["email", "phone"] * 500,
                         "key": [f"person{n}@gmail.com" for n in range(1000)]}).astype("string")

    first = key_buckets(keys, 8)
    again = key_buckets(keys.astype(object), 8)

    assert (first == again).all()
    assert set(first) == set(range(8))
    assert pd.Series(first).value_counts().min() > 1000 / 8 / 2


def test_customer_buckets_spread_stepped_ids():
    ids = pd.Series(range(8, 8 * 1001, 8), dtype="int64")

    buckets = customer_buckets(ids, 8)

    assert set(buckets) == set(range(8))
    assert pd.Series(buckets).value_counts().min() > 1000 / 8 / 2


def test_prepare_routes_each_key_and_customer_once(tmp_path):
    settings: Settings = load_settings(data_dir=tmp_path)
    profiles, customers = world(1, full_refresh=True)
    files = BucketFiles(tmp_path / "_raw", RUN)

    prepare_buckets(profiles, customers, settings, files, 3)

    assert files.folder == tmp_path / "_raw" / "buckets" / "run_date=2026-12-03" / "run_id=scheduled__2026-12-03"
    assert files.count() == 3
    keys = files.read("keys")
    for side, name in (("vtex", "profile_keys"), ("woowup", "customer_keys")):
        routed = pd.concat([files.read(name, bucket) for bucket in range(3)], ignore_index=True)
        assert len(routed) == (keys["side"] == side).sum()
        assert not routed.duplicated(["record_id", "key_type", "key"]).any()
    routed_customers = pd.concat([files.read("customers", bucket) for bucket in range(3)])
    assert sorted(routed_customers["userapp_id"]) == sorted(customers["userapp_id"].dropna().unique())
    assert "email" not in routed_customers.columns


def test_reduce_rejects_other_bucket_count(tmp_path):
    from optin_sync.errors import SnapshotError
    from optin_sync.scale.planner import reduce_buckets

    settings = load_settings(data_dir=tmp_path)
    profiles, customers = world(2, full_refresh=True)
    files = BucketFiles(tmp_path / "_raw", RUN)
    plan_in_buckets(profiles, customers, settings, files, 2, full_refresh=True)

    with pytest.raises(SnapshotError, match="prepared in 2 buckets, not 3"):
        reduce_buckets(files, 3, customers, settings, full_refresh=True, allow_mass_change=False)
    assert files.count() == 2

    files.delete()
    assert not files.folder.exists()
    with pytest.raises(SnapshotError, match="plan_prepare"):
        files.count()

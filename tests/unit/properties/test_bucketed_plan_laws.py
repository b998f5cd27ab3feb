"""The bucketed plan equals the single-process plan on small generated worlds of colliding emails and phones."""

import tempfile
from datetime import date

import pandas as pd
from builders import customer, run_context, shopper
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from optin_sync.consent.ledger import empty_ledger
from optin_sync.run.extract import prepare_customers, prepare_profiles
from optin_sync.run.planning import plan_frames
from optin_sync.scale.files import BucketFiles
from optin_sync.scale.planner import plan_in_buckets
from optin_sync.settings import CHANNELS, load_settings
from optin_sync.snapshots.store import RunKey
from optin_sync.sources.records import customers_frame, profiles_frame

LAW = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
RUN = RunKey(date(2026, 12, 3), "property")

# Few values, so that keys collide across records, shared keys pass the limit, and buckets get several records.
EMAILS = ["ana@gmail.com", "ANA@gmail.com ", "bob@hotmail.com", "carla@yahoo.com.ar", "dora@gmail.com", None]
SHOPPER_PHONES = ["011 15-2803-4063", "+54 9 11 5555-6666", "(0351) 15 444-5555", "12", None]
CUSTOMER_PHONES = ["+5491128034063", "1155556666", "+543514445555", None]
REASONS = [None, "other", "bounce"]
OPT_INS = [True, False, None, "maybe"]
TIMES = [f"2026-12-03T{hour:02d}:00:00Z" for hour in (4, 9, 15)]
CRM_TIMES = ["2025-06-01 10:00:00", "2026-12-03 12:00:00"]


@st.composite
def worlds(draw):
    shoppers = [shopper(f"p{n}", email=draw(st.sampled_from(EMAILS)), phone=draw(st.sampled_from(SHOPPER_PHONES)),
                        opt_in=draw(st.sampled_from(OPT_INS)), updated=draw(st.sampled_from(TIMES)))
                for n in range(draw(st.integers(0, 12)))]
    ids = draw(st.lists(st.integers(1, 40), min_size=0, max_size=12))
    records = []
    for userapp_id in ids:
        record = customer(userapp_id, email=draw(st.sampled_from(EMAILS)),
                          telephone=draw(st.sampled_from(CUSTOMER_PHONES)),
                          opt_in_vtex=draw(st.sampled_from([None, "True", "False"])))
        for channel in CHANNELS:
            record[f"{channel}_enabled"] = draw(st.sampled_from(["enabled", "disabled"]))
            record[f"{channel}_enabled_reason"] = draw(st.sampled_from(REASONS))
            record[f"{channel}_enabled_updatetime"] = draw(st.sampled_from(CRM_TIMES))
        records.append(record)
    return shoppers, records


@LAW
@given(world=worlds(), buckets=st.integers(1, 4), max_writes=st.integers(0, 6), max_per_key=st.integers(1, 3),
       scope=st.sampled_from(["matched", "all"]))
def test_buckets_change_no_decision(world, buckets, max_writes, max_per_key, scope):
    shoppers, records = world
    run_settings = load_settings(data_dir="/nonexistent", max_writes_per_run=max_writes,
                                 max_customers_per_key=max_per_key, channel_scope=scope, min_guard_count=1)
    profiles, _ = prepare_profiles(profiles_frame(shoppers, run_settings.phone_fields), empty_ledger(),
                                   run_context(), run_settings)
    customers = prepare_customers(customers_frame(records), run_settings)

    single = plan_frames(profiles, customers, run_settings)
    with tempfile.TemporaryDirectory() as folder:
        bucketed = plan_in_buckets(profiles, customers, run_settings, BucketFiles(folder, RUN), buckets)

    pd.testing.assert_frame_equal(bucketed.plan.decisions, single.plan.decisions, check_index_type=False)
    pd.testing.assert_frame_equal(bucketed.plan.writes, single.plan.writes, check_index_type=False)
    assert bucketed.verdict == single.verdict
    assert len(bucketed.pairs) == len(single.pairs)

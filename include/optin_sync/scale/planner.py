"""The bucketed plan: prepare, match per key bucket, decide per customer bucket, reduce.

Each step reads and writes ``BucketFiles``, so the match and decide steps of different buckets can run in different
processes or on different machines. ``plan_in_buckets`` runs every step in this process, in order.
"""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from optin_sync.errors import SnapshotError
from optin_sync.identity.matching import REJECTION_COLUMNS, KeySet, match
from optin_sync.run.planning import (
    PlanResult,
    decide_customers,
    finish_plan,
    key_run,
    profile_facts,
    split_bad_customers,
)
from optin_sync.scale.files import BucketFiles
from optin_sync.scale.partition import customer_buckets, key_buckets
from optin_sync.settings import CHANNELS, Settings

log = logging.getLogger(__name__)

# The customer columns that decisions read: the id, and each channel's state, reason and update times.
STATE_COLUMNS = ["userapp_id"] + [
    f"{channel}_{field}" for channel in CHANNELS
    for field in ("enabled", "enabled_reason", "enabled_updatetime", "updated_at")
]
PAIR_COLUMNS = ["userapp_id", "profile_id", "key_type"]


def prepare_buckets(profiles: pd.DataFrame, customers: pd.DataFrame, settings: Settings, files: BucketFiles,
                    buckets: int) -> dict:
    """Build and filter the keys of the whole run, then write each bucket's keys, profile facts and customers."""
    keyed = key_run(profiles, customers, settings)
    facts = profile_facts(profiles)
    files.delete()
    files.write("keys", keyed.keys)
    files.write("quarantine", keyed.quarantine)

    profile_keys, customer_keys = keyed.profile_keys.keys, keyed.customer_keys.keys
    profile_key_bucket = key_buckets(profile_keys, buckets)
    customer_key_bucket = key_buckets(customer_keys, buckets)
    customer_bucket = customer_buckets(keyed.customers["userapp_id"], buckets)
    states = keyed.customers[STATE_COLUMNS]
    for bucket in range(buckets):
        keys_here = profile_keys[profile_key_bucket == bucket]
        files.write("profile_keys", keys_here, bucket)
        # Facts of every profile with a key here: the pairs this bucket finds carry them to the decide step.
        files.write("profile_facts", facts[_isin(facts["profile_id"], keys_here["record_id"])], bucket)
        files.write("customer_keys", customer_keys[customer_key_bucket == bucket], bucket)
        files.write("customers", states[customer_bucket == bucket], bucket)
    # Written last: a bucket step that finds the layout finds every file it reads.
    files.write_layout(buckets)

    log.info("buckets prepared run_id=%s buckets=%d profile_keys=%d customer_keys=%d customers=%d",
             files.run.run_id, buckets, len(profile_keys), len(customer_keys), len(keyed.customers))
    return {"buckets": buckets, "profile_keys": len(profile_keys), "customer_keys": len(customer_keys),
            "customers": len(keyed.customers)}


def match_bucket(files: BucketFiles, bucket: int) -> dict:
    """Join one key bucket's keys of both sides, then send each pair and its profile's facts to its customer's bucket.

    A customer's bucket comes from a hash of its ``userapp_id``, so every pair of a customer reaches one decide step.
    """
    buckets = files.count()
    no_rejections = pd.DataFrame(columns=REJECTION_COLUMNS)
    profile_keys = files.read("profile_keys", bucket)
    customer_keys = files.read("customer_keys", bucket)
    pairs = match(KeySet(profile_keys, no_rejections), KeySet(customer_keys, no_rejections))

    facts = files.read("profile_facts", bucket)
    target_bucket = customer_buckets(pairs["userapp_id"], buckets)
    for target in range(buckets):
        sent = pairs[target_bucket == target]
        files.write(f"pairs-from-{bucket}", sent, target)
        files.write(f"facts-from-{bucket}", facts[_isin(facts["profile_id"], sent["profile_id"])], target)

    log.info("bucket matched run_id=%s bucket=%d profile_keys=%d customer_keys=%d pairs=%d", files.run.run_id,
             bucket, len(profile_keys), len(customer_keys), len(pairs))
    return {"bucket": bucket, "profile_keys": len(profile_keys), "customer_keys": len(customer_keys),
            "pairs": len(pairs)}


def decide_bucket(files: BucketFiles, bucket: int, settings: Settings) -> dict:
    """Decide every channel of one customer bucket from the pairs that the match steps sent to it."""
    buckets = files.count()
    received = [files.read(f"pairs-from-{source}", bucket) for source in range(buckets)]
    # A customer and a profile that share two keys of one type meet in both keys' buckets: keep one pair.
    pairs = _concat(received).drop_duplicates(PAIR_COLUMNS).reset_index(drop=True)
    facts = _concat([files.read(f"facts-from-{source}", bucket) for source in range(buckets)])
    facts = facts.drop_duplicates("profile_id").reset_index(drop=True)
    customers = files.read("customers", bucket)

    decisions, attribute = decide_customers(customers, facts, pairs, settings)
    files.write("pairs", pairs, bucket)
    files.write("decisions", decisions, bucket)
    files.write("attribute", attribute, bucket)

    log.info("bucket decided run_id=%s bucket=%d customers=%d pairs=%d decisions=%d", files.run.run_id, bucket,
             len(customers), len(pairs), len(decisions))
    return {"bucket": bucket, "pairs": len(pairs), "decisions": len(decisions)}


def reduce_buckets(files: BucketFiles, buckets: int, customers: pd.DataFrame, settings: Settings, *,
                   full_refresh: bool, allow_mass_change: bool) -> PlanResult:
    """Concatenate the buckets' decisions, then plan the writes and measure the guard over the whole run.

    ``customers`` is the run's whole ``woowup_customers`` snapshot: target identifiers must be unique across every
    customer, not within a bucket.
    """
    prepared = files.count()
    if prepared != buckets:
        raise SnapshotError(f"run {files.run.run_id} was prepared in {prepared} buckets, not {buckets}; run the "
                            "planning again from plan_prepare")
    parts = range(buckets)
    # The single-process order: decisions by customer and channel, the attribute by customer.
    decisions = _concat([files.read("decisions", bucket) for bucket in parts])
    decisions = decisions.sort_values(["userapp_id", "channel"], kind="stable", ignore_index=True)
    attribute = _concat([files.read("attribute", bucket) for bucket in parts])
    attribute = attribute.sort_values("userapp_id", kind="stable", ignore_index=True)
    pairs = _concat([files.read("pairs", bucket) for bucket in parts])
    pairs = pairs.sort_values(PAIR_COLUMNS, kind="stable", ignore_index=True)

    customers, _ = split_bad_customers(customers)
    plan, verdict = finish_plan(decisions, attribute, customers, settings, full_refresh=full_refresh,
                                allow_mass_change=allow_mass_change)
    log.info("buckets reduced run_id=%s buckets=%d decisions=%d pairs=%d", files.run.run_id, buckets,
             len(decisions), len(pairs))
    return PlanResult(pairs=pairs, keys=files.read("keys"), quarantine=files.read("quarantine"), plan=plan,
                      verdict=verdict)


def plan_in_buckets(profiles: pd.DataFrame, customers: pd.DataFrame, settings: Settings, files: BucketFiles,
                    buckets: int, *, full_refresh: bool = False, allow_mass_change: bool = False) -> PlanResult:
    """Run every step of the bucketed plan in this process, in the order the DAG runs them."""
    prepare_buckets(profiles, customers, settings, files, buckets)
    for bucket in range(buckets):
        match_bucket(files, bucket)
    for bucket in range(buckets):
        decide_bucket(files, bucket, settings)
    return reduce_buckets(files, buckets, customers, settings, full_refresh=full_refresh,
                          allow_mass_change=allow_mass_change)


def _concat(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """Concatenate, leaving out empty frames: their columns may have no type, which would widen the others'."""
    filled = [frame for frame in frames if len(frame)]
    if not filled:
        return frames[0].iloc[0:0]
    return pd.concat(filled, ignore_index=True)


def _isin(values: pd.Series, wanted: pd.Series) -> np.ndarray:
    """Return where ``values`` is in ``wanted``, through Arrow's hash set: pandas' isin reads Arrow strings as
    Python objects, which costs seconds per million rows."""
    array = pa.array(values, from_pandas=True)
    value_set = pa.array(wanted, from_pandas=True).cast(array.type).unique()
    return pc.is_in(array, value_set=value_set).to_numpy(zero_copy_only=False)

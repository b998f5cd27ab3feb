"""Planning steps of a run split into buckets: prepare, then match and decide per bucket.

The step after them, ``optin_sync.run.planning.plan_channel_updates``, reduces the buckets' results. A run of at
most ``OPTIN_SYNC_BUCKET_THRESHOLD_ROWS`` profiles plus customers is not split: prepare returns no bucket and
``plan_channel_updates`` plans it in one process.
"""

from __future__ import annotations

import logging

import pyarrow.parquet as pq

from optin_sync.errors import SnapshotError
from optin_sync.run.context import RunContext
from optin_sync.scale import planner
from optin_sync.scale.files import BucketFiles
from optin_sync.scale.partition import bucket_count
from optin_sync.settings import Settings
from optin_sync.snapshots.store import SnapshotStore
from optin_sync.snapshots.zones import Zones, raw_dir

log = logging.getLogger(__name__)


def _rows(store: SnapshotStore, dataset: str, ctx: RunContext) -> int:
    """Return a snapshot's row count from its Parquet footer, without reading the rows."""
    path = store.path(dataset, ctx.key)
    if not path.exists():
        raise SnapshotError(f"snapshot {dataset} of run {ctx.run_id} not found at {path}")
    return pq.ParquetFile(path).metadata.num_rows


def plan_prepare(ctx: RunContext, settings: Settings) -> list[int]:
    """Split a run above the threshold into buckets and return their numbers, or return no bucket at or below it."""
    # No hash key: this step reads the raw zone and publishes no analyst dataset.
    zones = Zones(settings)
    files = BucketFiles(zones.raw.root, ctx.key)
    rows = _rows(zones.raw, "vtex_profiles", ctx) + _rows(zones.raw, "woowup_customers", ctx)
    buckets = bucket_count(rows, settings)
    log.info("plan prepare run_id=%s rows=%d threshold=%d buckets=%d", ctx.run_id, rows,
             settings.bucket_threshold_rows, buckets)
    if not buckets:
        # A try before this one may have split the run under other settings.
        files.delete()
        return []

    zones.restrict()
    planner.prepare_buckets(zones.read("vtex_profiles", ctx.key), zones.read("woowup_customers", ctx.key), settings,
                            files, buckets)
    return list(range(buckets))


def match_bucket(ctx: RunContext, settings: Settings, bucket: int) -> dict:
    """Join the keys of one key bucket and send the pairs to their customers' buckets."""
    return planner.match_bucket(BucketFiles(raw_dir(settings), ctx.key), bucket)


def decide_bucket(ctx: RunContext, settings: Settings, bucket: int) -> dict:
    """Decide the channels of one bucket's customers."""
    return planner.decide_bucket(BucketFiles(raw_dir(settings), ctx.key), bucket, settings)

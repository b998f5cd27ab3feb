"""Which bucket a match key or a customer belongs to, and whether a run is split at all."""

from __future__ import annotations

import numpy as np
import pandas as pd

from optin_sync.settings import Settings


def bucket_count(rows: int, settings: Settings) -> int:
    """Return the number of buckets for a run of ``rows`` profiles plus customers; 0 plans in one process."""
    return settings.buckets if rows > settings.bucket_threshold_rows else 0


def key_buckets(keys: pd.DataFrame, buckets: int) -> np.ndarray:
    """Return the bucket of each ``(key_type, key)`` row.

    The hash is pandas' SipHash with its fixed key, so every worker process routes a key to the same bucket, unlike
    Python's ``hash``, which is salted per process.
    """
    values = pd.DataFrame({"key_type": keys["key_type"].to_numpy(dtype=object),
                           "key": keys["key"].to_numpy(dtype=object)})
    hashes = pd.util.hash_pandas_object(values, index=False).to_numpy()
    return (hashes % np.uint64(buckets)).astype(np.int64)


def customer_buckets(userapp_ids: pd.Series | np.ndarray, buckets: int) -> np.ndarray:
    """Return the bucket of each ``userapp_id``, mixed by a hash so that ids in arithmetic steps still spread."""
    hashes = pd.util.hash_array(np.asarray(userapp_ids, dtype=np.int64))
    return (hashes % np.uint64(buckets)).astype(np.int64)

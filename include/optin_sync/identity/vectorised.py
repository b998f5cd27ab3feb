"""Match keys for whole pandas columns.

Each distinct value is normalised once and the result is spread back over the rows, because snapshot columns
repeat values (one shop phone on many profiles) and phone parsing dominates the cost. `phone_keys_by_shape` and
`email_keys_by_shape` go further and compute the common shapes with Arrow string kernels, keying only the rest
one value at a time.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

from optin_sync.identity import causes
from optin_sync.identity.emails import email_key
from optin_sync.identity.phones import _checked_area_code, _checked_region, phone_key
from optin_sync.identity.result import KeyResult

if TYPE_CHECKING:
    import pandas as pd

    from optin_sync.identity.phone_shapes import ShapeKeys

log = logging.getLogger(__name__)

# Below this many distinct strings, keying them one by one costs less than the fixed cost of the shape path,
# which makes about a hundred Arrow calls. On a 2-core x86 machine that fixed cost was about 8 ms for phones,
# and parsing one phone about 50 µs, so the bound is an estimate for other machines.
MIN_VALUES_BY_SHAPE = 200
# From this many distinct strings per core, the shape path runs one slice per core in threads, because Arrow's
# kernels release the GIL (on 2 cores, two slices of 900k phones took half the time of one). The bound is an estimate.
MIN_VALUES_PER_THREAD = 100_000


def email_keys(series: pd.Series, **options: Any) -> pd.DataFrame:
    """Apply `email_key` to every value of `series`, with the same keyword options.

    Returns:
        A frame with the index of `series` and two `string` columns: `key` (NA when rejected) and `cause`
        (NA when a key was found).
    """
    return _keys_frame(series, lambda value: email_key(value, **options))


def phone_keys(series: pd.Series, **options: Any) -> pd.DataFrame:
    """Apply `phone_key` to every value of `series`, with the same keyword options.

    Returns:
        A frame with the index of `series` and two `string` columns: `key` (NA when rejected) and `cause`
        (NA when a key was found).
    """
    return _keys_frame(series, lambda value: phone_key(value, **options))


def phone_keys_by_shape(
    series: pd.Series, *, default_region: str = "AR", default_area_code: str | None = None
) -> pd.DataFrame:
    """Return the same frame as `phone_keys`, computing the common shapes without parsing them.

    Distinct strings of the common shapes get their key or cause from `phone_shapes.shape_keys`, which repeats
    `phone_key`'s steps with Arrow string kernels. Every other distinct value goes to `phone_key`. With a
    default region other than Argentina every value goes to `phone_key`.

    Raises:
        ValueError: as `phone_key` does, for an unknown `default_region` or an invalid `default_area_code`.
    """
    from optin_sync.identity.phone_shapes import FAST_REGION, shape_keys

    region = _checked_region(default_region)
    area_code = _checked_area_code(default_area_code)
    options = {"default_region": default_region, "default_area_code": default_area_code}
    shaped = (lambda values: shape_keys(values, area_code=area_code)) if region == FAST_REGION else None
    return _keys_by_shape(series, shaped, lambda value: phone_key(value, **options), "phone")


def email_keys_by_shape(
    series: pd.Series, *, placeholder_domains: frozenset[str] = frozenset(), gmail_canonical: bool = False
) -> pd.DataFrame:
    """Return the same frame as `email_keys`, computing printable ASCII addresses with Arrow string kernels.

    Distinct addresses go through `email_shapes.email_shape_keys`, and those it leaves undecided (non-ASCII
    text, Punycode labels, other types) through `email_key`.
    """
    from optin_sync.identity.email_shapes import email_shape_keys

    options = {"placeholder_domains": placeholder_domains, "gmail_canonical": gmail_canonical}
    return _keys_by_shape(series, lambda values: email_shape_keys(values, **options),
                          lambda value: email_key(value, **options), "email")


def _keys_by_shape(
    series: pd.Series,
    shaped: Callable[[list[str]], ShapeKeys] | None,
    key_of: Callable[[object], KeyResult],
    kind: str,
) -> pd.DataFrame:
    """Key each distinct value with `shaped` where it decides, else with `key_of`, and spread over the rows."""
    import numpy as np
    import pandas as pd

    try:
        codes, distinct_values = pd.factorize(series, use_na_sentinel=True)
    except TypeError:
        # Unhashable values (dicts, lists) cannot be factorised, so such a column is normalised row by row.
        return _keys_frame(series, key_of)

    distinct = np.asarray(distinct_values, dtype=object)
    keys = np.full(len(distinct), None, dtype=object)
    rejections = np.full(len(distinct), None, dtype=object)
    decided = np.zeros(len(distinct), dtype=bool)
    if shaped is not None and len(distinct) >= MIN_VALUES_BY_SHAPE:
        # A string column's distinct values are all strings; other columns are checked value by value.
        is_text = isinstance(series.dtype, pd.StringDtype)
        text_positions = (np.arange(len(distinct)) if is_text
                          else np.flatnonzero([isinstance(value, str) for value in distinct]))
        result = _shaped_in_threads(shaped, distinct[text_positions].tolist())
        keys[text_positions] = result.keys
        rejections[text_positions] = result.causes
        decided[text_positions] = result.decided

    left_positions = np.flatnonzero(~decided)
    for position in left_positions:
        result = key_of(distinct[position])
        keys[position] = result.key
        rejections[position] = result.cause
    log.debug("%s keys rows=%d distinct=%d by_shape=%d one_by_one=%d", kind, len(series), len(distinct),
              len(distinct) - len(left_positions), len(left_positions))

    # Code -1 marks a missing value (None, NaN, NA), which is always `empty`: it indexes the appended last item.
    row_keys = np.append(keys, None)[codes]
    row_causes = np.append(rejections, causes.EMPTY)[codes]
    return pd.DataFrame(
        {"key": pd.array(row_keys, dtype="string"), "cause": pd.array(row_causes, dtype="string")},
        index=series.index,
    )


def _shaped_in_threads(shaped: Callable[[list[str]], ShapeKeys], values: list[str]) -> ShapeKeys:
    """Run `shaped` on contiguous slices of `values`, one thread per core, and join the results in order."""
    import numpy as np

    from optin_sync.identity.phone_shapes import ShapeKeys

    threads = min(os.cpu_count() or 1, len(values) // MIN_VALUES_PER_THREAD)
    if threads <= 1:
        return shaped(values)
    size = -(-len(values) // threads)
    slices = [values[start:start + size] for start in range(0, len(values), size)]
    with ThreadPoolExecutor(max_workers=threads, thread_name_prefix="shape-keys") as pool:
        parts = list(pool.map(shaped, slices))
    return ShapeKeys(np.concatenate([part.keys for part in parts]), np.concatenate([part.causes for part in parts]),
                     np.concatenate([part.decided for part in parts]))


def _keys_frame(series: pd.Series, key_of: Callable[[object], KeyResult]) -> pd.DataFrame:
    import numpy as np
    import pandas as pd

    try:
        codes, distinct_values = pd.factorize(series, use_na_sentinel=True)
    except TypeError:
        # Unhashable values (dicts, lists) cannot be factorised, so such a column is normalised row by row.
        results = [key_of(value) for value in series]
    else:
        distinct_results = [key_of(value) for value in distinct_values]
        # Code -1 marks a missing value (None, NaN, NA), which is always `empty`.
        missing = KeyResult.rejected(causes.EMPTY)
        results = [distinct_results[code] if code >= 0 else missing for code in np.asarray(codes).tolist()]

    return pd.DataFrame(
        {
            "key": pd.array([result.key for result in results], dtype="string"),
            "cause": pd.array([result.cause for result in results], dtype="string"),
        },
        index=series.index,
    )

"""Match keys for whole pandas columns.

Each distinct value is normalised once and the result is spread back over the rows, because snapshot columns
repeat values (one shop phone on many profiles) and phone parsing dominates the cost. `phone_keys_by_shape`
goes further and computes the common phone shapes with Arrow string kernels, parsing only the rest.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from optin_sync.identity import causes
from optin_sync.identity.emails import email_key
from optin_sync.identity.phones import _checked_area_code, _checked_region, phone_key
from optin_sync.identity.result import KeyResult

if TYPE_CHECKING:
    import pandas as pd

log = logging.getLogger(__name__)


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
    import numpy as np
    import pandas as pd

    from optin_sync.identity.phone_shapes import FAST_REGION, shape_keys

    region = _checked_region(default_region)
    area_code = _checked_area_code(default_area_code)
    options = {"default_region": default_region, "default_area_code": default_area_code}
    try:
        codes, distinct_values = pd.factorize(series, use_na_sentinel=True)
    except TypeError:
        return phone_keys(series, **options)

    distinct = np.asarray(distinct_values, dtype=object)
    keys = np.full(len(distinct), None, dtype=object)
    rejections = np.full(len(distinct), None, dtype=object)
    decided = np.zeros(len(distinct), dtype=bool)
    if region == FAST_REGION:
        text_positions = np.flatnonzero([isinstance(value, str) for value in distinct])
        shaped = shape_keys(distinct[text_positions].tolist(), area_code=area_code)
        keys[text_positions] = shaped.keys
        rejections[text_positions] = shaped.causes
        decided[text_positions] = shaped.decided

    parsed_positions = np.flatnonzero(~decided)
    for position in parsed_positions:
        result = phone_key(distinct[position], **options)
        keys[position] = result.key
        rejections[position] = result.cause
    log.debug("phone keys rows=%d distinct=%d by_shape=%d parsed=%d", len(series), len(distinct),
              len(distinct) - len(parsed_positions), len(parsed_positions))

    # Code -1 marks a missing value (None, NaN, NA), which is always `empty`: it indexes the appended last item.
    row_keys = np.append(keys, None)[codes]
    row_causes = np.append(rejections, causes.EMPTY)[codes]
    return pd.DataFrame(
        {"key": pd.array(row_keys, dtype="string"), "cause": pd.array(row_causes, dtype="string")},
        index=series.index,
    )


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

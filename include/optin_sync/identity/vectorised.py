"""Match keys for whole pandas columns.

Each distinct value is normalised once and the result is spread back over the rows, because snapshot columns
repeat values (one shop phone on many profiles) and phone parsing dominates the cost.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from optin_sync.identity import causes
from optin_sync.identity.emails import email_key
from optin_sync.identity.phones import phone_key
from optin_sync.identity.result import KeyResult

if TYPE_CHECKING:
    import pandas as pd


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

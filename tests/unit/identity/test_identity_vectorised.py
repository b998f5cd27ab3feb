"""Column versions of the match keys: same results as the scalar functions, one parse per distinct value."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from optin_sync.identity import causes, email_key, email_keys, phone_key, phone_keys
from optin_sync.identity import vectorised

non_text_values = st.sampled_from([None, math.nan, pd.NA, 1128034063, 2.5, True, {"phone": "11"}, ["11"]])
phone_like = st.one_of(
    st.sampled_from(["011 15-2803-4063", "+54 9 11 2803-4063", "15-4444-5555", "11 1111-1111", "-", ""]),
    st.text(alphabet="0123456789 +-()/", max_size=20),
)
email_like = st.one_of(
    st.sampled_from(["Juan@Gmail.com", "juan@gmail.com ", "a1b2@ct.vtex.com.br", "x@mercadolibre.com.ar", ""]),
    st.emails(),
    st.text(max_size=20),
)


def expected_frame(results: list, index: pd.Index) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "key": pd.array([result.key for result in results], dtype="string"),
            "cause": pd.array([result.cause for result in results], dtype="string"),
        },
        index=index,
    )


@settings(max_examples=1000, deadline=None)
@given(values=st.lists(st.one_of(phone_like, non_text_values), max_size=12), region=st.sampled_from(["AR", "BR"]))
def test_phone_keys_match_scalar(values: list, region: str) -> None:
    series = pd.Series(values, dtype=object, index=range(100, 100 + len(values)))

    frame = phone_keys(series, default_region=region)

    expected = expected_frame([phone_key(value, default_region=region) for value in values], series.index)
    pd.testing.assert_frame_equal(frame, expected)


@settings(max_examples=1000, deadline=None)
@given(values=st.lists(st.one_of(email_like, non_text_values), max_size=12), gmail_canonical=st.booleans())
def test_email_keys_match_scalar(values: list, gmail_canonical: bool) -> None:
    series = pd.Series(values, dtype=object)

    frame = email_keys(series, gmail_canonical=gmail_canonical)

    expected = expected_frame([email_key(value, gmail_canonical=gmail_canonical) for value in values], series.index)
    pd.testing.assert_frame_equal(frame, expected)


def test_phone_keys_columns_and_index() -> None:
    series = pd.Series(["011 15-2803-4063", None, "11-CASA-123"], index=["shopper-a", "shopper-b", "shopper-c"])

    frame = phone_keys(series)

    assert list(frame.columns) == ["key", "cause"]
    assert list(frame.index) == ["shopper-a", "shopper-b", "shopper-c"]
    assert frame["key"].dtype == pd.StringDtype()
    assert frame["cause"].dtype == pd.StringDtype()
    assert frame["key"].tolist() == ["+541128034063", pd.NA, pd.NA]
    assert frame["cause"].tolist() == [pd.NA, causes.EMPTY, causes.LETTERS]


def test_email_keys_string_dtype_input() -> None:
    series = pd.Series(["Juan@Gmail.com", pd.NA, "noreply@tienda.com"], dtype="string")

    frame = email_keys(series)

    assert frame["key"].tolist() == ["juan@gmail.com", pd.NA, pd.NA]
    assert frame["cause"].tolist() == [pd.NA, causes.EMPTY, causes.PLACEHOLDER_LOCAL_PART]


def test_phone_keys_empty_series() -> None:
    frame = phone_keys(pd.Series([], dtype=object))

    assert frame.empty
    assert list(frame.columns) == ["key", "cause"]


def test_phone_keys_unhashable_values() -> None:
    series = pd.Series([{"phone": "1128034063"}, "1128034063", ["1128034063"]])

    frame = phone_keys(series)

    assert frame["cause"].tolist() == [causes.NOT_A_STRING, pd.NA, causes.NOT_A_STRING]


def test_phone_keys_parse_each_value_once(monkeypatch: pytest.MonkeyPatch) -> None:
    parsed: list[object] = []

    def counting_phone_key(value: object, **options: object):
        parsed.append(value)
        return phone_key(value, **options)

    monkeypatch.setattr(vectorised, "phone_key", counting_phone_key)
    shop_phone = "011 4444-5556"
    series = pd.Series([shop_phone] * 500 + ["011 15-2803-4063"] * 300 + [None] * 200)

    frame = phone_keys(series)

    assert sorted(parsed) == sorted([shop_phone, "011 15-2803-4063"])
    assert frame["key"].value_counts().to_dict() == {"+541144445556": 500, "+541128034063": 300}
    assert frame["cause"].value_counts().to_dict() == {causes.EMPTY: 200}

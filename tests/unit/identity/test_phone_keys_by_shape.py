"""Phone keys by shape: the same keys and causes as `phone_key`, value for value, with few values parsed."""

from __future__ import annotations

import math
import re
from dataclasses import astuple

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from phonenumbers import PhoneMetadata

from benchmarks.phone_corpus import AR_OTHER_FORMS, phone_corpus
from optin_sync.identity import causes, phone_key
from optin_sync.identity.phone_shapes import shape_keys
from optin_sync.identity import vectorised
from optin_sync.identity.vectorised import email_keys_by_shape, phone_keys_by_shape
from optin_sync.sandbox.people import CRM_PHONE_FORMATS, VTEX_PHONE_FORMATS

AREA_CODE_OPTIONS = [None, "11", "0351", "2966"]


def argentine_area_codes() -> list[str]:
    """Every area code that libphonenumber's Argentine national prefix rule names before a mobile 15."""
    rule = PhoneMetadata.metadata_for_region("AR").national_prefix_for_parsing
    group_start = re.search(r"\((?!\?)", rule).end()
    area_codes = re.compile(rule[group_start : rule.rindex(")15")])
    return [code for code in map(str, range(10, 10_000)) if area_codes.fullmatch(code)]


def expected_frame(values: list, index: pd.Index, **options: object) -> pd.DataFrame:
    results = [phone_key(value, **options) for value in values]
    return pd.DataFrame(
        {
            "key": pd.array([result.key for result in results], dtype="string"),
            "cause": pd.array([result.cause for result in results], dtype="string"),
        },
        index=index,
    )


def assert_same_as_phone_key(values: list, **options: object) -> None:
    """Check the column function, and the shape path itself, which short columns do not reach."""
    series = pd.Series(values, dtype=object)

    frame = phone_keys_by_shape(series, **options)

    pd.testing.assert_frame_equal(frame, expected_frame(values, series.index, **options))
    if options.get("default_region", "AR").upper() != "AR":
        return
    text = [value for value in values if isinstance(value, str)]
    area_code = options.get("default_area_code")
    shaped = shape_keys(text, area_code=area_code.removeprefix("0") if area_code else None)
    for value, decided, key, cause in zip(text, shaped.decided, shaped.keys, shaped.causes):
        if decided:
            assert (key, cause) == astuple(phone_key(value, **options)), value


@pytest.mark.parametrize("area_code", AREA_CODE_OPTIONS)
def test_corpus_sample_matches_phone_key(area_code: str | None) -> None:
    values, _ = phone_corpus(4000, seed=11 + AREA_CODE_OPTIONS.index(area_code))

    assert_same_as_phone_key(values, default_area_code=area_code)


@pytest.mark.parametrize("area_code", [None, "0223"])
def test_every_area_code_in_every_form(area_code: str | None) -> None:
    values = []
    for index, code in enumerate(argentine_area_codes()):
        number = f"{4 + index % 5}{index * 7919 % 10 ** (9 - len(code)):0{9 - len(code)}d}"
        head, tail = number[:-4], number[-4:]
        fields = {"area": code, "number": number, "head": head, "tail": tail, "fullwidth": f"{code} {number}"}
        forms = [*AR_OTHER_FORMS, *VTEX_PHONE_FORMATS.values, *CRM_PHONE_FORMATS.values]
        values += [form.format(**fields) for form in forms]

    assert_same_as_phone_key(values, default_area_code=area_code)


def test_area_code_list_is_complete() -> None:
    codes = argentine_area_codes()

    assert len(codes) > 250
    assert {"11", "351", "2966"} <= set(codes)


@pytest.mark.parametrize("region", ["BR", "CL", "mx"])
def test_other_regions_match_phone_key(region: str) -> None:
    values, _ = phone_corpus(500, seed=3)

    assert_same_as_phone_key(values, default_region=region)


def test_odd_values_match_phone_key() -> None:
    values = [None, math.nan, pd.NA, 1128034063, 2.5, True, "", " ", "0", "+0", "(0)", "5", "+", "1-2", "12",
              "１１ ２８０３ ４０６３", "011\t4444-5555", "bad\ud800", "011 2803-4063 ext 12", "011 2803-4063x12",
              "011 2803-4063 #12", "Tel: 011 2803-4063", "0054 9 11 2803-4063", "000 11 2803 4063",
              "+54 54 11 2803 4063", "5454911 2803 4063", "+54 (0) 11 2803-4063", "+54 9 11 15 2803 4063"]

    assert_same_as_phone_key(values)
    assert_same_as_phone_key(values, default_area_code="11")


def test_fast_path_decides_sandbox_shapes() -> None:
    values, families = phone_corpus(3000, seed=5)
    sandbox = [value for value, family in zip(values, families)
               if family in ("ar_checkout", "ar_crm") and isinstance(value, str)]

    result = shape_keys(sandbox, area_code=None)

    assert result.decided.all()


def test_fast_path_share_of_corpus() -> None:
    values, _ = phone_corpus(3000, seed=6)
    text = [value for value in values if isinstance(value, str)]

    result = shape_keys(text, area_code=None)

    assert result.decided.mean() > 0.97


def test_invalid_options_raise_like_phone_key() -> None:
    series = pd.Series(["011 2803-4063"])

    with pytest.raises(ValueError, match="default_region"):
        phone_keys_by_shape(series, default_region="XX")
    with pytest.raises(ValueError, match="default_area_code"):
        phone_keys_by_shape(series, default_area_code="1")


def test_unhashable_values_fall_back() -> None:
    series = pd.Series([{"phone": "1128034063"}, "1128034063", ["1128034063"]])

    frame = phone_keys_by_shape(series)

    assert frame["cause"].tolist() == [causes.NOT_A_STRING, pd.NA, causes.NOT_A_STRING]
    assert frame["key"].tolist() == [pd.NA, "+541128034063", pd.NA]


def test_keys_keep_index_and_repeats() -> None:
    series = pd.Series(["011 4444-5556"] * 3 + [None, "15-4444-5555"], index=list("abcde"))

    frame = phone_keys_by_shape(series)

    assert list(frame.index) == list("abcde")
    assert frame["key"].tolist() == ["+541144445556"] * 3 + [pd.NA, pd.NA]
    assert frame["cause"].tolist() == [pd.NA] * 3 + [causes.EMPTY, causes.NO_AREA_CODE]


digit_text = st.text(alphabet="0123456789 +-().//", max_size=24)
argentine_number = st.builds(
    lambda area, local, form, extension: form.format(area=area, number=local, head=local[:-4], tail=local[-4:],
                                                     fullwidth=f"{area} {local}") + extension,
    st.sampled_from(["11", "220", "2202", "221", "223", "261", "2966", "299", "341", "351", "3543", "381", "388",
                     "3885", "800", "10", "15", "54", "9", "0"]),
    st.text(alphabet="0123456789", min_size=6, max_size=8),
    st.sampled_from([*AR_OTHER_FORMS, *VTEX_PHONE_FORMATS.values, *CRM_PHONE_FORMATS.values]),
    st.sampled_from(["", " int. 12", " x3", ", interno 45", " ext 1234567"]),
)
international_number = st.builds(
    lambda prefix, country, rest: f"{prefix}{country}{rest}",
    st.sampled_from(["+", "00", "+ ", "", "(+", "0"]),
    st.sampled_from(["54", "549", "55", "52", "521", "56", "57", "51", "598", "5454", "53", "1"]),
    st.text(alphabet="0123456789 -", min_size=6, max_size=14),
)
worded_text = st.text(alphabet="0123456789 +-/;,|abcxyoeint.#:", max_size=24)


@settings(max_examples=1000, deadline=None)
@given(values=st.lists(digit_text, max_size=12), area_code=st.sampled_from(AREA_CODE_OPTIONS))
def test_digit_text_matches_phone_key(values: list[str], area_code: str | None) -> None:
    assert_same_as_phone_key(values, default_area_code=area_code)


@settings(max_examples=1000, deadline=None)
@given(values=st.lists(argentine_number, max_size=12), area_code=st.sampled_from(AREA_CODE_OPTIONS))
def test_argentine_numbers_match_phone_key(values: list[str], area_code: str | None) -> None:
    assert_same_as_phone_key(values, default_area_code=area_code)


@settings(max_examples=1000, deadline=None)
@given(values=st.lists(international_number, max_size=12))
def test_international_numbers_match_phone_key(values: list[str]) -> None:
    assert_same_as_phone_key(values)


@settings(max_examples=1000, deadline=None)
@given(values=st.lists(worded_text, max_size=12))
def test_worded_text_matches_phone_key(values: list[str]) -> None:
    assert_same_as_phone_key(values)


@pytest.mark.parametrize("kind", ["phone", "email"])
def test_threaded_slices_match_one_pass(kind: str, monkeypatch: pytest.MonkeyPatch) -> None:
    values, _ = phone_corpus(4000, seed=13)
    if kind == "email":
        values = [f"{value}@Mail.com" if isinstance(value, str) else value for value in values]
    keys_by_shape = phone_keys_by_shape if kind == "phone" else email_keys_by_shape
    series = pd.Series(values, dtype=object)
    one_pass = keys_by_shape(series)

    monkeypatch.setattr(vectorised, "MIN_VALUES_PER_THREAD", 500)
    monkeypatch.setattr(vectorised.os, "cpu_count", lambda: 3)
    threaded = keys_by_shape(series)

    pd.testing.assert_frame_equal(threaded, one_pass)
    assert threaded["key"].notna().sum() > 1000

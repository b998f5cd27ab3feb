"""Phone keys by shape against the loops they replace, on a 1,000,000-value corpus of stored phones.

The corpus (`phone_corpus.py`) has a fixed, documented mix of shapes. `phone_keys_by_shape` runs on all of it;
the two loops run on its first 100,000 values, because their time per value does not depend on the corpus size.
Every value's key and cause is then compared with `phone_key`'s, on all 1,000,000 values.
"""

from __future__ import annotations

import os
import statistics
import time

import pandas as pd
import phonenumbers

from benchmarks.phone_corpus import MIX, phone_corpus
from optin_sync.identity import phone_key, vectorised
from optin_sync.identity.phone_shapes import shape_keys
from optin_sync.identity.vectorised import phone_keys_by_shape

TITLE = "Phone keys by shape"
ROWS = 1_000_000
LOOP_ROWS = 100_000
SEED = 7
REPETITIONS = 3
TARGET_SPEEDUP = 10.0


def plain_phonenumbers_key(value: object) -> str | None:
    """Parse with Argentina as the region and format valid numbers in E.164: libphonenumber alone, no rules."""
    if not isinstance(value, str):
        return None
    try:
        number = phonenumbers.parse(value, "AR")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _median_seconds(work) -> float:
    samples = []
    for _ in range(REPETITIONS):
        started = time.perf_counter()
        work()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def _on_one_thread(series: pd.Series) -> None:
    """Run `phone_keys_by_shape` with its shape path on one thread, for comparison."""
    bound = vectorised.MIN_VALUES_PER_THREAD
    vectorised.MIN_VALUES_PER_THREAD = len(series) + 1
    try:
        phone_keys_by_shape(series)
    finally:
        vectorised.MIN_VALUES_PER_THREAD = bound


def _mismatches(values: list, frame: pd.DataFrame) -> int:
    """Count values whose key or cause differs from `phone_key`'s."""
    keys = frame["key"].astype(object).where(frame["key"].notna(), None).tolist()
    causes = frame["cause"].astype(object).where(frame["cause"].notna(), None).tolist()
    count = 0
    for value, key, cause in zip(values, keys, causes):
        expected = phone_key(value)
        count += (expected.key, expected.cause) != (key, cause)
    return count


def run() -> dict:
    """Measure the three paths, check every value, and return the rows for the results page."""
    values, _ = phone_corpus(ROWS, SEED)
    series = pd.Series(values, dtype=object)
    loop_values = values[:LOOP_ROWS]

    by_shape = _median_seconds(lambda: phone_keys_by_shape(series))
    one_thread = _median_seconds(lambda: _on_one_thread(series))
    pure = _median_seconds(lambda: [phone_key(value) for value in loop_values])
    plain = _median_seconds(lambda: [plain_phonenumbers_key(value) for value in loop_values])

    frame = phone_keys_by_shape(series)
    mismatches = _mismatches(values, frame)
    distinct = list(dict.fromkeys(value for value in values if isinstance(value, str)))
    parsed = int((~shape_keys(distinct, area_code=None).decided).sum())
    missing = sum(1 for value in values if not isinstance(value, str))

    rate = ROWS / by_shape
    pure_rate = LOOP_ROWS / pure
    plain_rate = LOOP_ROWS / plain
    mix = ", ".join(f"`{name}` {weight}" for name, weight, _ in MIX)
    return {
        "title": TITLE,
        "notes": [f"Corpus mix per 1,000 values: {mix}. `benchmarks/phone_corpus.py` lists the shapes of each "
                  "family.",
                  f"`phone_keys_by_shape` runs the Arrow kernels on one slice of the distinct values per core, in "
                  f"threads ({os.cpu_count()} here), because the kernels release the GIL. The loops are plain Python "
                  "and run on one core. On one thread the shape path's speed-up over the plain loop is "
                  f"{ROWS / one_thread / plain_rate:.1f}x."],
        "setup": (f"{ROWS:,} values from `benchmarks/phone_corpus.py` (seed {SEED}, mix documented there), "
                  f"{len(distinct):,} distinct strings, default region AR without a default area code; "
                  f"loops timed on the first {LOOP_ROWS:,} values; {REPETITIONS} repetitions, median wall time"),
        "rows": [
            ("keys and causes equal to `phone_key`, all values", f"{ROWS - mismatches:,} of {ROWS:,}",
             "all", mismatches == 0),
            ("distinct strings left to `phone_key` (fallback)", f"{parsed:,} ({parsed / len(distinct):.2%})", "", True),
            ("values that are not strings (missing)", f"{missing:,}", "", True),
            ("`phone_keys_by_shape`, values per second", f"{rate:,.0f}", "", True),
            ("`phone_keys_by_shape` with the shape path on one thread, values per second",
             f"{ROWS / one_thread:,.0f}", "", True),
            ("`phone_key` loop, values per second", f"{pure_rate:,.0f}", "", True),
            ("plain `phonenumbers` loop (parse, validate, E.164), values per second", f"{plain_rate:,.0f}", "",
             True),
            ("speed-up over the `phone_key` loop", f"{rate / pure_rate:.1f}x", f">= {TARGET_SPEEDUP:.0f}x",
             rate / pure_rate >= TARGET_SPEEDUP),
            ("speed-up over the plain `phonenumbers` loop", f"{rate / plain_rate:.1f}x", f">= {TARGET_SPEEDUP:.0f}x",
             rate / plain_rate >= TARGET_SPEEDUP),
        ],
    }

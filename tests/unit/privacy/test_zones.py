"""The raw zone: owner-only, read back unmasked, deleted after its retention; masked mode needs a key."""

from __future__ import annotations

import os
import time
from datetime import date

import pandas as pd
import pytest

from optin_sync.errors import SettingsError
from optin_sync.settings import load_settings
from optin_sync.snapshots import schemas
from optin_sync.snapshots.store import RunKey
from optin_sync.snapshots.zones import Zones, purge_raw, raw_dir

KEY = "0123456789abcdef0123"


def customers() -> pd.DataFrame:
    frame = pd.DataFrame({name: pd.array([None], dtype="string") for name in schemas.woowup_customers().names})
    frame["userapp_id"] = [7]
    frame["email"] = pd.array(["ana@shop.com"], dtype="string")
    return frame


def test_raw_values_stay_in_the_raw_zone(tmp_path):
    settings = load_settings(data_dir=tmp_path / "data")
    zones = Zones(settings, KEY)
    run = RunKey(date(2026, 12, 3), "r1")
    zones.publish("woowup_customers", customers(), schemas.woowup_customers(), run)
    assert zones.read("woowup_customers", run)["email"].tolist() == ["ana@shop.com"]
    assert zones.analyst.read("woowup_customers", run)["email"].tolist() == ["a***@shop.com"]
    assert raw_dir(settings) == tmp_path / "data" / "_raw"
    assert os.stat(raw_dir(settings)).st_mode & 0o777 == 0o700


def test_masked_mode_without_a_key_names_the_connection(tmp_path):
    settings = load_settings(data_dir=tmp_path, pii_conn_id="shop_pii")
    with pytest.raises(SettingsError, match="shop_pii"):
        Zones(settings).publish("woowup_customers", customers(), schemas.woowup_customers(),
                                RunKey(date(2026, 12, 3), "r1"))


def test_clear_mode_runs_without_a_key(tmp_path):
    settings = load_settings(data_dir=tmp_path, pii_mode="clear")
    path = Zones(settings).publish("woowup_customers", customers(), schemas.woowup_customers(),
                                   RunKey(date(2026, 12, 3), "r1"))
    assert pd.read_parquet(path)["email"].tolist() == ["ana@shop.com"]


def test_retention_keeps_the_current_run(tmp_path):
    settings = load_settings(data_dir=tmp_path, raw_retention_days=30, raw_dir=tmp_path / "restricted")
    zones = Zones(settings, KEY)
    old, recent, current = (RunKey(date(2026, 10, 1), "old"), RunKey(date(2026, 11, 30), "recent"),
                            RunKey(date(2026, 9, 1), "current"))
    for run in (old, recent, current):
        zones.publish("woowup_customers", customers(), schemas.woowup_customers(), run)
    now = time.time()
    for run in (old, current):
        part = zones.raw.path("woowup_customers", run)
        os.utime(part, (now - 31 * 86400, now - 31 * 86400))
    assert purge_raw(settings, current, now=now) == 1
    assert not zones.raw.path("woowup_customers", old).exists()
    assert zones.raw.path("woowup_customers", recent).exists()
    assert zones.raw.path("woowup_customers", current).exists()
    # The analyst copies stay.
    assert zones.analyst.path("woowup_customers", old).exists()

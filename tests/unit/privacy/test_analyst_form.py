"""The analyst form of datasets: no raw email or phone in masked mode, stable keyed hashes in both modes."""

from __future__ import annotations

import json
import string

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from optin_sync.errors import SettingsError
from optin_sync.privacy.analyst import AnalystForm, analyst_schema
from optin_sync.privacy.hashing import PiiHasher, canonical_email
from optin_sync.settings import PiiMode
from optin_sync.snapshots import schemas

KEY = "k" * 32
HASHER = PiiHasher(KEY)


def customers() -> pd.DataFrame:
    return pd.DataFrame({
        "userapp_id": [1, 2],
        "service_uid": ["ana@shop.com", None],
        "email": ["Ana@Shop.com", "beto@gmail.com"],
        "telephone": ["+5491112344063", "11 4444-4063"],
        "document": ["30123456", None],
        "first_name": ["Ana", "Beto"],
        "last_name": ["García", None],
    })


def test_masked_mode_replaces_values_and_adds_hashes():
    out = AnalystForm(PiiMode.MASKED, HASHER).frame("woowup_customers", customers())
    assert out["email"].tolist() == ["A***@Shop.com", "b***@gmail.com"]
    assert out["telephone"].tolist() == ["+54 9 11 ****-4063", "** ****-4063"]
    assert out["first_name"].tolist() == ["A***", "B***"]
    assert out.loc[0, "email_hash"] == HASHER.digest("ana@shop.com")
    assert pd.isna(out.loc[1, "document_hash"]) and pd.isna(out.loc[1, "document"])
    assert "first_name_hash" not in out.columns


def test_clear_mode_keeps_values_and_still_hashes():
    out = AnalystForm(PiiMode.CLEAR, HASHER).frame("woowup_customers", customers())
    assert out["email"].tolist() == ["Ana@Shop.com", "beto@gmail.com"]
    assert out.loc[0, "email_hash"] == HASHER.digest("ana@shop.com")


def test_clear_mode_without_key_leaves_hashes_empty():
    out = AnalystForm(PiiMode.CLEAR, None).frame("woowup_customers", customers())
    assert out["email_hash"].isna().all()


def test_match_keys_hash_the_normalised_key_and_mask_by_type():
    keys = pd.DataFrame({"side": ["vtex", "woowup"], "record_id": ["p1", "7"], "key_type": ["email", "phone"],
                         "key": ["ana@shop.com", "+5491112344063"], "field": ["email", "telephone"]})
    out = AnalystForm(PiiMode.MASKED, HASHER).frame("match_keys", keys)
    assert out["key"].tolist() == ["a***@shop.com", "+54 9 11 ****-4063"]
    assert out["key_hash"].tolist() == [HASHER.digest("ana@shop.com"), HASHER.digest("+5491112344063")]


def test_quarantine_masks_personal_fields_only():
    quarantine = pd.DataFrame({"side": ["vtex", "vtex", "woowup"], "record_id": ["p1", "p2", None],
                               "field": ["email", "updatedIn", "userapp_id"], "cause": ["x", "invalid_date", "m"],
                               "raw_value": ["ana@@shop", "2026-13-01", None]})
    out = AnalystForm(PiiMode.MASKED, HASHER).frame("quarantine", quarantine)
    assert out["raw_value"].tolist()[:2] == ["a***@shop", "2026-13-01"]
    assert out.loc[0, "raw_value_hash"] == HASHER.digest("ana@@shop")
    assert pd.isna(out.loc[1, "raw_value_hash"])


def test_planned_write_bodies_lose_the_identifier():
    body = json.dumps({"email": "ana@shop.com", "mailing_enabled": "enabled"})
    writes = pd.DataFrame({"userapp_id": [1], "target_field": ["email"], "target_value": ["ana@shop.com"],
                           "body": [body]})
    out = AnalystForm(PiiMode.MASKED, HASHER).frame("planned_writes", writes)
    assert json.loads(out.loc[0, "body"]) == {"email": "a***@shop.com", "mailing_enabled": "enabled"}
    assert out.loc[0, "target_value"] == "a***@shop.com"


def test_analyst_schema_adds_hash_fields_and_records_the_mode():
    schema = analyst_schema("woowup_customers", schemas.woowup_customers(), PiiMode.MASKED)
    names = schema.names
    assert names[names.index("email") + 1] == "email_hash"
    assert schema.metadata[b"pii_mode"] == b"masked"
    assert "first_name_hash" not in names


def test_short_hash_key_is_refused():
    with pytest.raises(SettingsError, match="at least 16"):
        PiiHasher("short")


def test_hasher_never_shows_its_key():
    assert KEY not in repr(HASHER)


_local = st.text(alphabet=string.ascii_letters + string.digits + "._-", min_size=2, max_size=12)
_domain = st.sampled_from(["gmail.com", "hotmail.com.ar", "shop.com.br", "x.io"])
_digits = st.text(alphabet=string.digits, min_size=8, max_size=10)


@settings(max_examples=200, deadline=None)
@given(locals_=st.lists(_local, min_size=1, max_size=5), domain=_domain, numbers=st.lists(_digits, min_size=1,
                                                                                          max_size=5))
def test_masked_output_never_contains_a_raw_email_or_phone(locals_, domain, numbers):
    emails = [f"{local}@{domain}" for local in locals_]
    phones = [f"+549{number}" for number in numbers]
    size = max(len(emails), len(phones))
    frame = pd.DataFrame({"userapp_id": range(size),
                          "email": (emails * size)[:size], "telephone": (phones * size)[:size],
                          "service_uid": (emails * size)[:size], "document": None, "first_name": None,
                          "last_name": None})
    out = AnalystForm(PiiMode.MASKED, HASHER).frame("woowup_customers", frame)
    text = out.to_csv()
    for value in emails + phones:
        assert value not in text
    assert out["email_hash"].tolist() == [HASHER.digest(canonical_email(value)) for value in frame["email"]]

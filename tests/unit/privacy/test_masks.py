"""Masked displays and scrubbing of free text."""

from __future__ import annotations

import pytest

from optin_sync.privacy import masks


@pytest.mark.parametrize(("value", "expected"), [
    ("alice@gmail.com", "a***@gmail.com"),
    ("  Juan.Perez@Hotmail.com.ar ", "J***@Hotmail.com.ar"),
    ("x@y.com", "x***@y.com"),
    ("no-at-sign", "n***"),
    ("", ""),
])
def test_mask_email(value, expected):
    assert masks.mask_email(value) == expected


@pytest.mark.parametrize(("value", "expected"), [
    ("+5491112344063", "+54 9 11 ****-4063"),
    ("+541143214063", "+54 11 ****-4063"),
    ("+5511987654321", "+55 11 *****-4321"),
    ("+525512345678", "+52 55 **** 5678"),
    ("11 4444-4063", "** ****-4063"),
    ("(011) 15-4444-4063", "(***) **-****-4063"),
    ("12", "12"),
])
def test_mask_phone(value, expected):
    assert masks.mask_phone(value) == expected


@pytest.mark.parametrize(("value", "expected"), [
    ("30123456", "*****456"),
    ("20-30123456-9", "**-******56-9"),
])
def test_mask_document(value, expected):
    assert masks.mask_document(value) == expected


def test_mask_identifier_follows_the_shape():
    assert masks.mask_identifier("ana@shop.com") == "a***@shop.com"
    assert masks.mask_identifier("CUST-00912") == "****-**912"


def test_scrub_text_masks_emails_and_phone_runs_and_keeps_short_numbers():
    text = "invalid email juan.perez@x.com and phone +54 9 11 1234-5678 for user 42"
    scrubbed = masks.scrub_text(text)
    assert "juan.perez" not in scrubbed and "1234" not in scrubbed
    assert "j***@x.com" in scrubbed and scrubbed.endswith("-5678 for user 42")

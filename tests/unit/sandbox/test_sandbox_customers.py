"""How a PUT /multiusers body changes a stored WoowUp customer."""

import pytest

from optin_sync.sandbox.customers import apply_update, find_by_identifiers, new_customer, read_form, validate_update

NOW = "2026-05-27 05:00:00"
DEFINITIONS = {"opt_in_vtex": {"name": "opt_in_vtex", "label": "Opt-in VTEX", "data_type": "string", "field_type": "text"}}


@pytest.fixture
def bounced_customer():
    customer = new_customer(7, "2024-01-01 10:00:00")
    customer.update(
        email="ana@example.net",
        telephone="+5491128034063",
        mailing_enabled="disabled",
        mailing_enabled_reason="bounce",
        mailing_enabled_updatetime="2025-01-01 00:00:00",
    )
    return customer


def test_update_enable_clears_reason(bounced_customer):
    updated = apply_update(bounced_customer, {"email": "ana@example.net", "mailing_enabled": "enabled"}, "email", NOW)

    assert updated["mailing_enabled"] == "enabled"
    assert updated["mailing_enabled_reason"] is None
    assert updated["mailing_enabled_updatetime"] == NOW
    assert updated["updatetime"] == NOW


def test_update_redisable_clears_reason(bounced_customer):
    body = {"email": "ana@example.net", "mailing_enabled": "disabled"}

    updated = apply_update(bounced_customer, body, "email", NOW)

    assert updated["mailing_enabled_reason"] is None
    assert updated["mailing_enabled_updatetime"] == "2025-01-01 00:00:00"


def test_update_disable_takes_given_reason():
    customer = new_customer(1, "2024-01-01 10:00:00")
    body = {"email": "x@y.com", "sms_enabled": "disabled", "sms_enabled_reason": "other"}

    updated = apply_update(customer, body, "email", NOW)

    assert updated["sms_enabled"] == "disabled"
    assert updated["sms_enabled_reason"] == "other"
    assert updated["sms_enabled_updatetime"] == NOW


def test_update_disabled_reason_field_dropped():
    customer = new_customer(1, "2024-01-01 10:00:00")
    body = {"email": "x@y.com", "mailing_enabled": "disabled", "mailing_disabled_reason": "other"}

    updated = apply_update(customer, body, "email", NOW)

    assert updated["mailing_enabled_reason"] is None
    assert "mailing_disabled_reason" not in updated


def test_update_read_only_fields_ignored(bounced_customer):
    body = {"email": "ana@example.net", "userapp_id": 99, "createtime": "2000-01-01 00:00:00", "mailing_enabled_updatetime": "x"}

    updated = apply_update(bounced_customer, body, "email", NOW)

    assert updated == bounced_customer


def test_update_second_identifier_overwritten(bounced_customer):
    body = {"email": "ana@example.net", "telephone": "1128034063"}

    updated = apply_update(bounced_customer, body, "email", NOW)

    assert updated["telephone"] == "1128034063"


def test_find_prefers_service_uid_then_email():
    first, second = new_customer(1, NOW), new_customer(2, NOW)
    first.update(email="a@b.com")
    second.update(service_uid="S-2", email="other@b.com")
    customers = {1: first, 2: second}

    found, key = find_by_identifiers(customers, {"service_uid": "S-2", "email": "a@b.com"})

    assert found["userapp_id"] == 2
    assert key == "service_uid"


def test_find_is_exact_byte_for_byte():
    customer = new_customer(1, NOW)
    customer.update(email="Ana@B.com")

    found, _ = find_by_identifiers({1: customer}, {"email": "ana@b.com"})

    assert found is None


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ({"mailing_enabled": "enabled"}, "identifier"),
        ({"email": "a@b.com", "mailing_enabled": True}, "mailing_enabled"),
        ({"email": "a@b.com", "sms_enabled": "on"}, "sms_enabled"),
        ({"telephone": "11+5491128034063"}, "telephone"),
        ({"email": "a@b.com", "custom_attributes": {"talle": "M"}}, "talle"),
        ({"email": "a@b.com", "custom_attributes": {"opt_in_vtex": True}}, "opt_in_vtex"),
        ({"email": "a@b.com", "mailing_enabled_reason": 3}, "mailing_enabled_reason"),
        ([], "JSON object"),
    ],
)
def test_validate_update_rejects(body, fragment):
    errors = validate_update(body, DEFINITIONS)

    assert any(fragment in error for error in errors), errors


def test_validate_update_accepts_plus_prefix():
    assert validate_update({"telephone": "+5491128034063", "custom_attributes": {"opt_in_vtex": "True"}}, DEFINITIONS) == []


def test_read_form_boolean_channels():
    customer = new_customer(1, NOW)
    customer.update(sms_enabled="disabled")

    shown = read_form(customer, boolean_channels=True)

    assert shown["mailing_enabled"] is True
    assert shown["sms_enabled"] is False
    assert customer["sms_enabled"] == "disabled"

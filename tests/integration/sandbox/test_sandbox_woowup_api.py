"""WoowUp apiv3 customers, multiusers and custom attributes over loopback HTTP."""

import re
import time

import httpx
import pytest

pytestmark = pytest.mark.integration

OPT_IN_ATTRIBUTE = {"name": "opt_in_vtex", "label": "Opt-in VTEX", "data_type": "string", "field_type": "text"}
FIND_KEYS = {"service_uid": "", "email": "", "document": "", "telephone": ""}


@pytest.fixture
def customers(sandbox, customer_factory):
    stored = [customer_factory(number) for number in range(1, 121)]
    stored[4].update(mailing_enabled="disabled", mailing_enabled_reason="bounce")
    sandbox.reset({"woowup": {"users": stored, "custom_attributes": [OPT_IN_ATTRIBUTE]}})
    return stored


def stored(sandbox, userapp_id):
    return next(customer for customer in sandbox.state.customers() if customer["userapp_id"] == userapp_id)


def assert_envelope(body, code):
    assert set(body) == {"payload", "message", "code", "time"}
    assert body["code"] == code
    assert re.fullmatch(r"\d+ms", body["time"])


@pytest.mark.parametrize("authorization", [None, "Basic wrong", "Bearer test-woowup-key", "Basic dGVzdC13b293dXAta2V5"])
def test_auth_invalid_key_403(sandbox, customers, authorization):
    headers = {} if authorization is None else {"Authorization": authorization}

    response = httpx.get(f"{sandbox.url}/apiv3/users", headers=headers)

    assert response.status_code == 403
    assert_envelope(response.json(), "forbidden")


def test_users_default_limit(woowup, customers):
    response = woowup.get("/users")

    assert response.status_code == 200
    assert_envelope(response.json(), "ok")
    assert [customer["userapp_id"] for customer in response.json()["payload"]] == list(range(1, 26))


def test_users_pages_zero_based_until_short_page(woowup, customers):
    sizes = []
    for page in range(3):
        sizes.append(len(woowup.get("/users", params={"page": page, "limit": 50}).json()["payload"]))

    assert sizes == [50, 50, 20]
    assert woowup.get("/users", params={"page": 3, "limit": 50}).json()["payload"] == []


@pytest.mark.parametrize("params", [{"limit": 101}, {"limit": 0}, {"page": -1}, {"page": "x"}])
def test_users_invalid_paging_400(woowup, customers, params):
    response = woowup.get("/users", params=params)

    assert response.status_code == 400
    assert_envelope(response.json(), "bad_request")


def test_users_boolean_channels_share(woowup, sandbox, customers):
    sandbox.reset({"woowup": {"users": customers}, "settings": {"boolean_channels_rate": 0.5}})

    payload = woowup.get("/users", params={"limit": 100}).json()["payload"]
    booleans = [customer for customer in payload if isinstance(customer["mailing_enabled"], bool)]
    again = woowup.get("/users", params={"limit": 100}).json()["payload"]

    assert 20 <= len(booleans) <= 80
    assert again == payload
    assert stored(sandbox, booleans[0]["userapp_id"])["mailing_enabled"] in ("enabled", "disabled")


def test_find_by_email(woowup, customers):
    response = woowup.get("/multiusers/find", params={**FIND_KEYS, "email": "shopper7@gmail.com"})

    assert response.status_code == 200
    assert response.json()["payload"]["userapp_id"] == 7


def test_find_case_differs_404(woowup, customers):
    response = woowup.get("/multiusers/find", params={**FIND_KEYS, "email": "Shopper7@gmail.com"})

    assert response.status_code == 404
    assert_envelope(response.json(), "user_not_found")


def test_find_telephone_plus_sign_encoded(woowup, customers):
    response = woowup.get("/multiusers/find", params={**FIND_KEYS, "telephone": "+5491128000009"})

    assert response.json()["payload"]["userapp_id"] == 9


def test_find_missing_key_400(woowup, customers):
    response = woowup.get("/multiusers/find", params={"email": "shopper7@gmail.com"})

    assert response.status_code == 400
    assert "telephone" in response.json()["payload"]["errors"][0]


def test_find_service_uid_searched_first(woowup, sandbox, customer_factory):
    sandbox.reset({"woowup": {"users": [customer_factory(1), customer_factory(2, service_uid="S-2")]}})

    response = woowup.get("/multiusers/find", params={**FIND_KEYS, "email": "shopper1@gmail.com", "service_uid": "S-2"})

    assert response.json()["payload"]["userapp_id"] == 2


def test_exist(woowup, customers):
    found = woowup.get("/multiusers/exist", params={**FIND_KEYS, "email": "shopper7@gmail.com"})
    missing = woowup.get("/multiusers/exist", params={**FIND_KEYS, "email": "nobody@gmail.com"})

    assert found.json()["payload"] == {"exist": True}
    assert missing.json()["payload"] == {"exist": False}


def test_put_updates_matched_customer(woowup, sandbox, customers):
    body = {"email": "shopper3@gmail.com", "mailing_enabled": "disabled", "mailing_enabled_reason": "other"}

    response = woowup.put("/multiusers", json=body)

    assert response.status_code == 200
    assert_envelope(response.json(), "ok")
    customer = stored(sandbox, 3)
    assert customer["mailing_enabled"] == "disabled"
    assert customer["mailing_enabled_reason"] == "other"
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}", customer["mailing_enabled_updatetime"])
    assert customer["updatetime"] == customer["mailing_enabled_updatetime"]
    assert customer["sms_enabled_updatetime"] is None


def test_put_unknown_identifier_creates_201(woowup, sandbox, customers):
    response = woowup.put("/multiusers", json={"email": "SHOPPER3@gmail.com", "mailing_enabled": "enabled"})

    assert response.status_code == 201
    assert response.json()["payload"]["userapp_id"] == 121
    assert len(sandbox.state.customers()) == 121


def test_put_plus_between_digits_rejected(woowup, sandbox, customers):
    body = {"email": "shopper3@gmail.com", "telephone": "11+5491128000003", "mailing_enabled": "disabled"}

    response = woowup.put("/multiusers", json=body)

    assert response.status_code == 400
    assert_envelope(response.json(), "bad_request")
    assert stored(sandbox, 3)["mailing_enabled"] == "enabled"


def test_put_undefined_attribute_rejected(woowup, sandbox, customers):
    body = {"email": "shopper3@gmail.com", "custom_attributes": {"opt-in-vtex": "True"}, "sms_enabled": "disabled"}

    response = woowup.put("/multiusers", json=body)

    assert response.status_code == 400
    assert "opt-in-vtex" in response.json()["payload"]["errors"][0]
    assert stored(sandbox, 3)["sms_enabled"] == "enabled"


def test_put_defined_attribute_stored(woowup, sandbox, customers):
    woowup.put("/multiusers", json={"email": "shopper3@gmail.com", "custom_attributes": {"opt_in_vtex": "True"}})

    assert stored(sandbox, 3)["custom_attributes"] == {"opt_in_vtex": "True"}


def test_put_boolean_channel_value_rejected(woowup, customers):
    response = woowup.put("/multiusers", json={"email": "shopper3@gmail.com", "mailing_enabled": False})

    assert response.status_code == 400


def test_put_disabled_reason_dropped(woowup, sandbox, customers):
    body = {"email": "shopper3@gmail.com", "mailing_enabled": "disabled", "mailing_disabled_reason": "other"}

    woowup.put("/multiusers", json=body)

    customer = stored(sandbox, 3)
    assert customer["mailing_enabled"] == "disabled"
    assert customer["mailing_enabled_reason"] is None
    assert "mailing_disabled_reason" not in customer


def test_put_enable_overwrites_protecting_reason(woowup, sandbox, customers):
    woowup.put("/multiusers", json={"email": "shopper5@gmail.com", "mailing_enabled": "enabled"})

    customer = stored(sandbox, 5)
    assert customer["mailing_enabled"] == "enabled"
    assert customer["mailing_enabled_reason"] is None


def test_put_second_identifier_overwrites_field(woowup, sandbox, customers):
    woowup.put("/multiusers", json={"email": "shopper3@gmail.com", "telephone": "1128000004"})

    assert stored(sandbox, 3)["telephone"] == "1128000004"


def test_put_invalid_json_400(woowup, customers):
    response = woowup.put("/multiusers", content=b"{not json", headers={"Content-Type": "application/json"})

    assert response.status_code == 400
    assert_envelope(response.json(), "bad_request")


def test_attribute_definitions_listed_and_created(woowup, customers):
    created = woowup.post(
        "/account/custom-attributes",
        json={"name": "talle", "label": "Talle", "data_type": "string", "field_type": "select"},
    )
    listed = woowup.get("/account/custom-attributes", params={"text": "tal", "page": 0, "limit": 10})

    assert created.status_code == 201
    assert [definition["name"] for definition in listed.json()["payload"]] == ["talle"]


@pytest.mark.parametrize(
    "definition",
    [
        OPT_IN_ATTRIBUTE,
        {"name": "x", "label": "X", "data_type": "boolean", "field_type": "text"},
        {"name": "x", "label": "X", "data_type": "string", "field_type": "radio"},
        {"name": "", "label": "X", "data_type": "string", "field_type": "text"},
    ],
)
def test_attribute_definition_rejected(woowup, customers, definition):
    response = woowup.post("/account/custom-attributes", json=definition)

    assert response.status_code == 400
    assert_envelope(response.json(), "bad_request")


def test_unknown_route_404_envelope(woowup, customers):
    response = woowup.get("/purchases")

    assert response.status_code == 404
    assert_envelope(response.json(), "not_found")


def test_rate_limit_429_with_retry_after(woowup, sandbox, customers):
    sandbox.reset({"woowup": {"users": customers}, "settings": {"rate_limit_per_minute": 10, "time_scale": 30}})
    statuses = [woowup.get("/users", params={"limit": 1}).status_code for _ in range(6)]
    limited = woowup.get("/users", params={"limit": 1})

    assert statuses == [200] * 5 + [429]
    assert limited.status_code == 429
    assert_envelope(limited.json(), "too_many_requests")
    assert int(limited.headers["Retry-After"]) >= 1


def test_rate_limit_shared_except_admin(woowup, admin, sandbox, customers):
    sandbox.reset({"woowup": {"users": customers}, "settings": {"rate_limit_per_minute": 4}})
    woowup.get("/users")
    woowup.get("/multiusers/find", params={**FIND_KEYS, "email": "shopper1@gmail.com"})

    for _ in range(5):
        assert admin.get("/health").status_code == 200
    assert woowup.put("/multiusers", json={"email": "shopper1@gmail.com"}).status_code == 429


def test_rate_limit_recovers_after_retry_after(woowup, sandbox, customers):
    sandbox.reset({"woowup": {"users": customers}, "settings": {"rate_limit_per_minute": 4, "time_scale": 30}})
    woowup.get("/users")
    woowup.get("/users")
    limited = woowup.get("/users")
    assert limited.status_code == 429

    # At this time scale a segment lasts 1 s, so Retry-After is small and in real seconds.
    time.sleep(int(limited.headers["Retry-After"]))

    assert woowup.get("/users").status_code == 200

"""Generated data: determinism, steady-state shares and the messy values a sync must handle."""

import re
from datetime import date, datetime, timezone

import pytest

from optin_sync.sandbox.generator import GenerationRequest, generate
from optin_sync.sandbox.masterdata import CL_FIELDS, parse_timestamp
from optin_sync.sandbox.customers import CUSTOMER_FIELDS
from optin_sync.sandbox.messages import BadRequest

ANCHOR = date(2026, 5, 27)
# Buenos Aires is UTC-3: the local day 2026-05-26 is [03:00Z on the 26th, 03:00Z on the 27th).
WINDOW_START = datetime(2026, 5, 26, 3, tzinfo=timezone.utc)
WINDOW_END = datetime(2026, 5, 27, 3, tzinfo=timezone.utc)


@pytest.fixture(scope="module")
def data():
    return generate(GenerationRequest(seed=7, profiles=4000, customers=5000, anchor_date=ANCHOR))


def evidence(document):
    return parse_timestamp(document["updatedIn"] or document["createdIn"])


def test_generator_same_seed_same_data():
    request = GenerationRequest(seed=3, profiles=300, customers=400, anchor_date=ANCHOR)

    first, second = generate(request), generate(request)

    assert first.documents == second.documents
    assert first.customers == second.customers
    assert first.scenario == second.scenario


def test_generator_other_seed_other_data():
    first = generate(GenerationRequest(seed=3, profiles=100, customers=100, anchor_date=ANCHOR))
    second = generate(GenerationRequest(seed=4, profiles=100, customers=100, anchor_date=ANCHOR))

    assert first.documents != second.documents


def test_generator_sizes(data):
    assert len(data.documents) == 4000
    assert len(data.customers) == 5000
    assert len({document["id"] for document in data.documents}) == 4000
    assert sorted(customer["userapp_id"] for customer in data.customers) == list(range(1, 5001))


def test_generator_window_in_scenario(data):
    timeline = data.scenario["timeline"]

    assert timeline["window_start"] == "2026-05-26T03:00:00Z"
    assert timeline["window_end"] == "2026-05-27T03:00:00Z"


def test_generator_window_share(data):
    in_window = [document for document in data.documents if WINDOW_START <= evidence(document) < WINDOW_END]
    share = len(in_window) / len(data.documents)

    assert 0.20 <= share <= 0.30
    assert data.scenario["counts"]["window_profiles"] == len(in_window)


def test_generator_new_signups_in_window(data):
    new_signups = [
        document
        for document in data.documents
        if document["updatedIn"] is None and WINDOW_START <= parse_timestamp(document["createdIn"]) < WINDOW_END
    ]

    assert len(new_signups) > 20


def test_generator_changed_consent_share(data):
    counts = data.scenario["counts"]
    changed = counts["needs_enable"] + counts["needs_disable"]

    assert 0.02 <= changed / counts["window_profiles"] <= 0.04


def test_generator_every_category_present(data):
    counts = data.scenario["counts"]

    for category in ("needs_enable", "needs_disable", "agreeing", "protected", "newer_in_crm", "unknown_opt_in"):
        assert counts[category] >= 2, category


def test_generator_small_data_has_each_category():
    small = generate(GenerationRequest(seed=11, profiles=150, customers=150, anchor_date=ANCHOR))
    counts = small.scenario["counts"]

    for category in ("needs_enable", "needs_disable", "protected"):
        assert counts[category] >= 3, category
    assert counts["agreeing"] >= 1


def test_generator_matched_share(data):
    counts = data.scenario["counts"]

    assert 0.55 <= counts["matched_people"] / counts["people"] <= 0.65


def customers_by_id(data):
    return {customer["userapp_id"]: customer for customer in data.customers}


def profiles_by_id(data):
    return {document["id"]: document for document in data.documents}


def opt_in_value(document):
    value = document["isNewsletterOptIn"]
    return value if not isinstance(value, str) else value == "True"


def test_generator_needs_enable_disagrees(data):
    customers = customers_by_id(data)
    for userapp_id in data.scenario["customers"]["needs_enable"]:
        customer = customers[userapp_id]
        assert customer["mailing_enabled"] == "disabled"
        assert customer["mailing_enabled_reason"] in (None, "other")
    for profile_id in data.scenario["profiles"]["needs_enable"]:
        assert opt_in_value(profiles_by_id(data)[profile_id]) is True


def test_generator_needs_disable_disagrees(data):
    customers = customers_by_id(data)
    for userapp_id in data.scenario["customers"]["needs_disable"]:
        assert customers[userapp_id]["mailing_enabled"] == "enabled"
    for profile_id in data.scenario["profiles"]["needs_disable"]:
        assert opt_in_value(profiles_by_id(data)[profile_id]) is False


def test_generator_changed_customers_older_than_evidence(data):
    customers = customers_by_id(data)
    for userapp_id in data.scenario["customers"]["needs_enable"] + data.scenario["customers"]["needs_disable"]:
        update_time = customers[userapp_id]["mailing_enabled_updatetime"]
        assert update_time is None or update_time < "2026-05-26 00:00:00"


def test_generator_newer_in_crm_after_window_start(data):
    customers = customers_by_id(data)
    for userapp_id in data.scenario["customers"]["newer_in_crm"]:
        assert customers[userapp_id]["mailing_enabled_updatetime"] > "2026-05-26 03:00:00"


def test_generator_protected_reasons(data):
    customers = customers_by_id(data)
    for userapp_id in data.scenario["customers"]["protected"]:
        reason = customers[userapp_id]["mailing_enabled_reason"]
        assert reason not in (None, "", "other")


def test_generator_protected_share_overall(data):
    protected = [
        customer
        for customer in data.customers
        if customer["mailing_enabled_reason"] not in (None, "other")
    ]

    assert 0.05 <= len(protected) / len(data.customers) <= 0.10


def test_generator_messy_emails(data):
    emails = [document["email"] for document in data.documents if document["email"]]

    assert any(email != email.strip() for email in emails)
    assert any(email != email.lower() for email in emails)
    assert any(email.endswith("@ct.vtex.com.br") for email in emails)
    assert any(re.search(r"\.[a-z]+-\d+b\.ct\.vtex\.com\.br$", email) for email in emails)
    assert any("@mail.mercadolibre." in email for email in emails)
    assert "noemail@noemail.com" in emails


def test_generator_messy_phones(data):
    phones = [document[name] for document in data.documents for name in ("phone", "homePhone", "cellPhone") if document[name]]

    assert any(re.fullmatch(r"0\d{2,4} 15-\d+-\d{4}", phone) for phone in phones)
    assert any(phone.startswith("+54 9 ") for phone in phones)
    assert any(re.fullmatch(r"15-\d+-\d{4}", phone) for phone in phones)
    assert any(re.fullmatch(r"549\d{10}", phone) for phone in phones)
    assert "11111111" in phones
    assert any(phone.startswith("+55") or phone.startswith("(11)") for phone in phones)
    assert any(phone.startswith("+52") for phone in phones)


def test_generator_shared_shop_phone(data):
    phones = [document["phone"] for document in data.documents]

    assert phones.count("011 4311-0000") >= 6


def test_generator_opt_in_variants(data):
    values = [document["isNewsletterOptIn"] for document in data.documents]

    assert None in values
    assert "True" in values or "False" in values
    assert sum(isinstance(value, str) for value in values) / len(values) < 0.06


def test_generator_duplicates_differ_in_case(data):
    by_key = {}
    for document in data.documents:
        if document["email"] and "@" in document["email"]:
            by_key.setdefault(document["email"].strip().lower(), []).append(document)
    duplicates = [documents for documents in by_key.values() if len(documents) > 1]

    assert len(duplicates) >= 50
    assert any(documents[0]["email"] != documents[1]["email"] for documents in duplicates)


def test_generator_timestamps_up_to_seven_digits(data):
    pattern = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,7})?Z$")
    for document in data.documents:
        assert pattern.match(document["createdIn"]), document["createdIn"]
    assert any(len(document["createdIn"]) == len("2025-03-19T21:44:01.4199691Z") for document in data.documents)


def test_generator_records_have_every_field(data):
    assert all(set(document) == set(CL_FIELDS) for document in data.documents)
    assert all(set(customer) == set(CUSTOMER_FIELDS) for customer in data.customers)


def test_generator_opt_in_attribute_undefined_by_default(data):
    assert "opt_in_vtex" not in {definition["name"] for definition in data.custom_attributes}
    assert not any("opt_in_vtex" in customer["custom_attributes"] for customer in data.customers)


def test_generator_opt_in_attribute_defined_on_request():
    defined = generate(GenerationRequest(seed=7, profiles=300, customers=300, anchor_date=ANCHOR, define_opt_in_attribute=True))

    assert "opt_in_vtex" in {definition["name"] for definition in defined.custom_attributes}
    assert any(customer["custom_attributes"].get("opt_in_vtex") in ("True", "False") for customer in defined.customers)


def test_generator_makes_large_worlds_of_the_size_asked():
    # Its speed is measured by the API-cost benchmark, which generates a million customers.
    data = generate(GenerationRequest(seed=1, profiles=20_000, customers=100_000, anchor_date=ANCHOR))

    assert len(data.customers) == 100_000


@pytest.mark.parametrize(
    "raw",
    [
        {"seed": "42"},
        {"profiles": -1},
        {"anchor_date": "27/05/2026"},
        {"timezone": "Mars/Olympus"},
        {"define_opt_in_attribute": "yes"},
        {"rows": 10},
    ],
)
def test_generation_request_rejects_invalid(raw):
    with pytest.raises(BadRequest):
        GenerationRequest.from_json(raw)

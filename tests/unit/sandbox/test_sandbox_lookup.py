"""The sandbox's customer index finds what a scan of every customer finds."""

import random

import pytest

from optin_sync.sandbox.customers import IDENTIFIERS, find_by_identifiers, new_customer
from optin_sync.sandbox.lookup import CustomerLookup

NOW = "2026-05-27 05:00:00"


def customer(userapp_id: int, **identifiers) -> dict:
    stored = new_customer(userapp_id, NOW)
    stored.update(identifiers)
    return stored


@pytest.fixture
def customers() -> dict[int, dict]:
    stored = [customer(1, email="ana@b.com", telephone="+5491128000001"),
              customer(2, service_uid="S-2", email="beto@b.com"),
              customer(3, email="ana@b.com", document="30111222"),
              customer(4, email="", telephone="+5491128000004"),
              customer(5, document=30111222, email=None)]
    return {entry["userapp_id"]: entry for entry in stored}


@pytest.mark.parametrize("values", [
    {"email": "ana@b.com"},
    {"service_uid": "S-2", "email": "ana@b.com"},
    {"document": "30111222"},
    {"telephone": "+5491128000004", "email": ""},
    {"email": "Ana@B.com"},
    {"email": "nobody@b.com", "telephone": "+5491128000001"},
    {"document": 30111222},
    {"email": ""},
    {},
])
def test_lookup_find_matches_scan(customers, values):
    assert CustomerLookup(customers).find(values) == find_by_identifiers(customers, values)


def test_lookup_shared_value_lowest_id(customers):
    found, key = CustomerLookup(customers).find({"email": "ana@b.com"})

    assert found["userapp_id"] == 1
    assert key == "email"


def test_lookup_store_moves_identifier(customers):
    lookup = CustomerLookup(customers)
    lookup.find({"email": "ana@b.com"})

    lookup.store({**customers[1], "email": "ana.new@b.com"})

    assert lookup.find({"email": "ana@b.com"})[0]["userapp_id"] == 3
    assert lookup.find({"email": "ana.new@b.com"})[0]["userapp_id"] == 1


def test_lookup_store_new_customer(customers):
    lookup = CustomerLookup(customers)
    assert lookup.sorted_ids() == [1, 2, 3, 4, 5]

    lookup.store(customer(9, email="nueva@b.com"))

    assert lookup.sorted_ids() == [1, 2, 3, 4, 5, 9]
    assert lookup.find({"email": "nueva@b.com"})[0]["userapp_id"] == 9


def test_lookup_ignores_stale_entry(customers):
    lookup = CustomerLookup(customers)
    lookup.find({"email": "beto@b.com"})

    del customers[2]

    assert lookup.find({"email": "beto@b.com"}) == (None, None)


def test_lookup_random_matches_scan():
    rng = random.Random(3)
    pool = {key: [f"{key}-{n}" for n in range(6)] + [""] for key in IDENTIFIERS}
    stored = {userapp_id: customer(userapp_id, **{key: rng.choice(pool[key] + [None]) for key in IDENTIFIERS})
              for userapp_id in rng.sample(range(1, 200), 60)}
    lookup = CustomerLookup(stored)

    for _ in range(300):
        values = {key: rng.choice(pool[key]) for key in rng.sample(IDENTIFIERS, rng.randint(1, 4))}
        assert lookup.find(values) == find_by_identifiers(stored, values), values
        if rng.random() < 0.3:
            changed = rng.choice(sorted(stored))
            lookup.store({**stored[changed], **{key: rng.choice(pool[key]) for key in rng.sample(IDENTIFIERS, 2)}})

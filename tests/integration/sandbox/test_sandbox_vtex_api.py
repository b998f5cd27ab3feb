"""Master Data CL search, scroll and document endpoints over loopback HTTP."""

import time

import httpx
import pytest

pytestmark = pytest.mark.integration

WINDOW_FILTER = "updatedIn between 2026-05-26 AND 2026-05-26"


@pytest.fixture
def profiles(sandbox, profile_factory):
    documents = [profile_factory(number) for number in range(1, 251)]
    sandbox.reset({"vtex": {"CL": documents}})
    return documents


def test_auth_missing_headers_401(sandbox, profiles):
    response = httpx.get(f"{sandbox.url}/api/dataentities/CL/search")

    assert response.status_code == 401
    assert "Message" in response.json()


def test_auth_wrong_token_401(vtex, profiles):
    response = vtex.get("/search", headers={"X-VTEX-API-AppToken": "wrong"})

    assert response.status_code == 401


def test_auth_header_names_case_insensitive(sandbox, profiles):
    credentials = sandbox.credentials
    headers = {"x-vtex-api-appkey": credentials.vtex_app_key, "X-VTEX-API-APPTOKEN": credentials.vtex_app_token}
    response = httpx.get(f"{sandbox.url}/api/dataentities/CL/search", headers=headers)

    assert response.status_code == 200


def test_auth_without_read_permission_403(sandbox, vtex, profiles):
    sandbox.reset({"vtex": {"CL": profiles}, "settings": {"vtex_read_permission": False}})

    response = vtex.get("/search")

    assert response.status_code == 403
    assert "permission" in response.json()["Message"]


def test_search_default_range_and_fields(vtex, profiles):
    response = vtex.get("/search")

    assert response.status_code == 200
    assert len(response.json()) == 15
    assert set(response.json()[0]) == {"id"}
    assert response.headers["REST-Content-Range"] == "resources 0-15/250"


def test_search_paging_headers(vtex, profiles):
    response = vtex.get(
        "/search",
        params={"_fields": "id,email,isNewsletterOptIn", "_sort": "id ASC"},
        headers={"REST-Range": "resources=200-300"},
    )

    assert response.status_code == 200
    assert len(response.json()) == 50
    assert response.headers["REST-Content-Range"] == "resources 200-250/250"
    assert response.json()[0]["id"] == "00000000-0000-0000-0000-000000000201"


def test_search_sorted_pages_cover_all(vtex, profiles):
    seen = []
    for start in range(0, 300, 100):
        response = vtex.get("/search", params={"_sort": "id ASC"}, headers={"REST-Range": f"resources={start}-{start + 100}"})
        seen.extend(document["id"] for document in response.json())

    assert len(seen) == 250
    assert len(set(seen)) == 250


def test_search_unsorted_pages_overlap(vtex, profiles):
    seen = []
    for start in range(0, 300, 100):
        response = vtex.get("/search", headers={"REST-Range": f"resources={start}-{start + 100}"})
        seen.extend(document["id"] for document in response.json())

    assert len(set(seen)) < 250


def test_search_all_fields(vtex, profiles):
    response = vtex.get("/search", params={"_fields": "_all"}, headers={"REST-Range": "resources=0-1"})

    assert response.json()[0]["dataEntityId"] == "CL"
    assert "businessPhone" in response.json()[0]


@pytest.mark.parametrize(
    ("params", "range_header", "fragment"),
    [
        ({}, "resources=0-101", "100"),
        ({}, "resources=9950-10050", "scroll"),
        ({}, "items=0-10", "REST-Range"),
        ({}, "resources=10-5", "greater"),
        ({"_fields": "id,favoriteColor"}, "resources=0-10", "favoriteColor"),
        ({"_where": "firstName=Ana"}, "resources=0-10", "filterable"),
        ({"_where": "updatedIn>=2026-05-26"}, "resources=0-10", "operator"),
        ({"_sort": "id SIDEWAYS"}, "resources=0-10", "direction"),
        ({"_keyword": "ana"}, "resources=0-10", "_keyword"),
    ],
)
def test_search_rejects_invalid_request(vtex, profiles, params, range_header, fragment):
    response = vtex.get("/search", params=params, headers={"REST-Range": range_header})

    assert response.status_code == 400
    assert fragment in response.json()["Message"]


def test_search_where_whole_days(vtex, profile_factory, sandbox):
    documents = [
        profile_factory(1, updatedIn="2026-05-26T20:05:00Z"),
        profile_factory(2, updatedIn="2026-05-27T00:10:00.1234567Z"),
        profile_factory(3, updatedIn=None, createdIn="2026-05-26T10:00:00Z"),
    ]
    sandbox.reset({"vtex": {"CL": documents}})

    after = vtex.get("/search", params={"_where": "updatedIn>2026-05-26"})
    incremental = vtex.get(
        "/search",
        params={"_where": f"({WINDOW_FILTER}) OR (updatedIn is null AND createdIn between 2026-05-26 AND 2026-05-26)"},
    )

    assert [document["id"] for document in after.json()] == [documents[1]["id"]]
    assert sorted(document["id"] for document in incremental.json()) == [documents[0]["id"], documents[2]["id"]]


def test_search_unencoded_plus_becomes_space(vtex, sandbox, profile_factory):
    sandbox.reset({"vtex": {"CL": [profile_factory(1, phone="+5491128030001")]}})

    encoded = vtex.get("/search", params={"_where": "phone=+5491128030001"})
    raw = vtex.get("/search?_where=phone=+5491128030001")

    assert len(encoded.json()) == 1
    assert raw.json() == []


def test_late_document_visible_after_delay(vtex, sandbox, profile_factory):
    late = {"visible_after_seconds": 0.3, "document": profile_factory(2)}
    sandbox.reset({"vtex": {"CL": [profile_factory(1)], "CL_late": [late]}})

    before = vtex.get("/search", params={"_sort": "id ASC"})
    time.sleep(0.35)
    after = vtex.get("/search", params={"_sort": "id ASC"})

    assert len(before.json()) == 1
    assert len(after.json()) == 2


def test_document_by_id(vtex, profiles):
    response = vtex.get(f"/documents/{profiles[0]['id']}", params={"_fields": "email"})

    assert response.json() == {"email": profiles[0]["email"]}


def test_document_unknown_id_404(vtex, profiles):
    assert vtex.get("/documents/missing").status_code == 404


def test_document_unknown_id_500_nao_encontrado(vtex, sandbox, profiles):
    sandbox.reset({"vtex": {"CL": profiles}, "settings": {"vtex_500_not_found": True}})

    response = vtex.get("/documents/missing")

    assert response.status_code == 500
    assert "não encontrado" in response.json()["Message"]


def scroll_all(vtex, params):
    first = vtex.get("/scroll", params=params)
    assert first.status_code == 200
    token = first.headers["X-VTEX-MD-TOKEN"]
    pages = [first.json()]
    while pages[-1]:
        response = vtex.get("/scroll", params={"_token": token})
        assert response.status_code == 200
        pages.append(response.json())
    return first, pages


def test_scroll_reads_everything_then_empty_page(vtex, profiles):
    first, pages = scroll_all(vtex, {"_size": 100, "_fields": "id,email"})

    assert first.headers["REST-Content-Total"] == "250"
    assert [len(page) for page in pages] == [100, 100, 50, 0]
    assert len({document["id"] for page in pages for document in page}) == 250


def test_scroll_filter_fixed_by_first_call(vtex, profiles, sandbox, profile_factory):
    documents = [profile_factory(number, isNewsletterOptIn=number % 2 == 0) for number in range(1, 41)]
    sandbox.reset({"vtex": {"CL": documents}})

    first = vtex.get("/scroll", params={"_size": 10, "_where": "isNewsletterOptIn=true", "_fields": "id,isNewsletterOptIn"})
    second = vtex.get("/scroll", params={"_token": first.headers["X-VTEX-MD-TOKEN"], "_size": 1000})

    assert first.headers["REST-Content-Total"] == "20"
    assert len(second.json()) == 10
    assert all(document["isNewsletterOptIn"] is True for document in second.json())


def test_scroll_token_freed_after_end(vtex, profiles):
    _, _ = scroll_all(vtex, {"_size": 1000})
    # The slot was freed, so 10 new scrolls still fit.
    for _ in range(10):
        assert vtex.get("/scroll", params={"_size": 1}).status_code == 200


def test_scroll_finished_token_rejected(vtex, profiles):
    first, _ = scroll_all(vtex, {"_size": 1000})

    response = vtex.get("/scroll", params={"_token": first.headers["X-VTEX-MD-TOKEN"]})

    assert response.status_code == 400
    assert "Operation not found for this token" in response.json()["Message"]


def test_scroll_token_expires_after_inactivity(vtex, sandbox, profiles):
    sandbox.reset({"vtex": {"CL": profiles}, "settings": {"scroll_token_ttl_seconds": 0.2}})
    first = vtex.get("/scroll", params={"_size": 10})

    time.sleep(0.3)
    response = vtex.get("/scroll", params={"_token": first.headers["X-VTEX-MD-TOKEN"]})

    assert response.status_code == 400
    assert "Operation not found for this token" in response.json()["Message"]


def test_scroll_activity_keeps_token_alive(vtex, sandbox, profiles):
    sandbox.reset({"vtex": {"CL": profiles}, "settings": {"scroll_token_ttl_seconds": 0.3}})
    token = vtex.get("/scroll", params={"_size": 10}).headers["X-VTEX-MD-TOKEN"]

    for _ in range(4):
        time.sleep(0.15)
        assert vtex.get("/scroll", params={"_token": token}).status_code == 200


def test_scroll_eleventh_simultaneous_rejected(vtex, profiles):
    for _ in range(10):
        assert vtex.get("/scroll", params={"_size": 10}).status_code == 200

    response = vtex.get("/scroll", params={"_size": 10})

    assert response.status_code == 400
    assert response.json()["Message"] == "Maximum simultaneous scrolls rate exceeded (10)"


def test_scroll_expired_slots_freed(vtex, sandbox, profiles):
    sandbox.reset({"vtex": {"CL": profiles}, "settings": {"scroll_token_ttl_seconds": 0.2, "max_simultaneous_scrolls": 2}})
    for _ in range(2):
        vtex.get("/scroll", params={"_size": 10})
    assert vtex.get("/scroll", params={"_size": 10}).status_code == 400

    time.sleep(0.3)

    assert vtex.get("/scroll", params={"_size": 10}).status_code == 200


@pytest.mark.parametrize("size", ["1001", "0", "ten"])
def test_scroll_invalid_size_400(vtex, profiles, size):
    assert vtex.get("/scroll", params={"_size": size}).status_code == 400


def test_scroll_omits_content_total(vtex, sandbox, profiles):
    sandbox.reset({"vtex": {"CL": profiles}, "settings": {"omit_content_total_rate": 1.0}})

    response = vtex.get("/scroll", params={"_size": 10})

    assert response.status_code == 200
    assert "REST-Content-Total" not in response.headers


def test_scroll_omits_content_total_on_share(vtex, sandbox, profiles):
    sandbox.reset({"vtex": {"CL": profiles}, "settings": {"omit_content_total_rate": 0.5, "fault_seed": 3}})
    present = []
    for _ in range(40):
        response = vtex.get("/scroll", params={"_size": 1000})
        present.append("REST-Content-Total" in response.headers)
        vtex.get("/scroll", params={"_token": response.headers["X-VTEX-MD-TOKEN"]})
        vtex.get("/scroll", params={"_token": response.headers["X-VTEX-MD-TOKEN"]})

    assert 5 <= present.count(False) <= 35

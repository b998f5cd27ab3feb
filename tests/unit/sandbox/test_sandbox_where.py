"""Master Data `_where` filters as the sandbox evaluates them, including whole-day date rules."""

import pytest

from optin_sync.sandbox.messages import BadRequest
from optin_sync.sandbox.where import parse_where, tokenize

SHOPPER = {
    "id": "b1f6-0001",
    "email": "Sofia.Gomez@gmail.com",
    "isNewsletterOptIn": True,
    "document": "30111222",
    "phone": "+54 9 11 2803-4063",
    "homePhone": None,
    "cellPhone": None,
    "userId": None,
    "createdIn": "2025-03-19T21:44:01.4199691Z",
    "updatedIn": "2026-05-26T20:05:00.1234567Z",
}
NEVER_UPDATED = {**SHOPPER, "id": "b1f6-0002", "updatedIn": None, "createdIn": "2026-05-26T03:10:00Z"}
STRING_OPT_IN = {**SHOPPER, "id": "b1f6-0003", "isNewsletterOptIn": "False"}
NULL_OPT_IN = {**SHOPPER, "id": "b1f6-0004", "isNewsletterOptIn": None}


@pytest.mark.parametrize(
    ("where", "expected"),
    [
        # Whole UTC days, compared strictly.
        ("updatedIn>2026-05-26", False),
        ("updatedIn>2026-05-25", True),
        ("updatedIn<2026-05-26", False),
        ("updatedIn<2026-05-27", True),
        ("updatedIn=2026-05-26", True),
        ("updatedIn=2026-05-26T00:00:00Z", True),
        ("updatedIn>2026-05-26T01:00:00Z", False),
        ("updatedIn<>2026-05-26", False),
        ("updatedIn between 2026-05-26 AND 2026-05-26", True),
        ("updatedIn between 2026-05-20 AND 2026-05-25", False),
        ("updatedIn between 2026-05-26T23:00:00Z AND 2026-05-27", True),
        ("createdIn<2025-03-20", True),
        # Booleans, text, wildcards.
        ("isNewsletterOptIn=true", True),
        ("isNewsletterOptIn=TRUE", True),
        ("isNewsletterOptIn=false", False),
        ("isNewsletterOptIn<>false", True),
        ("email=Sofia.Gomez@gmail.com", True),
        ("email=sofia.gomez@gmail.com", False),
        ('email="Sofia.Gomez@gmail.com"', True),
        ("email='Sofia.Gomez@gmail.com'", True),
        ("email=*@gmail.com", True),
        ("email=Sofia*", True),
        ("email<>*@hotmail.com", True),
        ("document>30000000", True),
        ("document between 30000000 AND 30999999", True),
        ('phone="+54 9 11 2803-4063"', True),
        # Null checks and logic.
        ("homePhone is null", True),
        ("homePhone is not null", False),
        ("updatedIn is not null", True),
        ("email=x@y.com OR document=30111222", True),
        ("email=x@y.com AND document=30111222", False),
        ("(updatedIn>2026-05-25 OR updatedIn is null) AND isNewsletterOptIn=true", True),
        ("NOT_A_MATCH=1 OR document=30111222", None),
    ],
)
def test_where_matches_shopper(where, expected):
    if expected is None:
        with pytest.raises(BadRequest):
            parse_where(where)
        return
    assert parse_where(where)(SHOPPER) is expected


@pytest.mark.parametrize(
    ("where", "document", "expected"),
    [
        ("updatedIn>2026-05-01", NEVER_UPDATED, False),
        ("updatedIn<2026-05-01", NEVER_UPDATED, False),
        ("updatedIn<>2026-05-01", NEVER_UPDATED, False),
        ("updatedIn is null", NEVER_UPDATED, True),
        ("updatedIn is null AND createdIn=2026-05-26", NEVER_UPDATED, True),
        ("isNewsletterOptIn=false", STRING_OPT_IN, True),
        ("isNewsletterOptIn=true", STRING_OPT_IN, False),
        ("isNewsletterOptIn=true", NULL_OPT_IN, False),
        ("isNewsletterOptIn<>true", NULL_OPT_IN, False),
        ("isNewsletterOptIn is null", NULL_OPT_IN, True),
    ],
)
def test_where_nulls_and_string_booleans(where, document, expected):
    assert parse_where(where)(document) is expected


def test_where_incremental_filter_with_null_updated():
    where = (
        "(updatedIn between 2026-05-26 AND 2026-05-27) OR "
        "(updatedIn is null AND createdIn between 2026-05-26 AND 2026-05-27)"
    )
    predicate = parse_where(where)

    assert predicate(SHOPPER) is True
    assert predicate(NEVER_UPDATED) is True
    assert predicate({**SHOPPER, "updatedIn": "2026-05-28T00:00:01Z"}) is False


@pytest.mark.parametrize(
    "where",
    [
        "firstName=Sofia",
        "updatedIn>=2026-05-26",
        "updatedIn<=2026-05-26",
        "email!=x@y.com",
        "updatedIn>yesterday",
        "updatedIn>2026-13-01",
        "isNewsletterOptIn=maybe",
        "isNewsletterOptIn>true",
        "email=",
        "email=a@b.com AND",
        "(email=a@b.com",
        "email=a@b.com)",
        "email between a AND",
        "email between a OR b",
        "homePhone is maybe",
        'email="unterminated',
        "email a@b.com",
        "email=a b",
    ],
)
def test_where_rejects_invalid_filter(where):
    with pytest.raises(BadRequest):
        parse_where(where)


def test_where_empty_matches_everything():
    assert parse_where("")(SHOPPER) is True
    assert parse_where(None)(SHOPPER) is True


def test_tokenize_keeps_timestamp_values_whole():
    tokens = tokenize("updatedIn>2026-05-26T20:05:00Z AND (email is null)")

    assert [token.text for token in tokens] == ["updatedIn", ">", "2026-05-26T20:05:00Z", "AND", "(", "email", "is", "null", ")"]

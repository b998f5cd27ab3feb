"""Email keys by shape: the same keys and causes as `email_key`, value for value."""

from __future__ import annotations

import math
from dataclasses import astuple

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from benchmarks.world_frames import generate_world
from optin_sync.identity import causes, email_key
from optin_sync.identity.email_shapes import email_shape_keys
from optin_sync.identity.vectorised import email_keys_by_shape

OPTIONS = [
    {},
    {"gmail_canonical": True},
    {"placeholder_domains": frozenset({"Tienda.com", "Müller.com", "sin-mail.com.ar"})},
]
ADDRESSES = [
    "juan@gmail.com", "Juan.Perez@Gmail.com", "  juan@gmail.com  ", "j.u.a.n+news@gmail.com", "juan@googlemail.com",
    "+news@gmail.com", ".@gmail.com", "a..b@x.com", ".a@x.com", "a.@x.com", "a@x", "a@x.c", "a@-x.com",
    "a@x-.com", "a@x..com", "a@x.com.", "a b@x.com", "a@b@c.com", "@x.com", "a@", "a@xn--mller-kva.com",
    "a@xn--zz.com", "x@ct.vtex.com.br", "x@y.ct.vtex.com.br", "a@b.com-123b.ct.vtex.com.br", "@ct.vtex.com.br",
    "3f2a9c1d7b6e@CT.VTEX.COM.BR", "a@mercadolibre.com.ar", "a@mail.mercadolibre.com.mx", "a@mercadolivre.com.br",
    "a@x.mercadolibre.com", "a@mercadolibre.ab.cd", "a@mercadolibre.com.ar.evil.com", "a@mercadolibre.co",
    "noreply@tienda.com", "no-reply@x.com", "a@noemail.com", "a@example.org", "a@tienda.com", "a@müller.com",
    "a@sin-mail.com.ar", "", "   ", "\ta@b.com", "a@b.com\n", "ñandú@b.com", "a@b_c.com", "a@b.c0m",
    "a@" + "b" * 63 + ".com", "a@" + "b" * 64 + ".com", "a" * 64 + "@b.com", "a" * 65 + "@b.com",
    "a!#$%&'*+/=?^_`{|}~-@b.com", "a(b)@c.com", '"a b"@c.com', "a@[1.2.3.4]", "a@1.2.3.4", "A@B.COM",
]


def assert_same_as_email_key(values: list, **options: object) -> None:
    """Check the column function, and the shape path itself, which short columns do not reach."""
    series = pd.Series(values, dtype=object)

    frame = email_keys_by_shape(series, **options)

    results = [email_key(value, **options) for value in values]
    assert frame["key"].tolist() == [pd.NA if result.key is None else result.key for result in results]
    assert frame["cause"].tolist() == [pd.NA if result.cause is None else result.cause for result in results]
    text = [value for value in values if isinstance(value, str)]
    shaped = email_shape_keys(text, **options)
    for value, decided, key, cause in zip(text, shaped.decided, shaped.keys, shaped.causes):
        if decided:
            assert (key, cause) == astuple(email_key(value, **options)), value


@pytest.mark.parametrize("options", OPTIONS, ids=["defaults", "gmail-canonical", "placeholder-domains"])
def test_listed_addresses_match_email_key(options: dict) -> None:
    assert_same_as_email_key([*ADDRESSES, None, math.nan, 12], **options)


@pytest.mark.parametrize("options", OPTIONS, ids=["defaults", "gmail-canonical", "placeholder-domains"])
def test_generated_world_matches_email_key(options: dict) -> None:
    world = generate_world(3000, 3000, seed=8)
    values = [*world.profiles["email"].astype(object), *world.customers["email"].astype(object)]

    assert_same_as_email_key([None if value is pd.NA else value for value in values], **options)


def test_shape_path_decides_generated_emails() -> None:
    world = generate_world(2000, 2000, seed=9)
    text = [value for value in world.profiles["email"].dropna()]

    result = email_shape_keys(text)

    assert result.decided.all()


def test_punycode_and_non_ascii_left_to_email_key() -> None:
    result = email_shape_keys(["a@xn--mller-kva.com", "ñandú@b.com", "juan@gmail.com"])

    assert result.decided.tolist() == [False, False, True]


def test_causes_of_common_rejections() -> None:
    result = email_shape_keys(["x@ct.vtex.com.br", "a@mercadolibre.com.ar", "a@noemail.com", "noreply@x.com",
                               "a..b@x.com", "  "])

    assert result.causes.tolist() == [causes.MASKED_ALIAS, causes.MARKETPLACE_RELAY, causes.PLACEHOLDER_DOMAIN,
                                      causes.PLACEHOLDER_LOCAL_PART, causes.INVALID_SYNTAX, causes.EMPTY]


email_like = st.one_of(
    st.sampled_from(ADDRESSES),
    st.emails(),
    st.builds(lambda local, domain: f"{local}@{domain}",
              st.text(alphabet="abcXYZ09.+-_!'", max_size=12),
              st.sampled_from(["gmail.com", "googlemail.com", "ct.vtex.com.br", "mail.mercadolibre.com.ar",
                               "noemail.com", "tienda.com", "x.co", "a-b.com.ar", "xn--mller-kva.com", "b..c"])),
    st.text(alphabet="ab.@ -+xn", max_size=16),
    st.text(max_size=16),
)


@settings(max_examples=1000, deadline=None)
@given(values=st.lists(email_like, max_size=12), options=st.sampled_from(OPTIONS))
def test_email_like_text_matches_email_key(values: list[str], options: dict) -> None:
    assert_same_as_email_key(values, **options)

"""Email match keys: normalisation and every rejection cause."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from optin_sync.identity import ALL_CAUSES, KeyResult, email_key
from optin_sync.identity import causes

ACCEPTED = [
    pytest.param("juan.perez@gmail.com", "juan.perez@gmail.com", id="plain"),
    pytest.param("Juan.Perez@Gmail.COM", "juan.perez@gmail.com", id="upper-case"),
    pytest.param("  juan@gmail.com \t\n", "juan@gmail.com", id="surrounding-space"),
    pytest.param("juan@müller.com.ar", "juan@xn--mller-kva.com.ar", id="idn-umlaut"),
    pytest.param("JUAN@MÜLLER.COM.AR", "juan@xn--mller-kva.com.ar", id="idn-upper-case"),
    pytest.param("juan@xn--mller-kva.com.ar", "juan@xn--mller-kva.com.ar", id="idn-already-encoded"),
    pytest.param("ana@ñandú.com.ar", "ana@xn--and-6ma2c.com.ar", id="idn-enye"),
    pytest.param("José@ejemplo.com.ar", "josé@ejemplo.com.ar", id="unicode-local-part"),
    pytest.param("JOSE\u0301@ejemplo.com.ar", "josé@ejemplo.com.ar", id="unicode-local-part-nfc"),
    pytest.param("juan+promo@gmail.com", "juan+promo@gmail.com", id="plus-tag-kept"),
    pytest.param("juan.perez@googlemail.com", "juan.perez@googlemail.com", id="googlemail-kept"),
    pytest.param("o'brien@tienda.com", "o'brien@tienda.com", id="apostrophe"),
    pytest.param("ventas-01_x@sub.tienda.com.br", "ventas-01_x@sub.tienda.com.br", id="subdomain"),
    pytest.param("x@notct.vtex.com.br", "x@notct.vtex.com.br", id="not-vtex-subdomain"),
    pytest.param("x@mercadolibre.tienda.com", "x@mercadolibre.tienda.com", id="relay-name-not-registered"),
    pytest.param("x@mimercadolibre.com", "x@mimercadolibre.com", id="relay-name-inside-label"),
    pytest.param("noreply.juan@gmail.com", "noreply.juan@gmail.com", id="noreply-prefix"),
    pytest.param("juan@example.com.ar", "juan@example.com.ar", id="placeholder-domain-other-tld"),
    pytest.param("a@b.co", "a@b.co", id="short"),
    pytest.param("x" * 64 + "@gmail.com", "x" * 64 + "@gmail.com", id="local-part-64"),
]

REJECTED = [
    # Missing and non-text values
    pytest.param(None, causes.EMPTY, id="none"),
    pytest.param(math.nan, causes.EMPTY, id="nan"),
    pytest.param(pd.NA, causes.EMPTY, id="pandas-na"),
    pytest.param("", causes.EMPTY, id="empty-string"),
    pytest.param("   \t", causes.EMPTY, id="whitespace"),
    pytest.param(5, causes.NOT_A_STRING, id="int"),
    pytest.param(1.5, causes.NOT_A_STRING, id="float"),
    pytest.param(True, causes.NOT_A_STRING, id="bool"),
    pytest.param({"email": "a@b.com"}, causes.NOT_A_STRING, id="dict"),
    pytest.param(["a@b.com"], causes.NOT_A_STRING, id="list"),
    pytest.param(b"a@b.com", causes.NOT_A_STRING, id="bytes"),
    # Syntax
    pytest.param("juan", causes.INVALID_SYNTAX, id="no-at"),
    pytest.param("juan@", causes.INVALID_SYNTAX, id="no-domain"),
    pytest.param("@gmail.com", causes.INVALID_SYNTAX, id="no-local-part"),
    pytest.param("juan@@gmail.com", causes.INVALID_SYNTAX, id="two-ats"),
    pytest.param("juan@perez@gmail.com", causes.INVALID_SYNTAX, id="two-ats-apart"),
    pytest.param("juan perez@gmail.com", causes.INVALID_SYNTAX, id="inner-space"),
    pytest.param("juan@gmail .com", causes.INVALID_SYNTAX, id="space-in-domain"),
    pytest.param("juan@gmail", causes.INVALID_SYNTAX, id="domain-without-dot"),
    pytest.param("juan@gmail..com", causes.INVALID_SYNTAX, id="domain-double-dot"),
    pytest.param("juan..perez@gmail.com", causes.INVALID_SYNTAX, id="local-double-dot"),
    pytest.param(".juan@gmail.com", causes.INVALID_SYNTAX, id="local-leading-dot"),
    pytest.param("juan.@gmail.com", causes.INVALID_SYNTAX, id="local-trailing-dot"),
    pytest.param("juan@.gmail.com", causes.INVALID_SYNTAX, id="domain-leading-dot"),
    pytest.param("juan@gmail.com.", causes.INVALID_SYNTAX, id="domain-trailing-dot"),
    pytest.param("juan@-gmail.com", causes.INVALID_SYNTAX, id="label-leading-hyphen"),
    pytest.param("juan@gmail-.com", causes.INVALID_SYNTAX, id="label-trailing-hyphen"),
    pytest.param("juan@gmail_x.com", causes.INVALID_SYNTAX, id="label-underscore"),
    pytest.param("juan@gmail.c0m", causes.INVALID_SYNTAX, id="tld-digit"),
    pytest.param("juan@gmail.c", causes.INVALID_SYNTAX, id="tld-one-letter"),
    pytest.param("juan@10.0.0.1", causes.INVALID_SYNTAX, id="ip-address"),
    pytest.param("juan@[10.0.0.1]", causes.INVALID_SYNTAX, id="domain-literal"),
    pytest.param('"juan"@gmail.com', causes.INVALID_SYNTAX, id="quoted-local-part"),
    pytest.param("juan,perez@gmail.com", causes.INVALID_SYNTAX, id="comma"),
    pytest.param("<juan@gmail.com>", causes.INVALID_SYNTAX, id="angle-brackets"),
    pytest.param("mailto:juan@gmail.com", causes.INVALID_SYNTAX, id="mailto"),
    pytest.param("x" * 65 + "@gmail.com", causes.INVALID_SYNTAX, id="local-part-65"),
    pytest.param("ñ" * 33 + "@gmail.com", causes.INVALID_SYNTAX, id="local-part-66-octets"),
    pytest.param("juan@" + "a" * 64 + ".com", causes.INVALID_SYNTAX, id="label-64"),
    pytest.param("juan@" + "a." * 127 + "com", causes.INVALID_SYNTAX, id="domain-too-long"),
    pytest.param("juan@xn--.com", causes.INVALID_SYNTAX, id="empty-a-label"),
    pytest.param("juan\u200b@gmail.com", causes.INVALID_SYNTAX, id="zero-width-space"),
    # VTEX masked aliases
    pytest.param("a1b2c3d4e5f6@ct.vtex.com.br", causes.MASKED_ALIAS, id="vtex-hash-alias"),
    pytest.param("user@gmail.com-123b.ct.vtex.com.br", causes.MASKED_ALIAS, id="vtex-address-alias"),
    pytest.param("USER@GMAIL.COM-123B.CT.VTEX.COM.BR", causes.MASKED_ALIAS, id="vtex-alias-upper-case"),
    pytest.param(" juan.perez@hotmail.com.ar-9f1e.ct.vtex.com.br ", causes.MASKED_ALIAS, id="vtex-alias-spaces"),
    pytest.param("juan@perez@x.ct.vtex.com.br", causes.MASKED_ALIAS, id="vtex-alias-bad-syntax"),
    # Marketplace relays
    pytest.param("comprador@mercadolibre.com.ar", causes.MARKETPLACE_RELAY, id="relay-ar"),
    pytest.param("comprador@mercadolivre.com.br", causes.MARKETPLACE_RELAY, id="relay-br"),
    pytest.param("comprador@mercadolibre.com", causes.MARKETPLACE_RELAY, id="relay-com"),
    pytest.param("comprador@mail.mercadolibre.com.mx", causes.MARKETPLACE_RELAY, id="relay-mx-subdomain"),
    pytest.param("comprador@mercadolibre.cl", causes.MARKETPLACE_RELAY, id="relay-cl"),
    pytest.param("comprador@mercadolibre.com.co", causes.MARKETPLACE_RELAY, id="relay-co"),
    pytest.param("comprador@mercadolibre.com.pe", causes.MARKETPLACE_RELAY, id="relay-pe"),
    pytest.param("comprador@mercadolibre.com.uy", causes.MARKETPLACE_RELAY, id="relay-uy"),
    pytest.param("comprador@mercadolibre.com.ve", causes.MARKETPLACE_RELAY, id="relay-ve"),
    pytest.param("comprador@mercadolibre.com.ec", causes.MARKETPLACE_RELAY, id="relay-ec"),
    pytest.param("comprador@mercadolibre.co.cr", causes.MARKETPLACE_RELAY, id="relay-cr"),
    pytest.param("comprador@mercadolibre.com.bo", causes.MARKETPLACE_RELAY, id="relay-bo"),
    pytest.param("Comprador@MercadoLivre.com", causes.MARKETPLACE_RELAY, id="relay-livre-com"),
    pytest.param("x.123@a.b.mercadolibre.com.ar", causes.MARKETPLACE_RELAY, id="relay-deep-subdomain"),
    # Placeholder domains and local parts
    pytest.param("juan@noemail.com", causes.PLACEHOLDER_DOMAIN, id="noemail"),
    pytest.param("juan@no-email.com", causes.PLACEHOLDER_DOMAIN, id="no-email"),
    pytest.param("juan@sinmail.com", causes.PLACEHOLDER_DOMAIN, id="sinmail"),
    pytest.param("juan@sinemail.com", causes.PLACEHOLDER_DOMAIN, id="sinemail"),
    pytest.param("juan@sincorreo.com", causes.PLACEHOLDER_DOMAIN, id="sincorreo"),
    pytest.param("juan@example.com", causes.PLACEHOLDER_DOMAIN, id="example-com"),
    pytest.param("juan@example.org", causes.PLACEHOLDER_DOMAIN, id="example-org"),
    pytest.param("juan@TEST.com", causes.PLACEHOLDER_DOMAIN, id="test-com"),
    pytest.param("noreply@tienda.com", causes.PLACEHOLDER_LOCAL_PART, id="noreply"),
    pytest.param("No-Reply@tienda.com", causes.PLACEHOLDER_LOCAL_PART, id="no-reply"),
]


@pytest.mark.parametrize(("raw", "expected"), ACCEPTED)
def test_email_key_accepted(raw: object, expected: str) -> None:
    assert email_key(raw) == KeyResult.accepted(expected)


@pytest.mark.parametrize(("raw", "expected"), REJECTED)
def test_email_key_rejected(raw: object, expected: str) -> None:
    assert email_key(raw) == KeyResult.rejected(expected)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param("Juan.Perez@gmail.com", "juanperez@gmail.com", id="dots"),
        pytest.param("juan.perez+promo@gmail.com", "juanperez@gmail.com", id="plus-tag"),
        pytest.param("juan.perez+a+b@googlemail.com", "juanperez@gmail.com", id="googlemail"),
        pytest.param("juanperez@gmail.com", "juanperez@gmail.com", id="already-canonical"),
        pytest.param("juan.perez+promo@hotmail.com", "juan.perez+promo@hotmail.com", id="other-domain"),
    ],
)
def test_email_key_gmail_canonical(raw: str, expected: str) -> None:
    assert email_key(raw, gmail_canonical=True) == KeyResult.accepted(expected)


def test_email_key_gmail_canonical_empty_mailbox() -> None:
    assert email_key("+promo@gmail.com", gmail_canonical=True) == KeyResult.rejected(causes.INVALID_SYNTAX)


def test_email_key_gmail_canonical_noreply() -> None:
    result = email_key("no.reply+x@gmail.com", gmail_canonical=True)

    assert result == KeyResult.rejected(causes.PLACEHOLDER_LOCAL_PART)


@pytest.mark.parametrize(
    ("raw", "configured", "expected"),
    [
        pytest.param("juan@mitienda.com.ar", {"mitienda.com.ar"}, causes.PLACEHOLDER_DOMAIN, id="configured"),
        pytest.param("juan@mitienda.com.ar", {" MiTienda.com.ar. "}, causes.PLACEHOLDER_DOMAIN, id="configured-messy"),
        pytest.param("juan@xn--mller-kva.com", {"müller.com"}, causes.PLACEHOLDER_DOMAIN, id="configured-unicode"),
        pytest.param("juan@müller.com", {"xn--mller-kva.com"}, causes.PLACEHOLDER_DOMAIN, id="configured-a-label"),
        pytest.param("juan@noemail.com", {"mitienda.com.ar"}, causes.PLACEHOLDER_DOMAIN, id="builtin-still-applies"),
    ],
)
def test_email_key_placeholder_domains_option(raw: str, configured: set[str], expected: str) -> None:
    assert email_key(raw, placeholder_domains=frozenset(configured)) == KeyResult.rejected(expected)


def test_email_key_placeholder_domains_exact() -> None:
    result = email_key("juan@ventas.mitienda.com.ar", placeholder_domains=frozenset({"mitienda.com.ar"}))

    assert result == KeyResult.accepted("juan@ventas.mitienda.com.ar")


def test_key_result_requires_one_field() -> None:
    with pytest.raises(ValueError, match="exactly one"):
        KeyResult(key=None, cause=None)
    with pytest.raises(ValueError, match="exactly one"):
        KeyResult(key="a@b.com", cause=causes.EMPTY)


def test_key_result_rejects_unknown_cause() -> None:
    with pytest.raises(ValueError, match="unknown rejection cause"):
        KeyResult.rejected("not_a_cause")


def test_all_causes_unique_snake_case() -> None:
    assert len(set(ALL_CAUSES)) == len(ALL_CAUSES)
    for cause in ALL_CAUSES:
        assert cause.isidentifier(), cause
        assert cause == cause.lower(), cause

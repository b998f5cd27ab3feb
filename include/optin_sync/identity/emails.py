"""Email match keys.

A key is the address trimmed, lower-cased (Unicode NFC) and with its domain IDNA-encoded, so `Juan@Müller.com.ar`
and `juan@xn--mller-kva.com.ar` give the same key. Addresses that cannot identify a shopper are rejected with a
cause: store-side aliases, marketplace relays, placeholders and malformed text.
"""

from __future__ import annotations

import functools
import re
import unicodedata

from optin_sync.identity import causes
from optin_sync.identity.result import KeyResult, reject_non_text

# VTEX checkout replaces a shopper's address with an alias under this domain, e.g.
# `3f2a9c1d7b6e@ct.vtex.com.br` or `user@gmail.com-123b.ct.vtex.com.br`. Mail to it reaches the store.
VTEX_MASKED_DOMAIN = "ct.vtex.com.br"

# Registered names of the MercadoLibre (Spanish) and MercadoLivre (Portuguese) relay domains. An address under
# any of their country domains forwards to a buyer whose real address is unknown.
MARKETPLACE_RELAY_NAMES = frozenset({"mercadolibre", "mercadolivre"})

PLACEHOLDER_DOMAINS = frozenset(
    {
        "noemail.com",
        "no-email.com",
        "sinmail.com",
        "sinemail.com",
        "sincorreo.com",
        "example.com",
        "example.org",
        "test.com",
    }
)
PLACEHOLDER_LOCAL_PARTS = frozenset({"noreply", "no-reply"})

GMAIL_DOMAINS = frozenset({"gmail.com", "googlemail.com"})

MAX_LOCAL_PART_OCTETS = 64
MAX_DOMAIN_LENGTH = 253

# Second-level labels that, under a two-letter country code, form a public suffix (`com.ar`, `com.br`, `co.cr`).
# This short list replaces the Public Suffix List, because it only needs to find the registered name of the
# relay domains, not of every domain.
_SECOND_LEVEL_LABELS = frozenset({"ac", "co", "com", "edu", "gob", "gov", "int", "mil", "net", "nom", "org"})

# Characters allowed unquoted in an ASCII local part (RFC 5322 atext), upper case excluded because keys are lower-cased.
_LOCAL_PART_ASCII = frozenset("abcdefghijklmnopqrstuvwxyz0123456789!#$%&'*+/=?^_`{|}~-")

_DOMAIN_LABEL = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")
_TOP_LEVEL_DOMAIN = re.compile(r"[a-z]{2,63}|xn--[a-z0-9-]{1,59}")


def email_key(
    raw: object,
    *,
    placeholder_domains: frozenset[str] = frozenset(),
    gmail_canonical: bool = False,
) -> KeyResult:
    """Normalise `raw` into an email match key, or return the cause that rejects it.

    Args:
        raw: the stored value. None and NaN are `empty`, and any other non-string is `not_a_string`.
        placeholder_domains: domains rejected as `placeholder_domain` in addition to `PLACEHOLDER_DOMAINS`.
            They are compared after the same normalisation, so `Müller.com` matches `xn--mller-kva.com`.
        gmail_canonical: for gmail.com and googlemail.com, drop dots and any `+tag` from the local part and
            use gmail.com, so every spelling of one Gmail mailbox gives one key.
    """
    rejection = reject_non_text(raw)
    if rejection is not None:
        return rejection

    text = unicodedata.normalize("NFC", raw.strip().lower())
    if not text:
        return KeyResult.rejected(causes.EMPTY)

    # Checked before the syntax, because a masked alias is never usable, whatever else is wrong with it.
    if "@" in text and _is_vtex_masked(text.rpartition("@")[2]):
        return KeyResult.rejected(causes.MASKED_ALIAS)

    parts = _split_address(text)
    if parts is None:
        return KeyResult.rejected(causes.INVALID_SYNTAX)
    local_part, domain = parts

    if gmail_canonical and domain in GMAIL_DOMAINS:
        local_part = local_part.partition("+")[0].replace(".", "")
        domain = "gmail.com"
        if not local_part:
            return KeyResult.rejected(causes.INVALID_SYNTAX)

    if _is_vtex_masked(domain):
        return KeyResult.rejected(causes.MASKED_ALIAS)
    if _registered_name(domain) in MARKETPLACE_RELAY_NAMES:
        return KeyResult.rejected(causes.MARKETPLACE_RELAY)
    if domain in PLACEHOLDER_DOMAINS or domain in _normalise_domains(placeholder_domains):
        return KeyResult.rejected(causes.PLACEHOLDER_DOMAIN)
    if local_part in PLACEHOLDER_LOCAL_PARTS:
        return KeyResult.rejected(causes.PLACEHOLDER_LOCAL_PART)

    return KeyResult.accepted(f"{local_part}@{domain}")


def _is_vtex_masked(domain: str) -> bool:
    return domain == VTEX_MASKED_DOMAIN or domain.endswith("." + VTEX_MASKED_DOMAIN)


def _split_address(text: str) -> tuple[str, str] | None:
    """Split a trimmed, lower-cased address into its local part and ASCII domain, or None when it is malformed."""
    if text.count("@") != 1 or any(character.isspace() for character in text):
        return None

    local_part, _, domain = text.partition("@")
    if not _is_valid_local_part(local_part):
        return None

    ascii_domain = to_ascii_domain(domain)
    if ascii_domain is None:
        return None
    return local_part, ascii_domain


def _is_valid_local_part(local_part: str) -> bool:
    # Quoted local parts ("john doe"@example.com) are valid mail syntax but are rejected: shoppers do not use
    # them, and accepting them would need a second normalisation for the quoted form.
    if not local_part or len(local_part.encode("utf-8")) > MAX_LOCAL_PART_OCTETS:
        return False
    if local_part.startswith(".") or local_part.endswith(".") or ".." in local_part:
        return False
    return all(
        character == "." or character in _LOCAL_PART_ASCII or _is_non_ascii_text(character)
        for character in local_part
    )


def _is_non_ascii_text(character: str) -> bool:
    # Internationalised addresses (RFC 6531) allow any non-ASCII character, except controls, format
    # characters and separators, which only hide differences between two addresses.
    return ord(character) > 0x7F and unicodedata.category(character)[0] not in "CZ"


def to_ascii_domain(domain: str) -> str | None:
    """Encode a lower-cased domain with IDNA and check its labels, or return None when it is not a valid host name.

    NOTE: this uses Python's built-in `idna` codec, which implements IDNA 2003. It maps `ß` to `ss`
    (`straße.de` gives `strasse.de`), whereas IDNA 2008 registries encode it as `xn--strae-oqa.de`.
    An address stored in each of the two forms for one German domain would therefore give two keys.
    """
    try:
        ascii_domain = domain.encode("idna").decode("ascii")
    except UnicodeError:
        return None

    if len(ascii_domain) > MAX_DOMAIN_LENGTH:
        return None
    labels = ascii_domain.split(".")
    if len(labels) < 2:
        return None
    if not all(_DOMAIN_LABEL.fullmatch(label) and _is_valid_a_label(label) for label in labels):
        return None
    if not _TOP_LEVEL_DOMAIN.fullmatch(labels[-1]):
        return None
    return ascii_domain


def _is_valid_a_label(label: str) -> bool:
    """Check that an `xn--` label decodes as Punycode. Other labels pass."""
    if not label.startswith("xn--"):
        return True
    try:
        label[4:].encode("ascii").decode("punycode")
    except UnicodeError:
        return False
    return True


def _registered_name(ascii_domain: str) -> str | None:
    """Return the label just before the public suffix: `mercadolibre` for `mail.mercadolibre.com.mx`."""
    labels = ascii_domain.split(".")
    suffix_length = 1
    if len(labels) >= 3 and len(labels[-1]) == 2 and labels[-2] in _SECOND_LEVEL_LABELS:
        suffix_length = 2
    if len(labels) <= suffix_length:
        return None
    return labels[-suffix_length - 1]


@functools.lru_cache(maxsize=32)
def _normalise_domains(domains: frozenset[str]) -> frozenset[str]:
    """Normalise configured domains the way address domains are normalised. Invalid entries are kept lower-cased."""
    normalised = set()
    for domain in domains:
        text = unicodedata.normalize("NFC", domain.strip().lower().rstrip("."))
        normalised.add(to_ascii_domain(text) or text)
    return frozenset(normalised)

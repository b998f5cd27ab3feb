"""Email match keys of the common shapes, computed for whole arrays with Arrow string kernels.

`email_key` normalises one address at a time, about 12 µs a value on a 2-core x86 machine. Most stored
addresses are printable ASCII with an ASCII domain. For those this module repeats `email_key`'s steps on whole
arrays: trimming and lower-casing, the VTEX masked alias, the syntax of the local part and the domain, the Gmail
canonical form, marketplace relays and placeholders. An address with another character, or with a Punycode
(`xn--`) label whose decoding `email_key` checks, stays undecided and goes to `email_key`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from optin_sync.identity import causes
from optin_sync.identity.emails import (
    GMAIL_DOMAINS,
    MARKETPLACE_RELAY_NAMES,
    MAX_DOMAIN_LENGTH,
    MAX_LOCAL_PART_OCTETS,
    PLACEHOLDER_DOMAINS,
    PLACEHOLDER_LOCAL_PARTS,
    VTEX_MASKED_DOMAIN,
    _normalise_domains,
    _SECOND_LEVEL_LABELS,
)
from optin_sync.identity.phone_parsing import mask
from optin_sync.identity.phone_shapes import ShapeKeys

# Printable ASCII: `str.strip` and `str.lower` then act only on spaces and A-Z, as Arrow's ASCII kernels do.
_PRINTABLE_ASCII = r"^[ -~]*$"
_PUNYCODE_LABEL = r"(?:^|[@.])xn--"
_MASKED_DOMAIN = "^(?:.*\\.)?" + VTEX_MASKED_DOMAIN.replace(".", "\\.") + "$"
# RFC 5322 atext without upper case, in dot-separated runs: `email_key`'s rule for an ASCII local part.
_LOCAL_PART = r"^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*$"
# Labels of letters, digits and inner hyphens, and a top-level domain of 2 to 63 letters.
_DOMAIN = r"^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$"
# The registered name before the public suffix: the last label, or a listed second-level label and a country.
_RELAY = (r"(?:^|\.)(?:" + "|".join(sorted(MARKETPLACE_RELAY_NAMES)) + r")\.(?:(?:"
          + "|".join(sorted(_SECOND_LEVEL_LABELS)) + r")\.[a-z0-9-]{2}|[^.]+)$")


def email_shape_keys(
    values: Sequence[str], *, placeholder_domains: frozenset[str] = frozenset(), gmail_canonical: bool = False
) -> ShapeKeys:
    """Compute `email_key`'s keys and causes for the printable ASCII addresses among `values`, with its options."""
    result = ShapeKeys.undecided(len(values))
    try:
        text = pa.array(values, type=pa.string())
    except UnicodeEncodeError:
        # A lone surrogate cannot be UTF-8; such values stay with email_key.
        text = pa.array([value if value.isascii() else None for value in values], type=pa.string())
    printable = mask(pc.match_substring_regex(text, _PRINTABLE_ASCII))
    positions = np.flatnonzero(printable)
    text = pc.ascii_lower(pc.utf8_trim(text.filter(pa.array(printable)), " "))

    empty = mask(pc.equal(pc.utf8_length(text), 0))
    last_domain = pc.replace_substring_regex(text, "^.*@", "")
    masked_raw = ~empty & mask(pc.match_substring(text, "@")) & mask(pc.match_substring_regex(last_domain, _MASKED_DOMAIN))
    result.reject(positions[empty], causes.EMPTY)
    result.reject(positions[masked_raw], causes.MASKED_ALIAS)

    remaining = ~empty & ~masked_raw
    local = pc.replace_substring_regex(text, "@.*$", "")
    domain = pc.replace_substring_regex(text, "^[^@]*@", "")
    one_at = mask(pc.equal(pc.count_substring(text, "@"), 1))
    valid = (one_at & ~mask(pc.match_substring(text, " "))
             & mask(pc.match_substring_regex(local, _LOCAL_PART))
             & (np.asarray(pc.utf8_length(local)) <= MAX_LOCAL_PART_OCTETS)
             & mask(pc.match_substring_regex(domain, _DOMAIN))
             & (np.asarray(pc.utf8_length(domain)) <= MAX_DOMAIN_LENGTH))
    # A Punycode label is valid syntax only if it decodes, which email_key checks.
    punycode = mask(pc.match_substring_regex(text, _PUNYCODE_LABEL))
    result.reject(positions[remaining & ~valid & ~punycode], causes.INVALID_SYNTAX)

    chosen = remaining & valid & ~punycode
    keep = pa.array(chosen)
    _key_addresses(result, positions[chosen], local.filter(keep), domain.filter(keep),
                   placeholder_domains=placeholder_domains, gmail_canonical=gmail_canonical)
    return result


def _key_addresses(result: ShapeKeys, positions: np.ndarray, local: pa.Array, domain: pa.Array, *,
                   placeholder_domains: frozenset[str], gmail_canonical: bool) -> None:
    """Apply the Gmail form and the rejections that follow the syntax check, in `email_key`'s order."""
    if gmail_canonical:
        gmail = mask(pc.is_in(domain, value_set=pa.array(sorted(GMAIL_DOMAINS))))
        canonical = pc.replace_substring(pc.replace_substring_regex(local, r"\+.*$", ""), ".", "")
        local = pc.if_else(pa.array(gmail), canonical, local)
        domain = pc.if_else(pa.array(gmail), "gmail.com", domain)
        no_local = gmail & mask(pc.equal(pc.utf8_length(local), 0))
        result.reject(positions[no_local], causes.INVALID_SYNTAX)
    else:
        no_local = np.zeros(len(positions), dtype=bool)

    masked = ~no_local & mask(pc.match_substring_regex(domain, _MASKED_DOMAIN))
    relay = ~no_local & ~masked & mask(pc.match_substring_regex(domain, _RELAY))
    placeholders = sorted(PLACEHOLDER_DOMAINS | _normalise_domains(frozenset(placeholder_domains)))
    placeholder_domain = ~no_local & ~masked & ~relay & mask(pc.is_in(domain, value_set=pa.array(placeholders)))
    placeholder_local = (~no_local & ~masked & ~relay & ~placeholder_domain
                         & mask(pc.is_in(local, value_set=pa.array(sorted(PLACEHOLDER_LOCAL_PARTS)))))
    result.reject(positions[masked], causes.MASKED_ALIAS)
    result.reject(positions[relay], causes.MARKETPLACE_RELAY)
    result.reject(positions[placeholder_domain], causes.PLACEHOLDER_DOMAIN)
    result.reject(positions[placeholder_local], causes.PLACEHOLDER_LOCAL_PART)

    accepted = ~(no_local | masked | relay | placeholder_domain | placeholder_local)
    keys = pc.binary_join_element_wise(local.filter(pa.array(accepted)), domain.filter(pa.array(accepted)), "@")
    result.accept(positions[accepted], keys.to_pylist())

"""libphonenumber's parse and `phones.py`'s canonical rewrites, repeated on Arrow arrays of digits.

Each function returns its result with a mask of the values for which the result is certain, meaning that
`phonenumbers` would take only branches repeated here. The other values are left to `phone_key`.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from optin_sync.identity.phone_metadata import CountryNumbering, country_numbering
from optin_sync.identity.phones import ARGENTINA, BRAZIL, MEXICO

ARGENTINA_CODE, MEXICO_CODE, BRAZIL_CODE = str(ARGENTINA), str(MEXICO), str(BRAZIL)
ARGENTINA_REGION = "AR"

# libphonenumber strips a national prefix unless the stripped number's length is one of these verdicts.
_REJECTED_STRIP_LENGTHS = ("too_short", "local_only", "invalid_length")


def argentine_national_number(digits: pa.Array) -> tuple[pa.Array, np.ndarray]:
    """Return the national number `phonenumbers.parse(digits, "AR")` finds, and where this is certain.

    `digits` hold no `+` and do not start with the international prefix `00`. `54` in front of 12 or 13
    digits, too long for an Argentine national number, is the country code.
    """
    numbering = country_numbering(ARGENTINA_REGION)
    count = lengths(digits)
    country = mask(pc.starts_with(digits, ARGENTINA_CODE)) & ((count == 12) | (count == 13))
    national = strip_national_prefix(numbering, digits)
    known = np.ones(len(digits), dtype=bool)
    if country.any():
        chosen = pa.array(country)
        after_country = pc.utf8_slice_codeunits(digits.filter(chosen), len(ARGENTINA_CODE))
        national = pc.replace_with_mask(national, chosen, after_country)
        known[country] = ~numbering.has_national_prefix(after_country)
    # Other numbers starting with 54 depend on a check of the whole number that is not repeated here.
    known &= country | ~mask(pc.starts_with(digits, ARGENTINA_CODE))
    return national, known


def strip_national_prefix(numbering: CountryNumbering, digits: pa.Array) -> pa.Array:
    """Return the national numbers `phonenumbers.parse` keeps after the national prefix for parsing.

    Repeats `phonenumbers`' `_maybe_strip_national_prefix_carrier_code` and the length check that `parse` makes
    after it. The prefix stays when the number was viable and the stripped one is not. It also stays when the
    stripped number is too short, possible only locally, or of no possible length.
    """
    matches = numbering.prefix_matches(digits)
    prefix_rule = numbering.national_prefix
    if matches is None or prefix_rule is None:
        return digits
    prefix_length = lengths(pc.fill_null(pc.struct_field(matches, "prefix"), ""))
    has_prefix = prefix_length > 0
    if not has_prefix.any():
        return digits

    # Only numbers with a prefix are worked on, then put back in place.
    chosen = pa.array(has_prefix)
    numbers = digits.filter(chosen)
    matches = matches.filter(chosen)
    stripped = slice_each(numbers, prefix_length[has_prefix])
    if prefix_rule.transform_rule and prefix_rule.groups:
        last_group = pc.fill_null(pc.struct_field(matches, f"g{prefix_rule.groups}"), "")
        transforms = lengths(last_group) > 0
        transformed = pc.binary_join_element_wise(_expand_rule(prefix_rule.transform_rule, matches), stripped, "")
        stripped = pc.if_else(pa.array(transforms), transformed, stripped)

    kept_viable = numbering.is_viable(numbers) & ~numbering.is_viable(stripped)
    accepted = ~kept_viable & ~np.isin(numbering.possibility(stripped), _REJECTED_STRIP_LENGTHS)
    replaced = has_prefix.copy()
    replaced[has_prefix] = accepted
    return pc.replace_with_mask(digits, pa.array(replaced), stripped.filter(pa.array(accepted)))


def _expand_rule(rule: str, matches: pa.StructArray) -> pa.Array:
    """Build the replacement of a transform rule such as `9\\1` for every match."""
    parts: list[pa.Array | str] = []
    literal = ""
    index = 0
    while index < len(rule):
        if rule[index] == "\\" and index + 1 < len(rule) and rule[index + 1].isdigit():
            parts += [literal, pc.fill_null(pc.struct_field(matches, f"g{rule[index + 1]}"), "")]
            literal = ""
            index += 2
        else:
            literal += rule[index]
            index += 1
    parts.append(literal)
    if not any(isinstance(part, pa.Array) for part in parts):
        return pa.array([literal] * len(matches), type=pa.string())
    return pc.binary_join_element_wise(*parts, "")


def canonical_national_number(numbering: CountryNumbering, national: pa.Array) -> tuple[pa.Array, np.ndarray]:
    """Apply `phones.py`'s canonical rewrite of the national number for the country."""
    count = lengths(national)
    always = np.ones(len(national), dtype=bool)
    if numbering.country_code == MEXICO_CODE:
        dropped = (count == 11) & mask(pc.starts_with(national, "1"))
        return pc.if_else(pa.array(dropped), pc.utf8_slice_codeunits(national, 1), national), always
    if numbering.country_code == BRAZIL_CODE:
        ninth = (count == 10) & mask(pc.match_substring_regex(national, "^..[6-9]"))
        with_ninth = pc.binary_join_element_wise(
            pc.utf8_slice_codeunits(national, 0, 2), "9", pc.utf8_slice_codeunits(national, 2), "")
        return pc.if_else(pa.array(ninth), with_ninth, national), always
    if numbering.country_code == ARGENTINA_CODE:
        return _argentine_canonical(national)
    return national, always


def _argentine_canonical(national: pa.Array) -> tuple[pa.Array, np.ndarray]:
    """Drop the mobile 9 from 11 or 13 digits; read 12 digits (area code + 15 + number) as dialled at home."""
    count = lengths(national)
    mobile = ((count == 11) | (count == 13)) & mask(pc.starts_with(national, "9"))
    national = pc.if_else(pa.array(mobile), pc.utf8_slice_codeunits(national, 1), national)
    count = np.where(mobile, count - 1, count)

    with_15 = count == 12
    if not with_15.any():
        return national, np.ones(len(national), dtype=bool)

    # Dialled with a 0 in front, a number starting with 0 would read as the international prefix 00.
    chosen = pa.array(with_15)
    twelve = national.filter(chosen)
    domestic, known = argentine_national_number(pc.binary_join_element_wise("0", twelve, ""))
    known &= ~mask(pc.starts_with(twelve, "0"))
    mobile = known & (lengths(domestic) == 11) & mask(pc.starts_with(domestic, "9"))
    # Otherwise phones.py keeps the 12 digits.
    rewritten = pc.if_else(pa.array(mobile), pc.utf8_slice_codeunits(domestic, 1), twelve)
    settled = np.ones(len(national), dtype=bool)
    settled[with_15] = known
    return pc.replace_with_mask(national, chosen, rewritten), settled


def slice_each(strings: pa.Array, starts: np.ndarray) -> pa.Array:
    """Cut each string from its own start offset (Arrow's slice takes one offset for the whole array)."""
    result = strings
    for start in np.unique(starts):
        if start:
            result = pc.if_else(pa.array(starts == start), pc.utf8_slice_codeunits(strings, int(start)), result)
    return result


def lengths(strings: pa.Array) -> np.ndarray:
    return np.asarray(pc.utf8_length(strings).to_numpy(zero_copy_only=False))


def mask(array: pa.Array) -> np.ndarray:
    """Convert a boolean Arrow array to NumPy, reading null as False."""
    return np.asarray(pc.fill_null(array, False).to_numpy(zero_copy_only=False), dtype=bool)

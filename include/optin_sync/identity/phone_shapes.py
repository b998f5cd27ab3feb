"""Phone match keys of the common shapes, computed for whole arrays with Arrow string kernels.

`phone_key` parses one value at a time with libphonenumber, about 50 µs a value on a 2-core x86 machine
(`benchmarks/bench_phone_keys.py`). Most stored phones are digits with spaces, dashes, dots, brackets or one
slash, at most one leading `+`, and perhaps an extension at the end. For those values this module repeats
`phone_key`'s steps on whole arrays, with Argentina as the default region:

1. the checks before parsing: `empty`, `multiple_numbers` (two numbers around a slash), `placeholder_number`,
   `invalid_number` for a `+` after digits, and the local number without its area code;
2. libphonenumber's parse (`phone_parsing`): the country code after `+` or `00`, or Argentina's written
   without either, and the national prefix for parsing (Argentina's trunk `0` and mobile `15`);
3. the canonical rewrites of `phones.py` (Argentina's mobile `9` and `15`, Mexico's `1`, Brazil's ninth digit);
4. `is_valid_number` with the patterns of libphonenumber's metadata. An invalid number gets the cause worded
   from its length, once every other reading `phone_key` would try is known to fail too.

A value that would take a branch not repeated here (another character, a prefix stripped from a number that
was already viable, a country code written twice) stays undecided, and the caller sends it to `phone_key`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from optin_sync.identity import causes
from optin_sync.identity.phone_checks import MAX_PARSED_DIGITS, check_before_parsing, normalised_text
from optin_sync.identity.phone_metadata import CountryNumbering, country_numbering
from optin_sync.identity.phone_parsing import (
    ARGENTINA_REGION,
    argentine_national_number,
    canonical_national_number,
    lengths,
    mask,
    slice_each,
    strip_national_prefix,
)

FAST_REGION = ARGENTINA_REGION

# Country codes read after `+` or `00`, with the region whose metadata they use. Each code has one region.
INTERNATIONAL_REGIONS = {"54": "AR", "55": "BR", "52": "MX", "56": "CL", "57": "CO", "51": "PE", "598": "UY"}

_POSSIBILITY_CAUSES = {"too_short": causes.TOO_SHORT, "too_long": causes.TOO_LONG, "local_only": causes.NO_AREA_CODE}


@dataclass(frozen=True, slots=True)
class ShapeKeys:
    """Per value: the key or the rejection cause, and whether the fast path decided it at all."""

    keys: np.ndarray
    causes: np.ndarray
    decided: np.ndarray

    @classmethod
    def undecided(cls, size: int) -> ShapeKeys:
        return cls(np.full(size, None, dtype=object), np.full(size, None, dtype=object), np.zeros(size, dtype=bool))

    def accept(self, positions: np.ndarray, keys: Sequence[str]) -> None:
        self.keys[positions] = keys
        self.decided[positions] = True

    def reject(self, positions: np.ndarray, cause: str | np.ndarray) -> None:
        self.causes[positions] = cause
        self.decided[positions] = True


def shape_keys(values: Sequence[str], *, area_code: str | None) -> ShapeKeys:
    """Compute the keys and causes of the common shapes among `values`, Argentina being the default region.

    Args:
        values: strings only; the caller handles missing values and other types.
        area_code: the checked default area code without its trunk `0`, or None.
    """
    result = ShapeKeys.undecided(len(values))
    text, positions = normalised_text(values)
    checked = check_before_parsing(text, positions, area_code)
    for rejected_positions, cause in checked.rejected:
        result.reject(rejected_positions, cause)
    text, digits, positions = checked.text, checked.digits, checked.positions

    international = mask(pc.match_substring(text, "+"))
    # libphonenumber reads 00 as Argentina's international prefix unless another 0 follows.
    idd = ~international & mask(pc.starts_with(digits, "00")) & ~mask(pc.starts_with(digits, "000"))
    after_prefix = slice_each(digits, np.where(idd, 2, 0))
    for region in INTERNATIONAL_REGIONS.values():
        _key_international(result, country_numbering(region), after_prefix, positions, international | idd)
    _key_domestic(result, digits, positions, ~international & ~idd)
    return result


def _key_international(result: ShapeKeys, numbering: CountryNumbering, after_prefix: pa.Array,
                       positions: np.ndarray, international: np.ndarray) -> None:
    """Key values written with `+` or `00` and the country code, parsed as `phonenumbers.parse` does.

    `after_prefix` contains the digits after `+` or `00`. After `00`, `phone_key` also reads the value as if
    written with `+`, which parses to the same number, so it adds no other outcome.
    """
    country_code = numbering.country_code
    chosen = international & mask(pc.starts_with(after_prefix, country_code))
    if not chosen.any():
        return
    national = pc.utf8_slice_codeunits(after_prefix.filter(pa.array(chosen)), len(country_code))

    national = strip_national_prefix(numbering, national)
    # libphonenumber stores the national number as an integer, so a leading 0 would need its Italian-zero rules.
    known = ~mask(pc.starts_with(national, "0"))
    _key_readings(result, numbering, positions[chosen][known], national.filter(pa.array(known)), None)


def _key_domestic(result: ShapeKeys, digits: pa.Array, positions: np.ndarray, chosen: np.ndarray) -> None:
    """Key values written without `+` or `00`, parsed with Argentina as the region."""
    digits = digits.filter(pa.array(chosen))
    national, known = argentine_national_number(digits)
    keep = pa.array(known)
    _key_readings(result, country_numbering(FAST_REGION), positions[chosen][known], national.filter(keep),
                  digits.filter(keep))


def _key_readings(result: ShapeKeys, numbering: CountryNumbering, positions: np.ndarray, first: pa.Array,
                  domestic_digits: pa.Array | None) -> None:
    """Decide values from their first reading and, for domestic digits starting with `0`, their second one.

    `phone_key` returns the first valid reading: the value as written, then, after a leading `0`, the value
    without it. Each parsed reading is followed by one with the country code written twice when the national
    number starts with it, which is not repeated here. When every reading fails, the first one's cause stands.
    """
    if not len(positions):
        return
    canonical, settled, valid = _validate(numbering, first)
    result.accept(positions[valid], _keys(numbering, canonical.filter(pa.array(valid))))

    failed = settled & ~valid & ~mask(pc.starts_with(first, numbering.country_code))
    first_causes = np.full(len(positions), None, dtype=object)
    first_causes[failed] = _possibility_causes(numbering, canonical.filter(pa.array(failed)))
    has_second = (np.zeros(len(positions), dtype=bool) if domestic_digits is None
                  else mask(pc.starts_with(domestic_digits, "0")))
    alone = failed & ~has_second
    result.reject(positions[alone], first_causes[alone])

    retried = failed & has_second
    if not retried.any():
        return
    retried_digits = domestic_digits.filter(pa.array(retried))
    second, known = argentine_national_number(pc.utf8_slice_codeunits(retried_digits, 1))
    # After 00 the second reading is the international one (`+` instead of 00), which is not repeated here.
    known &= ~mask(pc.starts_with(retried_digits, "00"))
    canonical, settled, valid = _validate(numbering, second)
    settled &= known
    valid &= known
    retried_positions = positions[retried]
    result.accept(retried_positions[valid], _keys(numbering, canonical.filter(pa.array(valid))))
    both_failed = settled & ~valid & ~mask(pc.starts_with(second, numbering.country_code))
    result.reject(retried_positions[both_failed], first_causes[retried][both_failed])


def _validate(numbering: CountryNumbering, national: pa.Array) -> tuple[pa.Array, np.ndarray, np.ndarray]:
    """Return the canonical national numbers, where `phone_key`'s rewrite settles in one round, and the valid ones.

    The rewrite settles when parsing `+<country code><canonical>` gives the same number again.
    """
    canonical, known = canonical_national_number(numbering, national)
    reparsed = strip_national_prefix(numbering, canonical)
    settled = (known & ~mask(pc.starts_with(canonical, "0")) & mask(pc.equal(reparsed, canonical))
               & (lengths(canonical) <= MAX_PARSED_DIGITS))
    return canonical, settled, settled & numbering.is_valid(canonical)


def _keys(numbering: CountryNumbering, canonical: pa.Array) -> list[str]:
    return pc.binary_join_element_wise(f"+{numbering.country_code}", canonical, "").to_pylist()


def _possibility_causes(numbering: CountryNumbering, canonical: pa.Array) -> list[str]:
    return [_POSSIBILITY_CAUSES.get(reason, causes.INVALID_NUMBER) for reason in numbering.possibility(canonical)]

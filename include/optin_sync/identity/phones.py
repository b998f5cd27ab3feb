"""Phone match keys.

A key is the number in E.164 (`+541128034063`) after the canonical rewrites below, so that every way of writing
one line gives one key:

- Argentina (+54): no mobile `9` after the country code and no domestic `15` after the area code.
  `011 15-2803-4063`, `+54 9 11 2803-4063` and `+54 11 2803-4063` all give `+541128034063`.
- Mexico (+52): no `1` after the country code, which Mexico dropped from mobile dialling in 2019.
- Brazil (+55): a mobile written without its ninth digit gets it (`+55 11 8765-4321` is `+5511987654321`).

Parsing and validity come from libphonenumber (the `phonenumbers` package): only numbers it finds valid after the
rewrites become keys. A number written in another country's international form keeps that country.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumber, ValidationResult

from optin_sync.identity import causes
from optin_sync.identity.result import KeyResult, reject_non_text

ARGENTINA = 54
MEXICO = 52
BRAZIL = 55

# The last eight digits of numbers typed to get past a required field.
PLACEHOLDER_ENDINGS = frozenset({digit * 8 for digit in "0123456789"} | {"12345678", "87654321"})

# An extension at the end of the value: `ext 12`, `ext.12`, `int. 12`, `interno 12`, `anexo 12`, `ramal 12`,
# `x12`, `#12`. The marker must not follow a letter, so `fax 12` keeps its letters and is rejected.
_EXTENSION = re.compile(
    r"[\s,;(]*(?<![^\W\d_])(?:ext(?:ension)?|int(?:erno)?|anexo|ramal|x|\#)\.?\s*:?\s*\d{1,6}\s*\)?\s*$",
    re.IGNORECASE,
)

# Separators between two numbers written in one field: `/`, `;`, `,`, `|`, a line break, or a spaced
# "or"/"and" in Spanish, Portuguese or English.
_NUMBER_SEPARATOR = re.compile(r"[/;,|\n]|\s(?:o|y|ou|e|or|and)\s", re.IGNORECASE)

# Rounds of canonical rewriting and re-parsing before a number is taken as it is. Real numbers settle in one
# or two rounds.
_MAX_REWRITES = 3

# A part of a field with fewer digits than this cannot be a phone number on its own.
_MIN_NUMBER_DIGITS = 6

_PARSE_ERROR_CAUSES = {
    NumberParseException.INVALID_COUNTRY_CODE: causes.INVALID_NUMBER,
    NumberParseException.NOT_A_NUMBER: causes.INVALID_NUMBER,
    NumberParseException.TOO_SHORT_AFTER_IDD: causes.TOO_SHORT,
    NumberParseException.TOO_SHORT_NSN: causes.TOO_SHORT,
    NumberParseException.TOO_LONG: causes.TOO_LONG,
}
_POSSIBILITY_CAUSES = {
    ValidationResult.TOO_SHORT: causes.TOO_SHORT,
    ValidationResult.TOO_LONG: causes.TOO_LONG,
    ValidationResult.IS_POSSIBLE_LOCAL_ONLY: causes.NO_AREA_CODE,
}


def phone_key(raw: object, *, default_region: str = "AR", default_area_code: str | None = None) -> KeyResult:
    """Normalise `raw` into a phone match key, or return the cause that rejects it.

    The checks run in this order, and the first that applies gives the cause: `empty` / `not_a_string`,
    `multiple_numbers`, `letters` (after removing a trailing extension), `empty` (punctuation only),
    `placeholder_number`, `invalid_number` (a `+` after digits), `no_area_code`, then libphonenumber's
    verdict (`too_short`, `too_long`, `no_area_code` for a number possible only locally, `invalid_number`).

    Args:
        raw: the stored value. None and NaN are `empty`, and any other non-string (int included) is
            `not_a_string`.
        default_region: ISO 3166-1 alpha-2 region for numbers written without a country code.
        default_area_code: Argentine area code (2 to 4 digits, trunk `0` optional) for local numbers such as
            `15-4444-5555` or `4444-5555`. Without it (None or blank) they are rejected as `no_area_code`.
            Used only when `default_region` is `AR`.

    Raises:
        ValueError: `default_region` is not a region supported by libphonenumber, or `default_area_code` is
            not 2 to 4 digits.
    """
    region = _checked_region(default_region)
    area_code = _checked_area_code(default_area_code)

    rejection = reject_non_text(raw)
    if rejection is not None:
        return rejection

    # NFKC turns full-width digits and letters into ASCII ones.
    text = unicodedata.normalize("NFKC", raw).strip()
    if not text:
        return KeyResult.rejected(causes.EMPTY)

    text = _EXTENSION.sub("", text)
    if _holds_several_numbers(text):
        return KeyResult.rejected(causes.MULTIPLE_NUMBERS)
    if any(character.isalpha() for character in text):
        return KeyResult.rejected(causes.LETTERS)

    digits = _ascii_digits(text)
    if not digits:
        # Only punctuation, such as "-" or "()", which forms use to mean "no number".
        return KeyResult.rejected(causes.EMPTY)
    if digits[-8:] in PLACEHOLDER_ENDINGS:
        return KeyResult.rejected(causes.PLACEHOLDER_NUMBER)
    if _has_inner_plus(text):
        # `11+5491128034063` is two values run together, and WoowUp rejects the whole request for it.
        return KeyResult.rejected(causes.INVALID_NUMBER)

    if region == "AR" and _is_argentine_local_number(text, digits):
        if area_code is None:
            return KeyResult.rejected(causes.NO_AREA_CODE)
        # phonenumbers removes the trunk 0 and, after the area code, the 15 of a mobile.
        text = f"0{area_code}{digits}"

    return _key_from_text(text, region)


def phone_keys_from_fields(
    values: Iterable[object], *, default_region: str = "AR", default_area_code: str | None = None
) -> list[KeyResult]:
    """Return one `phone_key` result per field value, in order. A field holding two numbers is `multiple_numbers`."""
    return [
        phone_key(value, default_region=default_region, default_area_code=default_area_code) for value in values
    ]


def _checked_region(region: str) -> str:
    normalised = region.strip().upper()
    if normalised not in phonenumbers.SUPPORTED_REGIONS:
        raise ValueError(f"unknown default_region {region!r}: use an ISO 3166-1 alpha-2 code such as 'AR'")
    return normalised


def _checked_area_code(area_code: str | None) -> str | None:
    if area_code is None or not area_code.strip():
        return None
    normalised = area_code.strip().removeprefix("0")
    if not (normalised.isascii() and normalised.isdigit() and 2 <= len(normalised) <= 4):
        raise ValueError(f"invalid default_area_code {area_code!r}: expected an Argentine area code of 2 to 4 digits")
    return normalised


def _ascii_digits(text: str) -> str:
    return "".join(str(unicodedata.decimal(character)) for character in text if character.isdecimal())


def _holds_several_numbers(text: str) -> bool:
    parts = [part for part in _NUMBER_SEPARATOR.split(text) if _ascii_digits(part)]
    if len(parts) < 2:
        return False

    # `011/4444-5555` is an area code and a number. A short part after a number, as in `4444-5555/6`,
    # is shorthand for a second line.
    leading_area_code = len(parts) == 2 and len(_ascii_digits(parts[0])) < _MIN_NUMBER_DIGITS
    return not leading_area_code


def _has_inner_plus(text: str) -> bool:
    plus = text.rfind("+")
    return plus > 0 and any(character.isdecimal() for character in text[:plus])


def _is_argentine_local_number(text: str, digits: str) -> bool:
    """Tell whether an Argentine value lacks its area code: 6 to 8 digits, optionally after the mobile 15.

    Area codes have 2 to 4 digits and every national number has 10, so the local part has 6 to 8 digits.
    No area code starts with 15, so a 15 in front of 6 to 8 more digits is the mobile prefix.
    """
    if "+" in text or digits.startswith("0"):
        return False
    if 6 <= len(digits) <= 8:
        return True
    return digits.startswith("15") and 8 <= len(digits) <= 10


def _key_from_text(text: str, region: str) -> KeyResult:
    """Return the key of the first reading of `text` that is valid, else the cause from the first reading."""
    rejections: list[KeyResult] = []
    for reading in _readings(text, region):
        result = reading if isinstance(reading, KeyResult) else _key_from_number(reading)
        if result.key is not None:
            return result
        rejections.append(result)

    # The literal reading is always yielded, so there is at least one rejection here.
    return rejections[0]


def _readings(text: str, region: str) -> Iterator[PhoneNumber | KeyResult]:
    """Yield the parsed readings of `text`, most literal first, or a rejection for each that does not parse.

    The literal reading comes first. Then `00` at the start is read as the international prefix, because
    with Brazil's metadata `0055` is an international prefix that selects carrier 55. Otherwise a leading
    `0` is dropped as a trunk prefix, for countries that no longer have one (Chile's `09 8765 4329`).
    Each reading that parses is followed by the same number with a doubled country code
    (`+54 54 11 ...`) read once.
    """
    texts = [text]
    compact = re.sub(r"[^\d+]", "", text)
    if compact.startswith("00"):
        texts.append("+" + compact[2:])
    elif compact.startswith("0"):
        texts.append(compact[1:])

    for candidate in texts:
        try:
            number = phonenumbers.parse(candidate, region)
        except NumberParseException as error:
            yield KeyResult.rejected(_PARSE_ERROR_CAUSES.get(error.error_type, causes.INVALID_NUMBER))
            continue
        yield number

        national = phonenumbers.national_significant_number(number)
        country_code = str(number.country_code)
        if national.startswith(country_code) and len(national) > len(country_code):
            try:
                yield phonenumbers.parse(f"+{country_code}{national[len(country_code):]}")
            except NumberParseException:
                pass


def _key_from_number(number: PhoneNumber) -> KeyResult:
    canonical = number
    # Parsing the rewritten number can strip a prefix again (`+55 011...` loses the trunk 0), so the rewrite
    # repeats until the number stays the same. That makes the key of a key the key itself.
    for _ in range(_MAX_REWRITES):
        national = phonenumbers.national_significant_number(canonical)
        national = _canonical_national_number(canonical.country_code, national)
        rewritten = f"+{canonical.country_code}{national}"
        try:
            canonical = phonenumbers.parse(rewritten)
        except NumberParseException as error:
            return KeyResult.rejected(_PARSE_ERROR_CAUSES.get(error.error_type, causes.INVALID_NUMBER))
        if phonenumbers.format_number(canonical, phonenumbers.PhoneNumberFormat.E164) == rewritten:
            break

    if phonenumbers.is_valid_number(canonical):
        return KeyResult.accepted(phonenumbers.format_number(canonical, phonenumbers.PhoneNumberFormat.E164))
    reason = phonenumbers.is_possible_number_with_reason(canonical)
    return KeyResult.rejected(_POSSIBILITY_CAUSES.get(reason, causes.INVALID_NUMBER))


def _canonical_national_number(country_code: int, national: str) -> str:
    if country_code == ARGENTINA:
        return _argentine_national_number(national)
    if country_code == MEXICO:
        return _mexican_national_number(national)
    if country_code == BRAZIL:
        return _brazilian_national_number(national)
    return national


def _argentine_national_number(national: str) -> str:
    """Remove the mobile 9 and the 15 after the area code, leaving area code + local number (10 digits)."""
    if national.startswith("9") and len(national) in (11, 13):
        national = national[1:]

    if len(national) == 12:
        # Area code + 15 + local number, as left by `+54 9 11 15 ...`. The area code has 2 to 4 digits, so
        # the 15 cannot be found by position. Reading the number as dialled at home lets libphonenumber's
        # Argentine metadata, which lists the area codes, rewrite it to 9 + area code + local number.
        try:
            domestic = phonenumbers.national_significant_number(phonenumbers.parse("0" + national, "AR"))
        except NumberParseException:
            return national
        if len(domestic) == 11 and domestic.startswith("9"):
            return domestic[1:]

    return national


def _mexican_national_number(national: str) -> str:
    """Remove the old mobile `1` after +52 and the domestic long-distance prefixes `01`, `044` and `045`."""
    if len(national) == 11 and national.startswith("1"):
        return national[1:]
    if len(national) == 12 and national.startswith("01"):
        return national[2:]
    if len(national) == 13 and national.startswith(("044", "045")):
        return national[3:]
    return national


def _brazilian_national_number(national: str) -> str:
    """Add the ninth digit to a mobile written as 2-digit area code + 8 digits starting with 6 to 9."""
    if len(national) == 10 and national[2] in "6789":
        return f"{national[:2]}9{national[2:]}"
    return national

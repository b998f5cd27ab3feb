"""Phone match keys: the shapes shoppers type, per country, and every rejection cause."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from optin_sync.identity import KeyResult, phone_key, phone_keys_from_fields
from optin_sync.identity import causes

BUENOS_AIRES_MOBILE = "+541128034063"
CORDOBA_MOBILE = "+543514445555"

ARGENTINA = [
    # One Buenos Aires mobile line, written every way shoppers write it
    pytest.param("011 15-2803-4063", BUENOS_AIRES_MOBILE, id="trunk-and-15"),
    pytest.param("(011) 15 2803-4063", BUENOS_AIRES_MOBILE, id="parentheses"),
    pytest.param("11 15 2803 4063", BUENOS_AIRES_MOBILE, id="15-without-trunk"),
    pytest.param("+54 9 11 2803-4063", BUENOS_AIRES_MOBILE, id="international-mobile-9"),
    pytest.param("+54 11 2803-4063", BUENOS_AIRES_MOBILE, id="international-without-9"),
    pytest.param("+54 11 15 2803 4063", BUENOS_AIRES_MOBILE, id="international-with-15"),
    pytest.param("+54 9 11 15 2803 4063", BUENOS_AIRES_MOBILE, id="international-9-and-15"),
    pytest.param("+54 011 15 2803-4063", BUENOS_AIRES_MOBILE, id="international-trunk-15"),
    pytest.param("+54 (0) 11 2803-4063", BUENOS_AIRES_MOBILE, id="international-bracketed-trunk"),
    pytest.param("5491128034063", BUENOS_AIRES_MOBILE, id="digits-with-9"),
    pytest.param("541128034063", BUENOS_AIRES_MOBILE, id="digits-without-9"),
    pytest.param("91128034063", BUENOS_AIRES_MOBILE, id="mobile-9-without-country"),
    pytest.param("0054 9 11 2803 4063", BUENOS_AIRES_MOBILE, id="00-prefix"),
    pytest.param("+54 54 11 2803 4063", BUENOS_AIRES_MOBILE, id="country-code-twice"),
    pytest.param("5454911 2803 4063", BUENOS_AIRES_MOBILE, id="country-code-twice-digits"),
    pytest.param("011 2803-4063", BUENOS_AIRES_MOBILE, id="trunk-without-15"),
    pytest.param("11-2803-4063", BUENOS_AIRES_MOBILE, id="dashes"),
    pytest.param("11.2803.4063", BUENOS_AIRES_MOBILE, id="dots"),
    pytest.param("  11 2803 4063  ", BUENOS_AIRES_MOBILE, id="spaces"),
    pytest.param("011/2803-4063", BUENOS_AIRES_MOBILE, id="slash-after-area-code"),
    pytest.param("１１ ２８０３ ４０６３", BUENOS_AIRES_MOBILE, id="full-width-digits"),
    pytest.param("+5491128034063", BUENOS_AIRES_MOBILE, id="woowup-mobile"),
    pytest.param("1128034063", BUENOS_AIRES_MOBILE, id="woowup-national"),
    pytest.param("+541128034063", BUENOS_AIRES_MOBILE, id="key-itself"),
    # Extensions are dropped
    pytest.param("011 2803-4063 ext 12", BUENOS_AIRES_MOBILE, id="ext"),
    pytest.param("011 2803-4063 ext.12", BUENOS_AIRES_MOBILE, id="ext-dot"),
    pytest.param("011 2803-4063 int. 12", BUENOS_AIRES_MOBILE, id="int-dot"),
    pytest.param("011 2803-4063, interno 12", BUENOS_AIRES_MOBILE, id="interno"),
    pytest.param("011 2803-4063 x12", BUENOS_AIRES_MOBILE, id="x"),
    pytest.param("011 2803-4063 (int 12)", BUENOS_AIRES_MOBILE, id="bracketed-int"),
    # Area codes of 3 and 4 digits, where the 15 sits at a different position
    pytest.param("0351 15 444 5555", CORDOBA_MOBILE, id="cordoba-trunk-15"),
    pytest.param("+54 9 351 444 5555", CORDOBA_MOBILE, id="cordoba-international"),
    pytest.param("351 4445555", CORDOBA_MOBILE, id="cordoba-national"),
    pytest.param("0221 15 444 5556", "+542214445556", id="la-plata-trunk-15"),
    pytest.param("02966 15 44 5556", "+542966445556", id="rio-gallegos-trunk-15"),
    pytest.param("+54 9 2966 44-5556", "+542966445556", id="rio-gallegos-international"),
    pytest.param("+54 9 2966 15 44 5556", "+542966445556", id="rio-gallegos-9-and-15"),
    pytest.param("0800 333 4444", "+548003334444", id="toll-free"),
    # Another country's international form keeps that country
    pytest.param("+56 9 8765 4329", "+56987654329", id="chile-international"),
    pytest.param("+598 99 123 456", "+59899123456", id="uruguay-international"),
    pytest.param("0055 11 98765 4329", "+5511987654329", id="brazil-00-prefix"),
]

ARGENTINA_REJECTED = [
    pytest.param("15-4444-5555", causes.NO_AREA_CODE, id="15-without-area-code"),
    pytest.param("4444-5555", causes.NO_AREA_CODE, id="8-digits"),
    pytest.param("444-5556", causes.NO_AREA_CODE, id="7-digits"),
    pytest.param("44-5556", causes.NO_AREA_CODE, id="6-digits"),
    pytest.param("15 444 5556", causes.NO_AREA_CODE, id="15-and-7-digits"),
    pytest.param("11 4444-5555 / 11 5555-6666", causes.MULTIPLE_NUMBERS, id="slash"),
    pytest.param("11 4444-5555; 11 5555-6666", causes.MULTIPLE_NUMBERS, id="semicolon"),
    pytest.param("11 4444-5555, 11 5555-6666", causes.MULTIPLE_NUMBERS, id="comma"),
    pytest.param("11 4444-5555 o 11 5555-6666", causes.MULTIPLE_NUMBERS, id="o"),
    pytest.param("11 4444-5555 y 11 5555-6666", causes.MULTIPLE_NUMBERS, id="y"),
    pytest.param("11 4444-5555 | 11 5555-6666", causes.MULTIPLE_NUMBERS, id="pipe"),
    pytest.param("11 2803-4063/64", causes.MULTIPLE_NUMBERS, id="shorthand-second-line"),
    pytest.param("11-CASA-123", causes.LETTERS, id="vanity-letters"),
    pytest.param("Cel: 11 2803-4063", causes.LETTERS, id="label"),
    pytest.param("fax 11 2803-4063", causes.LETTERS, id="fax-label"),
    pytest.param("sin telefono", causes.LETTERS, id="words"),
    pytest.param("123", causes.TOO_SHORT, id="too-short"),
    pytest.param("11280340631234", causes.TOO_LONG, id="too-long"),
    pytest.param("1234567890123456789", causes.TOO_LONG, id="far-too-long"),
    pytest.param("1028034063", causes.INVALID_NUMBER, id="unknown-area-code"),
    pytest.param("11+5491128034063", causes.INVALID_NUMBER, id="digit-plus-digit"),
    pytest.param("11 1111-1111", causes.PLACEHOLDER_NUMBER, id="repeated-digit"),
    pytest.param("+54 9 11 0000-0000", causes.PLACEHOLDER_NUMBER, id="zeros"),
    pytest.param("11 1234-5678", causes.PLACEHOLDER_NUMBER, id="ascending"),
    pytest.param("011 15 8765-4321", causes.PLACEHOLDER_NUMBER, id="descending"),
    pytest.param("1111-1111", causes.PLACEHOLDER_NUMBER, id="placeholder-without-area-code"),
    # Written like WoowUp's API examples: its last eight digits are 87654321.
    pytest.param("5411987654321", causes.PLACEHOLDER_NUMBER, id="woowup-example"),
    pytest.param("", causes.EMPTY, id="empty-string"),
    pytest.param("  ", causes.EMPTY, id="whitespace"),
    pytest.param("-", causes.EMPTY, id="dash-only"),
    pytest.param("( )", causes.EMPTY, id="brackets-only"),
]

MEXICO = [
    pytest.param("+52 1 55 1234 5679", "+525512345679", id="international-mobile-1"),
    pytest.param("+52 55 1234 5679", "+525512345679", id="international"),
    pytest.param("55 1234 5679", "+525512345679", id="national"),
    pytest.param("(55) 1234-5679", "+525512345679", id="parentheses"),
    pytest.param("55.1234.5679", "+525512345679", id="dots"),
    pytest.param("5215512345679", "+525512345679", id="digits-with-1"),
    pytest.param("0052 1 55 1234 5679", "+525512345679", id="00-prefix"),
    pytest.param("+52 52 55 1234 5679", "+525512345679", id="country-code-twice"),
    pytest.param("044 55 1234 5679", "+525512345679", id="old-mobile-prefix-044"),
    pytest.param("045 55 1234 5679", "+525512345679", id="old-mobile-prefix-045"),
    pytest.param("01 55 1234 5679", "+525512345679", id="old-trunk-01"),
    pytest.param("55 1234 5679 ext 3", "+525512345679", id="ext"),
    pytest.param("33 1234 5679", "+523312345679", id="guadalajara"),
    pytest.param("1 33 1234 5679", "+523312345679", id="guadalajara-mobile-1"),
    pytest.param("55 1234 5679 / 55 8765 4329", causes.MULTIPLE_NUMBERS, id="two-numbers"),
    pytest.param("55-ABCD-5679", causes.LETTERS, id="letters"),
    pytest.param("55 1234", causes.TOO_SHORT, id="too-short"),
    pytest.param("55 1234 5679 1234", causes.TOO_LONG, id="too-long"),
    pytest.param("55 1111 1111", causes.PLACEHOLDER_NUMBER, id="placeholder"),
]

BRAZIL = [
    pytest.param("+55 11 98765-4329", "+5511987654329", id="international"),
    pytest.param("(11) 98765-4329", "+5511987654329", id="parentheses"),
    pytest.param("11 8765-4329", "+5511987654329", id="without-ninth-digit"),
    pytest.param("+55 11 8765-4329", "+5511987654329", id="international-without-ninth-digit"),
    pytest.param("(11) 6765-4329", "+5511967654329", id="without-ninth-digit-6"),
    pytest.param("0 11 98765-4329", "+5511987654329", id="trunk"),
    pytest.param("0 21 11 98765-4329", "+5511987654329", id="trunk-and-carrier"),
    pytest.param("0055 11 98765 4329", "+5511987654329", id="00-prefix"),
    pytest.param("55 55 11 98765 4329", "+5511987654329", id="country-code-twice"),
    pytest.param("5511987654329", "+5511987654329", id="digits"),
    pytest.param("11.98765.4329", "+5511987654329", id="dots"),
    pytest.param("11 98765-4329 ramal 2", "+5511987654329", id="ramal"),
    pytest.param("+55 11 3456-7890", "+551134567890", id="landline-unchanged"),
    pytest.param("11 5876-4329", "+551158764329", id="landline-5-unchanged"),
    pytest.param("+55 55 99876 5439", "+5555998765439", id="area-code-55"),
    pytest.param("11 98765-4329 ou 11 3456-7890", causes.MULTIPLE_NUMBERS, id="two-numbers"),
    pytest.param("11 9876-ABCD", causes.LETTERS, id="letters"),
    pytest.param("11 9876", causes.TOO_SHORT, id="too-short"),
    pytest.param("11 98765 4329 99", causes.TOO_LONG, id="too-long"),
    pytest.param("11 99999-9999", causes.PLACEHOLDER_NUMBER, id="placeholder"),
    # The ninth digit is added, but the result ends in 87654321, so the placeholder rule rejects it.
    pytest.param("+55 11 8765-4321", causes.PLACEHOLDER_NUMBER, id="ninth-digit-placeholder"),
]

CHILE = [
    pytest.param("+56 9 8765 4329", "+56987654329", id="international"),
    pytest.param("9 8765 4329", "+56987654329", id="national"),
    pytest.param("09 8765 4329", "+56987654329", id="old-trunk"),
    pytest.param("0056 9 8765 4329", "+56987654329", id="00-prefix"),
    pytest.param("+56 56 9 8765 4329", "+56987654329", id="country-code-twice"),
    pytest.param("56987654329", "+56987654329", id="digits"),
    pytest.param("(9) 8765-4329", "+56987654329", id="parentheses"),
    pytest.param("9 8765 4329 ext 5", "+56987654329", id="ext"),
    pytest.param("+56 2 2345 6789", "+56223456789", id="santiago-landline"),
    pytest.param("02 2345 6789", "+56223456789", id="santiago-old-trunk"),
    pytest.param("9 8765 4329 / 9 8765 4320", causes.MULTIPLE_NUMBERS, id="two-numbers"),
    pytest.param("9 8765 ABCD", causes.LETTERS, id="letters"),
    pytest.param("87", causes.TOO_SHORT, id="too-short"),
    pytest.param("9 8765 4329 1234 5", causes.TOO_LONG, id="too-long"),
    pytest.param("9 8765 4329 12", causes.INVALID_NUMBER, id="extra-digits"),
    pytest.param("9 1111 1111", causes.PLACEHOLDER_NUMBER, id="placeholder"),
]

COLOMBIA = [
    pytest.param("+57 300 123 4567", "+573001234567", id="international"),
    pytest.param("300 123 4567", "+573001234567", id="national"),
    pytest.param("03 300 123 4567", "+573001234567", id="trunk-and-carrier"),
    pytest.param("0057 300 123 4567", "+573001234567", id="00-prefix"),
    pytest.param("+57 57 300 123 4567", "+573001234567", id="country-code-twice"),
    pytest.param("57 300 123 4567", "+573001234567", id="digits"),
    pytest.param("300-123-4567", "+573001234567", id="dashes"),
    pytest.param("300 123 4567 ext 8", "+573001234567", id="ext"),
    pytest.param("(601) 234 5679", "+576012345679", id="bogota-landline"),
    pytest.param("300 123 4567 y 301 765 4329", causes.MULTIPLE_NUMBERS, id="two-numbers"),
    pytest.param("300-ABC-4567", causes.LETTERS, id="letters"),
    pytest.param("300 12", causes.TOO_SHORT, id="too-short"),
    pytest.param("300 123 4567 890", causes.TOO_LONG, id="too-long"),
    pytest.param("311 111 1111", causes.PLACEHOLDER_NUMBER, id="placeholder"),
]

URUGUAY = [
    pytest.param("+598 99 123 456", "+59899123456", id="international"),
    pytest.param("099 123 456", "+59899123456", id="trunk"),
    pytest.param("99 123 456", "+59899123456", id="national"),
    pytest.param("00598 99 123 456", "+59899123456", id="00-prefix"),
    pytest.param("+598 598 99 123 456", "+59899123456", id="country-code-twice"),
    pytest.param("598 99 123 456", "+59899123456", id="digits"),
    pytest.param("099-123-456", "+59899123456", id="dashes"),
    pytest.param("099 123 456 int 3", "+59899123456", id="int"),
    pytest.param("2 123 4567", "+59821234567", id="montevideo-landline"),
    pytest.param("099 123 456 / 099 765 432", causes.MULTIPLE_NUMBERS, id="two-numbers"),
    pytest.param("099 ABC 456", causes.LETTERS, id="letters"),
    pytest.param("099 123", causes.INVALID_NUMBER, id="short"),
    pytest.param("099 123 456 789 012", causes.TOO_LONG, id="too-long"),
    pytest.param("099 999 999", causes.PLACEHOLDER_NUMBER, id="placeholder"),
]

PERU = [
    pytest.param("+51 987 654 329", "+51987654329", id="international"),
    pytest.param("987 654 329", "+51987654329", id="national"),
    pytest.param("0051 987 654 329", "+51987654329", id="00-prefix"),
    pytest.param("+51 51 987 654 329", "+51987654329", id="country-code-twice"),
    pytest.param("51 987 654 329", "+51987654329", id="digits"),
    pytest.param("987.654.329", "+51987654329", id="dots"),
    pytest.param("987 654 329 anexo 12", "+51987654329", id="anexo"),
    pytest.param("(01) 234-5679", "+5112345679", id="lima-landline-trunk"),
    pytest.param("01 234 5679", "+5112345679", id="lima-landline"),
    pytest.param("987 654 329 o 912 345 679", causes.MULTIPLE_NUMBERS, id="two-numbers"),
    pytest.param("987-ABC-329", causes.LETTERS, id="letters"),
    pytest.param("987 65", causes.TOO_SHORT, id="too-short"),
    pytest.param("987 654 329 123", causes.TOO_LONG, id="too-long"),
    pytest.param("999 999 999", causes.PLACEHOLDER_NUMBER, id="placeholder"),
]


def expected_result(expected: str) -> KeyResult:
    """Read a table's expected column: a key starts with `+`, anything else is a cause."""
    if expected.startswith("+"):
        return KeyResult.accepted(expected)
    return KeyResult.rejected(expected)


@pytest.mark.parametrize(("raw", "expected"), ARGENTINA + ARGENTINA_REJECTED)
def test_phone_key_argentina(raw: str, expected: str) -> None:
    assert phone_key(raw) == expected_result(expected)


@pytest.mark.parametrize(("raw", "expected"), MEXICO)
def test_phone_key_mexico(raw: str, expected: str) -> None:
    assert phone_key(raw, default_region="MX") == expected_result(expected)


@pytest.mark.parametrize(("raw", "expected"), BRAZIL)
def test_phone_key_brazil(raw: str, expected: str) -> None:
    assert phone_key(raw, default_region="BR") == expected_result(expected)


@pytest.mark.parametrize(("raw", "expected"), CHILE)
def test_phone_key_chile(raw: str, expected: str) -> None:
    assert phone_key(raw, default_region="CL") == expected_result(expected)


@pytest.mark.parametrize(("raw", "expected"), COLOMBIA)
def test_phone_key_colombia(raw: str, expected: str) -> None:
    assert phone_key(raw, default_region="CO") == expected_result(expected)


@pytest.mark.parametrize(("raw", "expected"), URUGUAY)
def test_phone_key_uruguay(raw: str, expected: str) -> None:
    assert phone_key(raw, default_region="UY") == expected_result(expected)


@pytest.mark.parametrize(("raw", "expected"), PERU)
def test_phone_key_peru(raw: str, expected: str) -> None:
    assert phone_key(raw, default_region="PE") == expected_result(expected)


@pytest.mark.parametrize(
    ("raw", "area_code", "expected"),
    [
        pytest.param("15-4444-5556", "11", "+541144445556", id="buenos-aires-15"),
        pytest.param("4444-5556", "11", "+541144445556", id="buenos-aires-landline"),
        pytest.param("4444-5556", "011", "+541144445556", id="area-code-with-trunk"),
        pytest.param("15 444 5556", "351", "+543514445556", id="cordoba-15"),
        pytest.param("444-5556", "0351", "+543514445556", id="cordoba-landline"),
        pytest.param("15 44 5556", "2966", "+542966445556", id="rio-gallegos-15"),
        pytest.param("444-5556", "11", causes.INVALID_NUMBER, id="local-too-short-for-area"),
        pytest.param("011 15 2803-4063", "351", BUENOS_AIRES_MOBILE, id="own-area-code-wins"),
        pytest.param("1111-1111", "11", causes.PLACEHOLDER_NUMBER, id="placeholder"),
    ],
)
def test_phone_key_default_area_code(raw: str, area_code: str, expected: str) -> None:
    assert phone_key(raw, default_area_code=area_code) == expected_result(expected)


def test_phone_key_area_code_only_argentina() -> None:
    result = phone_key("8765 4329", default_region="CL", default_area_code="11")

    assert result == KeyResult.rejected(causes.TOO_SHORT)


@pytest.mark.parametrize("area_code", ["", "  "])
def test_phone_key_blank_area_code(area_code: str) -> None:
    assert phone_key("4444-5555", default_area_code=area_code) == KeyResult.rejected(causes.NO_AREA_CODE)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param(None, causes.EMPTY, id="none"),
        pytest.param(math.nan, causes.EMPTY, id="nan"),
        pytest.param(pd.NA, causes.EMPTY, id="pandas-na"),
        pytest.param(1128034063, causes.NOT_A_STRING, id="int"),
        pytest.param(1128034063.0, causes.NOT_A_STRING, id="float"),
        pytest.param(False, causes.NOT_A_STRING, id="bool"),
        pytest.param({"number": "1128034063"}, causes.NOT_A_STRING, id="dict"),
        pytest.param(["1128034063"], causes.NOT_A_STRING, id="list"),
    ],
)
def test_phone_key_non_text(raw: object, expected: str) -> None:
    assert phone_key(raw) == KeyResult.rejected(expected)


@pytest.mark.parametrize("region", ["ZZ", "", "Argentina"])
def test_phone_key_unknown_region(region: str) -> None:
    with pytest.raises(ValueError, match="default_region"):
        phone_key("1128034063", default_region=region)


def test_phone_key_region_case_insensitive() -> None:
    assert phone_key("11 98765-4329", default_region="br") == KeyResult.accepted("+5511987654329")


@pytest.mark.parametrize("area_code", ["1", "12345", "1a", "0"])
def test_phone_key_invalid_area_code(area_code: str) -> None:
    with pytest.raises(ValueError, match="default_area_code"):
        phone_key("4444-5555", default_area_code=area_code)


def test_phone_keys_from_fields_one_per_value() -> None:
    shopper_fields = ["+54 9 11 2803-4063", None, "11 4444-5555 / 11 5555-6666", "011 15-2803-4063"]

    results = phone_keys_from_fields(shopper_fields)

    assert results == [
        KeyResult.accepted(BUENOS_AIRES_MOBILE),
        KeyResult.rejected(causes.EMPTY),
        KeyResult.rejected(causes.MULTIPLE_NUMBERS),
        KeyResult.accepted(BUENOS_AIRES_MOBILE),
    ]


def test_phone_keys_from_fields_passes_options() -> None:
    fields = ("15-4444-5556", "9 8765 4329")

    argentine = phone_keys_from_fields(fields, default_area_code="11")
    chilean = phone_keys_from_fields(fields, default_region="CL")

    assert argentine[0] == KeyResult.accepted("+541144445556")
    assert chilean[1] == KeyResult.accepted("+56987654329")

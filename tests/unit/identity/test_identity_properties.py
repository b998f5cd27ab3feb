"""Properties of match keys over generated emails and phones."""

from __future__ import annotations

import phonenumbers
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from optin_sync.identity import email_key, phone_key

REGIONS = ("AR", "BR", "MX", "CL", "CO", "UY", "PE")

# Argentine area codes of 2, 3 and 4 digits, from the largest cities to small towns.
ARGENTINE_AREA_CODES = (
    "11", "220", "221", "223", "261", "264", "291", "294", "297", "299", "341", "342", "343", "351", "358",
    "362", "376", "379", "380", "381", "383", "385", "387", "388", "2202", "2245", "2266", "2314", "2346",
    "2392", "2474", "2622", "2646", "2657", "2901", "2920", "2945", "2954", "2964", "2966", "3385", "3404",
    "3456", "3464", "3476", "3492", "3525", "3541", "3543", "3564", "3572", "3584", "3756", "3772", "3786",
    "3825", "3843", "3858", "3873", "3888",
)  # fmt: skip

separators = st.sampled_from(["", " ", "-", ".", "  "])

# Domain labels mixing ASCII with the accented letters of Spanish, Portuguese and German names.
domain_labels = st.text(alphabet="abcdeñüéçã0123456789-", min_size=1, max_size=12)
unicode_emails = st.builds(
    lambda local, labels, tld: f"{local}@{'.'.join(labels)}.{tld}",
    st.text(alphabet="abcJOSÉñ.+_-0123456789", min_size=1, max_size=20),
    st.lists(domain_labels, min_size=1, max_size=3),
    st.sampled_from(["com", "com.ar", "com.br", "de", "org"]),
)
email_inputs = st.one_of(
    st.emails(),
    st.emails().map(str.upper).map(lambda address: f"  {address}\t"),
    unicode_emails,
    st.text(max_size=40),
)


@settings(max_examples=1000, deadline=None)
@given(raw=email_inputs, gmail_canonical=st.booleans())
def test_email_key_idempotent(raw: str, gmail_canonical: bool) -> None:
    key = email_key(raw, gmail_canonical=gmail_canonical).key
    assume(key is not None)

    assert email_key(key, gmail_canonical=gmail_canonical).key == key


@st.composite
def phone_texts(draw: st.DrawFn) -> str:
    """Draw a phone-like text: an optional prefix, then digit groups with random separators."""
    prefix = draw(st.sampled_from(["", "0", "+", "00", "+54 9 ", "+54 ", "0054 ", "+55 ", "+52 1 ", "+56 ", "+57 "]))
    groups = draw(st.lists(st.text(alphabet="0123456789", min_size=1, max_size=5), min_size=1, max_size=5))
    separator = draw(separators)
    return prefix + separator.join(groups)


@st.composite
def plausible_numbers(draw: st.DrawFn) -> str:
    """Draw a number close to a real one: a region's example line with new final digits, in a random format."""
    region = draw(st.sampled_from(REGIONS))
    number_type = draw(st.sampled_from([phonenumbers.PhoneNumberType.FIXED_LINE, phonenumbers.PhoneNumberType.MOBILE]))
    example = phonenumbers.example_number_for_type(region, number_type)
    national = phonenumbers.national_significant_number(example)
    tail_length = draw(st.integers(min_value=1, max_value=min(6, len(national) - 1)))
    tail = draw(st.text(alphabet="0123456789", min_size=tail_length, max_size=tail_length))
    number = phonenumbers.parse(f"+{example.country_code}{national[:-tail_length]}{tail}")
    number_format = draw(
        st.sampled_from(
            [
                phonenumbers.PhoneNumberFormat.E164,
                phonenumbers.PhoneNumberFormat.INTERNATIONAL,
                phonenumbers.PhoneNumberFormat.NATIONAL,
            ]
        )
    )
    return phonenumbers.format_number(number, number_format)


phone_inputs = st.one_of(phone_texts(), plausible_numbers())


@settings(max_examples=1000, deadline=None)
@given(raw=phone_inputs, region=st.sampled_from(REGIONS), other_region=st.sampled_from(REGIONS))
def test_phone_key_idempotent(raw: str, region: str, other_region: str) -> None:
    key = phone_key(raw, default_region=region).key
    if key is None:
        return

    assert phone_key(key, default_region=region).key == key
    # A key carries its country code, so the region it is read in does not matter.
    assert phone_key(key, default_region=other_region).key == key


@st.composite
def argentine_lines(draw: st.DrawFn) -> tuple[str, str]:
    """Draw a valid Argentine line as (area code, local number). The local number never starts with 15."""
    area_code = draw(st.sampled_from(ARGENTINE_AREA_CODES))
    first_digit = draw(st.sampled_from("2345679"))
    rest = draw(st.text(alphabet="0123456789", min_size=9 - len(area_code), max_size=9 - len(area_code)))
    local_number = first_digit + rest
    assume(phonenumbers.is_valid_number(phonenumbers.parse(f"+54{area_code}{local_number}")))
    return area_code, local_number


def argentine_variants(area_code: str, local_number: str, separator: str) -> list[str]:
    half = len(local_number) // 2
    local = f"{local_number[:half]}{separator}{local_number[half:]}"
    return [
        f"+54 9 {area_code} {local}",
        f"+54{separator}{area_code}{separator}{local}",
        f"+54 9 {area_code} 15 {local}",
        f"+54 0{area_code} 15 {local}",
        f"0{area_code} 15{separator}{local}",
        f"(0{area_code}) 15-{local}",
        f"{area_code} 15 {local}",
        f"0{area_code}{separator}{local}",
        f"{area_code}{local_number}",
        f"549{area_code}{local_number}",
        f"54{area_code}{local_number}",
        f"0054 9 {area_code} {local}",
        f"+54 54 9 {area_code} {local}",
        f"{area_code} {local} int. 12",
    ]


@settings(max_examples=1000, deadline=None)
@given(line=argentine_lines(), separator=separators)
def test_phone_key_argentine_variants_agree(line: tuple[str, str], separator: str) -> None:
    area_code, local_number = line
    expected = f"+54{area_code}{local_number}"
    assume(phone_key(expected).key is not None)

    for variant in argentine_variants(area_code, local_number, separator):
        assert phone_key(variant).key == expected, variant
    assert phone_key(f"15 {local_number}", default_area_code=area_code).key == expected
    assert phone_key(local_number, default_area_code=f"0{area_code}").key == expected

"""`phone_key`'s checks before parsing, repeated on Arrow arrays of stored phone values.

Values are first brought to text as `phone_key` reads it (NFKC, so full-width digits become ASCII). Values with
letters or separators get `multiple_numbers` or `letters` when no extension could be hiding them. The simple
values (digits, spaces, dashes, dots, brackets, one slash, one leading `+`, perhaps a trailing extension) go
through the checks that come before parsing, and those left are returned for the parse step.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from optin_sync.identity import causes
from optin_sync.identity.phone_parsing import lengths, mask
from optin_sync.identity.phones import PLACEHOLDER_ENDINGS

# Values made only of these characters meet none of `phone_key`'s extension or letter rules, and libphonenumber
# reads them as digits and punctuation. The length bound stays far below libphonenumber's input limit of 250.
_SIMPLE_VALUE = r"^[0-9 +().\-/]{0,100}$"
# The same characters followed by an extension that `phones.py` removes (`int. 12`, `ext 12`, `x12`, `#12`).
# The extension's marker follows no letter, as `phones.py` requires, because the characters before it have none.
_WITH_EXTENSION = (r"^(?P<body>[0-9 +().\-/]{0,100}?)[ ,;(]*(?i:ext(?:ension)?|int(?:erno)?|anexo|ramal|x|#)"
                   r"\.? *:? *[0-9]{1,6} *\)? *$")
# Any value that `phones.py`'s extension pattern could match: the same pattern without its look-behind.
_ANY_EXTENSION = r"(?i:ext(?:ension)?|int(?:erno)?|anexo|ramal|x|#)\.?\s*:?\s*[0-9]{1,6}\s*\)?\s*$"
# `phones.py`'s separators between two numbers. Its `\s` is any whitespace in Python and `[\t\n\f\r ]` in RE2,
# so it is used only on printable ASCII, where both mean a space.
_NUMBER_SEPARATOR = r"(?i)[/;,|\n]|\s(?:o|y|ou|e|or|and)\s"
_PRINTABLE_ASCII = r"^[ -~]{0,100}$"
_ONE_LEADING_PLUS = r"^ *\+[0-9 ().\-/]*$"
_DIGIT_THEN_PLUS = r"[0-9].*\+"
_AT_MOST_ONE_SLASH = r"^[^/]*/?[^/]*$"
_LETTER = r"[A-Za-z]"

# A part of a field with fewer digits than this is an area code, not a second number (as in `phones.py`).
_MIN_NUMBER_DIGITS = 6
# Digit counts of values the parse step takes; the rest end in rejections worded by libphonenumber's errors.
MIN_PARSED_DIGITS = 8
MAX_PARSED_DIGITS = 17


@dataclass(frozen=True, slots=True)
class Checked:
    """Values left for parsing: their text, digits and positions, and the rejections found before parsing."""

    text: pa.Array
    digits: pa.Array
    positions: np.ndarray
    rejected: list[tuple[np.ndarray, str]]


def normalised_text(values: Sequence[str]) -> tuple[pa.Array, np.ndarray]:
    """Return the ASCII values, and others that NFKC turns into ASCII (full-width digits), with their positions."""
    try:
        text = pa.array(values, type=pa.string())
    except UnicodeEncodeError:
        # A lone surrogate cannot be UTF-8; such values stay with phone_key.
        text = pa.array([value if _encodes(value) else None for value in values], type=pa.string())
    is_ascii = mask(pc.string_is_ascii(text))
    ascii_positions = np.flatnonzero(is_ascii)

    normalised, normalised_positions = [], []
    for position in np.flatnonzero(~is_ascii):
        value = unicodedata.normalize("NFKC", values[position])
        if value.isascii():
            normalised.append(value)
            normalised_positions.append(position)
    if not normalised:
        return text.filter(pa.array(is_ascii)), ascii_positions

    combined = pa.concat_arrays([text.filter(pa.array(is_ascii)), pa.array(normalised, type=pa.string())])
    return combined, np.concatenate([ascii_positions, np.array(normalised_positions, dtype=np.int64)])


def _encodes(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def check_before_parsing(text: pa.Array, positions: np.ndarray, area_code: str | None) -> Checked:
    """Apply `phone_key`'s checks before parsing, in its order, to ASCII text.

    A local Argentine number gets the default area code and trunk `0` in front, as `phone_key` rewrites it.
    """
    rejected: list[tuple[np.ndarray, str]] = []
    text, positions, worded = _split_simple(text, positions)
    rejected += worded

    digits = _simple_digits(text)
    count = lengths(digits)
    has_plus = mask(pc.match_substring(text, "+"))
    has_slash = mask(pc.match_substring(text, "/"))

    # Around one slash, digits on both sides are two numbers, unless the first part is only an area code.
    slash_known = ~has_slash
    before_slash = count.copy()
    if has_slash.any():
        slashed = text.filter(pa.array(has_slash))
        slash_known[has_slash] = mask(pc.match_substring_regex(slashed, _AT_MOST_ONE_SLASH))
        before_slash[has_slash] = lengths(_simple_digits(pc.replace_substring_regex(slashed, "/.*", "")))
    several = slash_known & has_slash & (before_slash >= _MIN_NUMBER_DIGITS) & (count > before_slash)

    empty = slash_known & (count == 0)
    endings = pc.utf8_slice_codeunits(digits, -8)
    placeholder = slash_known & ~empty & ~several & mask(
        pc.is_in(endings, value_set=pa.array(sorted(PLACEHOLDER_ENDINGS))))
    inner_plus = slash_known & ~empty & ~several & ~placeholder & _where(has_plus, text, _DIGIT_THEN_PLUS)
    rejected += [(positions[empty], causes.EMPTY), (positions[several], causes.MULTIPLE_NUMBERS),
                 (positions[placeholder], causes.PLACEHOLDER_NUMBER), (positions[inner_plus], causes.INVALID_NUMBER)]

    remaining = slash_known & ~(empty | several | placeholder | inner_plus)
    # One digit alone is never a viable number for libphonenumber, whichever reading phone_key tries.
    single_digit = remaining & (count == 1)
    rejected.append((positions[single_digit], causes.INVALID_NUMBER))
    remaining &= ~single_digit

    starts_15 = mask(pc.starts_with(digits, "15"))
    local = (remaining & ~has_plus & ~mask(pc.starts_with(digits, "0"))
             & (((count >= 6) & (count <= 8)) | (starts_15 & (count >= 8) & (count <= 10))))
    if area_code is None:
        rejected.append((positions[local], causes.NO_AREA_CODE))
        remaining &= ~local
    elif local.any():
        rewritten = pc.binary_join_element_wise(f"0{area_code}", digits, "")
        digits = pc.if_else(pa.array(local), rewritten, digits)
        text = pc.if_else(pa.array(local), rewritten, text)
        count = lengths(digits)

    one_leading_plus = _where(has_plus, text, _ONE_LEADING_PLUS)
    parsable = (remaining & (~has_plus | one_leading_plus)
                & (count >= MIN_PARSED_DIGITS) & (count <= MAX_PARSED_DIGITS))
    keep = pa.array(parsable)
    return Checked(text.filter(keep), digits.filter(keep), positions[parsable], rejected)


def _split_simple(text: pa.Array, positions: np.ndarray) -> tuple[pa.Array, np.ndarray, list[tuple[np.ndarray, str]]]:
    """Return the simple values, with a trailing extension removed, and the rejections of values with words."""
    simple = mask(pc.match_substring_regex(text, _SIMPLE_VALUE))
    others = text.filter(pa.array(~simple))
    other_positions = positions[~simple]

    bodies = pc.struct_field(pc.extract_regex(others, _WITH_EXTENSION), "body")
    extended = mask(pc.is_valid(bodies))
    worded = _reject_words(others.filter(pa.array(~extended)), other_positions[~extended])

    combined = pa.concat_arrays([text.filter(pa.array(simple)), bodies.filter(pa.array(extended))])
    return combined, np.concatenate([positions[simple], other_positions[extended]]), worded


def _reject_words(text: pa.Array, positions: np.ndarray) -> list[tuple[np.ndarray, str]]:
    """Word `multiple_numbers` or `letters` for printable values whose separators or letters decide the cause.

    `phone_key` removes an extension first, so a value that could end with one is left to it.
    """
    text = pc.utf8_trim(text, " ")
    decidable = (mask(pc.match_substring_regex(text, _PRINTABLE_ASCII))
                 & ~mask(pc.match_substring_regex(text, _ANY_EXTENSION)))
    text = text.filter(pa.array(decidable))
    positions = positions[decidable]

    parts = pc.split_pattern_regex(text, _NUMBER_SEPARATOR)
    part_digits = lengths(_digits(pc.list_flatten(parts)))
    owner = np.asarray(pc.list_parent_indices(parts).to_numpy(zero_copy_only=False))
    with_digits = part_digits > 0
    parts_with_digits = np.bincount(owner[with_digits], minlength=len(text))

    # Parts come in order, so a row's first part with digits is where the row first appears among them.
    first_digits = np.zeros(len(text), dtype=np.int64)
    rows_with_digits = owner[with_digits]
    counts = part_digits[with_digits]
    first_of_row = np.r_[True, rows_with_digits[1:] != rows_with_digits[:-1]] if len(rows_with_digits) else []
    first_digits[rows_with_digits[first_of_row]] = counts[first_of_row]

    area_code_first = (parts_with_digits == 2) & (first_digits < _MIN_NUMBER_DIGITS)
    several = (parts_with_digits >= 2) & ~area_code_first
    letters = ~several & mask(pc.match_substring_regex(text, _LETTER))
    return [(positions[several], causes.MULTIPLE_NUMBERS), (positions[letters], causes.LETTERS)]


def _where(chosen: np.ndarray, text: pa.Array, pattern: str) -> np.ndarray:
    """Match `pattern` on the chosen values only; the others read False."""
    matched = np.zeros(len(text), dtype=bool)
    if chosen.any():
        matched[chosen] = mask(pc.match_substring_regex(text.filter(pa.array(chosen)), pattern))
    return matched


def _simple_digits(text: pa.Array) -> pa.Array:
    """Return the digits of simple values, by removing their other characters (faster than a regex)."""
    for character in " +().-/":
        text = pc.replace_substring(text, character, "")
    return text


def _digits(text: pa.Array) -> pa.Array:
    return pc.replace_substring_regex(text, "[^0-9]+", "")

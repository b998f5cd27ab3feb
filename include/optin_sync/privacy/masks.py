"""Masked displays of personal values: enough to recognise a value you already know, not to learn one."""

from __future__ import annotations

import re
from functools import lru_cache

import phonenumbers

_DIGIT = re.compile(r"\d")
_EMAIL_LIKE = re.compile(r"[^\s@;,'\"<>()]+@[^\s@;,'\"<>()]+")
_DIGIT_RUN = re.compile(r"\+?\d[\d\s().-]{4,}\d")


def mask_email(value: str) -> str:
    """``alice@gmail.com`` → ``a***@gmail.com``; text without ``@`` keeps only its first character."""
    text = value.strip()
    local, at, domain = text.rpartition("@")
    if not at:
        return f"{text[:1]}***" if text else ""
    return f"{local[:1]}***@{domain}"


@lru_cache(maxsize=65536)
def _mask_e164(value: str) -> str | None:
    try:
        number = phonenumbers.parse(value, None)
    except phonenumbers.NumberParseException:
        return None
    formatted = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    national = phonenumbers.national_significant_number(number)
    area = phonenumbers.length_of_national_destination_code(number)
    # Keep the country code, the area code (for Argentine mobiles the 9 and the area) and the last four digits.
    keep_front = len(str(number.country_code)) + area
    keep_back = 4
    total = len(str(number.country_code)) + len(national)
    if keep_front + keep_back >= total:
        keep_front = max(total - keep_back - 2, len(str(number.country_code)))
    seen = 0
    characters = []
    for character in formatted:
        if character.isdigit():
            seen += 1
            if keep_front < seen <= total - keep_back:
                character = "*"
        characters.append(character)
    return "".join(characters)


def mask_phone(value: str) -> str:
    """``+5491112344063`` → ``+54 9 11 ****-4063``; other text keeps only its last four digits."""
    text = value.strip()
    if text.startswith("+") and text[1:].isdigit():
        masked = _mask_e164(text)
        if masked is not None:
            return masked
    return mask_digits(text, keep=4)


def mask_digits(text: str, *, keep: int) -> str:
    """Replace every digit except the last ``keep`` with ``*``; letters are replaced as well."""
    total = sum(character.isalnum() for character in text)
    seen = 0
    characters = []
    for character in text:
        if character.isalnum():
            seen += 1
            if seen <= total - keep:
                character = "*"
        characters.append(character)
    return "".join(characters)


def mask_document(value: str) -> str:
    """Every character of a document number except the last three becomes ``*``."""
    return mask_digits(value.strip(), keep=3)


def mask_name(value: str) -> str:
    text = value.strip()
    return f"{text[:1]}***" if text else ""


def mask_identifier(value: str) -> str:
    """A WoowUp ``service_uid``: often an email, else a document or a shop's own code."""
    return mask_email(value) if "@" in value else mask_digits(value.strip(), keep=3)


def scrub_text(text: str) -> str:
    """Mask anything in free text that looks like an email or a phone number (API error messages echo input)."""
    text = _EMAIL_LIKE.sub(lambda found: mask_email(found.group(0)), text)
    return _DIGIT_RUN.sub(lambda found: mask_digits(found.group(0), keep=4), text)

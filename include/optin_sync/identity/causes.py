"""Reasons why a raw email or phone value yields no match key.

Run summaries count rejected values by these strings, so they are part of the report format: rename one only
together with every report and dashboard that reads it.
"""

# Any field
EMPTY = "empty"
NOT_A_STRING = "not_a_string"

# Email
INVALID_SYNTAX = "invalid_syntax"
MASKED_ALIAS = "masked_alias"
MARKETPLACE_RELAY = "marketplace_relay"
PLACEHOLDER_DOMAIN = "placeholder_domain"
PLACEHOLDER_LOCAL_PART = "placeholder_local_part"

# Phone
INVALID_NUMBER = "invalid_number"
TOO_SHORT = "too_short"
TOO_LONG = "too_long"
NO_AREA_CODE = "no_area_code"
PLACEHOLDER_NUMBER = "placeholder_number"
MULTIPLE_NUMBERS = "multiple_numbers"
LETTERS = "letters"

ALL_CAUSES: tuple[str, ...] = (
    EMPTY,
    NOT_A_STRING,
    INVALID_SYNTAX,
    MASKED_ALIAS,
    MARKETPLACE_RELAY,
    PLACEHOLDER_DOMAIN,
    PLACEHOLDER_LOCAL_PART,
    INVALID_NUMBER,
    TOO_SHORT,
    TOO_LONG,
    NO_AREA_CODE,
    PLACEHOLDER_NUMBER,
    MULTIPLE_NUMBERS,
    LETTERS,
)

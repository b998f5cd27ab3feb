import pytest

from optin_sync.consent.optin import CONSENT, INVALID, REFUSAL, UNKNOWN, raw_text, read_opt_in

CASES = [
    (True, CONSENT), ("true", CONSENT), ("True", CONSENT), (" TRUE ", CONSENT), ("1", CONSENT), (1, CONSENT),
    ("yes", CONSENT), ("si", CONSENT), ("sí", CONSENT), ("SÍ", CONSENT),
    (False, REFUSAL), ("false", REFUSAL), ("False", REFUSAL), ("0", REFUSAL), (0, REFUSAL), ("no", REFUSAL),
    (" No ", REFUSAL),
    (None, UNKNOWN), ("", UNKNOWN), ("   ", UNKNOWN), (float("nan"), UNKNOWN),
    ("maybe", INVALID), (2, INVALID), ("verdadero", INVALID), ({"value": True}, INVALID), ("tru", INVALID),
]


@pytest.mark.parametrize(("raw", "expected"), CASES, ids=[repr(raw) for raw, _ in CASES])
def test_read_opt_in(raw, expected):
    assert read_opt_in(raw) == expected
def test_float_one_is_consent():
    assert read_opt_in(raw_text(1.0)) == CONSENT

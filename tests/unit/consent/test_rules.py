"""One row per rule of the order of evaluation, and the cases where two rules meet."""

import pandas as pd
import pytest

from optin_sync.consent import outcomes as o
from optin_sync.consent.rules import evaluate_channels, is_protected

EVIDENCE = pd.Timestamp("2026-12-03T15:00:00Z")
OLDER = pd.Timestamp("2026-12-01T00:00:00Z")
NEWER = pd.Timestamp("2026-12-03T16:00:00Z")

# channel, current state, reason, CRM update time, opt-in status, new evidence, expected outcome, desired state
CASES = {
    "consent_enables": ("mailing", "disabled", None, OLDER, "consent", True, o.ENABLE, "enabled"),
    "refusal_disables": ("sms", "enabled", None, OLDER, "refusal", True, o.DISABLE, "disabled"),
    "reason_other_is_writable": ("mailing", "disabled", " Other ", OLDER, "consent", True, o.ENABLE, "enabled"),
    "blank_reason_is_writable": ("mailing", "disabled", "  ", OLDER, "consent", True, o.ENABLE, "enabled"),
    "unsubscribe_protects": ("mailing", "disabled", "unsubscribe", OLDER, "consent", True, o.PROTECTED, "enabled"),
    "free_text_protects": ("mailing", "enabled", "unsubscribe-2025-10-09 20:55:21", OLDER, "refusal", True,
                           o.PROTECTED, "disabled"),
    "smtp_error_protects": ("mailing", "enabled", "smtp; 550 5.7.1 <DATA>: Data command rejected", OLDER,
                            "consent", True, o.PROTECTED, "enabled"),
    "protected_before_unknown": ("mailing", "enabled", "bounce", OLDER, "unknown", True, o.PROTECTED, None),
    "unknown_decides_nothing": ("mailing", "enabled", None, OLDER, "unknown", True, o.UNKNOWN_OPT_IN, None),
    "invalid_decides_nothing": ("mailing", "enabled", None, OLDER, "invalid", False, o.INVALID_OPT_IN, None),
    "no_new_evidence": ("mailing", "disabled", None, OLDER, "consent", False, o.NO_NEW_EVIDENCE, "enabled"),
    "no_new_evidence_before_unchanged": ("mailing", "enabled", None, OLDER, "consent", False, o.NO_NEW_EVIDENCE,
                                         "enabled"),
    "unchanged_enabled": ("mailing", "enabled", None, OLDER, "consent", True, o.UNCHANGED, "enabled"),
    "unchanged_disabled": ("whatsapp", "disabled", "other", OLDER, "refusal", True, o.UNCHANGED, "disabled"),
    "unchanged_before_newer": ("mailing", "enabled", None, NEWER, "consent", True, o.UNCHANGED, "enabled"),
    "newer_in_crm": ("mailing", "disabled", None, NEWER, "consent", True, o.NEWER_IN_CRM, "enabled"),
    "same_time_is_not_newer": ("mailing", "disabled", None, EVIDENCE, "consent", True, o.ENABLE, "enabled"),
    "missing_crm_time_writes": ("mailing", "disabled", None, pd.NaT, "consent", True, o.ENABLE, "enabled"),
    "missing_state_gets_written": ("sms", None, None, OLDER, "refusal", True, o.DISABLE, "disabled"),
}


def _frame(case):
    channel, state, reason, updated, status, new, _, _ = case
    return pd.DataFrame({
        "channel": [channel], "current_state": pd.array([state], dtype="string"),
        "current_reason": pd.array([reason], dtype="string"),
        "current_updated_at": pd.Series([updated], dtype="datetime64[us, UTC]"),
        "status": [status], "evidence_time": pd.Series([EVIDENCE], dtype="datetime64[us, UTC]"),
        "new_evidence": [new],
    })


@pytest.mark.parametrize("name", list(CASES))
def test_rule_outcome(name):
    case = CASES[name]
    verdict = evaluate_channels(_frame(case), consent_channels=frozenset({"mailing", "sms", "whatsapp"}),
                                respect_newer_crm_changes=True)
    assert verdict["outcome"].iloc[0] == case[6]


@pytest.mark.parametrize("name", [n for n, c in CASES.items() if c[7] is not None and c[6] in o.WRITE_OUTCOMES])
def test_rule_desired_state(name):
    case = CASES[name]
    verdict = evaluate_channels(_frame(case), consent_channels=frozenset({"mailing", "sms", "whatsapp"}),
                                respect_newer_crm_changes=True)
    assert verdict["desired_state"].iloc[0] == case[7]


def test_newer_in_crm_ignored_when_setting_off():
    frame = _frame(CASES["newer_in_crm"])
    verdict = evaluate_channels(frame, consent_channels=frozenset({"mailing"}), respect_newer_crm_changes=False)
    assert verdict["outcome"].iloc[0] == o.ENABLE


def test_consent_outside_consent_channels_enables_nothing():
    frame = _frame(CASES["consent_enables"]).assign(channel="sms")
    verdict = evaluate_channels(frame, consent_channels=frozenset({"mailing"}), respect_newer_crm_changes=True)
    assert verdict["outcome"].iloc[0] == o.NOT_A_CONSENT_CHANNEL
    assert pd.isna(verdict["desired_state"].iloc[0])


def test_refusal_outside_consent_channels_still_disables():
    frame = _frame(CASES["refusal_disables"])
    verdict = evaluate_channels(frame, consent_channels=frozenset({"mailing"}), respect_newer_crm_changes=True)
    assert verdict["outcome"].iloc[0] == o.DISABLE


@pytest.mark.parametrize(("reason", "protected"), [
    (None, False), ("", False), ("   ", False), ("other", False), ("OTHER", False), (" other ", False),
    ("bounce", True), ("unsubscribe", True), ("spamreport", True), ("dropped", True), ("invalid", True),
    ("INVALID_EMAIL", True), ("Amazon SES did not send the message", True), ("others", True),
])
def test_is_protected(reason, protected):
    assert bool(is_protected(pd.Series([reason], dtype="string")).iloc[0]) is protected

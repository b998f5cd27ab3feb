"""Outcome names: the rule that decided each customer's channel, as written in decisions and summaries."""

from __future__ import annotations

ENABLE = "enable"
DISABLE = "disable"
UNCHANGED = "unchanged"
PROTECTED = "protected"
NEWER_IN_CRM = "newer_in_crm"
NO_NEW_EVIDENCE = "no_new_evidence"
UNKNOWN_OPT_IN = "unknown_opt_in"
INVALID_OPT_IN = "invalid_opt_in"
NOT_A_CONSENT_CHANNEL = "not_a_consent_channel"
AMBIGUOUS_IDENTIFIER = "ambiguous_identifier"
DEFERRED = "deferred"

# Counted beside the outcomes: a channel whose profiles disagreed, and window profiles that decided nothing.
CONFLICT = "conflict"
UNMATCHED = "unmatched"

WRITE_OUTCOMES = frozenset({ENABLE, DISABLE})

ALL_OUTCOMES: tuple[str, ...] = (
    ENABLE,
    DISABLE,
    UNCHANGED,
    PROTECTED,
    NEWER_IN_CRM,
    NO_NEW_EVIDENCE,
    UNKNOWN_OPT_IN,
    INVALID_OPT_IN,
    NOT_A_CONSENT_CHANNEL,
    AMBIGUOUS_IDENTIFIER,
    DEFERRED,
)
SUMMARY_COUNTS: tuple[str, ...] = (*ALL_OUTCOMES, CONFLICT, UNMATCHED)

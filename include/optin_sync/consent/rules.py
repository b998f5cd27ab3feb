"""The consent rules for one channel of one customer, evaluated on whole columns at once.

Order of evaluation: protected, unknown or invalid opt-in, no new evidence, unchanged, not a consent channel,
newer change in the CRM, then enable or disable. The first rule that applies is the outcome.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from optin_sync.consent import outcomes as o
from optin_sync.consent.optin import CONSENT, INVALID, REFUSAL, UNKNOWN

ENABLED = "enabled"
DISABLED = "disabled"
# The only reason an integration may overwrite: "no explicit preference from the customer".
WRITABLE_REASON = "other"
INTEGRATION_REASON = "other"


def is_protected(reasons: pd.Series) -> pd.Series:
    """True where the channel's reason forbids any write: anything but empty, whitespace or ``other``."""
    folded = reasons.astype("string").str.strip().str.casefold()
    return (folded.notna() & (folded != "") & (folded != WRITABLE_REASON)).astype(bool)


def evaluate_channels(
    frame: pd.DataFrame, *, consent_channels: frozenset[str], respect_newer_crm_changes: bool
) -> pd.DataFrame:
    """Return ``desired_state`` and ``outcome`` for rows of one customer channel each.

    Columns read: ``channel``, ``current_state``, ``current_reason``, ``current_updated_at`` (UTC),
    ``status`` (consent, refusal, unknown, invalid), ``evidence_time`` (UTC) and ``new_evidence`` (bool).
    """
    status = frame["status"].astype("string")
    current = frame["current_state"].astype("string")
    would_be = pd.Series(
        np.select([status == CONSENT, status == REFUSAL], [ENABLED, DISABLED], default=None),
        index=frame.index, dtype="string",
    )
    may_enable = frame["channel"].isin(consent_channels)
    newer_in_crm = (
        frame["current_updated_at"].notna()
        & frame["evidence_time"].notna()
        & (frame["current_updated_at"] > frame["evidence_time"])
    ) if respect_newer_crm_changes else pd.Series(False, index=frame.index)

    conditions = [
        is_protected(frame["current_reason"]),
        (status == UNKNOWN).fillna(True),
        (status == INVALID).fillna(False),
        ~frame["new_evidence"].astype(bool),
        (current == would_be).fillna(False),
        (would_be == ENABLED).fillna(False) & ~may_enable,
        newer_in_crm.astype(bool),
        (would_be == ENABLED).fillna(False),
        (would_be == DISABLED).fillna(False),
    ]
    choices = [
        o.PROTECTED, o.UNKNOWN_OPT_IN, o.INVALID_OPT_IN, o.NO_NEW_EVIDENCE, o.UNCHANGED,
        o.NOT_A_CONSENT_CHANNEL, o.NEWER_IN_CRM, o.ENABLE, o.DISABLE,
    ]
    outcome = pd.Series(np.select(conditions, choices, default=o.UNKNOWN_OPT_IN), index=frame.index,
                        dtype="string")

    desired = would_be.where(~outcome.isin([o.NOT_A_CONSENT_CHANNEL]), pd.NA)
    return pd.DataFrame({"desired_state": desired, "outcome": outcome}, index=frame.index)

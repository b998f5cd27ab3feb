"""Decisions: for every matched customer and channel, the winning VTEX profile and the rule's outcome."""

from __future__ import annotations

import pandas as pd

from optin_sync.consent.optin import CONSENT, INVALID, REFUSAL, UNKNOWN
from optin_sync.consent.rules import evaluate_channels
from optin_sync.settings import CHANNELS, ChannelScope, Settings

CHANNEL_KEY_TYPES = {"mailing": "email", "sms": "phone", "whatsapp": "phone"}


def channel_candidates(pairs: pd.DataFrame, scope: ChannelScope) -> pd.DataFrame:
    """Expand matched pairs to the channels each match decides: ``userapp_id``, ``channel``, ``profile_id``.

    With the ``matched`` scope an email match decides ``mailing`` and a phone match ``sms`` and ``whatsapp``, so
    a phone shared by a family never carries one person's email consent to another's mailbox.
    """
    parts = []
    for channel in CHANNELS:
        if scope is ChannelScope.MATCHED:
            chosen = pairs[pairs["key_type"] == CHANNEL_KEY_TYPES[channel]]
        else:
            chosen = pairs
        parts.append(chosen.assign(channel=channel))
    candidates = pd.concat(parts, ignore_index=True) if parts else pairs.assign(channel=pd.Series(dtype="string"))

    matched_by = (
        pairs.groupby(["userapp_id", "profile_id"])["key_type"]
        .agg(lambda types: "+".join(sorted(set(types))))
        .rename("matched_by")
        .reset_index()
    )
    candidates = candidates.drop(columns="key_type").drop_duplicates(["userapp_id", "channel", "profile_id"])
    return candidates.merge(matched_by, on=["userapp_id", "profile_id"], how="left")


def pick_winners(candidates: pd.DataFrame, profiles: pd.DataFrame) -> pd.DataFrame:
    """Return one row per (customer, channel) with the winning profile.

    The latest evidence time wins; on a tie a refusal beats a consent; then the lowest profile id. Unknown and
    invalid values never win over a known one. ``conflict`` marks channels whose known values disagree.
    """
    facts = profiles[["profile_id", "status", "evidence_time", "new_evidence"]]
    rows = candidates.merge(facts, on="profile_id", how="left")
    rows["_known"] = rows["status"].isin([CONSENT, REFUSAL])
    rows["_refusal"] = rows["status"] == REFUSAL
    rows = rows.sort_values(
        ["userapp_id", "channel", "_known", "evidence_time", "_refusal", "profile_id"],
        ascending=[True, True, False, False, False, True],
        na_position="last",
    )

    groups = rows.groupby(["userapp_id", "channel"], sort=False)
    winners = groups.head(1).set_index(["userapp_id", "channel"])
    known_values = rows[rows["_known"]].groupby(["userapp_id", "channel"])["status"].nunique()
    any_invalid = rows.assign(_invalid=rows["status"] == INVALID).groupby(["userapp_id", "channel"])["_invalid"].any()

    winners["conflict"] = known_values.reindex(winners.index).fillna(0) > 1
    winners["profile_count"] = groups.size()
    unknown_group = ~winners["_known"]
    winners.loc[unknown_group, "status"] = UNKNOWN
    winners.loc[unknown_group & any_invalid.reindex(winners.index).fillna(False), "status"] = INVALID
    return winners.drop(columns=["_known", "_refusal"]).reset_index()


def customer_channel_state(customers: pd.DataFrame) -> pd.DataFrame:
    """Reshape customers to one row per (customer, channel) with its state, reason and update time."""
    parts = []
    for channel in CHANNELS:
        parts.append(pd.DataFrame({
            "userapp_id": customers["userapp_id"].astype("int64"),
            "channel": channel,
            "current_state": customers[f"{channel}_enabled"],
            "current_reason": customers[f"{channel}_enabled_reason"],
            "current_updatetime": customers[f"{channel}_enabled_updatetime"],
            "current_updated_at": customers[f"{channel}_updated_at"],
        }))
    return pd.concat(parts, ignore_index=True)


def decide(customers: pd.DataFrame, profiles: pd.DataFrame, pairs: pd.DataFrame, settings: Settings) -> pd.DataFrame:
    """Return the decisions of every matched customer channel, before identifiers and the write budget."""
    candidates = channel_candidates(pairs, settings.channel_scope)
    winners = pick_winners(candidates, profiles)
    state = customer_channel_state(customers)
    decisions = winners.merge(state, on=["userapp_id", "channel"], how="left")
    decisions["new_evidence"] = decisions["new_evidence"].fillna(False).astype(bool)

    verdict = evaluate_channels(
        decisions,
        consent_channels=frozenset(settings.consent_channels),
        respect_newer_crm_changes=settings.respect_newer_crm_changes,
    )
    decisions = pd.concat([decisions, verdict], axis=1)
    decisions = decisions.rename(columns={"profile_id": "winning_profile_id", "status": "opt_in_status"})
    return decisions.sort_values(["userapp_id", "channel"]).reset_index(drop=True)


def desired_opt_in_attribute(decisions: pd.DataFrame, pairs: pd.DataFrame, profiles: pd.DataFrame) -> pd.DataFrame:
    """Return the ``opt_in_vtex`` value each matched customer should carry, where the winner's value is known.

    The ``mailing`` winner decides when an email key matched; otherwise the winner over every matching profile.
    """
    columns = ["userapp_id", "desired_opt_in_vtex", "attribute_profile_id", "attribute_new_evidence"]
    if pairs.empty:
        return pd.DataFrame(columns=columns)
    everyone = pairs[["userapp_id", "profile_id"]].drop_duplicates().assign(channel="*", matched_by="")
    overall = pick_winners(everyone, profiles)[["userapp_id", "status", "profile_id", "new_evidence"]]

    mailing = decisions.loc[decisions["channel"] == "mailing",
                            ["userapp_id", "opt_in_status", "winning_profile_id", "new_evidence"]]
    mailing.columns = ["userapp_id", "status", "profile_id", "new_evidence"]
    email_matched = pairs.loc[pairs["key_type"] == "email", "userapp_id"].unique()
    # A mailing winner without a known value decides nothing; the winner over every profile takes over.
    mailing = mailing[mailing["userapp_id"].isin(email_matched) & mailing["status"].isin([CONSENT, REFUSAL])]

    chosen = pd.concat([mailing, overall[~overall["userapp_id"].isin(mailing["userapp_id"])]], ignore_index=True)
    chosen = chosen[chosen["status"].isin([CONSENT, REFUSAL])]
    return pd.DataFrame({
        "userapp_id": chosen["userapp_id"].astype("int64"),
        "desired_opt_in_vtex": chosen["status"].map({CONSENT: "True", REFUSAL: "False"}),
        "attribute_profile_id": chosen["profile_id"],
        "attribute_new_evidence": chosen["new_evidence"].fillna(False).astype(bool),
    }).sort_values("userapp_id").reset_index(drop=True)

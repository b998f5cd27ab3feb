"""Decisions: for every matched customer and channel, the winning VTEX profile and the rule's outcome."""

from __future__ import annotations

import numpy as np
import pandas as pd

from optin_sync.consent.optin import CONSENT, REFUSAL
from optin_sync.consent.rules import evaluate_channels
from optin_sync.consent.winners import ProfileFacts, RankKeys, finish_winners, pick_winners, rank
from optin_sync.settings import CHANNELS, ChannelScope, Settings

CHANNEL_KEY_TYPES = {"mailing": "email", "sms": "phone", "whatsapp": "phone"}


def channel_candidates(pairs: pd.DataFrame, scope: ChannelScope) -> pd.DataFrame:
    """Expand matched pairs to the channels each match decides: ``userapp_id``, ``channel``, ``profile_id``.

    With the ``matched`` scope an email match decides ``mailing`` and a phone match ``sms`` and ``whatsapp``, so
    a phone shared by a family never carries one person's email consent to another's mailbox.
    """
    labelled = pairs.assign(matched_by=_matched_by(pairs))
    parts = []
    for channel in CHANNELS:
        if scope is ChannelScope.MATCHED:
            chosen = labelled[labelled["key_type"] == CHANNEL_KEY_TYPES[channel]]
        else:
            chosen = labelled
        parts.append(chosen.assign(channel=channel))
    candidates = pd.concat(parts, ignore_index=True).drop(columns="key_type")

    # One row per customer, channel and profile; the pair's key types are already in matched_by.
    profile_codes = pd.factorize(candidates["profile_id"])[0]
    channel_codes = pd.factorize(candidates["channel"])[0]
    repeated = pd.DataFrame({"u": candidates["userapp_id"].to_numpy(), "p": profile_codes, "c": channel_codes})
    candidates = candidates[~repeated.duplicated().to_numpy()]
    return candidates[["userapp_id", "profile_id", "channel", "matched_by"]].reset_index(drop=True)


def _matched_by(pairs: pd.DataFrame, pair_codes: np.ndarray | None = None) -> pd.Series:
    """Return, for each pair row, the key types its customer and profile share, sorted and joined by ``+``.

    `pair_codes` may number the (customer, profile) pairs already, one integer per distinct pair.
    """
    types = pairs["key_type"].astype("string")
    if not set(types.dropna().unique()) <= {"email", "phone"}:
        joined = (pairs.groupby(["userapp_id", "profile_id"])["key_type"]
                  .transform(lambda group: "+".join(sorted(set(group)))))
        return joined.astype("string")

    if pair_codes is None:
        profile_codes = pd.factorize(pairs["profile_id"])[0]
        pair_codes = _pair_codes(pairs["userapp_id"].to_numpy(), profile_codes)
    groups = pd.factorize(pair_codes)[0]
    email = np.bincount(groups, weights=(types == "email").fillna(False).to_numpy(dtype=bool))[groups] > 0
    phone = np.bincount(groups, weights=(types == "phone").fillna(False).to_numpy(dtype=bool))[groups] > 0
    labels = np.select([email & phone, email, phone], ["email+phone", "email", "phone"], default="")
    return pd.Series(labels, index=pairs.index, dtype="string")


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


STATE_FIELDS = {"current_state": "{}_enabled", "current_reason": "{}_enabled_reason",
                "current_updatetime": "{}_enabled_updatetime", "current_updated_at": "{}_updated_at"}


def _with_channel_state(winners: pd.DataFrame, customers: pd.DataFrame) -> pd.DataFrame:
    """Add each winner's current channel state, as a left merge with ``customer_channel_state`` would."""
    ids = pd.Index(customers["userapp_id"].astype("int64"))
    if not ids.is_unique:
        return winners.merge(customer_channel_state(customers), on=["userapp_id", "channel"], how="left")

    positions = ids.get_indexer(winners["userapp_id"])
    channels = winners["channel"].to_numpy(dtype=object)
    rows_by_channel = [np.flatnonzero((channels == channel) & (positions >= 0)) for channel in CHANNELS]
    # The channel pieces are concatenated, then put back in the winners' order with the inverse permutation.
    ordered = np.concatenate(rows_by_channel)
    complete = len(ordered) == len(winners)
    if complete:
        inverse = np.empty(len(ordered), dtype=np.int64)
        inverse[ordered] = np.arange(len(ordered))
    result = winners.copy()
    for name, pattern in STATE_FIELDS.items():
        pieces = [customers[pattern.format(channel)].take(positions[rows]).reset_index(drop=True)
                  for channel, rows in zip(CHANNELS, rows_by_channel)]
        values = pd.concat(pieces, ignore_index=True)
        if complete:
            result[name] = values.take(inverse).array
        else:
            # A winner whose customer or channel is missing gets missing values, as in a left merge.
            result[name] = pd.Series(values.array, index=ordered).reindex(range(len(winners))).array
    return result


def decide(customers: pd.DataFrame, profiles: pd.DataFrame, pairs: pd.DataFrame, settings: Settings) -> pd.DataFrame:
    """Return the decisions of every matched customer channel, before identifiers and the write budget."""
    winners = _channel_winners(pairs, profiles, settings.channel_scope)
    decisions = _with_channel_state(winners, customers)
    decisions["new_evidence"] = decisions["new_evidence"].fillna(False).astype(bool)

    verdict = evaluate_channels(
        decisions,
        consent_channels=frozenset(settings.consent_channels),
        respect_newer_crm_changes=settings.respect_newer_crm_changes,
    )
    decisions = pd.concat([decisions, verdict], axis=1)
    decisions = decisions.rename(columns={"profile_id": "winning_profile_id", "status": "opt_in_status"})
    # The winners come in (userapp_id, channel) order already.
    return decisions.reset_index(drop=True)


def _channel_winners(pairs: pd.DataFrame, profiles: pd.DataFrame, scope: ChannelScope) -> pd.DataFrame:
    """Return ``pick_winners(channel_candidates(pairs, scope), profiles)``, without building the candidates frame.

    Candidates stay integer arrays that point into the pairs, and each pair's profile is looked up once.
    """
    facts = ProfileFacts.of(profiles)
    types = pairs["key_type"].astype("string")
    positions = None if facts is None else facts.positions(pairs["profile_id"])
    usual_types = set(types.dropna().unique()) <= set(CHANNEL_KEY_TYPES.values())
    if positions is None or (positions < 0).any() or not usual_types:
        return pick_winners(channel_candidates(pairs, scope), profiles)

    user = pairs["userapp_id"].to_numpy()
    pair_codes = _pair_codes(user, positions)
    rows, channel = _candidate_rows(pair_codes, types, scope)
    profile_ids = pairs["profile_id"]
    ranking = rank(user[rows], channel, RankKeys.of_facts(facts, positions[rows]),
                   lambda chosen: profile_ids.iloc[rows[chosen]])
    won = rows[ranking.first]
    names = np.array(CHANNELS, dtype=object)
    winners = pd.DataFrame({
        "userapp_id": user[won],
        "channel": pd.Series(names[channel[ranking.first]], dtype="str"),
        "profile_id": pairs["profile_id"].array.take(won),
        "matched_by": _matched_by(pairs, pair_codes).array.take(won),
        **facts.take(positions[won]),
    })
    return finish_winners(winners, ranking)


def _candidate_rows(pair_codes: np.ndarray, types: pd.Series, scope: ChannelScope) -> tuple[np.ndarray, np.ndarray]:
    """Return the pair row and channel (index into CHANNELS) of each candidate, one per customer, channel, profile."""
    rows, channels = [], []
    for code, channel in enumerate(CHANNELS):
        if scope is ChannelScope.MATCHED:
            chosen = np.flatnonzero((types == CHANNEL_KEY_TYPES[channel]).fillna(False).to_numpy(dtype=bool))
        else:
            chosen = np.arange(len(types))
        rows.append(chosen)
        channels.append(np.full(len(chosen), code))
    rows_array, channel_array = np.concatenate(rows), np.concatenate(channels)

    repeated = pd.Series(pair_codes[rows_array] * len(CHANNELS) + channel_array).duplicated().to_numpy()
    return rows_array[~repeated], channel_array[~repeated]


def _pair_codes(user: np.ndarray, positions: np.ndarray) -> np.ndarray:
    """Number each distinct (customer, profile position) pair with an integer."""
    user_codes = pd.factorize(user)[0].astype(np.int64)
    return user_codes * (int(positions.max(initial=0)) + 2) + positions + 1


def desired_opt_in_attribute(decisions: pd.DataFrame, pairs: pd.DataFrame, profiles: pd.DataFrame) -> pd.DataFrame:
    """Return the ``opt_in_vtex`` value each matched customer should carry, where the winner's value is known.

    The ``mailing`` winner decides when an email key matched; otherwise the winner over every matching profile.
    ``decisions`` are those ``decide`` returned for ``pairs``.
    """
    columns = ["userapp_id", "desired_opt_in_vtex", "attribute_profile_id", "attribute_new_evidence"]
    if pairs.empty:
        return pd.DataFrame(columns=columns)
    overall = _overall_winners(decisions, pairs, profiles)

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


def _overall_winners(decisions: pd.DataFrame, pairs: pd.DataFrame, profiles: pd.DataFrame) -> pd.DataFrame:
    """Return each customer's winner over every matching profile, whose value is used only when known.

    Columns: ``userapp_id``, ``status``, ``profile_id``, ``new_evidence``.

    When every pair is an email or phone match, every matching profile is a candidate of some channel, so the
    best of the customer's channel winners is the best of all the customer's profiles, and the decisions
    already hold it. The channel winners keep their own status whenever it is known.
    """
    columns = ["userapp_id", "status", "profile_id", "new_evidence"]
    types = pairs["key_type"].astype("string")
    if not set(types.dropna().unique()) <= set(CHANNEL_KEY_TYPES.values()) or types.isna().any():
        everyone = pairs[["userapp_id", "profile_id"]].drop_duplicates().assign(channel="*", matched_by="")
        return pick_winners(everyone, profiles)[columns]

    rows = decisions.reset_index(drop=True)
    profile_ids = rows["winning_profile_id"]
    ranking = rank(rows["userapp_id"].to_numpy(), np.zeros(len(rows), dtype=np.int64),
                   RankKeys.of_values(rows["opt_in_status"], rows["evidence_time"]),
                   lambda chosen: profile_ids.iloc[chosen])
    winners = rows.take(ranking.first)
    return pd.DataFrame({"userapp_id": winners["userapp_id"].to_numpy(),
                         "status": winners["opt_in_status"].array,
                         "profile_id": winners["winning_profile_id"].array,
                         "new_evidence": winners["new_evidence"].array})

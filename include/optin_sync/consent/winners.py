"""Winning profiles: for each customer channel, the VTEX profile whose opt-in decides it.

The ranking: a known value (consent or refusal) first, then the latest evidence time, then a refusal before a
consent, then the lowest profile id. Ranking runs on integer arrays. Profile facts are looked up by position
once, and profile ids, which are long strings, are compared only within the rare groups whose first places tie
on everything else.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from optin_sync.consent.optin import CONSENT, INVALID, REFUSAL, UNKNOWN

FACT_COLUMNS = ["status", "evidence_time", "new_evidence"]
_LAST = np.iinfo(np.int64).max


@dataclass(frozen=True)
class ProfileFacts:
    """The profiles' ``status``, ``evidence_time`` and ``new_evidence``, with ranking keys, by row position.

    Each key array has one extra item at the end, for a profile that is not found (position -1): no status,
    no evidence time.
    """

    frame: pd.DataFrame
    index: pd.Index
    known: np.ndarray
    consent: np.ndarray
    invalid: np.ndarray
    refusal_key: np.ndarray
    time_key: np.ndarray

    @classmethod
    def of(cls, profiles: pd.DataFrame) -> ProfileFacts | None:
        """Index the facts by ``profile_id``; None when ids repeat, which only a merge handles."""
        frame = profiles[["profile_id", *FACT_COLUMNS]].reset_index(drop=True)
        index = pd.Index(frame["profile_id"])
        if not index.is_unique:
            return None
        status = frame["status"]
        known = status.isin([CONSENT, REFUSAL]).to_numpy(dtype=bool)
        consent = (status == CONSENT).fillna(False).to_numpy(dtype=bool)
        invalid = (status == INVALID).fillna(False).to_numpy(dtype=bool)
        # sort_values puts missing values last: a missing status after a consent, a missing time after all times.
        refusal_key = np.where(status.isna().to_numpy(dtype=bool), 2, np.where(known & ~consent, 0, 1))
        times = pd.to_datetime(frame["evidence_time"], utc=True).array
        time_key = np.where(times.isna(), _LAST, -times.asi8)
        return cls(
            frame, index, np.r_[known, False], np.r_[consent, False], np.r_[invalid, False],
            np.r_[refusal_key, 2], np.r_[time_key, _LAST],
        )

    def positions(self, profile_ids: pd.Series) -> np.ndarray:
        """Return the row of each profile id, -1 where it is not found."""
        return self.index.get_indexer(profile_ids)

    def take(self, positions: np.ndarray) -> dict[str, object]:
        """Return the fact columns at `positions`, missing where -1, with a left merge's dtypes."""
        missing = bool((positions < 0).any())
        columns = {}
        for name in FACT_COLUMNS:
            column = self.frame[name]
            if missing and column.dtype == bool:
                column = column.astype(object)
            columns[name] = column.array.take(positions, allow_fill=missing)
        return columns


@dataclass(frozen=True)
class RankKeys:
    """Per candidate: whether its value is known, a consent, invalid, and its time and refusal sort keys."""

    known: np.ndarray
    consent: np.ndarray
    invalid: np.ndarray
    time_key: np.ndarray
    refusal_key: np.ndarray

    @classmethod
    def of_facts(cls, facts: ProfileFacts, positions: np.ndarray) -> RankKeys:
        return cls(facts.known[positions], facts.consent[positions], facts.invalid[positions],
                   facts.time_key[positions], facts.refusal_key[positions])

    @classmethod
    def of_values(cls, status: pd.Series, evidence_time: pd.Series) -> RankKeys:
        known = status.isin([CONSENT, REFUSAL]).to_numpy(dtype=bool)
        consent = (status == CONSENT).fillna(False).to_numpy(dtype=bool)
        times = pd.to_datetime(evidence_time, utc=True).array
        return cls(known, consent, (status == INVALID).fillna(False).to_numpy(dtype=bool),
                   np.where(times.isna(), _LAST, -times.asi8),
                   np.where(status.isna().to_numpy(dtype=bool), 2, np.where(known & ~consent, 0, 1)))


@dataclass(frozen=True)
class Ranking:
    """The outcome of ranking candidates per (customer, channel) group, groups in (customer, channel) order.

    ``first`` contains the candidate row of each group's winner; the other arrays hold one value per group.
    """

    first: np.ndarray
    count: np.ndarray
    conflict: np.ndarray
    unknown: np.ndarray
    any_invalid: np.ndarray


def rank(user: np.ndarray, channel: np.ndarray, keys: RankKeys,
         profile_ids: Callable[[np.ndarray], pd.Series]) -> Ranking:
    """Rank candidates (one per row of the arrays) within their (customer, channel) group.

    Args:
        user: the customer of each candidate.
        channel: an integer per candidate whose order is the channels' name order.
        keys: the candidates' ranking keys.
        profile_ids: returns the profile ids of the given candidate rows; called only for rows that tie.
    """
    if not len(user):
        empty = np.zeros(0, dtype=np.int64)
        return Ranking(empty, empty, empty.astype(bool), empty.astype(bool), empty.astype(bool))
    order = np.lexsort((keys.refusal_key, keys.time_key, ~keys.known, channel, user))

    sorted_user, sorted_channel = user[order], channel[order]
    new_group = np.r_[True, (sorted_user[1:] != sorted_user[:-1]) | (sorted_channel[1:] != sorted_channel[:-1])]
    starts = np.flatnonzero(new_group)
    first = _break_ties(order, new_group, starts, keys, profile_ids)

    refusal = keys.known & ~keys.consent
    return Ranking(
        first=first,
        count=np.diff(np.r_[starts, len(order)]).astype(np.int64),
        conflict=np.logical_or.reduceat(keys.consent[order], starts) & np.logical_or.reduceat(refusal[order], starts),
        unknown=~keys.known[first],
        any_invalid=np.logical_or.reduceat(keys.invalid[order], starts),
    )


def _break_ties(order: np.ndarray, new_group: np.ndarray, starts: np.ndarray, keys: RankKeys,
                profile_ids: Callable[[np.ndarray], pd.Series]) -> np.ndarray:
    """Return each group's winner: its first row, or the lowest profile id among rows tied with the first."""
    first = order[starts]
    tied = ~new_group
    for key in (keys.known, keys.time_key, keys.refusal_key):
        ordered = key[order]
        tied[1:] &= ordered[1:] == ordered[:-1]
    # Rows in a run of ties that starts at its group's first row; a run of one row needs nothing.
    run = np.cumsum(~tied)
    group = np.cumsum(new_group) - 1
    in_first_run = run == run[starts][group]
    run_length = np.bincount(group, weights=in_first_run).astype(np.int64)
    contested = in_first_run & (run_length[group] > 1)
    if not contested.any():
        return first

    rows, groups = order[contested], group[contested]
    ids = profile_ids(rows)
    # Most ties are one profile winning several channels; only groups with two different ids need ordering.
    differs = np.r_[False, (groups[1:] == groups[:-1]) & ~_same_ids(ids.array[1:], ids.array[:-1])]
    needed = np.isin(groups, groups[differs])
    if not needed.any():
        return first
    rows, groups, ids = rows[needed], groups[needed], ids[needed]
    # factorize(sort=True) numbers the ids in sort order, the order sort_values gives them.
    id_rank = pd.factorize(ids, sort=True)[0]
    by_id = np.lexsort((id_rank, groups))
    lowest = np.r_[True, groups[by_id][1:] != groups[by_id][:-1]]
    first[groups[by_id][lowest]] = rows[by_id][lowest]
    return first


def _same_ids(left: object, right: object) -> np.ndarray:
    """Compare two string arrays item by item; a missing id equals only another missing id."""
    left, right = pd.Series(left), pd.Series(right)
    same = (left == right).fillna(False).to_numpy(dtype=bool)
    return same | (left.isna() & right.isna()).to_numpy(dtype=bool)


def pick_winners(candidates: pd.DataFrame, profiles: pd.DataFrame) -> pd.DataFrame:
    """Return one row per (customer, channel) with the winning profile.

    The latest evidence time wins; on a tie a refusal beats a consent; then the lowest profile id. Unknown and
    invalid values never win over a known one. ``conflict`` marks channels whose known values disagree.
    """
    candidates = candidates.reset_index(drop=True)
    facts = ProfileFacts.of(profiles)
    if facts is None:
        rows = candidates.merge(profiles[["profile_id", *FACT_COLUMNS]], on="profile_id", how="left")
        facts = ProfileFacts.of(rows.assign(profile_id=np.arange(len(rows))))
        positions = np.arange(len(rows))
    else:
        positions = facts.positions(candidates["profile_id"])
        rows = candidates.assign(**facts.take(positions))

    channel = pd.factorize(rows["channel"], sort=True)[0]
    profile_ids = rows["profile_id"]
    ranking = rank(rows["userapp_id"].to_numpy(), channel, RankKeys.of_facts(facts, positions),
                   lambda chosen: profile_ids.iloc[chosen])
    leading = ["userapp_id", "channel"]
    winners = rows[leading + [name for name in rows.columns if name not in leading]].take(ranking.first)
    return finish_winners(winners.reset_index(drop=True), ranking)


def finish_winners(winners: pd.DataFrame, ranking: Ranking) -> pd.DataFrame:
    """Add ``conflict`` and ``profile_count``, and mark groups without a known value unknown or invalid."""
    winners["conflict"] = ranking.conflict
    winners["profile_count"] = ranking.count
    winners.loc[ranking.unknown, "status"] = UNKNOWN
    winners.loc[ranking.unknown & ranking.any_invalid, "status"] = INVALID
    return winners

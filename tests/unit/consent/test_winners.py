"""Channel winners by array ranking equal those of a plain sort of the candidates, on generated pairs."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from optin_sync.consent.decisions import _channel_winners, channel_candidates
from optin_sync.consent.optin import CONSENT, INVALID, REFUSAL, UNKNOWN
from optin_sync.consent.winners import pick_winners
from optin_sync.settings import ChannelScope

STATUSES = [CONSENT, REFUSAL, UNKNOWN, INVALID, None]
# Few distinct times, so that ties on the evidence time are common.
TIMES = [None, "2026-12-03T04:00:00Z", "2026-12-03T09:00:00Z", "2026-12-03T09:00:00.000001Z"]
COLUMNS = ["userapp_id", "channel", "profile_id", "matched_by", "status", "evidence_time", "new_evidence",
           "conflict", "profile_count"]
LAW = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def sorted_winners(candidates: pd.DataFrame, profiles: pd.DataFrame) -> pd.DataFrame:
    """Rank with one sort: known first, latest time, refusal before consent, lowest profile id."""
    rows = candidates.merge(profiles[["profile_id", "status", "evidence_time", "new_evidence"]], on="profile_id",
                            how="left")
    rows["_known"] = rows["status"].isin([CONSENT, REFUSAL])
    rows["_refusal"] = rows["status"] == REFUSAL
    rows = rows.sort_values(["userapp_id", "channel", "_known", "evidence_time", "_refusal", "profile_id"],
                            ascending=[True, True, False, False, False, True], na_position="last")
    groups = rows.groupby(["userapp_id", "channel"], sort=False)
    winners = groups.head(1).set_index(["userapp_id", "channel"])
    known_values = rows[rows["_known"]].groupby(["userapp_id", "channel"])["status"].nunique()
    any_invalid = rows.assign(_invalid=rows["status"] == INVALID).groupby(["userapp_id", "channel"])["_invalid"].any()
    winners["conflict"] = known_values.reindex(winners.index).fillna(0) > 1
    winners["profile_count"] = groups.size()
    unknown = ~winners["_known"]
    winners.loc[unknown, "status"] = UNKNOWN
    winners.loc[unknown & any_invalid.reindex(winners.index).fillna(False), "status"] = INVALID
    return winners.drop(columns=["_known", "_refusal"]).reset_index()


def comparable(frame: pd.DataFrame) -> list[tuple]:
    frame = frame[COLUMNS].sort_values(["userapp_id", "channel"]).reset_index(drop=True)
    return [tuple(None if pd.isna(value) else value for value in row)
            for row in frame.astype(object).itertuples(index=False)]


@st.composite
def worlds(draw):
    profile_count = draw(st.integers(1, 8))
    profiles = pd.DataFrame({
        # Ids of different lengths, so that string order and number order differ.
        "profile_id": [f"p{draw(st.sampled_from(['', '1', '10', '9']))}{n}" for n in range(profile_count)],
        "status": pd.Series([draw(st.sampled_from(STATUSES)) for _ in range(profile_count)], dtype="string"),
        "evidence_time": pd.to_datetime([draw(st.sampled_from(TIMES)) for _ in range(profile_count)],
                                        utc=True, format="ISO8601"),
        "new_evidence": [draw(st.booleans()) for _ in range(profile_count)],
    }).drop_duplicates("profile_id").reset_index(drop=True)
    ids = profiles["profile_id"].tolist()
    pairs = draw(st.lists(st.tuples(st.integers(1, 5), st.sampled_from(ids), st.sampled_from(["email", "phone"])),
                          min_size=1, max_size=20, unique=True))
    frame = pd.DataFrame(pairs, columns=["userapp_id", "profile_id", "key_type"])
    frame = frame.astype({"userapp_id": "int64", "profile_id": "string", "key_type": "string"})
    return profiles.astype({"profile_id": "string"}), frame


@pytest.mark.parametrize("scope", list(ChannelScope))
@LAW
@given(world=worlds())
def test_array_winners_equal_sorted_winners(scope: ChannelScope, world) -> None:
    profiles, pairs = world
    candidates = channel_candidates(pairs, scope)
    expected = comparable(sorted_winners(candidates, profiles))

    assert comparable(_channel_winners(pairs, profiles, scope)) == expected
    assert comparable(pick_winners(candidates, profiles)) == expected


def test_unknown_profile_left_to_merge() -> None:
    profiles = pd.DataFrame({"profile_id": pd.Series(["a"], dtype="string"), "status": [CONSENT],
                             "evidence_time": pd.to_datetime(["2026-12-03T04:00:00Z"], utc=True),
                             "new_evidence": [True]})
    pairs = pd.DataFrame({"userapp_id": [1, 1], "profile_id": pd.Series(["a", "zz"], dtype="string"),
                          "key_type": pd.Series(["email", "email"], dtype="string")})

    winners = _channel_winners(pairs, profiles, ChannelScope.MATCHED)

    assert winners["profile_id"].tolist() == ["a"]
    assert winners["profile_count"].tolist() == [2]
    assert winners["status"].tolist() == [CONSENT]

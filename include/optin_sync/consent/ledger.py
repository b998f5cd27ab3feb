"""The consent ledger: per VTEX profile, the latest evidence time seen and the opt-in at that time.

It decides which observations are new evidence, so that a profile re-saved for another reason, or an old window
run again, changes nothing. Only successful runs that are not dry runs advance it.
"""

from __future__ import annotations

import pandas as pd

from optin_sync.consent.optin import CONSENT, REFUSAL

LEDGER_COLUMNS = ["profile_id", "evidence_time", "opt_in", "observed_run_id"]


def empty_ledger() -> pd.DataFrame:
    return pd.DataFrame({
        "profile_id": pd.Series(dtype="string"),
        "evidence_time": pd.Series(dtype="datetime64[us, UTC]"),
        "opt_in": pd.Series(dtype="boolean"),
        "observed_run_id": pd.Series(dtype="string"),
    })


def mark_new_evidence(profiles: pd.DataFrame, ledger: pd.DataFrame, *, full_refresh: bool) -> pd.Series:
    """True for profiles whose known opt-in is new evidence against the ledger.

    New evidence: a profile the ledger has not seen, or one whose opt-in differs from the ledger's and whose
    evidence time is later. A full refresh treats every known value as evidence, to repair drift.
    """
    known = profiles["status"].isin([CONSENT, REFUSAL])
    if full_refresh:
        return known.astype(bool)

    seen = profiles[["profile_id"]].merge(
        ledger[["profile_id", "evidence_time", "opt_in"]], on="profile_id", how="left"
    )
    seen.index = profiles.index
    value = profiles["status"] == CONSENT
    unseen = seen["evidence_time"].isna()
    changed = (seen["opt_in"].astype("boolean") != value).fillna(True)
    later = (profiles["evidence_time"] > seen["evidence_time"]).fillna(False)
    return (known & (unseen | (changed & later))).astype(bool)


def advance(ledger: pd.DataFrame, observations: pd.DataFrame, run_id: str) -> pd.DataFrame:
    """Return the ledger with ``observations`` merged in, keeping the later evidence time per profile.

    ``observations`` has ``profile_id``, ``evidence_time`` and ``status``; only known opt-ins are recorded.
    """
    known = observations[observations["status"].isin([CONSENT, REFUSAL]) & observations["evidence_time"].notna()]
    incoming = pd.DataFrame({
        "profile_id": known["profile_id"].astype("string"),
        "evidence_time": known["evidence_time"],
        "opt_in": (known["status"] == CONSENT).astype("boolean"),
        "observed_run_id": run_id,
    })
    merged = pd.concat([ledger[LEDGER_COLUMNS], incoming], ignore_index=True)
    # The later observation wins; on equal times the one already in the ledger stays.
    merged["_order"] = range(len(merged))
    merged = merged.sort_values(["profile_id", "evidence_time", "_order"], ascending=[True, False, True])
    merged = merged.drop_duplicates("profile_id", keep="first").drop(columns="_order")
    return merged.reset_index(drop=True).astype({"profile_id": "string", "opt_in": "boolean", "observed_run_id": "string"})

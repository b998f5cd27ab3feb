"""One person's history across runs: their profiles' opt-in, the decisions on their customers, quarantine, writes."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from optin_sync.analyst.datasets import read_all
from optin_sync.analyst.people import Person

PROFILE_COLUMNS = ["run_date", "run_id", "profile_id", "isNewsletterOptIn", "opt_in_status", "evidence_time",
                   "new_evidence"]
DECISION_COLUMNS = ["run_date", "run_id", "userapp_id", "channel", "current_state", "current_reason", "desired_state",
                    "outcome", "winning_profile_id", "matched_by", "conflict"]
QUARANTINE_COLUMNS = ["run_date", "run_id", "side", "record_id", "field", "cause"]
WRITE_COLUMNS = ["run_date", "run_id", "userapp_id", "result", "http_status", "attempts", "finished_at"]


@dataclass(frozen=True, slots=True)
class History:
    """Frames of one person's rows, each sorted by run date."""

    profiles: pd.DataFrame
    decisions: pd.DataFrame
    quarantine: pd.DataFrame
    writes: pd.DataFrame


def _sorted(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    present = [name for name in columns if name in frame.columns]
    return frame[present].sort_values(present[:3], kind="stable").reset_index(drop=True)



def history(data_dir: Path, person: Person) -> History:
    """Collect the rows of ``person``'s records from every run's profiles, decisions, quarantine and writes."""
    profile_ids, userapp_ids = set(person.profile_ids), set(person.userapp_ids)

    profiles = read_all(data_dir, "vtex_profiles", PROFILE_COLUMNS[2:])
    profiles = profiles[profiles["profile_id"].isin(profile_ids)]

    decisions = read_all(data_dir, "decisions", DECISION_COLUMNS[2:])
    decisions = decisions[decisions["userapp_id"].isin(userapp_ids)
                          | decisions["winning_profile_id"].isin(profile_ids)]

    frames = []
    for dataset in ("vtex_quarantine", "quarantine"):
        frame = read_all(data_dir, dataset, [*QUARANTINE_COLUMNS[2:], "raw_value_hash"])
        mine = (((frame["side"] == "vtex") & frame["record_id"].isin(profile_ids))
                | ((frame["side"] == "woowup") & frame["record_id"].isin({str(value) for value in userapp_ids}))
                | frame["raw_value_hash"].isin(person.hashes))
        frames.append(frame[mine.fillna(False).astype(bool)])
    quarantine = pd.concat(frames, ignore_index=True).drop_duplicates(QUARANTINE_COLUMNS)

    writes = read_all(data_dir, "write_results", WRITE_COLUMNS[2:])
    writes = writes[writes["userapp_id"].isin(userapp_ids)]
    return History(_sorted(profiles, PROFILE_COLUMNS), _sorted(decisions, DECISION_COLUMNS),
                   _sorted(quarantine, QUARANTINE_COLUMNS), _sorted(writes, WRITE_COLUMNS))

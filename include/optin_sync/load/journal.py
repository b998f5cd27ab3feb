"""The write journal: one line per finished write, flushed to disk before the next one counts as done.

A retried load reads it to skip writes that already succeeded in the same run, so a crash between two writes
loses nothing and sends nothing twice.
"""

from __future__ import annotations

import json
import os
from datetime import datetime, timezone
from pathlib import Path
from threading import Lock

import pandas as pd

WRITTEN = "written"
REJECTED = "rejected"
FAILED = "failed"
CREATED = "created"
NOT_FOUND = "not_found"
UNCHANGED_ON_RECHECK = "unchanged_on_recheck"
DRY_RUN = "dry_run"

# Results that settle a customer's write for this run: a retried load skips them.
FINAL_RESULTS = frozenset({WRITTEN, REJECTED, CREATED, NOT_FOUND, UNCHANGED_ON_RECHECK})


class WriteJournal:
    """Append-only JSON lines file of write results, fsynced line by line."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = Lock()

    def record(self, userapp_id: int, result: str, *, http_status: int | None = None, attempts: int = 0,
               errors: tuple[str, ...] = ()) -> dict:
        entry = {
            "userapp_id": int(userapp_id),
            "result": result,
            "http_status": http_status,
            "attempts": attempts,
            "errors": "; ".join(errors) if errors else None,
            "finished_at": datetime.now(timezone.utc).isoformat(),
        }
        line = json.dumps(entry, ensure_ascii=False) + "\n"
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with open(self.path, "a", encoding="utf-8") as stream:
                stream.write(line)
                stream.flush()
                os.fsync(stream.fileno())
        return entry

    def entries(self) -> list[dict]:
        if not self.path.exists():
            return []
        entries = []
        with open(self.path, encoding="utf-8") as stream:
            for line in stream:
                line = line.strip()
                if not line:
                    continue
                try:
                    entries.append(json.loads(line))
                except json.JSONDecodeError:
                    # A crash in the middle of a line leaves it cut; that write is not settled and goes again.
                    continue
        return entries

    def settled(self) -> set[int]:
        return {entry["userapp_id"] for entry in self.entries() if entry["result"] in FINAL_RESULTS}

    def frame(self) -> pd.DataFrame:
        """Return the latest entry per customer as a DataFrame in the ``write_results`` shape."""
        entries = self.entries()
        columns = ["userapp_id", "result", "http_status", "attempts", "errors", "finished_at"]
        if not entries:
            return pd.DataFrame(columns=columns).astype({"userapp_id": "int64"})
        frame = pd.DataFrame(entries, columns=columns).drop_duplicates("userapp_id", keep="last")
        frame["finished_at"] = pd.to_datetime(frame["finished_at"], utc=True, format="ISO8601")
        frame["http_status"] = frame["http_status"].astype("Int64")
        return frame.reset_index(drop=True)

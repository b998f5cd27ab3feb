"""Locate and read the ``run_summary.json`` files under a data folder."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from optin_sync.errors import OptInSyncError, WindowError
from optin_sync.windows import safe_run_id

SUMMARY_DATASET = "run_summary"
SUMMARY_NAME = "run_summary.json"


class NoRuns(OptInSyncError):
    """The data folder contains no run summary, or does not exist."""


class RunNotFound(OptInSyncError):
    """No run summary has the requested run id."""

    def __init__(self, run_id: str, recent: list[str]) -> None:
        super().__init__(run_id)
        self.run_id = run_id
        self.recent = recent


class SummaryUnreadable(OptInSyncError):
    """A run summary exists but is not valid JSON or not a JSON object."""

    def __init__(self, path: Path, error: str) -> None:
        super().__init__(f"{path}: {error}")
        self.path = path
        self.error = error


@dataclass(frozen=True, slots=True)
class SummaryFile:
    """One ``run_summary.json``: its path, the path-safe run id of its folder, and its modification time."""

    path: Path
    run_id: str
    mtime: float


def list_summaries(data_dir: Path) -> list[SummaryFile]:
    """List every run summary under ``data_dir``, newest first by modification time."""
    pattern = f"{SUMMARY_DATASET}/run_date=*/run_id=*/{SUMMARY_NAME}"
    found = []
    for path in data_dir.glob(pattern):
        run_id = path.parent.name.removeprefix("run_id=")
        found.append(SummaryFile(path, run_id, path.stat().st_mtime))
    return sorted(found, key=lambda summary: summary.mtime, reverse=True)


def find_summary(data_dir: Path, run_id: str | None = None) -> SummaryFile:
    """Return the latest run summary, or the one of ``run_id``.

    ``run_id`` may be the raw Airflow run id (``manual__2026-03-10T03:00:00+00:00``) or its path-safe form, the
    folder name. When several run dates contain the same run id, the newest file wins.
    """
    summaries = list_summaries(data_dir)
    if not summaries:
        raise NoRuns(str(data_dir))
    if run_id is None:
        return summaries[0]

    accepted_ids = {run_id}
    try:
        accepted_ids.add(safe_run_id(run_id))
    except WindowError:
        pass  # An id with no usable character cannot name a folder, so only the literal value can match.
    for summary in summaries:
        if summary.run_id in accepted_ids:
            return summary
    raise RunNotFound(run_id, [summary.run_id for summary in summaries[:5]])


def read_summary(summary: SummaryFile) -> dict[str, Any]:
    """Read the JSON object of ``summary``, or raise ``SummaryUnreadable`` for a file that does not contain one."""
    try:
        content = json.loads(summary.path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise SummaryUnreadable(summary.path, str(error)) from error
    if not isinstance(content, dict):
        raise SummaryUnreadable(summary.path, f"expected a JSON object, found {type(content).__name__}")
    return content

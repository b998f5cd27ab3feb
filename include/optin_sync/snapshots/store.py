"""Snapshot files: ``<data_dir>/<dataset>/run_date=YYYY-MM-DD/run_id=<id>/``, written atomically."""

from __future__ import annotations

import json
import logging
import os
import tempfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from optin_sync.errors import SnapshotError

log = logging.getLogger(__name__)

PART_NAME = "part-0.parquet"
LEDGER_POINTER = "_current.json"


@dataclass(frozen=True, slots=True)
class RunKey:
    """The partition of one run: its run date and its path-safe run id."""

    run_date: date
    run_id: str

    def partition(self) -> str:
        return f"run_date={self.run_date.isoformat()}/run_id={self.run_id}"


def _atomic_write(path: Path, write: Any) -> None:
    """Write through a temporary file in the same folder, then rename, so readers never see half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(handle)
    try:
        write(temporary)
        with open(temporary, "rb") as stream:
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)


class SnapshotStore:
    """Reads and writes the datasets of runs under one data folder."""

    def __init__(self, data_dir: Path | str) -> None:
        self.root = Path(data_dir)

    def folder(self, dataset: str, run: RunKey) -> Path:
        return self.root / dataset / run.partition()

    def path(self, dataset: str, run: RunKey) -> Path:
        return self.folder(dataset, run) / PART_NAME

    def write(self, dataset: str, frame: pd.DataFrame, schema: pa.Schema, run: RunKey) -> Path:
        """Write ``frame`` with ``schema``; the partition belongs to this run, so it never contains another run's file."""
        columns = [field.name for field in schema]
        missing = [name for name in columns if name not in frame.columns]
        if missing:
            raise SnapshotError(f"dataset {dataset} lacks columns {missing}")
        table = pa.Table.from_pandas(frame[columns], schema=schema, preserve_index=False)
        target = self.path(dataset, run)
        _atomic_write(target, lambda temporary: pq.write_table(table, temporary))
        log.info("snapshot written dataset=%s rows=%d path=%s", dataset, table.num_rows, target)
        return target

    def read(self, dataset: str, run: RunKey) -> pd.DataFrame:
        target = self.path(dataset, run)
        if not target.exists():
            raise SnapshotError(f"snapshot {dataset} of run {run.run_id} not found at {target}")
        return pq.read_table(target).to_pandas()

    def write_json(self, dataset: str, name: str, content: Any, run: RunKey) -> Path:
        target = self.folder(dataset, run) / name
        text = json.dumps(content, indent=2, ensure_ascii=False, sort_keys=True, default=str)
        _atomic_write(target, lambda temporary: Path(temporary).write_text(text, encoding="utf-8"))
        return target

    def write_text(self, dataset: str, name: str, text: str, run: RunKey) -> Path:
        target = self.folder(dataset, run) / name
        _atomic_write(target, lambda temporary: Path(temporary).write_text(text, encoding="utf-8"))
        return target

    def read_json(self, dataset: str, name: str, run: RunKey) -> Any:
        target = self.folder(dataset, run) / name
        if not target.exists():
            raise SnapshotError(f"{name} of run {run.run_id} not found at {target}")
        return json.loads(target.read_text(encoding="utf-8"))

    # The consent ledger: each advance writes a new version under its run, then moves a pointer to it.
    def read_ledger(self) -> pd.DataFrame | None:
        pointer = self.root / "consent_ledger" / LEDGER_POINTER
        if not pointer.exists():
            return None
        current = json.loads(pointer.read_text(encoding="utf-8"))
        return pq.read_table(self.root / "consent_ledger" / current["path"]).to_pandas()

    def write_ledger(self, frame: pd.DataFrame, schema: pa.Schema, run: RunKey) -> Path:
        target = self.write("consent_ledger", frame, schema, run)
        relative = target.relative_to(self.root / "consent_ledger").as_posix()
        pointer = self.root / "consent_ledger" / LEDGER_POINTER
        text = json.dumps({"path": relative, "run_id": run.run_id, "rows": len(frame)})
        _atomic_write(pointer, lambda temporary: Path(temporary).write_text(text, encoding="utf-8"))
        return target

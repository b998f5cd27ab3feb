"""The WoowUp index: the customers of the last full export, so nightly runs need not page every customer again.

A full export pages every customer, one request per 100 customers: 10,000 requests for a million. A nightly run
plans on this index instead. The load then re-reads each customer it is about to write and re-plans on that fresh
state. The index is personal data, so it lives in the raw zone: ``<raw_dir>/woowup_index/``, one Parquet file per
export and a ``_current.json`` pointer that moves only after the new file is complete.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from optin_sync.snapshots.store import _atomic_write

log = logging.getLogger(__name__)

INDEX_DATASET = "woowup_index"
POINTER = "_current.json"


@dataclass(frozen=True, slots=True)
class IndexInfo:
    """The export the index holds: its run id, the time its first page was read, and its row count."""

    run_id: str
    read_at: datetime
    rows: int
    path: str

    def to_dict(self) -> dict:
        return {"run_id": self.run_id, "read_at": self.read_at.isoformat(), "rows": self.rows, "path": self.path}


class WoowUpIndex:
    """Reads and replaces the index under a raw-zone folder."""

    def __init__(self, raw_root: Path | str) -> None:
        self.folder = Path(raw_root) / INDEX_DATASET

    def info(self) -> IndexInfo | None:
        pointer = self.folder / POINTER
        if not pointer.exists():
            return None
        data = json.loads(pointer.read_text(encoding="utf-8"))
        if not (self.folder / data["path"]).exists():
            log.warning("woowup index pointer names a missing file path=%s", data["path"])
            return None
        return IndexInfo(data["run_id"], datetime.fromisoformat(data["read_at"]), int(data["rows"]), data["path"])

    def read(self) -> pd.DataFrame:
        info = self.info()
        if info is None:
            raise FileNotFoundError(f"no WoowUp index under {self.folder}")
        return pq.read_table(self.folder / info.path).to_pandas()

    def replace(self, customers: pd.DataFrame, schema: pa.Schema, run_id: str, read_at: datetime) -> IndexInfo:
        """Write a new index file, move the pointer to it, then delete the files it replaces."""
        self.folder.mkdir(parents=True, exist_ok=True)
        name = f"index-{run_id}.parquet"
        table = pa.Table.from_pandas(customers[schema.names], schema=schema, preserve_index=False)
        _atomic_write(self.folder / name, lambda temporary: pq.write_table(table, temporary))
        info = IndexInfo(run_id, read_at, table.num_rows, name)
        text = json.dumps(info.to_dict())
        _atomic_write(self.folder / POINTER, lambda temporary: Path(temporary).write_text(text, encoding="utf-8"))
        for old in self.folder.glob("index-*.parquet"):
            if old.name != name:
                old.unlink(missing_ok=True)
        log.info("woowup index replaced run_id=%s rows=%d", run_id, table.num_rows)
        return info

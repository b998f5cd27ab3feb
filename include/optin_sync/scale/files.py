"""Bucket files of one run: ``<raw zone>/buckets/run_date=…/run_id=…/``, written atomically.

The run's folder holds ``_layout.json`` (the bucket count) and the prepared ``keys`` and ``quarantine``; each
``bucket=K/`` folder holds the inputs and outputs of bucket K. Every worker must see this folder, so in a
distributed deployment the raw zone is on a shared volume.

NOTE: ``optin-sync forget`` does not rewrite bucket files. The reduce step deletes them, so only a run that stopped
before its reduce leaves them, until the raw retention deletes its folder.
"""

from __future__ import annotations

import json
import logging
import shutil
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from optin_sync.errors import SnapshotError
from optin_sync.snapshots.store import RunKey, _atomic_write

log = logging.getLogger(__name__)

BUCKETS_DATASET = "buckets"
LAYOUT = "_layout.json"


class BucketFiles:
    """Reads and writes the bucket files of one run under the raw zone's root."""

    def __init__(self, raw_root: Path | str, run: RunKey) -> None:
        self.run = run
        self.folder = Path(raw_root) / BUCKETS_DATASET / run.partition()

    def path(self, name: str, bucket: int | None = None) -> Path:
        folder = self.folder if bucket is None else self.folder / f"bucket={bucket}"
        return folder / f"{name}.parquet"

    def write(self, name: str, frame: pd.DataFrame, bucket: int | None = None) -> Path:
        table = pa.Table.from_pandas(frame, preserve_index=False)
        target = self.path(name, bucket)
        _atomic_write(target, lambda temporary: pq.write_table(table, temporary))
        return target

    def read(self, name: str, bucket: int | None = None) -> pd.DataFrame:
        target = self.path(name, bucket)
        if not target.exists():
            raise SnapshotError(f"bucket file {target} of run {self.run.run_id} not found; run the planning again "
                                "from plan_prepare (clear it and the tasks after it)")
        return pq.read_table(target).to_pandas()

    def write_layout(self, buckets: int) -> None:
        text = json.dumps({"buckets": buckets})
        _atomic_write(self.folder / LAYOUT, lambda temporary: Path(temporary).write_text(text, encoding="utf-8"))

    def count(self) -> int:
        """Return the bucket count that prepare wrote."""
        layout = self.folder / LAYOUT
        if not layout.exists():
            raise SnapshotError(f"{layout} of run {self.run.run_id} not found; run the planning again from "
                                "plan_prepare (clear it and the tasks after it)")
        return int(json.loads(layout.read_text(encoding="utf-8"))["buckets"])

    def delete(self) -> None:
        """Delete the run's bucket files, then the run date's folder when no other run is left in it."""
        if not self.folder.exists():
            return
        shutil.rmtree(self.folder)
        try:
            self.folder.parent.rmdir()
        except OSError:
            pass  # another run of that date still has its files
        log.info("bucket files deleted run_id=%s", self.run.run_id)

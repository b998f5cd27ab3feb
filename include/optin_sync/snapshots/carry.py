"""Profiles carried to the next run: evidence whose write did not land, so the next night plans it again.

A nightly run reads only the profiles changed in its own window. A profile behind a deferred, failed or rejected write,
or in a run the quality gate stopped, would otherwise wait until the shopper changed it again. Its row (personal data,
so in the raw zone) is kept under ``<raw_dir>/carry_over/run_date=…/run_id=…/`` with a ``_current.json`` pointer, and
the next run adds it to the profiles of its window.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pyarrow as pa

from optin_sync.snapshots.store import RunKey, SnapshotStore, _atomic_write

CARRY_DATASET = "carry_over"
POINTER = "_current.json"


def read_carry_over(raw: SnapshotStore) -> pd.DataFrame | None:
    pointer = raw.root / CARRY_DATASET / POINTER
    if not pointer.exists():
        return None
    current = json.loads(pointer.read_text(encoding="utf-8"))
    path = raw.root / CARRY_DATASET / current["path"]
    if not path.exists():
        return None
    return pd.read_parquet(path)


def write_carry_over(raw: SnapshotStore, profiles: pd.DataFrame, schema: pa.Schema, run: RunKey) -> Path:
    """Write the profiles to carry as this run's version and point the next run at it."""
    target = raw.write(CARRY_DATASET, profiles, schema, run)
    relative = target.relative_to(raw.root / CARRY_DATASET).as_posix()
    text = json.dumps({"path": relative, "run_id": run.run_id, "rows": len(profiles)})
    pointer = raw.root / CARRY_DATASET / POINTER
    _atomic_write(pointer, lambda temporary: Path(temporary).write_text(text, encoding="utf-8"))
    return target

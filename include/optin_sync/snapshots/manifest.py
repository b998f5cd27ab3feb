"""The run manifest: every file a run wrote, with its row count, size and checksum."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pyarrow.parquet as pq

from optin_sync.snapshots.store import RunKey, SnapshotStore

MANIFEST_NAME = "_manifest.json"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def build_manifest(store: SnapshotStore, run: RunKey) -> dict:
    """List the files of every dataset partition of ``run``; Parquet files carry their row count and schema version."""
    files = []
    for folder in sorted(store.root.glob(f"*/{run.partition()}")):
        for path in sorted(folder.iterdir()):
            if path.name.startswith(".") or path.name == MANIFEST_NAME or not path.is_file():
                continue
            entry = {"dataset": folder.parts[-3], "file": path.relative_to(store.root).as_posix(),
                     "bytes": path.stat().st_size, "sha256": _sha256(path)}
            if path.suffix == ".parquet":
                metadata = pq.read_metadata(path)
                entry["rows"] = metadata.num_rows
                schema_metadata = metadata.schema.to_arrow_schema().metadata or {}
                entry["schema_version"] = schema_metadata.get(b"schema_version", b"").decode() or None
            files.append(entry)
    return {"run_id": run.run_id, "run_date": run.run_date.isoformat(), "files": files}


def write_manifest(store: SnapshotStore, run: RunKey) -> Path:
    return store.write_json("run_summary", MANIFEST_NAME, build_manifest(store, run), run)

"""Read one dataset across every run of a data folder, with its ``run_date`` and ``run_id`` partition columns."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from optin_sync.errors import SnapshotError
from optin_sync.snapshots.store import PART_NAME

PARTITIONING = ds.partitioning(pa.schema([("run_date", pa.string()), ("run_id", pa.string())]), flavor="hive")


def part_files(root: Path, dataset: str) -> list[Path]:
    return sorted((Path(root) / dataset).glob(f"run_date=*/run_id=*/{PART_NAME}"))


def readable_schema(path: Path) -> pa.Schema:
    """Return the file's schema, or raise ``SnapshotError`` naming a file that is not readable Parquet."""
    try:
        return pq.read_schema(path)
    except (OSError, pa.ArrowException) as error:
        raise SnapshotError(f"{path} is not a readable Parquet file ({error}); restore it or move it away") from None


def read_all(root: Path, dataset: str, columns: list[str] | None = None) -> pd.DataFrame:
    """Read ``dataset`` from every run under ``root``; columns a run lacks (older schema versions) come back empty.

    Returns an empty frame with ``columns`` (plus the partition columns) when no run has the dataset.
    """
    files = part_files(root, dataset)
    wanted = list(columns) if columns else None
    if not files:
        return pd.DataFrame(columns=[*(wanted or []), "run_date", "run_id"])
    schema = pa.unify_schemas([readable_schema(path) for path in files], promote_options="permissive")
    for name in ("run_date", "run_id"):
        if name not in schema.names:
            schema = schema.append(pa.field(name, pa.string()))
    if wanted:
        missing = [name for name in wanted if name not in schema.names]
        for name in missing:
            schema = schema.append(pa.field(name, pa.string()))
        wanted = [*wanted, "run_date", "run_id"]
    dataset_ = ds.dataset([str(path) for path in files], schema=schema, format="parquet",
                          partitioning=PARTITIONING, partition_base_dir=str(Path(root) / dataset))
    try:
        return dataset_.to_table(columns=wanted).to_pandas()
    except (OSError, pa.ArrowException) as error:
        raise SnapshotError(f"dataset {dataset} under {root} has an unreadable file ({error})") from None

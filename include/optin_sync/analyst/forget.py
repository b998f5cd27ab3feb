"""Right to erasure: remove one person's rows from every snapshot of both zones."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from optin_sync.analyst.datasets import part_files
from optin_sync.analyst.people import Person
from optin_sync.errors import SnapshotError
from optin_sync.load.journal import WriteJournal
from optin_sync.snapshots.index import INDEX_DATASET
from optin_sync.snapshots.manifest import write_manifest
from optin_sync.snapshots.store import RunKey, SnapshotStore, _atomic_write

JOURNAL_PATTERN = "write_results/run_date=*/run_id=*/_journal.jsonl"


@dataclass(frozen=True, slots=True)
class Erasure:
    """Rows removed per zone and dataset, and the runs whose files changed."""

    removed: dict[str, int]
    runs: frozenset[RunKey]

    @property
    def total(self) -> int:
        return sum(self.removed.values())


def _isin(table: pa.Table, column: str, values: set) -> pa.ChunkedArray | None:
    if column not in table.column_names or not values:
        return None
    array = table[column]
    if pa.types.is_integer(array.type):
        return pc.is_in(array, value_set=pa.array(sorted(int(value) for value in values), type=array.type))
    return pc.is_in(array.cast(pa.string()), value_set=pa.array(sorted(str(value) for value in values)))


def _rows_of(table: pa.Table, dataset: str, person: Person) -> pa.ChunkedArray | pa.Array:
    """Return a boolean mask of the rows that belong to ``person``."""
    profiles, customers = set(person.profile_ids), set(person.userapp_ids)
    masks = []
    if dataset in ("match_keys", "quarantine", "vtex_quarantine"):
        side = table["side"]
        for side_name, ids in (("vtex", profiles), ("woowup", {str(value) for value in customers})):
            found = _isin(table, "record_id", ids)
            if found is not None:
                masks.append(pc.and_(pc.equal(side, side_name), found))
    for column, ids in (("profile_id", profiles), ("winning_profile_id", profiles), ("userapp_id", customers)):
        found = _isin(table, column, ids)
        if found is not None:
            masks.append(found)
    for column in table.column_names:
        if column.endswith("_hash"):
            masks.append(_isin(table, column, set(person.hashes)))
    mask = pa.array([False] * table.num_rows, type=pa.bool_())
    for found in masks:
        mask = pc.or_(mask, pc.fill_null(found, False))
    return mask


def _kept(path: Path, person: Person, dataset: str) -> tuple[pa.Table, int]:
    """Return the file's rows without ``person``'s and how many were left out; unreadable files raise."""
    try:
        table = pq.read_table(path, partitioning=None)
    except (OSError, pa.ArrowException) as error:
        raise SnapshotError(f"{path} is not a readable Parquet file ({error}); nothing was removed. Restore the "
                            "file or move it away, then run forget again") from None
    mask = _rows_of(table, dataset, person)
    removed = int(pc.sum(mask).as_py() or 0)
    return (table.filter(pc.invert(mask)) if removed else table), removed


def _run_of(path: Path) -> RunKey:
    from datetime import date

    run_id = path.parent.name.removeprefix("run_id=")
    return RunKey(date.fromisoformat(path.parent.parent.name.removeprefix("run_date=")), run_id)


def _journal_rows(path: Path, customers: set[int]) -> int:
    return sum(entry.get("userapp_id") in customers for entry in WriteJournal(path).entries())


def _rewrite_journal(path: Path, customers: set[int]) -> int:
    entries = WriteJournal(path).entries()
    kept = [entry for entry in entries if entry.get("userapp_id") not in customers]
    removed = len(entries) - len(kept)
    if removed:
        text = "".join(json.dumps(entry, ensure_ascii=False) + "\n" for entry in kept)
        _atomic_write(path, lambda temporary: Path(temporary).write_text(text, encoding="utf-8"))
    return removed


def _parquet_files(root: Path) -> list[tuple[str, Path]]:
    """Every snapshot file of a zone with the dataset whose rules apply to it."""
    files = []
    for folder in sorted(path for path in root.iterdir() if path.is_dir() and not path.name.startswith(("_", "."))):
        files += [(folder.name, path) for path in part_files(root, folder.name)]
    # The WoowUp index holds customers in the shape of the woowup_customers dataset.
    files += [("woowup_customers", path) for path in sorted(root.glob(f"{INDEX_DATASET}/index-*.parquet"))]
    return files


def forget(data_dir: Path, raw_dir: Path, person: Person, *, apply: bool = True) -> Erasure:
    """Remove ``person``'s rows from every Parquet snapshot and write journal; rewrite the touched manifests.

    Every file is read before any is changed, so an unreadable file stops the erasure before it starts. With
    ``apply`` false nothing is changed and the counts say what would be removed.
    """
    removed: dict[str, int] = {}
    runs: set[RunKey] = set()
    changes: list[tuple[Path, pa.Table]] = []
    zones = [(zone, Path(root)) for zone, root in (("analyst", data_dir), ("raw", raw_dir)) if Path(root).exists()]
    for zone, root in zones:
        for dataset, path in _parquet_files(root):
            kept, count = _kept(path, person, dataset)
            if not count:
                continue
            name = f"{zone}/{INDEX_DATASET if INDEX_DATASET in path.parts else dataset}"
            removed[name] = removed.get(name, 0) + count
            if "run_id=" in path.parent.name:
                runs.add(_run_of(path))
            changes.append((path, kept))
    journals = [journal for _, root in zones for journal in root.glob(JOURNAL_PATTERN)]
    if not apply:
        for journal in journals:
            count = _journal_rows(journal, set(person.userapp_ids))
            if count:
                removed["raw/write_journal"] = removed.get("raw/write_journal", 0) + count
        return Erasure(removed, frozenset(runs))

    for path, kept in changes:
        _atomic_write(path, lambda temporary, table=kept: pq.write_table(table, temporary))
    for journal in journals:
        count = _rewrite_journal(journal, set(person.userapp_ids))
        if count:
            removed["raw/write_journal"] = removed.get("raw/write_journal", 0) + count
    store = SnapshotStore(data_dir)
    for run in runs:
        if store.folder("run_summary", run).exists():
            write_manifest(store, run)
    return Erasure(removed, frozenset(runs))

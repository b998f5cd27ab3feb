"""The two zones of a run's snapshots: the restricted raw zone and the analyst-facing one.

The raw zone keeps what the run and its resume need, unmasked: VTEX profiles, WoowUp customers, planned writes with
their request bodies, and quarantined raw values. It is deleted after a retention period. The analyst zone keeps
every dataset, with personal columns masked or hashed by ``OPTIN_SYNC_PII_MODE``.
"""

from __future__ import annotations

import logging
import os
import shutil
import time
from pathlib import Path

import pandas as pd
import pyarrow as pa

from optin_sync.errors import SettingsError
from optin_sync.privacy.analyst import AnalystForm, analyst_schema
from optin_sync.privacy.hashing import PiiHasher
from optin_sync.settings import PiiMode, Settings
from optin_sync.snapshots.store import RunKey, SnapshotStore

log = logging.getLogger(__name__)

RAW_DATASETS = frozenset({"vtex_profiles", "woowup_customers", "planned_writes", "quarantine", "vtex_quarantine"})
PII_CONNECTION_HINT = ("create it with `airflow connections add {conn_id} --conn-type generic "
                       "--conn-password <a random secret of 16 or more characters>`")


def raw_dir(settings: Settings) -> Path:
    return Path(settings.raw_dir) if settings.raw_dir else Path(settings.data_dir) / "_raw"


def make_hasher(settings: Settings, pii_key: str | None) -> PiiHasher | None:
    """Return the keyed hasher; masked mode without a key is a setup error that names the Connection to create."""
    if not pii_key:
        if settings.pii_mode is PiiMode.MASKED:
            raise SettingsError(
                f"OPTIN_SYNC_PII_MODE=masked needs a hash key in the Airflow Connection {settings.pii_conn_id!r} "
                f"(its password); " + PII_CONNECTION_HINT.format(conn_id=settings.pii_conn_id)
            )
        return None
    try:
        return PiiHasher(pii_key)
    except SettingsError as error:
        raise SettingsError(f"the Airflow Connection {settings.pii_conn_id!r}: {error}") from None


class Zones:
    """Writes each dataset to its zones and reads it back from the zone that has the values the pipeline needs."""

    def __init__(self, settings: Settings, pii_key: str | None = None) -> None:
        self.settings = settings
        self.analyst = SnapshotStore(settings.data_dir)
        self.raw = SnapshotStore(raw_dir(settings))
        self._pii_key = pii_key
        self._form: AnalystForm | None = None

    @property
    def form(self) -> AnalystForm:
        """The analyst form; built on first use, so readers need no key and writers fail without one."""
        if self._form is None:
            self._form = AnalystForm(self.settings.pii_mode, make_hasher(self.settings, self._pii_key))
        return self._form

    def publish(self, dataset: str, frame: pd.DataFrame, schema: pa.Schema, run: RunKey) -> Path:
        """Write the raw copy (restricted datasets only), then the analyst copy; return the analyst path."""
        if dataset in RAW_DATASETS:
            self.restrict()
            self.raw.write(dataset, frame, schema, run)
        columns = [field.name for field in schema]
        return self.analyst.write(dataset, self.form.frame(dataset, frame[columns]),
                                  analyst_schema(dataset, schema, self.settings.pii_mode), run)

    def read(self, dataset: str, run: RunKey) -> pd.DataFrame:
        """Return the unmasked frame: from the raw zone for restricted datasets, else from the analyst zone."""
        store = self.raw if dataset in RAW_DATASETS else self.analyst
        return store.read(dataset, run)

    def restrict(self) -> Path:
        """Create the raw zone readable by its owner only."""
        root = self.raw.root
        if not root.exists():
            root.mkdir(parents=True, exist_ok=True)
            os.chmod(root, 0o700)
        return root


def purge_raw(settings: Settings, keep: RunKey, *, now: float | None = None) -> int:
    """Delete raw partitions written more than ``raw_retention_days`` ago, except ``keep``'s; return how many."""
    root = raw_dir(settings)
    if not root.exists():
        return 0
    cutoff = (now if now is not None else time.time()) - settings.raw_retention_days * 86400
    deleted = 0
    for folder in root.glob("*/run_date=*/run_id=*"):
        files = [path for path in folder.iterdir() if path.is_file()]
        written = max((path.stat().st_mtime for path in files), default=folder.stat().st_mtime)
        if folder.name == f"run_id={keep.run_id}" or written >= cutoff:
            continue
        shutil.rmtree(folder, ignore_errors=True)
        deleted += 1
        parent = folder.parent
        if parent.exists() and not any(parent.iterdir()):
            parent.rmdir()
    if deleted:
        log.info("raw zone retention deleted_partitions=%d older_than_days=%d", deleted, settings.raw_retention_days)
    return deleted

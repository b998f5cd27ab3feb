"""Snapshots of a run open with the tools analysts use, and the manifest describes them exactly."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow.dataset as ds
import pytest
from conftest import run_dag
from world import WINDOW, world

pytestmark = pytest.mark.e2e
DATASETS = ["vtex_profiles", "woowup_customers", "match_keys", "matches", "quarantine", "decisions",
            "planned_writes", "write_results", "consent_ledger"]


@pytest.fixture
def data_dir(sandbox, sync_dag) -> Path:
    sandbox.reset(world())
    dag_run = run_dag(sync_dag, window=WINDOW)
    assert str(dag_run.state) == "success"
    return Path(sandbox.data_dir)


def test_datasets_read_with_pandas_arrow_duckdb(data_dir):
    for name in DATASETS:
        folder = data_dir / name
        with_pandas = pd.read_parquet(folder)
        with_arrow = ds.dataset(folder, format="parquet", partitioning="hive").to_table()
        pattern = str(folder / "**" / "*.parquet")
        with_duckdb = duckdb.sql(f"select count(*) from read_parquet('{pattern}', hive_partitioning = true)")
        assert len(with_pandas) == with_arrow.num_rows, name
        assert with_duckdb.fetchall()[0][0] == with_arrow.num_rows, name
        assert "run_id" in with_pandas.columns, name


def test_decisions_answer_why_blocked(data_dir):
    decisions = duckdb.sql(
        f"select userapp_id, channel, outcome from read_parquet('{data_dir}/decisions/**/*.parquet') "
        "where userapp_id = 105 and channel = 'mailing'").fetchall()
    assert decisions == [(105, "mailing", "protected")]


def test_manifest_matches_files(data_dir):
    manifest_path = next(data_dir.glob("run_summary/*/*/_manifest.json"))
    manifest = json.loads(manifest_path.read_text())
    parquet_entries = [entry for entry in manifest["files"] if entry["file"].endswith(".parquet")]
    assert {entry["dataset"] for entry in parquet_entries} >= set(DATASETS)
    for entry in manifest["files"]:
        path = data_dir / entry["file"]
        assert hashlib.sha256(path.read_bytes()).hexdigest() == entry["sha256"], entry["file"]
    for entry in parquet_entries:
        assert entry["rows"] == len(pd.read_parquet(data_dir / entry["file"])), entry["file"]
        assert entry["schema_version"] == "1", entry["file"]

"""One step of the transform benchmark, run in its own process so that its peak memory can be read alone.

    python -m benchmarks.transform_worker generate ROWS FOLDER   # write a world of ROWS profiles and customers
    python -m benchmarks.transform_worker keys FOLDER            # key both sides, write the keyed inputs
    python -m benchmarks.transform_worker plan FOLDER            # time plan_frames on the world
    python -m benchmarks.transform_worker pandas FOLDER          # time the pandas join, decisions and diff
    python -m benchmarks.transform_worker duckdb FOLDER [THREADS]  # time the DuckDB reference of the same

Inputs are read before the clock starts. Each timed step prints one JSON line with `seconds` and the sizes of
its result; the parent reads the process's peak resident memory when it ends.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq

from optin_sync.identity.matching import KeySet
from optin_sync.settings import Settings, load_settings

SEED = 42


def _settings(folder: Path) -> Settings:
    # The write budget and the guard apply as in production; the benchmark plans a full refresh.
    return load_settings(data_dir=str(folder / "data"))


def _read(path: Path) -> pd.DataFrame:
    return pq.read_table(path).to_pandas()


def generate(rows: int, folder: Path) -> dict:
    from benchmarks.world_frames import generate_world

    folder.mkdir(parents=True, exist_ok=True)
    world = generate_world(rows, rows, seed=SEED)
    world.profiles.to_parquet(folder / "profiles.parquet")
    world.customers.to_parquet(folder / "customers.parquet")
    return {"profiles": len(world.profiles), "customers": len(world.customers)}


def keys(folder: Path) -> dict:
    from benchmarks.transform_reference import keyed_inputs
    from optin_sync.run.planning import split_bad_customers

    settings = _settings(folder)
    profiles, customers = _read(folder / "profiles.parquet"), _read(folder / "customers.parquet")
    started = time.perf_counter()
    customers, _ = split_bad_customers(customers)
    keyed = keyed_inputs(profiles, customers, settings)
    seconds = time.perf_counter() - started
    keyed.profile_keys.keys.to_parquet(folder / "profile_keys.parquet")
    keyed.profile_keys.rejections.to_parquet(folder / "profile_rejections.parquet")
    keyed.customer_keys.keys.to_parquet(folder / "customer_keys.parquet")
    keyed.customer_keys.rejections.to_parquet(folder / "customer_rejections.parquet")
    customers.to_parquet(folder / "good_customers.parquet")
    return {"seconds": seconds, "profile_keys": len(keyed.profile_keys.keys),
            "customer_keys": len(keyed.customer_keys.keys)}


def _keyed(folder: Path):
    from benchmarks.transform_reference import KeyedInputs

    profiles = _read(folder / "profiles.parquet")
    return KeyedInputs(
        KeySet(_read(folder / "profile_keys.parquet"), _read(folder / "profile_rejections.parquet")),
        KeySet(_read(folder / "customer_keys.parquet"), _read(folder / "customer_rejections.parquet")),
        profiles.rename(columns={"opt_in_status": "status"}),
        _read(folder / "good_customers.parquet"),
    )


def plan(folder: Path) -> dict:
    from optin_sync.run.planning import plan_frames

    settings = _settings(folder)
    profiles, customers = _read(folder / "profiles.parquet"), _read(folder / "customers.parquet")
    started = time.perf_counter()
    result = plan_frames(profiles, customers, settings, full_refresh=True)
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "decisions": len(result.plan.decisions), "writes": len(result.plan.writes),
            "pairs": len(result.pairs)}


def pandas_engine(folder: Path) -> dict:
    from benchmarks.transform_reference import pandas_plan

    keyed = _keyed(folder)
    started = time.perf_counter()
    result = pandas_plan(keyed, _settings(folder), full_refresh=True)
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "decisions": len(result.decisions), "writes": len(result.writes)}


def duckdb_engine(folder: Path, threads: int | None) -> dict:
    from benchmarks.transform_reference import duckdb_plan

    keyed = _keyed(folder)
    started = time.perf_counter()
    decisions, writes = duckdb_plan(keyed, _settings(folder), full_refresh=True, threads=threads)
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "decisions": len(decisions), "writes": len(writes)}


def main(argv: list[str]) -> int:
    command = argv[0]
    if command == "generate":
        output = generate(int(argv[1]), Path(argv[2]))
    elif command == "keys":
        output = keys(Path(argv[1]))
    elif command == "plan":
        output = plan(Path(argv[1]))
    elif command == "pandas":
        output = pandas_engine(Path(argv[1]))
    elif command == "duckdb":
        output = duckdb_engine(Path(argv[1]), int(argv[2]) if len(argv) > 2 else None)
    else:
        print(f"unknown command {command!r}: use generate, keys, plan, pandas or duckdb", file=sys.stderr)
        return 2
    print(json.dumps(output))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

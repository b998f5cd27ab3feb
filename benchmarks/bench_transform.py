"""The planning step at scale: keys through diff on generated worlds of 100k, 1M and 3M profiles and customers.

Each world (`world_frames.py`, as many WoowUp customers as VTEX profiles) is written to Parquet first; that is
not measured. Every measured step then runs in its own process (`transform_worker.py`), which reads its inputs
before the clock starts, and the process's peak resident memory is read with `os.wait4` when it ends.

- `plan_frames` on the world: keys, shared keys, matches, decisions, writes and the guard, as the DAG runs them
  for a full refresh.
- On the same keyed inputs: the library's join, decisions and diff against the DuckDB SQL reference of the same
  logic (`transform_reference.py`), DuckDB with its default threads (one per core).
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

TITLE = "Transform at scale: keys through diff"
SIZES = (100_000, 1_000_000, 3_000_000)
# The 3M world takes minutes per run, so it runs once; the others take the median of three runs.
REPETITIONS = {100_000: 3, 1_000_000: 3, 3_000_000: 1}
COMPARED_SIZE = 1_000_000
TARGET_SECONDS = 60.0
TARGET_BYTES = 3 * 2**30
TARGET_RATIO = 2.0


def _run(*arguments: str) -> tuple[dict, int]:
    """Run one worker step; return its JSON output and its peak resident memory in bytes."""
    # Files rather than pipes: the parent waits with os.wait4 and does not read while the step runs.
    with tempfile.TemporaryFile("w+") as output, tempfile.TemporaryFile("w+") as errors:
        process = subprocess.Popen([sys.executable, "-m", "benchmarks.transform_worker", *arguments],
                                   stdout=output, stderr=errors, cwd=Path(__file__).resolve().parents[1])
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        output.seek(0)
        errors.seek(0)
        if process.returncode != 0:
            raise RuntimeError(f"benchmark step {arguments[0]} failed with exit code {process.returncode}: "
                               f"{errors.read()[-2000:]}")
        # Linux reports ru_maxrss in kilobytes.
        return json.loads(output.read().strip().splitlines()[-1]), usage.ru_maxrss * 1024


def _median_run(repetitions: int, *arguments: str) -> tuple[float, int, dict]:
    """Run a step `repetitions` times; return the median seconds, the largest peak memory and the last output."""
    seconds, peaks, output = [], [], {}
    for _ in range(repetitions):
        output, peak = _run(*arguments)
        seconds.append(output["seconds"])
        peaks.append(peak)
    return statistics.median(seconds), max(peaks), output


def _gib(size: int) -> str:
    return f"{size / 2**30:.2f} GiB"


def run() -> dict:
    """Generate the worlds, measure every step, and return the rows for the results page."""
    rows, notes = [], []
    root = Path(tempfile.mkdtemp(prefix="optin-sync-bench-transform-"))
    try:
        for size in SIZES:
            folder = root / str(size)
            _run("generate", str(size), str(folder))
            seconds, peak, output = _median_run(REPETITIONS[size], "plan", str(folder))
            label = f"{size:,} x {size:,}"
            runs = "median of 3" if REPETITIONS[size] == 3 else "1 run"
            if size == COMPARED_SIZE:
                rows.append((f"`plan_frames` {label}, wall time ({runs})", f"{seconds:.1f} s",
                             f"<= {TARGET_SECONDS:.0f} s", seconds <= TARGET_SECONDS))
                rows.append((f"`plan_frames` {label}, peak resident memory", _gib(peak), "<= 3 GiB",
                             peak <= TARGET_BYTES))
            else:
                rows.append((f"`plan_frames` {label}, wall time ({runs})", f"{seconds:.1f} s", "", True))
                rows.append((f"`plan_frames` {label}, peak resident memory", _gib(peak), "", True))
            rows.append((f"{label}: matched pairs, decisions, planned writes",
                         f"{output['pairs']:,}, {output['decisions']:,}, {output['writes']:,}", "", True))

            if size == COMPARED_SIZE:
                rows += _compare_engines(folder, label)
            shutil.rmtree(folder, ignore_errors=True)
    finally:
        shutil.rmtree(root, ignore_errors=True)

    return {"title": TITLE, "setup": _setup(), "rows": rows, "notes": notes}


def _compare_engines(folder: Path, label: str) -> list[tuple]:
    keyed, keys_peak = _run("keys", str(folder))
    pandas_seconds, pandas_peak, _ = _median_run(3, "pandas", str(folder))
    duckdb_seconds, duckdb_peak, _ = _median_run(3, "duckdb", str(folder))
    # One thread is context for the 2-core figure, so it runs once.
    single_seconds, _, _ = _median_run(1, "duckdb", str(folder), "1")
    ratio = pandas_seconds / duckdb_seconds
    return [
        (f"{label}: keys of both sides, `build_keys` (1 run)", f"{keyed['seconds']:.1f} s ({_gib(keys_peak)} peak, "
         f"{keyed['profile_keys']:,} + {keyed['customer_keys']:,} keys)", "", True),
        (f"{label} keyed: pandas join, decisions and diff (median of 3)", f"{pandas_seconds:.1f} s "
         f"({_gib(pandas_peak)} peak)", "", True),
        (f"{label} keyed: DuckDB SQL reference, 2 threads (median of 3)", f"{duckdb_seconds:.1f} s "
         f"({_gib(duckdb_peak)} peak)", "", True),
        (f"{label} keyed: DuckDB SQL reference, 1 thread (1 run)", f"{single_seconds:.1f} s", "", True),
        (f"{label} keyed: pandas time over DuckDB time", f"{ratio:.2f}x", f"<= {TARGET_RATIO:.0f}x",
         ratio <= TARGET_RATIO),
    ]


def _setup() -> str:
    return ("Worlds from `benchmarks/world_frames.py` (seed 42): N VTEX profiles and N WoowUp customers, 60% of "
            "VTEX people matched, 3% duplicate profiles, three phone fields, shop phones shared; a full refresh "
            "with the default settings. Each step runs in its own process, reads its Parquet inputs before the "
            "clock starts, and reports the process's peak resident memory (`os.wait4`, `ru_maxrss`). The keyed "
            "comparison starts both engines from the same keys, profile facts and customers; DuckDB's time "
            "includes copying those frames into its tables and returning the decisions and writes as frames")

"""Run the benchmark modules and write the results to docs/benchmarks.md.

`python -m benchmarks.run` runs every module and writes the page. Names of modules as arguments
(`python -m benchmarks.run bench_phone_keys`) run only those and print their tables without writing the page.
"""

from __future__ import annotations

import importlib
import os
import platform
import sys
from datetime import datetime, timezone
from pathlib import Path

MODULES = (
    "benchmarks.bench_rate_limit",
    "benchmarks.bench_phone_keys",
    "benchmarks.bench_transform",
    "benchmarks.bench_extraction",
    "benchmarks.bench_api_cost",
)
OUTPUT = Path(__file__).resolve().parents[1] / "docs" / "benchmarks.md"
COMMAND = "make bench  # runs .venv/bin/python -m benchmarks.run"


def machine() -> str:
    processor = platform.processor() or platform.machine()
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (f"{platform.system()} {platform.release()}, {os.cpu_count()} CPU cores ({processor}), "
            f"{memory:.0f} GiB memory, Python {platform.python_version()}")


def render(results: list[dict]) -> str:
    lines = ["# Benchmarks", "",
             f"Measured {datetime.now(timezone.utc):%Y-%m-%d} on {machine()}. The API benchmarks run against the "
             "local sandbox over loopback HTTP. Times are wall-clock medians of the repetitions each section "
             "names. Single runs on this virtual machine vary by 10 to 30% from one run to the next.", "",
             f"Command: `{COMMAND}`. One section: `.venv/bin/python -m benchmarks.run <module>`, which prints "
             "its table and leaves this page as it is.", ""]
    for result in results:
        lines += [f"## {result['title']}", "", result["setup"] + ".", "",
                  "| measure | result | target | met |", "|---|---|---|---|"]
        for measure, value, target, met in result["rows"]:
            lines.append(f"| {measure} | {value} | {target} | {'yes' if met else 'no'} |" if target
                         else f"| {measure} | {value} | | |")
        lines.append("")
        for note in result.get("notes", ()):
            lines += [note, ""]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    chosen = sys.argv[1:] if argv is None else argv
    unknown = sorted(set(chosen) - {name.rpartition(".")[2] for name in MODULES})
    if unknown:
        print(f"unknown benchmark modules {unknown}; choose from {[name.rpartition('.')[2] for name in MODULES]}",
              file=sys.stderr)
        return 2

    results = []
    for name in MODULES:
        if chosen and name.rpartition(".")[2] not in chosen:
            continue
        print(f"running {name}", file=sys.stderr)
        results.append(importlib.import_module(name).run())
    if not chosen:
        OUTPUT.write_text(render(results), encoding="utf-8")
    print(render(results))
    missed = [row[0] for result in results for row in result["rows"] if not row[3]]
    if missed:
        print(f"targets missed: {missed}", file=sys.stderr)
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())

"""Run every benchmark module and write the results to docs/benchmarks.md."""

from __future__ import annotations

import importlib
import os
import platform
import sys
from datetime import datetime, timezone
from pathlib import Path

MODULES = ("benchmarks.bench_rate_limit", "benchmarks.bench_api_cost")
OUTPUT = Path(__file__).resolve().parents[1] / "docs" / "benchmarks.md"
COMMAND = "make bench  # runs .venv/bin/python -m benchmarks.run"


def machine() -> str:
    processor = platform.processor() or platform.machine()
    return (f"{platform.system()} {platform.release()}, {os.cpu_count()} CPU cores ({processor}), "
            f"Python {platform.python_version()}")


def render(results: list[dict]) -> str:
    lines = ["# Benchmarks", "",
             f"Measured {datetime.now(timezone.utc):%Y-%m-%d} on {machine()}, against the local sandbox over "
             "loopback HTTP.", "", f"Command: `{COMMAND}`", ""]
    for result in results:
        lines += [f"## {result['title']}", "", result["setup"] + ".", "",
                  "| measure | result | target | met |", "|---|---|---|---|"]
        for measure, value, target, met in result["rows"]:
            lines.append(f"| {measure} | {value} | {target} | {'yes' if met else 'no'} |" if target
                         else f"| {measure} | {value} | | |")
        lines.append("")
    return "\n".join(lines)


def main() -> int:
    results = []
    for name in MODULES:
        print(f"running {name}", file=sys.stderr)
        results.append(importlib.import_module(name).run())
    OUTPUT.write_text(render(results), encoding="utf-8")
    print(render(results))
    missed = [row[0] for result in results for row in result["rows"] if not row[3]]
    if missed:
        print(f"targets missed: {missed}", file=sys.stderr)
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())

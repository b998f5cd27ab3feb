"""The ``optin-sync`` command: ``summary`` prints a run's summary, ``sandbox`` starts the local sandbox."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from optin_sync.report.messages import LANGUAGES, catalogue
from optin_sync.cli.render import render_summary
from optin_sync.cli.runs import NoRuns, RunNotFound, SummaryUnreadable, find_summary, read_summary
from optin_sync.errors import SettingsError
from optin_sync.settings import load_settings

EXIT_NOT_FOUND = 1
EXIT_USAGE = 2


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="optin-sync",
                                     description="Inspect and try out the VTEX to WoowUp opt-in sync.")
    parser.add_argument("--lang", choices=LANGUAGES, default=None,
                        help="language of the summary output (default: OPTIN_SYNC_LANG, else es)")
    parser.add_argument("--data-dir", type=Path, default=None, metavar="PATH",
                        help="folder that contains the snapshots (default: OPTIN_SYNC_DATA_DIR, else ./data)")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    summary = commands.add_parser("summary", help="print the summary of the latest run, or of one run id",
                                  description="Print the summary of the latest run, or of the run given by --run-id.")
    summary.add_argument("--run-id", default=None,
                         help="Airflow run id, raw or path-safe (default: the run whose summary was written last)")

    # The sandbox parses its own options, --help included, so this subparser takes none.
    commands.add_parser("sandbox", add_help=False,
                        help="start the local VTEX and WoowUp sandbox with the options of "
                             "python -m optin_sync.sandbox (see optin-sync sandbox --help)")
    return parser


def run_summary_command(arguments: argparse.Namespace) -> int:
    overrides: dict[str, object] = {}
    if arguments.lang is not None:
        overrides["lang"] = arguments.lang
    if arguments.data_dir is not None:
        overrides["data_dir"] = arguments.data_dir
    try:
        settings = load_settings(**overrides)
    except SettingsError as error:
        print(f"optin-sync: {error}", file=sys.stderr)
        return EXIT_USAGE

    messages = catalogue(settings.lang)
    data_dir = Path(settings.data_dir)
    try:
        summary = read_summary(find_summary(data_dir, arguments.run_id))
    except NoRuns:
        print(messages["error.no_runs"].format(folder=data_dir), file=sys.stderr)
        return EXIT_NOT_FOUND
    except RunNotFound as error:
        recent = ", ".join(error.recent) or messages["none"]
        print(messages["error.run_not_found"].format(run_id=error.run_id, folder=data_dir, recent=recent),
              file=sys.stderr)
        return EXIT_NOT_FOUND
    except SummaryUnreadable as error:
        print(messages["error.unreadable"].format(path=error.path, error=error.error), file=sys.stderr)
        return EXIT_NOT_FOUND

    print(render_summary(summary, messages))
    return 0


def run_sandbox_command(sandbox_arguments: list[str]) -> int:
    # Imported here so that `summary` does not load the sandbox server.
    from optin_sync.sandbox.__main__ import main as sandbox_main

    return sandbox_main(sandbox_arguments)


def main(argv: list[str] | None = None) -> int:
    """Run the command line with ``argv`` (default: ``sys.argv[1:]``) and return the exit status."""
    parser = build_parser()
    arguments, remaining = parser.parse_known_args(argv)
    if arguments.command == "sandbox":
        return run_sandbox_command(remaining)
    if remaining:
        parser.error(f"unrecognized arguments: {' '.join(remaining)}")
    return run_summary_command(arguments)

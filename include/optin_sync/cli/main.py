"""The ``optin-sync`` command line.

``summary`` prints a run's summary, ``report`` builds its HTML report, ``lookup`` shows one person's history,
``forget`` erases them from the snapshots, ``revert`` undoes a run's writes, ``sandbox`` starts the local sandbox.
"""

from __future__ import annotations

import argparse
import os
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

    report = commands.add_parser("report", help="build the HTML report of the latest run, or of one run id",
                                 description="Build the self-contained HTML report of a run again, in --lang.")
    report.add_argument("--run-id", default=None, help="Airflow run id, raw or path-safe (default: the latest run)")
    report.add_argument("--output", type=Path, default=None, metavar="FILE",
                        help="where to write it (default: report/run_date=…/run_id=…/report.html in the data folder)")

    for name, text in (("lookup", "show one person's opt-in, decisions, quarantine and writes across runs"),
                       ("forget", "remove one person's rows from every snapshot (right to erasure)")):
        command = commands.add_parser(name, help=text, description=text[0].upper() + text[1:] + ". The person is "
                                      "found through the keyed hash of the email or phone, never by reading values.")
        person = command.add_mutually_exclusive_group(required=True)
        person.add_argument("--email", help="the person's email, as typed anywhere")
        person.add_argument("--phone", help="the person's phone, in any usual form (local numbers: OPTIN_SYNC_DEFAULT_REGION)")
        command.add_argument("--pii-conn-id", default=None,
                             help="Airflow Connection with the hash key (default: OPTIN_SYNC_PII_CONN_ID, else optin_sync_pii)")
    commands.choices["lookup"].add_argument("--json", action="store_true", help="print JSON instead of tables")
    commands.choices["forget"].add_argument("--max-records", type=int, default=3, metavar="N",
                                            help="refuse when the value matches more than N records (default 3): "
                                                 "a shared phone or email would erase other people")
    commands.choices["forget"].add_argument("--dry-run", action="store_true",
                                            help="count the rows that would be removed, and remove nothing")

    revert = commands.add_parser("revert", help="restore the channel states a run changed (plan only unless --apply)",
                                 description="Restore the channel states a run wrote, only where WoowUp still holds "
                                             "what the run wrote and the channel is not protected. Shows the plan; "
                                             "writes only with --apply.")
    revert.add_argument("--run-id", required=True, help="Airflow run id of the run to undo, raw or path-safe")
    revert.add_argument("--apply", action="store_true", help="send the restoring writes to WoowUp")
    revert.add_argument("--woowup-conn-id", default="woowup_default",
                        help="Airflow Connection of WoowUp (default: woowup_default)")

    # The sandbox parses its own options, --help included, so this subparser takes none.
    commands.add_parser("sandbox", add_help=False,
                        help="start the local VTEX and WoowUp sandbox with the options of "
                             "python -m optin_sync.sandbox (see optin-sync sandbox --help)")
    return parser


def command_settings(arguments: argparse.Namespace):
    """Settings from the environment, with --lang and --data-dir applied; None (after a message) when invalid."""
    overrides: dict[str, object] = {}
    if arguments.lang is not None:
        overrides["lang"] = arguments.lang
    if arguments.data_dir is not None:
        overrides["data_dir"] = arguments.data_dir
    if getattr(arguments, "pii_conn_id", None):
        overrides["pii_conn_id"] = arguments.pii_conn_id
    try:
        return load_settings(**overrides)
    except SettingsError as error:
        print(f"optin-sync: {error}", file=sys.stderr)
        return None


def locate_run(data_dir: Path, run_id: str | None, messages: dict[str, str]):
    """Return the summary file of the run, or print why it cannot be found and return None."""
    try:
        return find_summary(data_dir, run_id)
    except NoRuns:
        print(messages["error.no_runs"].format(folder=data_dir), file=sys.stderr)
    except RunNotFound as error:
        recent = ", ".join(error.recent) or messages["none"]
        print(messages["error.run_not_found"].format(run_id=error.run_id, folder=data_dir, recent=recent),
              file=sys.stderr)
    return None


def run_summary_command(arguments: argparse.Namespace) -> int:
    settings = command_settings(arguments)
    if settings is None:
        return EXIT_USAGE

    messages = catalogue(settings.lang)
    data_dir = Path(settings.data_dir)
    try:
        found = find_summary(data_dir, arguments.run_id)
        summary = read_summary(found)
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

    try:
        text = render_summary(summary, messages)
    except (KeyError, TypeError, AttributeError, ValueError) as error:
        print(messages["error.unreadable"].format(path=found.path, error=f"unexpected content ({error!r})"),
              file=sys.stderr)
        return EXIT_NOT_FOUND
    print(text)
    return 0


def run_sandbox_command(sandbox_arguments: list[str]) -> int:
    # Imported here so that `summary` does not load the sandbox server.
    from optin_sync.sandbox.__main__ import main as sandbox_main

    return sandbox_main(sandbox_arguments)


def main(argv: list[str] | None = None) -> int:
    """Run the command line with ``argv`` (default: ``sys.argv[1:]``) and return the exit status."""
    try:
        return run(argv)
    except BrokenPipeError:
        # The reader went away (`optin-sync summary | head`): stop quietly, as other command-line tools do.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0


def run(argv: list[str] | None) -> int:
    parser = build_parser()
    arguments, remaining = parser.parse_known_args(argv)
    if arguments.command == "sandbox":
        return run_sandbox_command(remaining)
    if remaining:
        parser.error(f"unrecognized arguments: {' '.join(remaining)}")
    if arguments.command == "summary":
        return run_summary_command(arguments)
    from optin_sync.cli import analyst

    handlers = {"report": analyst.run_report_command, "lookup": analyst.run_lookup_command,
                "forget": analyst.run_forget_command, "revert": analyst.run_revert_command}
    return handlers[arguments.command](arguments)

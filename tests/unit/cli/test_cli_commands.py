"""The ``optin-sync`` parser, the message catalogues and the ``sandbox`` delegation."""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from optin_sync.cli import main
from optin_sync.report.messages import CATALOGUES, EN, ES
from optin_sync.consent.outcomes import SUMMARY_COUNTS


def installed_script() -> Path | None:
    beside_python = Path(sys.executable).parent / "optin-sync"
    if beside_python.exists():
        return beside_python
    found = shutil.which("optin-sync")
    return Path(found) if found else None


def test_catalogues_share_keys():
    assert set(ES) == set(EN)


@pytest.mark.parametrize("lang", sorted(CATALOGUES))
def test_catalogue_describes_every_outcome(lang):
    for code in SUMMARY_COUNTS:
        assert CATALOGUES[lang].get(f"outcome.{code}"), code


def test_help_lists_subcommands(capsys):
    with pytest.raises(SystemExit) as caught:
        main(["--help"])

    out = capsys.readouterr().out
    commands = {line.split()[0]: " ".join(line.split()[1:]) for line in out.splitlines()
                if line.startswith("    ") and line.split()}
    assert caught.value.code == 0
    assert commands["summary"].startswith("print the summary of the latest run")
    assert commands["sandbox"].startswith("start the local VTEX and WoowUp sandbox")
    assert "--lang {es,en}" in out
    assert "--data-dir PATH" in out


def test_command_required(capsys):
    with pytest.raises(SystemExit) as caught:
        main([])

    assert caught.value.code == 2
    assert "COMMAND" in capsys.readouterr().err


def test_summary_rejects_unknown_option(capsys):
    with pytest.raises(SystemExit) as caught:
        main(["summary", "--port", "1"])

    assert caught.value.code == 2
    assert "unrecognized arguments: --port 1" in capsys.readouterr().err


def test_sandbox_passes_arguments_through(monkeypatch):
    received = []
    monkeypatch.setattr("optin_sync.sandbox.__main__.main", lambda argv: received.append(argv) or 7)

    status = main(["sandbox", "--port", "0", "--seed", "3", "--define-opt-in-attribute"])

    assert status == 7
    assert received == [["--port", "0", "--seed", "3", "--define-opt-in-attribute"]]


def test_sandbox_help_is_the_sandbox_help(capsys):
    with pytest.raises(SystemExit) as caught:
        main(["sandbox", "--help"])

    out = capsys.readouterr().out
    assert caught.value.code == 0
    assert "--credentials-file" in out
    assert "--anchor-date" in out


def test_sandbox_rejects_bad_option(capsys):
    with pytest.raises(SystemExit) as caught:
        main(["sandbox", "--port", "not-a-number"])

    assert caught.value.code == 2
    assert "--port" in capsys.readouterr().err


def test_console_script_help():
    script = installed_script()
    if script is None:
        pytest.skip("the optin-sync console script is not installed; run uv sync to create it")

    completed = subprocess.run([str(script), "--help"], capture_output=True, text=True, timeout=60, check=False)

    assert completed.returncode == 0, completed.stderr
    assert "summary" in completed.stdout
    assert "sandbox" in completed.stdout


def test_sandbox_command_serves_until_sigterm():
    command = [sys.executable, "-m", "optin_sync.cli", "sandbox", "--port", "0", "--profiles", "20",
               "--customers", "20"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        first_line = process.stdout.readline()
        assert first_line.startswith("sandbox listening url=http://127.0.0.1:")
    finally:
        process.send_signal(signal.SIGTERM)
        status = process.wait(timeout=30)
    assert status == 0

"""The ``optin-sync summary`` command against run summaries written in a temporary data folder."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from optin_sync.cli import main
from optin_sync.report.messages import EN, ES
from optin_sync.consent.outcomes import SUMMARY_COUNTS

RAW_RUN_ID = "manual__2026-03-10T03:00:00+00:00"
SAFE_RUN_ID = "manual__2026-03-10T03_00_00_00_00"


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch):
    for variable in ("OPTIN_SYNC_LANG", "OPTIN_SYNC_DATA_DIR"):
        monkeypatch.delenv(variable, raising=False)


def channel_counts(**counts: int) -> dict[str, int]:
    return {name: counts.get(name, 0) for name in SUMMARY_COUNTS}


def complete_summary(run_id: str = SAFE_RUN_ID, run_date: str = "2026-03-09") -> dict:
    """A summary as ``write_run_summary`` writes it for a night with a few consent changes."""
    return {
        "run_id": run_id,
        "run_date": run_date,
        "window": {"start": f"{run_date}T03:00:00+00:00", "end": "2026-03-10T03:00:00+00:00",
                   "timezone": "America/Argentina/Buenos_Aires"},
        "full_refresh": False,
        "dry_run": False,
        "allow_mass_change": False,
        "started_at": "2026-03-10T06:00:04+00:00",
        "status": "ok",
        "profiles": {"in_window": 748, "consent": 401, "refusal": 285, "unknown": 62, "invalid": 0,
                     "new_evidence": 57},
        "customers": 4000,
        "matched_customers": 431,
        "outcomes": {
            "mailing": channel_counts(enable=17, disable=9, protected=25, no_new_evidence=342, unknown_opt_in=38,
                                      conflict=3, unmatched=340),
            "sms": channel_counts(enable=6, disable=2, no_new_evidence=311, unknown_opt_in=24, unmatched=409),
            "whatsapp": channel_counts(enable=5, disable=1, deferred=4, no_new_evidence=311, unmatched=409),
        },
        "causes": {"vtex": {"no_area_code": 34, "masked_alias": 22}, "woowup": {"invalid_number": 48}},
        "writes": {"planned": 31, "deferred": 4},
        "write_results": {"written": 29, "unchanged_on_recheck": 2},
        "guard": {"writable_customers": 429, "enabling_customers": 20, "disabling_customers": 11,
                  "enable_ratio": 20 / 429, "disable_ratio": 11 / 429, "max_enable_ratio": 0.05,
                  "max_disable_ratio": 0.05, "min_guard_count": 50, "tripped_enable": False,
                  "tripped_disable": False, "overridden": False, "tripped": False},
        "ledger_held_back_profiles": 3,
        "snapshots": {},
    }


def write_summary(data_dir: Path, summary: dict, mtime: float | None = None) -> Path:
    folder = data_dir / "run_summary" / f"run_date={summary['run_date']}" / f"run_id={summary['run_id']}"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "run_summary.json"
    path.write_text(json.dumps(summary, indent=2), encoding="utf-8")
    if mtime is not None:
        os.utime(path, (mtime, mtime))
    return path


def run_cli(capsys, *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def test_summary_spanish_by_default(tmp_path, capsys):
    write_summary(tmp_path, complete_summary())

    status, out, _ = run_cli(capsys, "--data-dir", str(tmp_path), "summary")

    assert status == 0
    for label in ("Ejecución:", "Fecha:", "Ventana:", "Estado:", "Perfiles en la ventana:",
                  "Clientes coincidentes:", "Clientes de WoowUp:", "Freno de cambios masivos:"):
        assert label in out
    assert SAFE_RUN_ID in out
    assert "2026-03-09" in out
    assert "ok (completa)" in out
    assert "748 (401 con consentimiento" in out
    assert "4000" in out
    assert "431" in out
    assert "Run:" not in out


def test_summary_outcome_rows(tmp_path, capsys):
    write_summary(tmp_path, complete_summary())

    _, out, _ = run_cli(capsys, "--data-dir", str(tmp_path), "summary")
    rows = {line.split()[0]: line for line in out.splitlines() if line.split()}

    for code in SUMMARY_COUNTS:
        assert code in rows, code
        assert ES[f"outcome.{code}"] in rows[code]
    assert rows["enable"].split()[-3:] == ["17", "6", "5"]
    assert rows["deferred"].split()[-3:] == ["0", "0", "4"]
    assert rows["unmatched"].split()[-3:] == ["340", "409", "409"]


def test_summary_window_in_local_time(tmp_path, capsys):
    write_summary(tmp_path, complete_summary())

    _, out, _ = run_cli(capsys, "--data-dir", str(tmp_path), "summary")

    assert "2026-03-09T00:00-03:00 .. 2026-03-10T00:00-03:00 (America/Argentina/Buenos_Aires)" in out


def test_summary_writes_guard_and_causes(tmp_path, capsys):
    write_summary(tmp_path, complete_summary())

    _, out, _ = run_cli(capsys, "--data-dir", str(tmp_path), "summary")

    assert "deferred 4, planned 31" in out
    assert "unchanged_on_recheck 2, written 29" in out
    assert "habilita 20/429 (4.66%" in out
    assert "activado: no" in out
    assert "masked_alias 22, no_area_code 34" in out
    assert "invalid_number 48" in out


def test_summary_english_with_lang(tmp_path, capsys):
    write_summary(tmp_path, complete_summary())

    status, out, _ = run_cli(capsys, "--lang", "en", "--data-dir", str(tmp_path), "summary")

    assert status == 0
    for label in ("Run:", "Date:", "Window:", "Status:", "Profiles in window:", "Matched customers:"):
        assert label in out
    assert "ok (complete)" in out
    assert EN["outcome.enable"] in out
    assert "748 (401 consent" in out
    assert "Ejecución" not in out
    assert ES["outcome.enable"] not in out


def test_summary_lang_from_environment(tmp_path, capsys, monkeypatch):
    write_summary(tmp_path, complete_summary())
    monkeypatch.setenv("OPTIN_SYNC_LANG", "en")

    _, out, _ = run_cli(capsys, "--data-dir", str(tmp_path), "summary")

    assert "Matched customers:" in out
    assert "Clientes coincidentes" not in out


def test_summary_lang_option_beats_environment(tmp_path, capsys, monkeypatch):
    write_summary(tmp_path, complete_summary())
    monkeypatch.setenv("OPTIN_SYNC_LANG", "en")

    _, out, _ = run_cli(capsys, "--lang", "es", "--data-dir", str(tmp_path), "summary")

    assert "Clientes coincidentes:" in out


def test_summary_bad_lang_environment(tmp_path, capsys, monkeypatch):
    write_summary(tmp_path, complete_summary())
    monkeypatch.setenv("OPTIN_SYNC_LANG", "fr")

    status, out, err = run_cli(capsys, "--data-dir", str(tmp_path), "summary")

    assert status == 2
    assert out == ""
    assert "OPTIN_SYNC_LANG" in err
    assert "'fr'" in err
    assert "accepted: es, en" in err


def test_summary_bad_lang_option(capsys):
    with pytest.raises(SystemExit) as caught:
        main(["--lang", "fr", "summary"])

    assert caught.value.code == 2
    assert "invalid choice: 'fr'" in capsys.readouterr().err


def test_summary_data_dir_from_environment(tmp_path, capsys, monkeypatch):
    write_summary(tmp_path, complete_summary())
    monkeypatch.setenv("OPTIN_SYNC_DATA_DIR", str(tmp_path))

    status, out, _ = run_cli(capsys, "summary")

    assert status == 0
    assert SAFE_RUN_ID in out


def test_summary_picks_latest_written(tmp_path, capsys):
    # The latest run by file time wins even when its run date is earlier (a backfill written last).
    write_summary(tmp_path, complete_summary("scheduled__2026-03-11T06_00_00_00_00", "2026-03-10"), mtime=1_000)
    write_summary(tmp_path, complete_summary("backfill__2026-02-01T06_00_00_00_00", "2026-01-31"), mtime=2_000)

    _, out, _ = run_cli(capsys, "--data-dir", str(tmp_path), "summary")

    assert "backfill__2026-02-01T06_00_00_00_00" in out
    assert "scheduled__2026-03-11" not in out


def test_summary_run_id_raw_airflow(tmp_path, capsys):
    write_summary(tmp_path, complete_summary(), mtime=1_000)
    write_summary(tmp_path, complete_summary("scheduled__2026-03-11T06_00_00_00_00", "2026-03-10"), mtime=2_000)

    status, out, _ = run_cli(capsys, "--data-dir", str(tmp_path), "summary", "--run-id", RAW_RUN_ID)

    assert status == 0
    assert SAFE_RUN_ID in out
    assert "scheduled__2026-03-11" not in out


def test_summary_run_id_path_safe(tmp_path, capsys):
    write_summary(tmp_path, complete_summary(), mtime=1_000)
    write_summary(tmp_path, complete_summary("scheduled__2026-03-11T06_00_00_00_00", "2026-03-10"), mtime=2_000)

    status, out, _ = run_cli(capsys, "--data-dir", str(tmp_path), "summary", "--run-id", SAFE_RUN_ID)

    assert status == 0
    assert SAFE_RUN_ID in out


@pytest.mark.parametrize(("lang", "expected"), [
    ("es", "No se encontró la ejecución manual__nope"),
    ("en", "Run manual__nope not found"),
])
def test_summary_unknown_run_id(tmp_path, capsys, lang, expected):
    write_summary(tmp_path, complete_summary())

    status, out, err = run_cli(capsys, "--lang", lang, "--data-dir", str(tmp_path), "summary",
                               "--run-id", "manual__nope")

    assert status == 1
    assert out == ""
    assert expected in err
    assert SAFE_RUN_ID in err


@pytest.mark.parametrize(("lang", "expected"), [
    ("es", "Todavía no hay ejecuciones"),
    ("en", "No runs yet"),
])
def test_summary_missing_data_dir(tmp_path, capsys, lang, expected):
    missing = tmp_path / "never-created"

    status, out, err = run_cli(capsys, "--lang", lang, "--data-dir", str(missing), "summary")

    assert status == 1
    assert out == ""
    assert expected in err
    assert str(missing) in err
    assert "--data-dir" in err


def test_summary_data_dir_without_runs(tmp_path, capsys):
    (tmp_path / "vtex_profiles").mkdir()

    status, _, err = run_cli(capsys, "--data-dir", str(tmp_path), "summary")

    assert status == 1
    assert "Todavía no hay ejecuciones" in err


def test_summary_incomplete_run(tmp_path, capsys):
    context = {key: value for key, value in complete_summary().items()
               if key in ("run_id", "run_date", "window", "full_refresh", "dry_run", "allow_mass_change",
                          "started_at")}
    write_summary(tmp_path, {**context, "status": "incomplete"})

    status, out, _ = run_cli(capsys, "--data-dir", str(tmp_path), "summary")

    assert status == 0
    assert "Estado:" in out
    assert "incomplete (se detuvo antes de controlar y enviar su plan)" in out
    assert ES["incomplete_note"] in out
    assert "Perfiles en la ventana" not in out
    assert "enable" not in out


def test_summary_stopped_by_gate(tmp_path, capsys):
    summary = complete_summary()
    summary["status"] = "stopped_by_gate"
    summary["guard"] = {**summary["guard"], "disabling_customers": 300, "disable_ratio": 300 / 429,
                        "tripped_disable": True, "tripped": True}
    summary["gate_failures"] = ["mass-change guard: disable 300/429=69.93% (max 5.00%)"]
    del summary["ledger_held_back_profiles"]
    write_summary(tmp_path, summary)

    _, out, _ = run_cli(capsys, "--lang", "en", "--data-dir", str(tmp_path), "summary")

    assert "stopped_by_gate (the quality checks or the mass-change guard" in out
    assert "tripped: yes" in out
    assert "Failed checks:" in out
    assert "  - mass-change guard: disable 300/429=69.93% (max 5.00%)" in out
    assert "consent_ledger" not in out


def test_summary_dry_run_flag(tmp_path, capsys):
    write_summary(tmp_path, {**complete_summary(), "dry_run": True})

    _, out, _ = run_cli(capsys, "--data-dir", str(tmp_path), "summary")

    assert "Simulación (dry run): sí" in out


def test_summary_unreadable_json(tmp_path, capsys):
    path = write_summary(tmp_path, complete_summary())
    path.write_text("{not json", encoding="utf-8")

    status, out, err = run_cli(capsys, "--lang", "en", "--data-dir", str(tmp_path), "summary")

    assert status == 1
    assert out == ""
    assert f"Could not read the summary {path}" in err

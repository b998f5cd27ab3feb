"""The analyst view after a real run: no raw email or phone in analyst files, and lookup, revert and forget."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest
from conftest import run_dag, task_states
from world import WINDOW, world

from optin_sync.cli.main import main
from optin_sync.identity.emails import email_key
from optin_sync.identity.phones import phone_key

pytestmark = pytest.mark.e2e


def personal_values(payload: dict) -> set[str]:
    """Every email and phone of the world as stored, plus the normalised keys the matcher makes of them."""
    values = set()
    for document in payload["vtex"]["CL"]:
        values |= {document[name] for name in ("email", "homePhone", "phone", "cellPhone") if document[name]}
    for record in payload["woowup"]["users"]:
        values |= {record[name] for name in ("email", "telephone") if record[name]}
    keys = {email_key(value).key for value in values} | {phone_key(value).key for value in values}
    return {value.strip() for value in values} | {key for key in keys if key}


def analyst_texts(data_dir: Path) -> dict[Path, str]:
    texts = {}
    for path in data_dir.rglob("*"):
        if not path.is_file() or "_raw" in path.relative_to(data_dir).parts:
            continue
        if path.suffix == ".parquet":
            texts[path] = pq.read_table(path).to_pandas().to_csv()
        else:
            texts[path] = path.read_text(encoding="utf-8")
    return texts


def run_world(sandbox, sync_dag) -> str:
    payload = world()
    sandbox.reset(payload)
    dag_run = run_dag(sync_dag, window=WINDOW)
    assert str(dag_run.state) == "success", task_states(dag_run)
    summary = next(sandbox.data_dir.glob("run_summary/run_date=*/run_id=*/run_summary.json"))
    return summary.parent.name.removeprefix("run_id=")


@pytest.fixture
def quiet_run(sandbox, sync_dag, capsys):
    """Run the world once, then drop what the run printed, so a test reads only its command's output."""
    run_id = run_world(sandbox, sync_dag)
    capsys.readouterr()
    return run_id


def test_masked_mode_analyst_files_hold_no_email_or_phone(sandbox, sync_dag):
    run_world(sandbox, sync_dag)
    values = personal_values(world())
    texts = analyst_texts(sandbox.data_dir)
    assert len(texts) > 15
    leaks = {str(path.relative_to(sandbox.data_dir)): sorted(v for v in values if v in text)
             for path, text in texts.items() if any(v in text for v in values)}
    assert leaks == {}
    raw = pd.read_parquet(next((sandbox.data_dir / "_raw" / "woowup_customers").rglob("*.parquet")))
    assert "bruno@hotmail.com" in set(raw["email"])
    assert (sandbox.data_dir / "_raw").stat().st_mode & 0o077 == 0


def test_lookup_finds_one_persons_decisions_through_the_hash(quiet_run, capsys):
    assert main(["--lang", "en", "lookup", "--email", " Bruno@Hotmail.com", "--json"]) == 0
    found = json.loads(capsys.readouterr().out)
    mailing = [row for row in found["decisions"] if row["channel"] == "mailing"]
    assert [(row["userapp_id"], row["outcome"], row["desired_state"]) for row in mailing] == [
        (102, "disable", "disabled")]
    assert [row["result"] for row in found["writes"]] == ["written"]
    assert [row["profile_id"] for row in found["profiles"]] == ["cl-disable"]

    # Found by phone in another shape than the stored one, through the hash of the normalised key.
    assert main(["lookup", "--phone", "+54 9 11 2803-4063", "--json"]) == 0
    by_phone = json.loads(capsys.readouterr().out)
    assert {row["userapp_id"] for row in by_phone["decisions"]} == {103}
    assert main(["lookup", "--email", "nobody@nowhere.com"]) == 1
    assert "No se encontró" in capsys.readouterr().out


def test_lookup_shows_why_a_masked_alias_was_blocked(quiet_run, capsys):
    assert main(["lookup", "--email", "hugo@gmail.com-123b.ct.vtex.com.br", "--json"]) == 0
    found = json.loads(capsys.readouterr().out)
    assert {(row["side"], row["cause"]) for row in found["quarantine"]} >= {("vtex", "masked_alias")}


def test_revert_plans_then_restores_only_untouched_unprotected_channels(sandbox, quiet_run, capsys):
    run_id = quiet_run
    writes_after_run = len(sandbox.writes())

    assert main(["--lang", "en", "revert", "--run-id", run_id]) == 0
    plan = capsys.readouterr().out
    assert "Nothing was sent" in plan
    assert len(sandbox.writes()) == writes_after_run

    # After the run someone turned 102's mailing back on, and 103 unsubscribed from SMS.
    state = sandbox.server.state
    with state.lock:
        state.woowup_users[102]["mailing_enabled"] = "enabled"
        state.woowup_users[103]["sms_enabled_reason"] = "unsubscribe-2026-12-04 09:00:00"

    assert main(["--lang", "en", "revert", "--run-id", run_id, "--apply"]) == 0
    users = {user["userapp_id"]: user for user in sandbox.users()}
    assert users[101]["mailing_enabled"] == "disabled"          # restored
    assert users[102]["mailing_enabled"] == "enabled"           # changed since the run: left as it is
    assert users[103]["sms_enabled"] == "disabled"              # protected now: left as it is
    assert users[103]["whatsapp_enabled"] == "enabled"          # restored
    assert users[103]["sms_enabled_reason"] == "unsubscribe-2026-12-04 09:00:00"

    recorded = pd.read_parquet(next(sandbox.data_dir.glob("reverts/run_date=*/run_id=*/part-0.parquet")))
    why = {(row.userapp_id, row.channel): row.why for row in recorded.itertuples() if row.action == "skip"}
    assert why[(102, "mailing")] == "changed_since_run"
    assert why[(103, "sms")] == "protected"
    assert set(recorded.loc[recorded["action"] == "restore", "result"]) == {"written"}

    # A second revert finds nothing left that is still as the run wrote it.
    assert main(["--lang", "en", "revert", "--run-id", run_id]) == 0
    assert "Nothing to restore" in capsys.readouterr().out


def test_revert_refuses_once_the_raw_zone_is_gone(sandbox, quiet_run, capsys):
    import shutil

    run_id = quiet_run
    shutil.rmtree(sandbox.data_dir / "_raw")
    assert main(["--lang", "en", "revert", "--run-id", run_id, "--apply"]) == 1
    assert "raw zone" in capsys.readouterr().err


def test_forget_removes_every_row_of_one_person(sandbox, quiet_run, capsys):
    assert main(["--lang", "en", "forget", "--email", "bruno@hotmail.com"]) == 0
    out = capsys.readouterr().out
    assert "Removed" in out
    for dataset in ("analyst/decisions", "raw/woowup_customers", "raw/woowup_index"):
        assert dataset in out

    for path in list(sandbox.data_dir.rglob("*.parquet")):
        frame = pq.read_table(path).to_pandas()
        for column in ("userapp_id", "profile_id", "winning_profile_id", "record_id"):
            if column in frame.columns:
                assert not frame[column].astype(str).isin(["102", "cl-disable"]).any(), (path, column)
        assert "bruno@hotmail.com" not in frame.to_csv()
    assert main(["lookup", "--email", "bruno@hotmail.com"]) == 1
    # Nobody else was touched.
    assert main(["lookup", "--email", "ana.perez@gmail.com", "--json"]) == 0


def test_forget_refuses_values_that_name_no_single_person(sandbox, quiet_run, capsys):
    # A masked marketplace alias is rejected by the matcher, so it cannot stand for one person.
    assert main(["--lang", "en", "forget", "--email", "hugo@gmail.com-123b.ct.vtex.com.br"]) == 3
    assert "does not name one person" in capsys.readouterr().err
    assert main(["--lang", "en", "forget", "--email", "   "]) == 2
    assert "give --email or --phone" in capsys.readouterr().err


def test_forget_dry_run_counts_and_changes_nothing(sandbox, quiet_run, capsys):
    before = {path: path.read_bytes() for path in sandbox.data_dir.rglob("*.parquet")}
    assert main(["--lang", "en", "forget", "--email", "bruno@hotmail.com", "--dry-run"]) == 0
    assert "Would remove" in capsys.readouterr().out
    assert {path: path.read_bytes() for path in sandbox.data_dir.rglob("*.parquet")} == before


def test_forget_stops_before_changing_anything_when_a_file_is_unreadable(sandbox, quiet_run, capsys):
    broken = next(sandbox.data_dir.glob("decisions/run_date=*/run_id=*/part-0.parquet"))
    broken.write_bytes(broken.read_bytes()[:200])
    ledger = next(sandbox.data_dir.glob("consent_ledger/run_date=*/run_id=*/part-0.parquet"))
    before = ledger.read_bytes()
    assert main(["--lang", "en", "forget", "--email", "bruno@hotmail.com"]) == 1
    err = capsys.readouterr().err
    assert "not a readable Parquet file" in err
    assert "Traceback" not in err
    assert ledger.read_bytes() == before
    assert main(["--lang", "en", "lookup", "--email", "bruno@hotmail.com"]) == 1
    assert "not a readable Parquet file" in capsys.readouterr().err


def test_report_command_rebuilds_the_run_report_in_english(sandbox, quiet_run, capsys, tmp_path):
    output = tmp_path / "report.html"
    assert main(["--lang", "en", "report", "--run-id", quiet_run, "--output", str(output)]) == 0
    html = output.read_text(encoding="utf-8")
    assert 'lang="en"' in html
    assert "<h2>Outcomes per channel</h2>" in html

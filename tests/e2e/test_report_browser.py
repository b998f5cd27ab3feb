"""The run report, rendered by headless Chromium from the file a real run wrote."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import run_dag
from world import WINDOW, world

pytestmark = pytest.mark.e2e
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
# Flags for a closed network: no background requests, no first-run or sync traffic.
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def rendered_dom(page: Path, profile: Path) -> str:
    result = subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={profile}", "--dump-dom", page.as_uri()],
                            capture_output=True, text=True, timeout=120, check=True)
    return result.stdout


@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed; .ci/run installs it")
@pytest.mark.parametrize("lang", ["es", "en"])
def test_report_renders_key_figures(sandbox, sync_dag, monkeypatch, tmp_path, lang):
    monkeypatch.setenv("OPTIN_SYNC_LANG", lang)
    sandbox.reset(world())
    run_dag(sync_dag, window=WINDOW)
    summary_path = next(Path(sandbox.data_dir).glob("run_summary/*/*/run_summary.json"))
    summary = json.loads(summary_path.read_text())
    dom = rendered_dom(Path(summary["report"]), tmp_path / "chromium-profile")

    heading = "Resultados por canal" if lang == "es" else "Outcomes per channel"
    assert heading in dom
    assert summary["run_id"] in dom
    assert f'<td class="n">{summary["outcomes"]["mailing"]["enable"]}</td>' in dom
    assert "ExpectColumnValuesToBeInSet" in dom
    assert dom.count("<svg") == 4

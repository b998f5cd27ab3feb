"""The HTML run report, rendered from summaries as the closing step writes them."""

from __future__ import annotations

import copy

import pytest

from optin_sync.consent import outcomes as o
from optin_sync.report.html import render_report
from optin_sync.settings import CHANNELS


def summary(run_date: str = "2026-12-03", consent: int = 60, refusal: int = 40, enable: int = 7) -> dict:
    outcomes = {channel: {name: 0 for name in o.SUMMARY_COUNTS} for channel in CHANNELS}
    outcomes["mailing"].update({o.ENABLE: enable, o.DISABLE: 3, o.UNCHANGED: 90, o.PROTECTED: 11})
    return {
        "run_id": f"scheduled__{run_date}", "run_date": run_date, "dry_run": False, "status": "ok",
        "started_at": f"{run_date}T06:00:00+00:00",
        "window": {"start": f"{run_date}T03:00:00+00:00", "end": "2026-12-04T03:00:00+00:00",
                   "timezone": "America/Argentina/Buenos_Aires"},
        "profiles": {"in_window": 120, "consent": consent, "refusal": refusal, "unknown": 20, "invalid": 0,
                     "new_evidence": 100},
        "customers": 4000, "matched_customers": 111, "outcomes": outcomes,
        "causes": {"vtex": {"masked_alias": 5, "no_area_code": 2}},
        "writes": {"planned": 10, "deferred": 4}, "write_results": {"written": 10},
        "guard": {"writable_customers": 100, "disabling_customers": 3, "enabling_customers": 7,
                  "disable_ratio": 0.03, "enable_ratio": 0.07, "max_disable_ratio": 0.05, "max_enable_ratio": 0.05,
                  "min_guard_count": 50, "tripped": False, "overridden": False},
    }


VALIDATION = {"checks": [
    {"dataset": "decisions", "expectation": "ExpectColumnValuesToNotBeNull", "column": "userapp_id",
     "success": True, "observed": {"unexpected_count": 0}},
    {"dataset": "written_channels", "expectation": "ExpectColumnValuesToBeInSet", "column": "protected",
     "success": False, "observed": {"unexpected_count": 2}},
]}


@pytest.fixture
def history() -> list[dict]:
    return [summary(f"2026-11-{day:02d}", consent=50 + day) for day in range(1, 31)] + [summary()]


def test_report_spanish_by_default_words(history):
    page = render_report(summary(), VALIDATION, history, "es")
    assert '<html lang="es">' in page
    assert "Resultados por canal" in page
    assert "se habilita el canal" in page


def test_report_english(history):
    page = render_report(summary(), VALIDATION, history, "en")
    assert "Outcomes per channel" in page
    assert "the channel is enabled" in page


def test_report_key_figures(history):
    page = render_report(summary(), VALIDATION, history, "es")
    assert '<td class="n">7</td>' in page
    assert '<td class="n">11</td>' in page
    assert "masked_alias" in page
    assert "Escrituras postergadas: 4" in page


def test_report_checks_with_verdicts(history):
    page = render_report(summary(), VALIDATION, history, "en")
    assert "ExpectColumnValuesToBeInSet" in page
    assert "&quot;unexpected_count&quot;: 2" in page
    assert '<span class="failed">failed</span>' in page


def test_report_charts_last_thirty_runs(history):
    page = render_report(summary(), VALIDATION, history, "es")
    assert "Últimas ejecuciones (30)" in page
    assert page.count("<svg") == 1 + len(CHANNELS)


def test_report_needs_no_network(history):
    page = render_report(summary(), VALIDATION, history, "es")
    assert "http://" not in page.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "https://" not in page
    assert "<script" not in page


def test_report_escapes_values(history):
    hostile = copy.deepcopy(summary())
    hostile["causes"] = {"vtex": {"<b>x</b>": 1}}
    page = render_report(hostile, None, history, "en")
    assert "<b>x</b>" not in page
    assert "&lt;b&gt;x&lt;/b&gt;" in page

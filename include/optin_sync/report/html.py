"""The run report: one self-contained HTML file per run, in Spanish or English, readable without network."""

from __future__ import annotations

import json
from html import escape
from pathlib import Path
from typing import Any

from optin_sync.report.messages import CATALOGUES
from optin_sync.consent import outcomes as o
from optin_sync.report.charts import line_chart, stacked_bars
from optin_sync.settings import CHANNELS

HISTORY_RUNS = 30
CHART_OUTCOMES = (o.ENABLE, o.DISABLE, o.UNCHANGED, o.PROTECTED)

LABELS = {
    "es": {
        "title": "Informe de la sincronización de opt-in", "outcomes": "Resultados por canal",
        "checks": "Controles de calidad", "dataset": "dataset", "expectation": "expectativa", "column": "columna",
        "observed": "valor observado", "verdict": "veredicto", "passed": "aprobado", "failed": "falló",
        "guard_decision": "Decisión del freno", "tripped": "detuvo la ejecución", "not_tripped": "no la detuvo",
        "overridden": "forzado con allow_mass_change", "deferred": "Escrituras postergadas",
        "quarantine": "Cuarentena y claves rechazadas", "side": "lado", "cause": "causa", "count": "cantidad",
        "history": "Últimas ejecuciones", "optin_share": "Proporción de opt-in entre los perfiles con valor conocido",
        "outcomes_over_runs": "Resultados del canal {channel}", "no_checks": "Sin controles registrados.",
    },
    "en": {
        "title": "Opt-in sync report", "outcomes": "Outcomes per channel",
        "checks": "Quality checks", "dataset": "dataset", "expectation": "expectation", "column": "column",
        "observed": "observed value", "verdict": "verdict", "passed": "passed", "failed": "failed",
        "guard_decision": "Guard decision", "tripped": "stopped the run", "not_tripped": "did not stop it",
        "overridden": "overridden with allow_mass_change", "deferred": "Deferred writes",
        "quarantine": "Quarantine and rejected keys", "side": "side", "cause": "cause", "count": "count",
        "history": "Recent runs", "optin_share": "Opt-in share among profiles with a known value",
        "outcomes_over_runs": "Outcomes of the {channel} channel", "no_checks": "No checks recorded.",
    },
}

STYLE = """body{font-family:system-ui,sans-serif;margin:2rem;color:#222;max-width:72rem}
table{border-collapse:collapse;margin:.5rem 0 1.5rem}td,th{border:1px solid #ccc;padding:.25rem .5rem;text-align:left}
td.n{text-align:right;font-variant-numeric:tabular-nums}.failed{color:#c62828;font-weight:bold}
.passed{color:#2e7d32}figure{margin:0 0 1rem}figcaption{font-weight:bold;margin-bottom:.25rem}"""


def _table(headers: list[str], rows: list[list[Any]], numeric_from: int = 99) -> str:
    head = "".join(f"<th>{escape(str(header))}</th>" for header in headers)
    body = "".join(
        "<tr>" + "".join(
            f'<td class="n">{escape(str(cell))}</td>' if index >= numeric_from else f"<td>{cell}</td>"
            for index, cell in enumerate(row)) + "</tr>"
        for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _outcomes_section(summary: dict, words: dict, labels: dict) -> str:
    rows = [[f"<code>{name}</code>", escape(words[f"outcome.{name}"]),
             *[summary["outcomes"][channel][name] for channel in CHANNELS]] for name in o.SUMMARY_COUNTS]
    table = _table([words["column_outcome"], words["column_description"], *CHANNELS], rows, numeric_from=2)
    return f"<h2>{labels['outcomes']}</h2>{table}"


def _checks_section(validation: dict | None, labels: dict) -> str:
    checks = (validation or {}).get("checks", [])
    if not checks:
        return f"<h2>{labels['checks']}</h2><p>{labels['no_checks']}</p>"
    rows = []
    for check in checks:
        verdict = labels["passed"] if check["success"] else labels["failed"]
        css = "passed" if check["success"] else "failed"
        rows.append([escape(check["dataset"]), escape(check["expectation"]), escape(check["column"]),
                     escape(json.dumps(check["observed"], ensure_ascii=False, default=str)),
                     f'<span class="{css}">{verdict}</span>'])
    headers = [labels["dataset"], labels["expectation"], labels["column"], labels["observed"], labels["verdict"]]
    return f"<h2>{labels['checks']}</h2>{_table(headers, rows)}"


def _guard_section(summary: dict, words: dict, labels: dict) -> str:
    guard = summary["guard"]
    detail = words["guard_detail"].format(
        enabling=guard["enabling_customers"], disabling=guard["disabling_customers"],
        writable=guard["writable_customers"], enable_ratio=guard["enable_ratio"],
        disable_ratio=guard["disable_ratio"], max_enable_ratio=guard["max_enable_ratio"],
        max_disable_ratio=guard["max_disable_ratio"], min_guard_count=guard["min_guard_count"],
        tripped=words["yes"] if guard["tripped"] else words["no"],
        overridden=words["yes"] if guard["overridden"] else words["no"])
    decision = labels["tripped"] if guard["tripped"] else labels["not_tripped"]
    if guard["overridden"]:
        decision += f" ({labels['overridden']})"
    return f"<h2>{escape(words['guard'])}</h2><p>{escape(detail)}</p><p>{labels['guard_decision']}: {decision}</p>"


def _writes_section(summary: dict, words: dict, labels: dict) -> str:
    writes = ", ".join(f"{escape(k)} {v}" for k, v in summary["writes"].items()) or words["none"]
    results = ", ".join(f"{escape(k)} {v}" for k, v in summary["write_results"].items()) or words["none"]
    deferred = summary["writes"].get(o.DEFERRED, 0)
    return (f"<h2>{escape(words['writes'])}</h2><p>{writes}</p><p>{escape(words['write_results'])}: {results}</p>"
            f"<p>{labels['deferred']}: {deferred}</p>")


def _quarantine_section(summary: dict, labels: dict) -> str:
    rows = [[escape(side), f"<code>{escape(cause)}</code>", count]
            for side, causes in sorted(summary["causes"].items()) for cause, count in sorted(causes.items())]
    return f"<h2>{labels['quarantine']}</h2>" + _table([labels["side"], labels["cause"], labels["count"]], rows,
                                                        numeric_from=2)


def _history_section(history: list[dict], labels: dict) -> str:
    runs = [summary for summary in history if "outcomes" in summary][-HISTORY_RUNS:]
    names = [f"{summary['run_date']}" for summary in runs]
    shares = []
    for summary in runs:
        known = summary["profiles"]["consent"] + summary["profiles"]["refusal"]
        shares.append(summary["profiles"]["consent"] / known if known else None)
    charts = [line_chart(labels["optin_share"], names, shares)]
    for channel in CHANNELS:
        series = {name: [summary["outcomes"][channel][name] for summary in runs] for name in CHART_OUTCOMES}
        charts.append(stacked_bars(labels["outcomes_over_runs"].format(channel=channel), names, series))
    return f"<h2>{labels['history']} ({len(runs)})</h2>" + "".join(charts)


def render_report(summary: dict, validation: dict | None, history: list[dict], lang: str) -> str:
    """Render one run's report; ``history`` is the run summaries to chart, oldest first, this run included."""
    words, labels = CATALOGUES[lang], LABELS[lang]
    window = summary["window"]
    status = summary.get("status", "unknown")
    header = _table([words["run"], words["run_date"], words["window"], words["dry_run"], words["status"]], [[
        escape(summary["run_id"]), escape(summary["run_date"]),
        escape(f"{window['start']} .. {window['end']} ({window['timezone']})"),
        words["yes"] if summary["dry_run"] else words["no"],
        escape(f"{status}: {words.get(f'status.{status}', words['status.unknown'])}")]])
    counts = (f"<p>{escape(words['profiles_in_window'])}: {summary['profiles']['in_window']} · "
              f"{escape(words['customers'])}: {summary['customers']} · "
              f"{escape(words['matched_customers'])}: {summary['matched_customers']}</p>")
    sections = [header, counts, _outcomes_section(summary, words, labels), _checks_section(validation, labels),
                _guard_section(summary, words, labels), _writes_section(summary, words, labels),
                _quarantine_section(summary, labels), _history_section(history, labels)]
    return (f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8"><title>{labels["title"]} · '
            f'{escape(summary["run_id"])}</title><style>{STYLE}</style></head><body><h1>{labels["title"]}</h1>'
            + "".join(sections) + "</body></html>")


def load_history(root: Path) -> list[dict]:
    """Read every run summary under ``root``, oldest first by run date and start time."""
    summaries = []
    for path in root.glob("run_summary/run_date=*/run_id=*/run_summary.json"):
        try:
            summaries.append(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, json.JSONDecodeError):
            continue
    return sorted(summaries, key=lambda summary: (summary.get("run_date", ""), summary.get("started_at", "")))

"""Message catalogues of the summary and the run report, one dict per language (``es`` and ``en``).

Both dicts have the same keys, which ``tests/unit/cli`` checks. Outcome, status and result codes stay in
English in every language because they are the values written in the snapshots.
"""

from __future__ import annotations

ES: dict[str, str] = {
    # Run context
    "run": "Ejecución",
    "run_date": "Fecha",
    "window": "Ventana",
    "dry_run": "Simulación (dry run)",
    "status": "Estado",
    "yes": "sí",
    "no": "no",
    # Status descriptions
    "status.ok": "completa",
    "status.failed_writes": "alguna escritura falló o creó un cliente",
    "status.stopped_by_gate": "los controles de calidad o el freno de cambios masivos la detuvieron antes de escribir",
    "status.incomplete": "se detuvo antes de controlar y enviar su plan",
    "status.unknown": "estado desconocido",
    "incomplete_note": "El resumen solo contiene el contexto de la ejecución; vea el log de la tarea que falló.",
    # Counts
    "profiles_in_window": "Perfiles en la ventana",
    "profiles_breakdown": ("{consent} con consentimiento, {refusal} con rechazo, {unknown} desconocidos, "
                           "{invalid} inválidos; {new_evidence} con evidencia nueva"),
    "customers": "Clientes de WoowUp",
    "matched_customers": "Clientes coincidentes",
    "outcomes_heading": "Clientes coincidentes por canal, según el resultado:",
    "also_counted_heading": "Contados aparte:",
    "column_outcome": "resultado",
    "column_description": "descripción",
    # Outcome descriptions, next to the outcome codes
    "outcome.enable": "se habilita el canal",
    "outcome.disable": "se deshabilita el canal",
    "outcome.unchanged": "el canal ya está en el estado deseado",
    "outcome.protected": "el motivo del canal impide cualquier escritura",
    "outcome.newer_in_crm": "WoowUp cambió el canal después de la evidencia",
    "outcome.no_new_evidence": "el valor ganador no aporta evidencia nueva",
    "outcome.unknown_opt_in": "el valor ganador es desconocido",
    "outcome.invalid_opt_in": "el valor ganador es inválido",
    "outcome.not_a_consent_channel": "el canal no está en consent_channels",
    "outcome.ambiguous_identifier": "ningún identificador nombra solo a este cliente",
    "outcome.deferred": "cupo de escrituras agotado; lo envía la ejecución siguiente",
    "outcome.conflict": "clientes cuyos perfiles no coincidían (ya contados arriba)",
    "outcome.unmatched": "perfiles de la ventana que no decidieron ningún cliente",
    # Writes, guard and quarantine
    "writes": "Escrituras planificadas",
    "write_results": "Resultados de las escrituras",
    "none": "ninguna",
    "guard": "Freno de cambios masivos",
    "guard_detail": ("habilita {enabling}/{writable} ({enable_ratio:.2%}, máx. {max_enable_ratio:.2%}), "
                     "deshabilita {disabling}/{writable} ({disable_ratio:.2%}, máx. {max_disable_ratio:.2%}), "
                     "rige desde {min_guard_count} clientes; activado: {tripped}; forzado: {overridden}"),
    "gate_failures": "Controles que fallaron",
    "ledger_held_back": "Perfiles retenidos del consent_ledger",
    "causes": "Rechazos y cuarentena ({side})",
    # Errors
    "error.no_runs": ("Todavía no hay ejecuciones: no hay ningún run_summary.json en {folder}. Corra el DAG o "
                      "indique otra carpeta con --data-dir."),
    "error.run_not_found": "No se encontró la ejecución {run_id} en {folder}. Ejecuciones recientes: {recent}.",
    "error.unreadable": "No se pudo leer el resumen {path}: {error}",
    # lookup, forget, revert, report
    "lookup.searching": "Buscando {kind} {key} por su hash con clave secreta (el valor buscado no se guarda).",
    "lookup.rejected_key": "El buscador de coincidencias rechazaría este valor; se busca igual por su forma canónica.",
    "lookup.not_found": "No se encontró a esta persona en ninguna ejecución de {folder}.",
    "lookup.found": "Encontrado: {profiles} perfil(es) de VTEX y {customers} cliente(s) de WoowUp.",
    "lookup.profiles": "Perfiles de VTEX (opt-in leído en cada ejecución):",
    "lookup.decisions": "Decisiones por canal en cada ejecución:",
    "lookup.quarantine": "Cuarentena (claves rechazadas y filas apartadas, con su causa):",
    "lookup.writes": "Resultados de escritura en WoowUp:",
    "lookup.none": "(ninguna)",
    "forget.too_many": ("El valor coincide con {records} registros (máximo {limit}); puede ser un dato compartido. "
                        "Revise con lookup y repita con --max-records si corresponde."),
    "forget.done": "Se borraron {total} filas de {runs} ejecución(es):",
    "forget.nothing": "No había filas de esta persona; no se cambió nada.",
    "forget.would_remove": "Se borrarían {total} filas de {runs} ejecución(es) (simulación: no se cambió nada):",
    "forget.rejected_value": ("El buscador de coincidencias rechaza este valor (de relleno o ilegible), así que no "
                              "identifica a una sola persona: no se borró nada. Use otro email o teléfono."),
    "forget.no_raw_zone": "No existe la zona cruda {folder}: no se revisó.",
    "report.incomplete": "La ejecución {run_id} no llegó a planificar, así que no tiene informe; vea su resumen.",
    "revert.plan": "Plan para revertir la ejecución {run_id}: {restore} canal(es) a restaurar, {skip} sin cambios.",
    "revert.dry": "No se envió nada. Repita con --apply para escribir estos {customers} cliente(s) en WoowUp.",
    "revert.applied": "Reversión enviada: {results}. Resultados en {path}.",
    "revert.nothing": "Nada para restaurar.",
    "revert.unavailable": "No se puede revertir: {error}",
    "report.written": "Informe escrito en {path}",
    "error.connection": "Falta una conexión de Airflow: {error}",
}

EN: dict[str, str] = {
    # Run context
    "run": "Run",
    "run_date": "Date",
    "window": "Window",
    "dry_run": "Dry run",
    "status": "Status",
    "yes": "yes",
    "no": "no",
    # Status descriptions
    "status.ok": "complete",
    "status.failed_writes": "some writes failed or created a customer",
    "status.stopped_by_gate": "the quality checks or the mass-change guard stopped it before any write",
    "status.incomplete": "stopped before its plan was checked and sent",
    "status.unknown": "unknown status",
    "incomplete_note": "The summary contains only the run's context; see the log of the failed task.",
    # Counts
    "profiles_in_window": "Profiles in window",
    "profiles_breakdown": ("{consent} consent, {refusal} refusal, {unknown} unknown, {invalid} invalid; "
                           "{new_evidence} new evidence"),
    "customers": "WoowUp customers",
    "matched_customers": "Matched customers",
    "outcomes_heading": "Matched customers per channel, by outcome:",
    "also_counted_heading": "Also counted:",
    "column_outcome": "outcome",
    "column_description": "description",
    # Outcome descriptions, next to the outcome codes
    "outcome.enable": "the channel is enabled",
    "outcome.disable": "the channel is disabled",
    "outcome.unchanged": "the channel already has the desired state",
    "outcome.protected": "the channel's reason blocks any write",
    "outcome.newer_in_crm": "WoowUp changed the channel after the evidence",
    "outcome.no_new_evidence": "the winning value is no new evidence",
    "outcome.unknown_opt_in": "the winning value is unknown",
    "outcome.invalid_opt_in": "the winning value is invalid",
    "outcome.not_a_consent_channel": "the channel is not in consent_channels",
    "outcome.ambiguous_identifier": "no identifier names only this customer",
    "outcome.deferred": "write quota used up, so the next run sends it",
    "outcome.conflict": "customers whose profiles disagreed (already counted above)",
    "outcome.unmatched": "window profiles that decided no customer",
    # Writes, guard and quarantine
    "writes": "Planned writes",
    "write_results": "Write results",
    "none": "none",
    "guard": "Mass-change guard",
    "guard_detail": ("enables {enabling}/{writable} ({enable_ratio:.2%}, max {max_enable_ratio:.2%}), "
                     "disables {disabling}/{writable} ({disable_ratio:.2%}, max {max_disable_ratio:.2%}), "
                     "applies from {min_guard_count} customers; tripped: {tripped}; overridden: {overridden}"),
    "gate_failures": "Failed checks",
    "ledger_held_back": "Profiles held back from consent_ledger",
    "causes": "Rejected and quarantined ({side})",
    # Errors
    "error.no_runs": ("No runs yet: there is no run_summary.json under {folder}. Run the DAG or give another "
                      "folder with --data-dir."),
    "error.run_not_found": "Run {run_id} not found under {folder}. Recent runs: {recent}.",
    "error.unreadable": "Could not read the summary {path}: {error}",
    # lookup, forget, revert, report
    "lookup.searching": "Looking up {kind} {key} by its keyed hash (the value looked up is not stored).",
    "lookup.rejected_key": "The matcher would reject this value; searching by its canonical form anyway.",
    "lookup.not_found": "This person was not found in any run under {folder}.",
    "lookup.found": "Found: {profiles} VTEX profile(s) and {customers} WoowUp customer(s).",
    "lookup.profiles": "VTEX profiles (opt-in as read by each run):",
    "lookup.decisions": "Channel decisions in each run:",
    "lookup.quarantine": "Quarantine (rejected keys and set-aside rows, with their cause):",
    "lookup.writes": "WoowUp write results:",
    "lookup.none": "(none)",
    "forget.too_many": ("The value matches {records} records (limit {limit}); it may be shared. Check with lookup "
                        "and repeat with --max-records if that is right."),
    "forget.done": "Removed {total} rows from {runs} run(s):",
    "forget.nothing": "No rows of this person were found; nothing changed.",
    "forget.would_remove": "Would remove {total} rows from {runs} run(s) (dry run: nothing changed):",
    "forget.rejected_value": ("The matcher rejects this value (a placeholder or unreadable), so it does not name one "
                              "person: nothing was removed. Use another email or phone."),
    "forget.no_raw_zone": "The raw zone {folder} does not exist: it was not checked.",
    "report.incomplete": "Run {run_id} stopped before planning, so it has no report; see its summary.",
    "revert.plan": "Plan to revert run {run_id}: {restore} channel(s) to restore, {skip} left as they are.",
    "revert.dry": "Nothing was sent. Repeat with --apply to write these {customers} customer(s) to WoowUp.",
    "revert.applied": "Revert sent: {results}. Results in {path}.",
    "revert.nothing": "Nothing to restore.",
    "revert.unavailable": "Cannot revert: {error}",
    "report.written": "Report written to {path}",
    "error.connection": "An Airflow Connection is missing: {error}",
}

CATALOGUES: dict[str, dict[str, str]] = {"es": ES, "en": EN}
LANGUAGES: tuple[str, ...] = tuple(CATALOGUES)


def catalogue(lang: str) -> dict[str, str]:
    """Return the messages of ``lang``, or raise ``KeyError`` for a language other than ``es`` or ``en``."""
    return CATALOGUES[lang]

"""
### VTEX → WoowUp opt-in sync

Carries the newsletter consent that shoppers give at the VTEX checkout (`isNewsletterOptIn`) to the `mailing`,
`sms` and `whatsapp` channels of the matching WoowUp customers.

Each night the run covers the previous local day. It extracts the VTEX profiles changed in that window and every
WoowUp customer to Parquet snapshots, and matches them by normalised email and phone. It decides each channel by the
consent rules, checks quality and the mass-change guard, and writes only the changed channels.

Connections: `vtex_default` (host = base URL, login = app key, password = app token), `woowup_default`
(host = base URL, password = API key) and `optin_sync_pii` (password = key of the personal-data hashes).
Settings: `OPTIN_SYNC_*` environment variables (see `docs/settings.md`).

With `OPTIN_SYNC_ACCOUNTS_FILE` set, each account of that file gets its own DAG, `vtex_woowup_optin_sync__<account>`,
with the account's Connections, settings, pool and data folder (see `docs/deployment.md`).
"""

from __future__ import annotations

import pendulum
from airflow.sdk import Param, dag, get_current_context, task
from optin_sync.accounts import load_accounts
from optin_sync_notifier import failure_notifier
from optin_sync_timetable import PreviousLocalDayTimetable

# Read at parse time so that a bad OPTIN_SYNC_* value or accounts file shows as an import error naming the
# variable, or the account and the field. Without OPTIN_SYNC_ACCOUNTS_FILE there is one account and one DAG.
ACCOUNTS = {account.dag_id: account for account in load_accounts()}
# The tasks that call WoowUp run in the account's pool: its single slot keeps nightly runs and backfills of one
# account inside the account's rate limit together.
WOOWUP_TASKS = ("extract_woowup_customers", "ensure_opt_in_attribute", "push_updates")

PARAMS = {
    "window_start": Param(None, type=["null", "string"],
                          description="Start of the window (ISO 8601, inclusive); overrides the data interval. "
                                      "A time without an offset is read in OPTIN_SYNC_TIMEZONE."),
    "window_end": Param(None, type=["null", "string"],
                        description="End of the window (ISO 8601, exclusive); give it with window_start."),
    "full_refresh": Param(False, type="boolean",
                          description="Read every VTEX profile and treat every known opt-in as new evidence."),
    "dry_run": Param(False, type="boolean",
                     description="Plan and report, but send nothing to WoowUp and leave the consent ledger as is."),
    "allow_mass_change": Param(False, type="boolean",
                               description="Let the run through the mass-change guard: only after checking that "
                                           "the planned enables or disables are deliberate."),
}


def _account():
    return ACCOUNTS[get_current_context()["dag"].dag_id]


def _settings():
    return _account().settings()


def _final(call, *args):
    """Run a library step; errors that a retry cannot fix fail the task at once instead of retrying."""
    from airflow.sdk.exceptions import AirflowFailException
    from optin_sync.errors import QualityGateFailed, SettingsError, WindowError

    try:
        return call(*args)
    except (QualityGateFailed, SettingsError, WindowError) as exc:
        raise AirflowFailException(str(exc)) from exc


def _pii_key(settings) -> str | None:
    from optin_sync_hooks import PiiKeyHook

    return PiiKeyHook(settings.pii_conn_id).key()


def _context(run: dict):
    from optin_sync.run.context import RunContext

    return RunContext.from_dict(run)


def vtex_woowup_optin_sync():
    @task
    def resolve_run() -> dict:
        from optin_sync.run.context import RunContext
        from optin_sync.windows import resolve_window

        from optin_sync.snapshots.zones import make_hasher

        context = get_current_context()
        params, dag_run = context["params"], context["dag_run"]
        settings = _final(_settings)
        # Fails the run at once, naming the Connection, when masked mode has no hash key.
        _final(make_hasher, settings, _pii_key(settings))
        window = _final(lambda: resolve_window(
            window_start=params["window_start"], window_end=params["window_end"],
            data_interval_start=dag_run.data_interval_start, data_interval_end=dag_run.data_interval_end,
            tz_name=settings.timezone, run_after=dag_run.run_after))
        return RunContext.create(dag_run.run_id, window, full_refresh=params["full_refresh"],
                                 dry_run=params["dry_run"], allow_mass_change=params["allow_mass_change"]).to_dict()

    @task
    def extract_vtex_profiles(run: dict) -> dict:
        from optin_sync.run.extract import extract_vtex_profiles as extract
        from optin_sync_hooks import VtexHook

        settings = _settings()
        return extract(_context(run), settings, *VtexHook(_account().vtex_conn_id).endpoint(), _pii_key(settings))

    @task
    def extract_woowup_customers(run: dict) -> dict:
        from optin_sync.run.extract import extract_woowup_customers as extract
        from optin_sync_hooks import WoowUpHook

        settings = _settings()
        return extract(_context(run), settings, *WoowUpHook(_account().woowup_conn_id).endpoint(), _pii_key(settings))

    # Above OPTIN_SYNC_BUCKET_THRESHOLD_ROWS, planning splits into buckets that the workers share: one mapped task
    # instance per bucket matches its keys, then one per bucket decides its customers. Below it, prepare returns no
    # bucket, both mapped tasks are skipped and plan_channel_updates plans the run on its own.
    @task
    def plan_prepare(run: dict, _profiles: dict, _customers: dict) -> list[int]:
        from optin_sync.run.buckets import plan_prepare as prepare

        return prepare(_context(run), _settings())

    @task
    def match_bucket(run: dict, bucket: int) -> dict:
        from optin_sync.run.buckets import match_bucket as match

        return match(_context(run), _settings(), bucket)

    @task
    def decide_bucket(run: dict, bucket: int) -> dict:
        from optin_sync.run.buckets import decide_bucket as decide

        return decide(_context(run), _settings(), bucket)

    @task(trigger_rule="none_failed")
    def plan_channel_updates(run: dict, buckets: list[int]) -> dict:
        from optin_sync.run.planning import plan_channel_updates as plan

        settings = _settings()
        return plan(_context(run), settings, _pii_key(settings), buckets=len(buckets))

    @task
    def check_quality(run: dict, _plan: dict) -> dict:
        from optin_sync.run.gate import check_quality as check

        return _final(check, _context(run), _settings())

    @task
    def ensure_opt_in_attribute(run: dict, _gate: dict) -> dict:
        from optin_sync.run.loading import ensure_opt_in_attribute as ensure
        from optin_sync_hooks import WoowUpHook

        return ensure(_context(run), _settings(), *WoowUpHook(_account().woowup_conn_id).endpoint())

    # A full budget of 5,000 writes takes about 36 minutes at 140 requests per minute, twice that with re-reads.
    @task(execution_timeout=pendulum.duration(hours=3))
    def push_updates(run: dict, _attribute: dict) -> dict:
        from optin_sync.run.loading import push_updates as push
        from optin_sync_hooks import WoowUpHook

        settings = _settings()
        return push(_context(run), settings, *WoowUpHook(_account().woowup_conn_id).endpoint(), _pii_key(settings))

    # Runs after every outcome of the steps before it, so a run the gate stopped still leaves a summary.
    @task(trigger_rule="all_done", retries=0)
    def write_run_summary(run: dict) -> dict:
        from airflow.sdk.exceptions import AirflowFailException
        from optin_sync.errors import LoadError
        from optin_sync.run.finish import write_run_summary as summarise

        try:
            return summarise(_context(run), _settings())
        except LoadError as exc:
            raise AirflowFailException(str(exc)) from exc

    run = resolve_run()
    profiles = extract_vtex_profiles(run)
    customers = extract_woowup_customers(run)
    buckets = plan_prepare(run, profiles, customers)
    matched = match_bucket.partial(run=run).expand(bucket=buckets)
    decided = decide_bucket.partial(run=run).expand(bucket=buckets)
    plan = plan_channel_updates(run, buckets)
    matched >> decided >> plan
    gate = check_quality(run, plan)
    attribute = ensure_opt_in_attribute(run, gate)
    pushed = push_updates(run, attribute)
    pushed >> write_run_summary(run)


def build_dag(account):
    """Build one account's DAG: its id, schedule and time zone, its pool and its failure notifier."""
    settings = account.settings()
    sync = dag(
        dag_id=account.dag_id,
        schedule=PreviousLocalDayTimetable(timezone=settings.timezone, run_at=settings.schedule_time),
        start_date=pendulum.datetime(2026, 1, 1, tz=settings.timezone),
        catchup=False,
        max_active_runs=1,
        # Bounds a run that never finishes, such as one whose tasks wait on a pool that does not exist. Such a run
        # then fails, and the notifier reports it.
        dagrun_timeout=settings.run_timeout,
        params=PARAMS,
        doc_md=__doc__,
        tags=["vtex", "woowup", "consent", f"account:{account.name}"],
        default_args={"retries": 2, "retry_delay": pendulum.duration(minutes=1), "retry_exponential_backoff": True},
        on_failure_callback=failure_notifier(settings),
    )(vtex_woowup_optin_sync)()
    for task_id in WOOWUP_TASKS:
        sync.get_task(task_id).pool = account.pool
    return sync


for account in ACCOUNTS.values():
    build_dag(account)

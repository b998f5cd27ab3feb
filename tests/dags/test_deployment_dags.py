"""The DAG file as deployed: pools of the WoowUp tasks, run timeout, failure notifier, one DAG per account."""

from pathlib import Path

import pytest

DAGS = Path(__file__).resolve().parents[2] / "dags"
WOOWUP_TASKS = {"extract_woowup_customers", "ensure_opt_in_attribute", "push_updates"}
TWO_ACCOUNTS = """
accounts:
  - name: norte
    schedule_time: "04:15"
    connections: {vtex: vtex_store_norte}
    settings: {timezone: America/Argentina/Cordoba}
  - name: sur
    pool: woowup_shared
"""


def parse(monkeypatch, **environment: str):
    from airflow.dag_processing.dagbag import DagBag

    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    return DagBag(dag_folder=str(DAGS))


def only_import_error(bag) -> str:
    assert len(bag.import_errors) == 1
    return next(iter(bag.import_errors.values()))


@pytest.fixture
def default_bag(monkeypatch):
    monkeypatch.delenv("OPTIN_SYNC_ACCOUNTS_FILE", raising=False)
    return parse(monkeypatch)


@pytest.fixture
def accounts_bag(monkeypatch, tmp_path):
    path = tmp_path / "accounts.yaml"
    path.write_text(TWO_ACCOUNTS, encoding="utf-8")
    return parse(monkeypatch, OPTIN_SYNC_ACCOUNTS_FILE=str(path), OPTIN_SYNC_DATA_DIR=str(tmp_path / "data"))


def test_default_is_single_dag(default_bag):
    assert default_bag.import_errors == {}
    assert sorted(default_bag.dags) == ["vtex_woowup_optin_sync"]


def test_woowup_tasks_share_default_pool(default_bag):
    dag = default_bag.dags["vtex_woowup_optin_sync"]
    pools = {task.task_id: task.pool for task in dag.tasks}
    assert {pools[task_id] for task_id in WOOWUP_TASKS} == {"woowup_default"}
    assert {pool for task_id, pool in pools.items() if task_id not in WOOWUP_TASKS} == {"default_pool"}


def test_retries_back_off(default_bag):
    task = default_bag.dags["vtex_woowup_optin_sync"].get_task("push_updates")
    assert task.retries == 2
    assert task.retry_exponential_backoff


def test_run_timeout_from_settings(monkeypatch):
    monkeypatch.delenv("OPTIN_SYNC_ACCOUNTS_FILE", raising=False)
    bag = parse(monkeypatch, OPTIN_SYNC_RUN_TIMEOUT="PT6H")
    assert bag.dags["vtex_woowup_optin_sync"].dagrun_timeout.total_seconds() == 6 * 3600


def test_failure_notifier_logs_by_default(default_bag):
    from optin_sync_notifier import LogFailureNotifier

    assert isinstance(default_bag.dags["vtex_woowup_optin_sync"].on_failure_callback, LogFailureNotifier)


def test_failure_notifier_by_dotted_path(monkeypatch):
    from airflow.providers.smtp.notifications.smtp import SmtpNotifier

    monkeypatch.delenv("OPTIN_SYNC_ACCOUNTS_FILE", raising=False)
    bag = parse(monkeypatch, OPTIN_SYNC_FAILURE_NOTIFIER="airflow.providers.smtp.notifications.smtp.SmtpNotifier",
                OPTIN_SYNC_FAILURE_NOTIFIER_KWARGS='{"to": "ops@example.com", "from_email": "airflow@example.com"}')
    notifier = bag.dags["vtex_woowup_optin_sync"].on_failure_callback
    assert isinstance(notifier, SmtpNotifier)
    assert notifier.to == "ops@example.com"


@pytest.mark.parametrize(("value", "words"), [
    ("optin_sync_notifier.NoSuchNotifier", ["OPTIN_SYNC_FAILURE_NOTIFIER", "could not be imported"]),
    ("optin_sync.settings.Settings", ["OPTIN_SYNC_FAILURE_NOTIFIER", "not a BaseNotifier subclass"]),
])
def test_bad_failure_notifier_is_import_error(monkeypatch, value, words):
    monkeypatch.delenv("OPTIN_SYNC_ACCOUNTS_FILE", raising=False)
    error = only_import_error(parse(monkeypatch, OPTIN_SYNC_FAILURE_NOTIFIER=value))
    for word in words:
        assert word in error


def test_one_dag_per_account(accounts_bag):
    assert accounts_bag.import_errors == {}
    assert sorted(accounts_bag.dags) == ["vtex_woowup_optin_sync__norte", "vtex_woowup_optin_sync__sur"]


def test_account_schedule_and_timezone(accounts_bag):
    norte = accounts_bag.dags["vtex_woowup_optin_sync__norte"].timetable
    sur = accounts_bag.dags["vtex_woowup_optin_sync__sur"].timetable
    assert (norte.timezone, norte.run_at) == ("America/Argentina/Cordoba", "04:15")
    assert (sur.timezone, sur.run_at) == ("America/Argentina/Buenos_Aires", "03:00")


def test_account_pools(accounts_bag):
    for dag_id, pool in [("vtex_woowup_optin_sync__norte", "woowup_norte"),
                         ("vtex_woowup_optin_sync__sur", "woowup_shared")]:
        dag = accounts_bag.dags[dag_id]
        assert {dag.get_task(task_id).pool for task_id in WOOWUP_TASKS} == {pool}
        assert dag.max_active_runs == 1


def test_account_dag_keeps_tasks_and_params(accounts_bag, default_bag):
    norte = accounts_bag.dags["vtex_woowup_optin_sync__norte"]
    default = default_bag.dags["vtex_woowup_optin_sync"]
    assert sorted(norte.task_ids) == sorted(default.task_ids)
    assert set(norte.params) == set(default.params)


def test_bad_accounts_file_is_import_error(monkeypatch, tmp_path):
    path = tmp_path / "accounts.yaml"
    path.write_text("accounts:\n  - name: norte\n  - name: sur\n    settings: {woowup_concurrency: 99}\n",
                    encoding="utf-8")
    error = only_import_error(parse(monkeypatch, OPTIN_SYNC_ACCOUNTS_FILE=str(path)))
    assert "account 'sur'" in error
    assert "field settings.woowup_concurrency" in error

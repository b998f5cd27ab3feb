"""The DAG folder imports cleanly and the sync DAG has the shape operators expect."""

from datetime import datetime, timezone
from pathlib import Path

import pytest

DAGS = Path(__file__).resolve().parents[2] / "dags"
TASKS = ["resolve_run", "extract_vtex_profiles", "extract_woowup_customers", "plan_prepare", "match_bucket",
         "decide_bucket", "plan_channel_updates", "check_quality", "ensure_opt_in_attribute", "push_updates",
         "write_run_summary"]


@pytest.fixture(scope="module")
def dagbag():
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(DAGS))


def test_dagbag_has_no_import_errors(dagbag):
    assert dagbag.import_errors == {}


def test_sync_dag_tasks(dagbag):
    dag = dagbag.dags["vtex_woowup_optin_sync"]
    assert sorted(dag.task_ids) == sorted(TASKS)


def test_gate_runs_before_any_write(dagbag):
    dag = dagbag.dags["vtex_woowup_optin_sync"]
    upstream_of_push = dag.get_task("push_updates").get_flat_relative_ids(upstream=True)
    assert "check_quality" in upstream_of_push
    assert "ensure_opt_in_attribute" in upstream_of_push


def test_buckets_run_between_prepare_and_plan(dagbag):
    dag = dagbag.dags["vtex_woowup_optin_sync"]
    assert dag.get_task("match_bucket").upstream_task_ids >= {"plan_prepare"}
    assert dag.get_task("decide_bucket").upstream_task_ids >= {"plan_prepare", "match_bucket"}
    assert dag.get_task("plan_channel_updates").upstream_task_ids >= {"plan_prepare", "decide_bucket"}
    # A run below the threshold maps no bucket: the skipped bucket tasks must not skip the plan.
    assert dag.get_task("plan_channel_updates").trigger_rule == "none_failed"


def test_params_and_limits(dagbag):
    dag = dagbag.dags["vtex_woowup_optin_sync"]
    assert set(dag.params) == {"window_start", "window_end", "full_refresh", "dry_run", "allow_mass_change"}
    assert dag.max_active_runs == 1
    assert dag.params.get_param("dry_run").description


def test_timetable_covers_previous_local_day(dagbag):
    from airflow.timetables.base import DataInterval, TimeRestriction
    from pendulum import instance

    dag = dagbag.dags["vtex_woowup_optin_sync"]
    last = DataInterval(instance(datetime(2026, 12, 2, 3, tzinfo=timezone.utc)),
                        instance(datetime(2026, 12, 3, 3, tzinfo=timezone.utc)))
    info = dag.timetable.next_dagrun_info(last_automated_data_interval=last,
                                          restriction=TimeRestriction(None, None, catchup=True))
    assert info.data_interval.start == datetime(2026, 12, 3, 3, tzinfo=timezone.utc)
    assert info.data_interval.end == datetime(2026, 12, 4, 3, tzinfo=timezone.utc)
    assert info.run_after == datetime(2026, 12, 4, 6, tzinfo=timezone.utc)


def test_manual_run_infers_previous_day(dagbag):
    from pendulum import instance

    dag = dagbag.dags["vtex_woowup_optin_sync"]
    interval = dag.timetable.infer_manual_data_interval(
        run_after=instance(datetime(2026, 12, 4, 15, tzinfo=timezone.utc)))
    assert interval.start == datetime(2026, 12, 3, 3, tzinfo=timezone.utc)
    assert interval.end == datetime(2026, 12, 4, 3, tzinfo=timezone.utc)

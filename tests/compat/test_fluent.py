"""The fluent ``mlflow.*`` API against the server."""

import math

import mlflow
import pandas as pd
import pytest
from mlflow.utils.mlflow_tags import MLFLOW_PARENT_RUN_ID, MLFLOW_RUN_NAME


def test_set_experiment_creates_then_reuses(fluent, client, uniq):
    exp = mlflow.set_experiment(uniq)
    assert exp.name == uniq
    assert client.get_experiment_by_name(uniq).experiment_id == exp.experiment_id
    again = mlflow.set_experiment(uniq)
    assert again.experiment_id == exp.experiment_id
    by_id = mlflow.set_experiment(experiment_id=exp.experiment_id)
    assert by_id.name == uniq


def test_start_run_context_manager_finishes(fluent, client, uniq):
    exp = mlflow.set_experiment(uniq)
    with mlflow.start_run(run_name="fluent-run") as run:
        run_id = run.info.run_id
        assert mlflow.active_run().info.run_id == run_id
        mlflow.log_params({"lr": 0.01, "layers": 3, "opt": "adam"})
        mlflow.log_param("single", "x")
        mlflow.log_metrics({"acc": 0.91, "loss": 0.25})
        mlflow.log_metric("loss", 0.2, step=1)
        mlflow.log_metric("loss", 0.1, step=2)
        mlflow.set_tags({"team": "ml", "stage": "dev"})
        mlflow.set_tag("single", "t")
    assert mlflow.active_run() is None
    r = client.get_run(run_id)
    assert r.info.experiment_id == exp.experiment_id
    assert r.info.status == "FINISHED"
    assert r.info.run_name == "fluent-run"
    assert isinstance(r.info.end_time, int) and r.info.end_time >= r.info.start_time
    assert r.data.params == {"lr": "0.01", "layers": "3", "opt": "adam", "single": "x"}
    assert r.data.metrics == {"acc": 0.91, "loss": 0.1}
    assert [m.value for m in client.get_metric_history(run_id, "loss")] == [0.25, 0.2, 0.1]
    assert [m.step for m in client.get_metric_history(run_id, "loss")] == [0, 1, 2]
    tags = r.data.tags
    assert tags["team"] == "ml" and tags["stage"] == "dev" and tags["single"] == "t"
    assert tags[MLFLOW_RUN_NAME] == "fluent-run"
    # Default context tags set by the fluent API.
    assert "mlflow.user" in tags
    assert "mlflow.source.type" in tags
    assert "mlflow.source.name" in tags


def test_start_run_exception_marks_failed(fluent, client, uniq):
    mlflow.set_experiment(uniq)
    run_id = None
    with pytest.raises(ZeroDivisionError):
        with mlflow.start_run() as run:
            run_id = run.info.run_id
            mlflow.log_metric("before", 1.0)
            1 / 0  # noqa: B018
    assert mlflow.active_run() is None
    r = client.get_run(run_id)
    assert r.info.status == "FAILED"
    assert r.data.metrics == {"before": 1.0}


def test_end_run_with_status(fluent, client, uniq):
    mlflow.set_experiment(uniq)
    run = mlflow.start_run()
    mlflow.end_run(status="KILLED")
    assert client.get_run(run.info.run_id).info.status == "KILLED"


def test_nested_runs(fluent, client, uniq):
    exp = mlflow.set_experiment(uniq)
    with mlflow.start_run(run_name="parent") as parent:
        with mlflow.start_run(run_name="child", nested=True) as child:
            mlflow.log_metric("child_metric", 1.0)
            with mlflow.start_run(run_name="grandchild", nested=True) as grandchild:
                pass
        with mlflow.start_run(run_name="child2", nested=True) as child2:
            pass
    pid = parent.info.run_id
    assert client.get_run(child.info.run_id).data.tags[MLFLOW_PARENT_RUN_ID] == pid
    assert client.get_run(child2.info.run_id).data.tags[MLFLOW_PARENT_RUN_ID] == pid
    assert (
        client.get_run(grandchild.info.run_id).data.tags[MLFLOW_PARENT_RUN_ID]
        == child.info.run_id
    )
    assert MLFLOW_PARENT_RUN_ID not in client.get_run(pid).data.tags
    children = client.search_runs(
        [exp.experiment_id], filter_string=f"tags.mlflow.parentRunId = '{pid}'"
    )
    assert sorted(r.info.run_name for r in children) == ["child", "child2"]
    for rid in (pid, child.info.run_id, grandchild.info.run_id, child2.info.run_id):
        assert client.get_run(rid).info.status == "FINISHED"


def test_resume_run(fluent, client, uniq):
    mlflow.set_experiment(uniq)
    with mlflow.start_run() as run:
        mlflow.log_param("a", "1")
    with mlflow.start_run(run_id=run.info.run_id):
        mlflow.log_param("b", "2")
    r = client.get_run(run.info.run_id)
    assert r.data.params == {"a": "1", "b": "2"}
    assert r.info.status == "FINISHED"


def test_fluent_get_run_and_last_active_run(fluent, uniq):
    mlflow.set_experiment(uniq)
    with mlflow.start_run() as run:
        mlflow.log_metric("m", 3.0)
    got = mlflow.get_run(run.info.run_id)
    assert got.data.metrics == {"m": 3.0}
    assert mlflow.last_active_run().info.run_id == run.info.run_id


def test_fluent_search_runs_dataframe(fluent, uniq):
    exp = mlflow.set_experiment(uniq)
    ids = {}
    for name, acc, model in [("r1", 0.5, "cnn"), ("r2", 0.9, "rnn"), ("r3", 0.7, "cnn")]:
        with mlflow.start_run(run_name=name) as run:
            mlflow.log_metric("acc", acc)
            mlflow.log_param("model", model)
            mlflow.set_tag("kind", "compat")
        ids[name] = run.info.run_id

    df = mlflow.search_runs(experiment_ids=[exp.experiment_id])
    assert isinstance(df, pd.DataFrame)
    assert len(df) == 3
    assert list(df["run_id"]) == [ids["r3"], ids["r2"], ids["r1"]]  # start_time DESC
    for col in ["run_id", "experiment_id", "status", "start_time", "end_time",
                "metrics.acc", "params.model", "tags.kind", "tags.mlflow.runName"]:  # fmt: skip
        assert col in df.columns, col
    assert set(df["status"]) == {"FINISHED"}
    assert set(df["experiment_id"]) == {exp.experiment_id}

    df = mlflow.search_runs(
        experiment_ids=[exp.experiment_id],
        filter_string="params.model = 'cnn'",
        order_by=["metrics.acc DESC"],
    )
    assert list(df["run_id"]) == [ids["r3"], ids["r1"]]
    assert list(df["metrics.acc"]) == [0.7, 0.5]
    assert list(df["tags.mlflow.runName"]) == ["r3", "r1"]

    df = mlflow.search_runs(
        experiment_names=[uniq], filter_string="metrics.acc > 0.6", order_by=["metrics.acc ASC"]
    )
    assert list(df["run_id"]) == [ids["r3"], ids["r2"]]

    df = mlflow.search_runs(experiment_ids=[exp.experiment_id], max_results=2)
    assert len(df) == 2

    runs = mlflow.search_runs(experiment_ids=[exp.experiment_id], output_format="list")
    assert [r.info.run_id for r in runs] == [ids["r3"], ids["r2"], ids["r1"]]


def test_fluent_search_runs_empty(fluent, uniq):
    exp = mlflow.set_experiment(uniq)
    df = mlflow.search_runs(experiment_ids=[exp.experiment_id])
    assert isinstance(df, pd.DataFrame)
    assert len(df) == 0


def test_fluent_log_metric_nan(fluent, client, uniq):
    mlflow.set_experiment(uniq)
    with mlflow.start_run() as run:
        mlflow.log_metric("nan", float("nan"))
    assert math.isnan(client.get_run(run.info.run_id).data.metrics["nan"])


def test_fluent_search_experiments(fluent, uniq):
    mlflow.set_experiment(f"{uniq}-x")
    mlflow.set_experiment(f"{uniq}-y")
    exps = mlflow.search_experiments(filter_string=f"name LIKE '{uniq}-%'", order_by=["name"])
    assert [e.name for e in exps] == [f"{uniq}-x", f"{uniq}-y"]

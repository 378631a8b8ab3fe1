"""Runs through ``MlflowClient``: lifecycle, params, metrics, tags, log_batch, inputs."""

import math
import re
import sys
import time

import requests
from mlflow.entities import Dataset, DatasetInput, InputTag, Metric, Param, RunTag
from mlflow.utils.mlflow_tags import MLFLOW_PARENT_RUN_ID, MLFLOW_RUN_NAME, MLFLOW_USER

from compat_helpers import assert_error_json, raises_mlflow

MAX_DOUBLE = sys.float_info.max


def now_ms():
    return int(time.time() * 1000)


# --------------------------------------------------------------------------- lifecycle


def test_create_run_all_args(client, experiment_id):
    tags = {MLFLOW_USER: "alice", "my": "tag", "other": "tag"}
    created = client.create_run(experiment_id, start_time=456, tags=tags, run_name="my name")
    run_id = created.info.run_id
    fetched = client.get_run(run_id)
    for run in (created, fetched):
        assert run.info.run_id == run_id
        assert run.info.experiment_id == experiment_id
        assert run.info.user_id == "alice"
        assert run.info.start_time == 456
        assert run.info.end_time is None
        assert run.info.status == "RUNNING"
        assert run.info.lifecycle_stage == "active"
        assert run.info.run_name == "my name"
        assert isinstance(run.info.artifact_uri, str) and run.info.artifact_uri
        assert run.data.tags == {**tags, MLFLOW_RUN_NAME: "my name"}
        assert run.data.params == {}
        assert run.data.metrics == {}
    assert re.fullmatch(r"[0-9a-f]{32}", run_id), run_id


def test_create_run_defaults(client, experiment_id):
    before = now_ms()
    created = client.create_run(experiment_id)
    after = now_ms()
    run = client.get_run(created.info.run_id)
    assert run.info.experiment_id == experiment_id
    assert run.info.status == "RUNNING"
    assert before - 5000 <= run.info.start_time <= after + 5000
    # The server generates a name like "adventurous-owl-123" and records it as a tag too.
    name = run.info.run_name
    assert isinstance(name, str) and name
    assert re.fullmatch(r"[a-z]+-[a-z]+-\d+", name), name
    assert created.info.run_name == name
    assert run.data.tags[MLFLOW_RUN_NAME] == name


def test_create_run_unknown_experiment(client):
    with raises_mlflow("RESOURCE_DOES_NOT_EXIST"):
        client.create_run("987654321")


def test_create_run_in_deleted_experiment_is_refused(client, uniq):
    exp_id = client.create_experiment(uniq)
    client.delete_experiment(exp_id)
    with raises_mlflow("INVALID_PARAMETER_VALUE"):
        client.create_run(exp_id)


def test_run_ids_are_unique(client, experiment_id):
    ids = {client.create_run(experiment_id).info.run_id for _ in range(5)}
    assert len(ids) == 5


def test_get_run_unknown(client):
    with raises_mlflow("RESOURCE_DOES_NOT_EXIST"):
        client.get_run("0123456789abcdef0123456789abcdef")


def test_set_terminated_defaults(client, run_id):
    assert client.get_run(run_id).info.end_time is None
    client.set_terminated(run_id)
    info = client.get_run(run_id).info
    assert info.status == "FINISHED"
    assert isinstance(info.end_time, int)
    assert abs(info.end_time - now_ms()) < 60_000


def test_set_terminated_status_and_end_time(client, run_id):
    client.set_terminated(run_id, "FAILED", end_time=1_700_000_123_456)
    info = client.get_run(run_id).info
    assert info.status == "FAILED"
    assert info.end_time == 1_700_000_123_456


def test_update_run(client, run_id):
    client.update_run(run_id, status="KILLED", name="renamed")
    run = client.get_run(run_id)
    assert run.info.status == "KILLED"
    assert run.info.run_name == "renamed"
    assert run.data.tags[MLFLOW_RUN_NAME] == "renamed"
    # Only a name: status untouched.
    client.update_run(run_id, name="again")
    run = client.get_run(run_id)
    assert run.info.status == "KILLED"
    assert run.info.run_name == "again"
    assert run.data.tags[MLFLOW_RUN_NAME] == "again"
    # Back to RUNNING.
    client.update_run(run_id, status="RUNNING")
    assert client.get_run(run_id).info.status == "RUNNING"


def test_update_run_all_statuses(client, experiment_id):
    for status in ["RUNNING", "SCHEDULED", "FINISHED", "FAILED", "KILLED"]:
        rid = client.create_run(experiment_id).info.run_id
        client.update_run(rid, status=status)
        assert client.get_run(rid).info.status == status


def test_delete_and_restore_run(client, run_id):
    client.delete_run(run_id)
    assert client.get_run(run_id).info.lifecycle_stage == "deleted"
    client.restore_run(run_id)
    assert client.get_run(run_id).info.lifecycle_stage == "active"
    client.log_param(run_id, "after-restore", "ok")
    assert client.get_run(run_id).data.params == {"after-restore": "ok"}


def test_deleted_run_refuses_writes(client, run_id):
    client.log_param(run_id, "p", "1")
    client.delete_run(run_id)
    with raises_mlflow("INVALID_PARAMETER_VALUE", match="must be in the 'active' state"):
        client.log_param(run_id, "p2", "2")
    with raises_mlflow("INVALID_PARAMETER_VALUE"):
        client.log_metric(run_id, "m", 1.0)
    with raises_mlflow("INVALID_PARAMETER_VALUE"):
        client.set_tag(run_id, "t", "v")
    with raises_mlflow("INVALID_PARAMETER_VALUE"):
        client.log_batch(run_id, metrics=[Metric("m", 1.0, 1, 0)])
    with raises_mlflow("INVALID_PARAMETER_VALUE"):
        client.delete_tag(run_id, MLFLOW_RUN_NAME)
    run = client.get_run(run_id)
    assert run.data.params == {"p": "1"}
    assert run.data.metrics == {}
    assert "t" not in run.data.tags


def test_unknown_run_writes(client):
    missing = "0123456789abcdef0123456789abcdef"
    with raises_mlflow("RESOURCE_DOES_NOT_EXIST"):
        client.log_param(missing, "p", "v")
    with raises_mlflow("RESOURCE_DOES_NOT_EXIST"):
        client.log_metric(missing, "m", 1.0)
    with raises_mlflow("RESOURCE_DOES_NOT_EXIST"):
        client.set_tag(missing, "t", "v")
    with raises_mlflow("RESOURCE_DOES_NOT_EXIST"):
        client.delete_run(missing)
    with raises_mlflow("RESOURCE_DOES_NOT_EXIST"):
        client.set_terminated(missing)
    # MLflow answers an empty history (not an error) for an unknown run.
    assert client.get_metric_history(missing, "m") == []


# --------------------------------------------------------------------------- params / tags


def test_log_param(client, run_id):
    client.log_param(run_id, "lr", "0.01")
    client.log_param(run_id, "empty", "")
    client.log_param(run_id, "int", 5)  # the client stringifies
    assert client.get_run(run_id).data.params == {"lr": "0.01", "empty": "", "int": "5"}


def test_log_param_same_value_twice_is_ok(client, run_id):
    client.log_param(run_id, "lr", "0.01")
    client.log_param(run_id, "lr", "0.01")
    assert client.get_run(run_id).data.params == {"lr": "0.01"}


def test_log_param_different_value_is_refused(client, run_id):
    client.log_param(run_id, "lr", "0.01")
    with raises_mlflow("INVALID_PARAMETER_VALUE"):
        client.log_param(run_id, "lr", "0.02")
    assert client.get_run(run_id).data.params == {"lr": "0.01"}


def test_long_param_value(client, run_id):
    value = "x" * 6000  # MLflow allows 6000 characters
    client.log_param(run_id, "long", value)
    assert client.get_run(run_id).data.params["long"] == value


def test_set_and_delete_tag(client, run_id):
    client.set_tag(run_id, "taggity", "do-dah")
    client.set_tag(run_id, "empty", "")
    client.set_tag(run_id, "multi", "a\nb\nc")
    tags = client.get_run(run_id).data.tags
    assert tags["taggity"] == "do-dah"
    assert tags["empty"] == ""
    assert tags["multi"] == "a\nb\nc"
    client.set_tag(run_id, "taggity", "overwritten")
    assert client.get_run(run_id).data.tags["taggity"] == "overwritten"
    client.delete_tag(run_id, "taggity")
    tags = client.get_run(run_id).data.tags
    assert "taggity" not in tags
    assert tags["empty"] == ""


def test_delete_missing_tag(client, run_id):
    with raises_mlflow("RESOURCE_DOES_NOT_EXIST", match="No tag with name: fakeTag"):
        client.delete_tag(run_id, "fakeTag")


def test_unicode_values(client, run_id):
    client.log_param(run_id, "unicode", "héllo wörld ✓ 数据")
    client.set_tag(run_id, "emoji", "🚀")
    run = client.get_run(run_id)
    assert run.data.params["unicode"] == "héllo wörld ✓ 数据"
    assert run.data.tags["emoji"] == "🚀"


# --------------------------------------------------------------------------- metrics


def test_log_metric_values_steps_timestamps(client, run_id):
    client.log_metric(run_id, key="metric", value=123.456, timestamp=789, step=2)
    client.log_metric(run_id, key="stepless-metric", value=987.654, timestamp=321)
    client.log_metric(run_id, key="negative", value=-0.5, timestamp=1, step=-3)
    client.log_metric(run_id, key="int", value=7, timestamp=1, step=0)
    run = client.get_run(run_id)
    assert run.data.metrics == {
        "metric": 123.456,
        "stepless-metric": 987.654,
        "negative": -0.5,
        "int": 7.0,
    }
    hist = client.get_metric_history(run_id, "metric")
    assert [(m.key, m.value, m.timestamp, m.step) for m in hist] == [("metric", 123.456, 789, 2)]
    hist = client.get_metric_history(run_id, "stepless-metric")
    assert [(m.key, m.value, m.timestamp, m.step) for m in hist] == [
        ("stepless-metric", 987.654, 321, 0)
    ]
    hist = client.get_metric_history(run_id, "negative")
    assert [(m.value, m.step) for m in hist] == [(-0.5, -3)]
    assert client.get_metric_history(run_id, "never-logged") == []


def test_log_metric_default_timestamp(client, run_id):
    before = now_ms()
    client.log_metric(run_id, "m", 1.5)
    (m,) = client.get_metric_history(run_id, "m")
    assert m.step == 0
    assert before - 5000 <= m.timestamp <= now_ms() + 5000


def test_metric_precision(client, run_id):
    values = [0.1, 1 / 3, 1e-300, 1.7976931348623157e300, 123456789.123456789, -2.5e-10]
    for i, v in enumerate(values):
        client.log_metric(run_id, "precise", v, timestamp=1000 + i, step=i)
    assert [m.value for m in client.get_metric_history(run_id, "precise")] == values


def _assert_pos_inf(v):
    # MLflow's SQL store clamps +-inf to +-DBL_MAX; real infinity is better still.
    assert v == math.inf or v == MAX_DOUBLE, v


def _assert_neg_inf(v):
    assert v == -math.inf or v == -MAX_DOUBLE, v


def test_nan_and_inf_metrics(client, run_id):
    client.log_metric(run_id, "nan_metric", float("nan"), timestamp=10, step=0)
    client.log_metric(run_id, "inf_metric", float("inf"), timestamp=10, step=0)
    client.log_metric(run_id, "-inf_metric", -float("inf"), timestamp=10, step=0)
    metrics = client.get_run(run_id).data.metrics
    assert math.isnan(metrics["nan_metric"])
    _assert_pos_inf(metrics["inf_metric"])
    _assert_neg_inf(metrics["-inf_metric"])
    (nan_point,) = client.get_metric_history(run_id, "nan_metric")
    assert math.isnan(nan_point.value) and nan_point.timestamp == 10
    (inf_point,) = client.get_metric_history(run_id, "inf_metric")
    _assert_pos_inf(inf_point.value)
    (ninf_point,) = client.get_metric_history(run_id, "-inf_metric")
    _assert_neg_inf(ninf_point.value)


def test_nan_in_history_among_values(client, run_id):
    client.log_metric(run_id, "loss", 1.0, timestamp=1, step=0)
    client.log_metric(run_id, "loss", float("nan"), timestamp=2, step=1)
    client.log_metric(run_id, "loss", 0.5, timestamp=3, step=2)
    hist = client.get_metric_history(run_id, "loss")
    assert [m.step for m in hist] == [0, 1, 2]
    assert hist[0].value == 1.0 and math.isnan(hist[1].value) and hist[2].value == 0.5
    assert client.get_run(run_id).data.metrics["loss"] == 0.5


def test_latest_metric_higher_step_wins(client, run_id):
    # Step 5 logged first (earlier timestamp) still wins over step 1 logged later.
    client.log_metric(run_id, "m", 5.0, timestamp=1000, step=5)
    client.log_metric(run_id, "m", 1.0, timestamp=2000, step=1)
    assert client.get_run(run_id).data.metrics["m"] == 5.0
    client.log_metric(run_id, "m", 6.0, timestamp=500, step=6)
    assert client.get_run(run_id).data.metrics["m"] == 6.0


def test_latest_metric_same_step_later_timestamp_wins(client, run_id):
    client.log_metric(run_id, "m", 10.0, timestamp=2000, step=3)
    client.log_metric(run_id, "m", 20.0, timestamp=1000, step=3)
    assert client.get_run(run_id).data.metrics["m"] == 10.0
    client.log_metric(run_id, "m", 30.0, timestamp=3000, step=3)
    assert client.get_run(run_id).data.metrics["m"] == 30.0


def test_latest_metric_same_step_and_timestamp_larger_value_wins(client, run_id):
    client.log_metric(run_id, "m", 7.0, timestamp=1000, step=3)
    client.log_metric(run_id, "m", 3.0, timestamp=1000, step=3)
    assert client.get_run(run_id).data.metrics["m"] == 7.0
    client.log_metric(run_id, "m", 9.0, timestamp=1000, step=3)
    assert client.get_run(run_id).data.metrics["m"] == 9.0


def test_latest_metric_via_log_batch(client, run_id):
    client.log_batch(
        run_id,
        metrics=[
            Metric("m", 5.0, 1000, 5),
            Metric("m", 1.0, 2000, 1),
            Metric("m", 4.0, 900, 5),
        ],
    )
    assert client.get_run(run_id).data.metrics["m"] == 5.0
    assert len(client.get_metric_history(run_id, "m")) == 3


def test_metric_history_order_and_duplicates(client, run_id):
    # History is ordered by (timestamp, step, value); exact duplicates are kept once.
    points = [(3.0, 30, 2), (1.0, 10, 0), (2.0, 20, 1), (2.5, 20, 1)]
    for value, ts, step in points:
        client.log_metric(run_id, "m", value, timestamp=ts, step=step)
    hist = client.get_metric_history(run_id, "m")
    assert [(m.value, m.timestamp, m.step) for m in hist] == [
        (1.0, 10, 0),
        (2.0, 20, 1),
        (2.5, 20, 1),
        (3.0, 30, 2),
    ]


def test_long_metric_history(client, run_id):
    n = 2500
    metrics = [Metric("long", float(i) * 0.5, 1_700_000_000_000 + i, i) for i in range(n)]
    client.log_batch(run_id, metrics=metrics)  # the client splits into batches of 1000
    hist = client.get_metric_history(run_id, "long")
    assert len(hist) == n
    assert [m.step for m in hist] == list(range(n))
    assert [m.value for m in hist] == [float(i) * 0.5 for i in range(n)]
    assert [m.timestamp for m in hist] == [1_700_000_000_000 + i for i in range(n)]
    assert client.get_run(run_id).data.metrics["long"] == (n - 1) * 0.5


# --------------------------------------------------------------------------- log_batch


def test_log_batch(client, run_id):
    client.log_batch(
        run_id,
        metrics=[Metric("metric", 123.456, 789, 3), Metric("metric", 1.0, 790, 4)],
        params=[Param("param", "value"), Param("empty", "")],
        tags=[RunTag("taggity", "do-dah"), RunTag("empty", "")],
    )
    run = client.get_run(run_id)
    assert run.data.metrics == {"metric": 1.0}
    assert run.data.params == {"param": "value", "empty": ""}
    assert run.data.tags["taggity"] == "do-dah"
    assert run.data.tags["empty"] == ""
    hist = client.get_metric_history(run_id, "metric")
    assert [(m.value, m.timestamp, m.step) for m in hist] == [(123.456, 789, 3), (1.0, 790, 4)]


def test_log_batch_client_splits_1001_metrics(client, run_id):
    metrics = [Metric(f"m{i}", float(i), 1000, 0) for i in range(1001)]
    client.log_batch(run_id, metrics=metrics)
    got = client.get_run(run_id).data.metrics
    assert len(got) == 1001
    assert got["m1000"] == 1000.0


def test_log_batch_existing_param_same_value_ok_different_refused(client, run_id):
    client.log_param(run_id, "p", "1")
    client.log_batch(run_id, params=[Param("p", "1"), Param("q", "2")])
    assert client.get_run(run_id).data.params == {"p": "1", "q": "2"}
    with raises_mlflow("INVALID_PARAMETER_VALUE"):
        client.log_batch(run_id, params=[Param("p", "changed")])
    assert client.get_run(run_id).data.params == {"p": "1", "q": "2"}


def test_log_batch_raw_limit_1001_metrics(server, client, run_id):
    metrics = [
        {"key": f"m{i}", "value": float(i), "timestamp": 1000, "step": 0} for i in range(1001)
    ]
    r = requests.post(server.api("runs/log-batch"), json={"run_id": run_id, "metrics": metrics})
    assert_error_json(r, 400, "INVALID_PARAMETER_VALUE")
    run = client.get_run(run_id)
    assert run.data.metrics == {}
    # Exactly 1000 is fine.
    r = requests.post(
        server.api("runs/log-batch"), json={"run_id": run_id, "metrics": metrics[:1000]}
    )
    assert r.status_code == 200, r.text
    assert len(client.get_run(run_id).data.metrics) == 1000


def test_log_batch_raw_limit_101_params(server, client, run_id):
    params = [{"key": f"p{i}", "value": str(i)} for i in range(101)]
    r = requests.post(server.api("runs/log-batch"), json={"run_id": run_id, "params": params})
    assert_error_json(r, 400, "INVALID_PARAMETER_VALUE")
    assert client.get_run(run_id).data.params == {}


def test_log_batch_raw_duplicate_param_keys_in_one_batch(server, client, run_id):
    # The same param key twice in one request is refused, even with the same value.
    r = requests.post(
        server.api("runs/log-batch"),
        json={"run_id": run_id, "params": [{"key": "a", "value": "1"}, {"key": "a", "value": "1"}]},
    )
    assert_error_json(r, 400, "INVALID_PARAMETER_VALUE")
    assert client.get_run(run_id).data.params == {}


def test_log_batch_is_atomic_on_param_conflict(client, run_id):
    client.log_param(run_id, "p", "1")
    with raises_mlflow("INVALID_PARAMETER_VALUE"):
        client.log_batch(
            run_id,
            metrics=[Metric("m", 1.0, 1, 0)],
            params=[Param("new", "x"), Param("p", "2")],
            tags=[RunTag("t", "v")],
        )
    run = client.get_run(run_id)
    assert run.data.params == {"p": "1"}


# --------------------------------------------------------------------------- inputs


def test_log_inputs(client, run_id):
    dataset = Dataset(
        name="iris",
        digest="abc123",
        source_type="local",
        source='{"uri": "/data/iris.csv"}',
        schema='{"mlflow_colspec": []}',
        profile='{"num_rows": 150}',
    )
    other = Dataset(name="iris-test", digest="def456", source_type="http", source="{}")
    client.log_inputs(
        run_id,
        datasets=[
            DatasetInput(dataset, tags=[InputTag("mlflow.data.context", "training")]),
            DatasetInput(other, tags=[InputTag("mlflow.data.context", "eval"), InputTag("k", "v")]),
        ],
    )
    inputs = client.get_run(run_id).inputs.dataset_inputs
    by_name = {d.dataset.name: d for d in inputs}
    assert sorted(by_name) == ["iris", "iris-test"]
    d = by_name["iris"].dataset
    assert (d.digest, d.source_type, d.source) == ("abc123", "local", '{"uri": "/data/iris.csv"}')
    assert d.schema == '{"mlflow_colspec": []}'
    assert d.profile == '{"num_rows": 150}'
    assert {t.key: t.value for t in by_name["iris"].tags} == {"mlflow.data.context": "training"}
    o = by_name["iris-test"].dataset
    assert (o.digest, o.source_type, o.source) == ("def456", "http", "{}")
    assert {t.key: t.value for t in by_name["iris-test"].tags} == {
        "mlflow.data.context": "eval",
        "k": "v",
    }


def test_log_inputs_same_dataset_twice_is_idempotent(client, run_id):
    dataset = Dataset(name="d", digest="1", source_type="local", source="{}")
    tags = [InputTag("mlflow.data.context", "training")]
    client.log_inputs(run_id, datasets=[DatasetInput(dataset, tags=tags)])
    client.log_inputs(run_id, datasets=[DatasetInput(dataset, tags=tags)])
    inputs = client.get_run(run_id).inputs.dataset_inputs
    assert [(i.dataset.name, i.dataset.digest) for i in inputs] == [("d", "1")]


def test_run_without_inputs(client, run_id):
    assert list(client.get_run(run_id).inputs.dataset_inputs) == []


def test_parent_run_id_tag(client, experiment_id):
    parent = client.create_run(experiment_id).info.run_id
    child = client.create_run(experiment_id, tags={MLFLOW_PARENT_RUN_ID: parent}).info.run_id
    assert client.get_run(child).data.tags[MLFLOW_PARENT_RUN_ID] == parent

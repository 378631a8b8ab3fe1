"""Server-side validation, exercised with raw REST (the MLflow client validates some of this
itself before sending, so only raw requests reach the server's checks)."""

import uuid

import pytest
import requests
from mlflow.utils.mlflow_tags import MLFLOW_RUN_NAME

from compat_helpers import assert_error_json


def post(server, endpoint, body):
    return requests.post(server.api(endpoint), json=body, timeout=30)


@pytest.fixture
def rid(client, run_id):
    return run_id


# NB: MLflow's server itself does not reject over-long param (>6000) or tag (>8000) values on
# log-parameter / set-tag (only its client does), so only the limits themselves are tested.
def test_param_value_at_length_limit(server, client, rid):
    r = post(server, "runs/log-parameter", {"run_id": rid, "key": "ok", "value": "x" * 6000})
    assert r.status_code == 200, r.text
    assert client.get_run(rid).data.params == {"ok": "x" * 6000}


def test_tag_value_at_length_limit(server, client, rid):
    r = post(server, "runs/set-tag", {"run_id": rid, "key": "ok", "value": "x" * 8000})
    assert r.status_code == 200, r.text
    assert client.get_run(rid).data.tags["ok"] == "x" * 8000


def test_key_length_limit(server, client, rid):
    r = post(server, "runs/log-parameter", {"run_id": rid, "key": "k" * 250, "value": "v"})
    assert r.status_code == 200, r.text
    r = post(server, "runs/log-parameter", {"run_id": rid, "key": "k" * 251, "value": "v"})
    assert_error_json(r, 400, "INVALID_PARAMETER_VALUE")


def test_experiment_name_required(server):
    r = post(server, "experiments/create", {"name": ""})
    assert_error_json(r, 400, "INVALID_PARAMETER_VALUE")


def test_search_max_results_limits(server, experiment_id):
    r = post(server, "experiments/search", {"max_results": 50001})
    assert_error_json(r, 400, "INVALID_PARAMETER_VALUE")
    r = post(server, "runs/search", {"experiment_ids": [experiment_id], "max_results": 50001})
    assert_error_json(r, 400, "INVALID_PARAMETER_VALUE")
    r = post(server, "runs/search", {"experiment_ids": [experiment_id], "max_results": 50000})
    assert r.status_code == 200, r.text


def test_log_batch_metric_without_timestamp(server, client, rid):
    r = post(server, "runs/log-batch", {"run_id": rid, "metrics": [{"key": "mae", "value": 2.5}]})
    assert_error_json(r, 400, "INVALID_PARAMETER_VALUE")
    r = post(server, "runs/log-batch",
             {"run_id": rid, "metrics": [{"key": "mae", "value": 2.5, "timestamp": 123456789}]})  # fmt: skip
    assert r.status_code == 200, r.text
    (m,) = client.get_metric_history(rid, "mae")
    assert (m.value, m.timestamp, m.step) == (2.5, 123456789, 0)


def test_log_metric_bad_value(server, rid):
    r = post(server, "runs/log-metric",
             {"run_id": rid, "key": "m", "value": "abc", "timestamp": 1, "step": 0})  # fmt: skip
    assert_error_json(r, 400, "INVALID_PARAMETER_VALUE")


def test_log_batch_wrong_types(server, rid):
    for field in ["metrics", "params", "tags"]:
        r = post(server, "runs/log-batch", {"run_id": rid, field: "foo"})
        assert_error_json(r, 400, "INVALID_PARAMETER_VALUE")


def test_set_tag_value_must_be_string(server, rid):
    r = post(server, "runs/set-tag", {"run_id": rid, "key": "t", "value": 41})
    assert_error_json(r, 400, "INVALID_PARAMETER_VALUE")
    # The deprecated run_uuid alias is accepted.
    r = post(server, "runs/set-tag", {"run_uuid": rid, "key": "key", "value": "value"})
    assert r.status_code == 200, r.text


def test_set_run_name_tag_renames_run(client, rid):
    client.set_tag(rid, MLFLOW_RUN_NAME, "renamed-by-tag")
    run = client.get_run(rid)
    assert run.info.run_name == "renamed-by-tag"
    assert run.data.tags[MLFLOW_RUN_NAME] == "renamed-by-tag"


def test_create_run_conflicting_run_name_and_tag(client, experiment_id):
    from mlflow.exceptions import MlflowException

    with pytest.raises(MlflowException) as info:
        client.create_run(experiment_id, run_name="a", tags={MLFLOW_RUN_NAME: "b"})
    assert info.value.error_code == "INVALID_PARAMETER_VALUE"


def test_create_run_name_from_tag(client, experiment_id):
    run = client.create_run(experiment_id, tags={MLFLOW_RUN_NAME: "from-tag"})
    assert run.info.run_name == "from-tag"
    assert client.get_run(run.info.run_id).info.run_name == "from-tag"


def test_get_history_of_unlogged_metric(server, rid):
    r = requests.get(server.api("metrics/get-history"),
                     params={"run_id": rid, "metric_key": "never"}, timeout=30)  # fmt: skip
    assert r.status_code == 200, r.text
    assert r.json().get("metrics", []) == []


def test_experiment_tag_long_value(server, client, experiment_id):
    r = post(server, "experiments/set-experiment-tag",
             {"experiment_id": experiment_id, "key": "long", "value": "y" * 20000})  # fmt: skip
    assert r.status_code == 200, r.text
    assert client.get_experiment(experiment_id).tags["long"] == "y" * 20000
    r = post(server, "experiments/set-experiment-tag",
             {"experiment_id": experiment_id, "key": "too-long", "value": "y" * 20001})  # fmt: skip
    assert_error_json(r, 400, "INVALID_PARAMETER_VALUE")


def test_experiment_name_with_quotes_and_unicode(client):
    name = f"it's \"quoted\" ✓ {uuid.uuid4().hex}"
    exp_id = client.create_experiment(name)
    assert client.get_experiment_by_name(name).experiment_id == exp_id
    assert client.get_experiment(exp_id).name == name

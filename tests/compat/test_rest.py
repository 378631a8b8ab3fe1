"""Raw REST requests (``requests``), as non-Python MLflow clients and the UI send them."""

import math
import uuid

import pytest
import requests

from compat_helpers import assert_error_json


def post(server, endpoint, body, prefix="/api/2.0/mlflow/"):
    return requests.post(server.api(endpoint, prefix), json=body, timeout=30)


def get(server, endpoint, params, prefix="/api/2.0/mlflow/"):
    return requests.get(server.api(endpoint, prefix), params=params, timeout=30)


@pytest.fixture
def exp_id(server):
    r = post(server, "experiments/create", {"name": f"rest-{uuid.uuid4().hex}"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert isinstance(body["experiment_id"], str)
    return body["experiment_id"]


@pytest.fixture
def rest_run_id(server, exp_id):
    r = post(server, "runs/create", {"experiment_id": exp_id, "start_time": 1000})
    assert r.status_code == 200, r.text
    return r.json()["run"]["info"]["run_id"]


def test_health(server):
    r = requests.get(f"{server.url}/health", timeout=10)
    assert r.status_code == 200
    assert r.text.strip() == "OK"


def test_version(server):
    r = requests.get(f"{server.url}/version", timeout=10)
    assert r.status_code == 200
    assert r.text.strip()


def test_int64_fields_as_strings(server, client):
    r = post(server, "runs/create", {"experiment_id": "0", "start_time": "1700000000000"})
    assert r.status_code == 200, r.text
    info = r.json()["run"]["info"]
    assert info["experiment_id"] == "0"
    assert int(info["start_time"]) == 1700000000000
    run_id = info["run_id"]
    r = post(
        server,
        "runs/log-metric",
        {"run_id": run_id, "key": "m", "value": 1.5, "timestamp": "1700000000001", "step": "7"},
    )
    assert r.status_code == 200, r.text
    r = post(
        server,
        "runs/update",
        {"run_id": run_id, "status": "FINISHED", "end_time": "1700000000002"},
    )
    assert r.status_code == 200, r.text
    run = client.get_run(run_id)
    assert run.info.start_time == 1700000000000
    assert run.info.end_time == 1700000000002
    assert run.info.status == "FINISHED"
    (m,) = client.get_metric_history(run_id, "m")
    assert (m.value, m.timestamp, m.step) == (1.5, 1700000000001, 7)
    client.delete_run(run_id)  # keep the Default experiment clean for other suites


def test_response_shapes(server, exp_id):
    r = post(server, "runs/create", {"experiment_id": exp_id, "start_time": 1234, "run_name": "shape",
                                     "tags": [{"key": "k", "value": "v"}]})  # fmt: skip
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("application/json")
    run = r.json()["run"]
    info = run["info"]
    assert info["run_id"] == info["run_uuid"]
    assert info["experiment_id"] == exp_id
    assert info["status"] == "RUNNING"
    assert info["start_time"] == 1234  # int64 written as a JSON number
    assert info["lifecycle_stage"] == "active"
    assert info["run_name"] == "shape"
    assert isinstance(info["artifact_uri"], str) and info["artifact_uri"]
    assert {"key": "k", "value": "v"} in run["data"]["tags"]

    r = get(server, "experiments/get", {"experiment_id": exp_id})
    assert r.status_code == 200, r.text
    exp = r.json()["experiment"]
    assert exp["experiment_id"] == exp_id
    assert exp["lifecycle_stage"] == "active"
    assert isinstance(exp["creation_time"], int)
    assert isinstance(exp["last_update_time"], int)


def test_get_with_query_string(server, rest_run_id):
    for ts, step, value in [(10, 0, 1.0), (20, 1, 2.0), (30, 2, 3.0)]:
        r = post(server, "runs/log-metric",
                 {"run_id": rest_run_id, "key": "loss", "value": value, "timestamp": ts,
                  "step": step})  # fmt: skip
        assert r.status_code == 200, r.text
    r = get(server, "runs/get", {"run_id": rest_run_id})
    assert r.status_code == 200, r.text
    run = r.json()["run"]
    assert run["info"]["run_id"] == rest_run_id
    assert run["data"]["metrics"] == [{"key": "loss", "value": 3.0, "timestamp": 30, "step": 2}]
    # Deprecated run_uuid alias.
    r = get(server, "runs/get", {"run_uuid": rest_run_id})
    assert r.status_code == 200, r.text
    assert r.json()["run"]["info"]["run_id"] == rest_run_id

    r = get(server, "metrics/get-history", {"run_id": rest_run_id, "metric_key": "loss"})
    assert r.status_code == 200, r.text
    assert r.json()["metrics"] == [
        {"key": "loss", "value": 1.0, "timestamp": 10, "step": 0},
        {"key": "loss", "value": 2.0, "timestamp": 20, "step": 1},
        {"key": "loss", "value": 3.0, "timestamp": 30, "step": 2},
    ]
    # Paged history.
    r = get(server, "metrics/get-history",
            {"run_id": rest_run_id, "metric_key": "loss", "max_results": 2})  # fmt: skip
    assert r.status_code == 200, r.text
    body = r.json()
    assert [m["step"] for m in body["metrics"]] == [0, 1]
    assert body.get("next_page_token")
    r = get(server, "metrics/get-history",
            {"run_id": rest_run_id, "metric_key": "loss", "max_results": 2,
             "page_token": body["next_page_token"]})  # fmt: skip
    assert r.status_code == 200, r.text
    body = r.json()
    assert [m["step"] for m in body["metrics"]] == [2]
    assert not body.get("next_page_token")

    r = get(server, "experiments/get-by-name", {"experiment_name": "Default"})
    assert r.status_code == 200, r.text
    assert r.json()["experiment"]["experiment_id"] == "0"


def test_ajax_api_prefix(server, rest_run_id):
    ajax = "/ajax-api/2.0/mlflow/"
    r = get(server, "runs/get", {"run_id": rest_run_id}, prefix=ajax)
    assert r.status_code == 200, r.text
    assert r.json()["run"]["info"]["run_id"] == rest_run_id
    r = post(server, "runs/set-tag", {"run_id": rest_run_id, "key": "via", "value": "ajax"},
             prefix=ajax)  # fmt: skip
    assert r.status_code == 200, r.text
    r = post(server, "experiments/search", {"max_results": 5}, prefix=ajax)
    assert r.status_code == 200, r.text
    assert isinstance(r.json()["experiments"], list)
    r = get(server, "runs/get", {"run_id": rest_run_id})
    assert {"key": "via", "value": "ajax"} in r.json()["run"]["data"]["tags"]


def test_malformed_json_body(server):
    r = requests.post(
        server.api("experiments/create"),
        data=b'{"name": "broken',
        headers={"Content-Type": "application/json"},
        timeout=30,
    )
    assert_error_json(r, 400, ("BAD_REQUEST", "INVALID_PARAMETER_VALUE", "MALFORMED_REQUEST"))


def test_missing_required_field(server):
    r = post(server, "experiments/create", {})
    body = assert_error_json(r, 400, "INVALID_PARAMETER_VALUE")
    assert "name" in body["message"]
    r = post(server, "runs/log-metric", {"key": "m", "value": 1.0, "timestamp": 1})
    body = assert_error_json(r, 400, "INVALID_PARAMETER_VALUE")
    assert "run_id" in body["message"]


def test_wrong_field_type(server, rest_run_id):
    r = post(server, "experiments/create", {"name": 123})
    assert_error_json(r, 400, "INVALID_PARAMETER_VALUE")
    r = post(server, "runs/log-metric",
             {"run_id": rest_run_id, "key": "m", "value": 1.0, "timestamp": 1, "step": "foo"})  # fmt: skip
    assert_error_json(r, 400, "INVALID_PARAMETER_VALUE")


@pytest.mark.ferroflow_only
def test_unknown_endpoint(server):
    r = requests.get(server.api("no-such/endpoint"), timeout=30)
    assert_error_json(r, 404, "ENDPOINT_NOT_FOUND")
    r = requests.post(server.api("no-such/endpoint"), json={}, timeout=30)
    assert_error_json(r, 404, "ENDPOINT_NOT_FOUND")


def test_error_status_codes(server, exp_id):
    r = get(server, "experiments/get", {"experiment_id": "987654321"})
    assert_error_json(r, 404, "RESOURCE_DOES_NOT_EXIST")
    r = get(server, "runs/get", {"run_id": "0123456789abcdef0123456789abcdef"})
    assert_error_json(r, 404, "RESOURCE_DOES_NOT_EXIST")
    r = get(server, "experiments/get-by-name", {"experiment_name": f"nope-{uuid.uuid4().hex}"})
    assert_error_json(r, 404, "RESOURCE_DOES_NOT_EXIST")
    name = get(server, "experiments/get", {"experiment_id": exp_id}).json()["experiment"]["name"]
    r = post(server, "experiments/create", {"name": name})
    assert_error_json(r, 400, "RESOURCE_ALREADY_EXISTS")


def test_search_runs_raw(server, exp_id):
    ids = []
    for i in range(3):
        r = post(server, "runs/create", {"experiment_id": exp_id, "start_time": str(100 + i)})
        assert r.status_code == 200, r.text
        ids.append(r.json()["run"]["info"]["run_id"])
    r = post(server, "runs/search",
             {"experiment_ids": [exp_id], "max_results": 2, "run_view_type": "ACTIVE_ONLY"})  # fmt: skip
    assert r.status_code == 200, r.text
    body = r.json()
    assert [x["info"]["run_id"] for x in body["runs"]] == [ids[2], ids[1]]
    assert body["next_page_token"]
    r = post(server, "runs/search",
             {"experiment_ids": [exp_id], "max_results": 2, "page_token": body["next_page_token"]})  # fmt: skip
    assert r.status_code == 200, r.text
    body = r.json()
    assert [x["info"]["run_id"] for x in body["runs"]] == [ids[0]]
    assert not body.get("next_page_token")
    # An empty result omits "runs" or returns [].
    r = post(server, "runs/search", {"experiment_ids": [exp_id], "filter": "metrics.x > 1"})
    assert r.status_code == 200, r.text
    assert r.json().get("runs", []) == []


def test_log_metric_nan_inf_raw(server, rest_run_id):
    # The Python client sends NaN as a bare JSON token; proto3 JSON encoders send "NaN" strings.
    for key, value in [("nan_str", "NaN"), ("inf_str", "Infinity"), ("ninf_str", "-Infinity")]:
        r = post(server, "runs/log-metric",
                 {"run_id": rest_run_id, "key": key, "value": value, "timestamp": 1, "step": 0})  # fmt: skip
        assert r.status_code == 200, r.text
    r = get(server, "runs/get", {"run_id": rest_run_id})
    metrics = {m["key"]: float(m["value"]) for m in r.json()["run"]["data"]["metrics"]}
    assert math.isnan(metrics["nan_str"])
    assert metrics["inf_str"] >= 1.7976931348623157e308
    assert metrics["ninf_str"] <= -1.7976931348623157e308


# --------------------------------------------------------------------------- bulk interval

BULK = "metrics/get-history-bulk-interval"
AJAX = "/ajax-api/2.0/mlflow/"


def _log_steps(server, run_id, key, steps, ts=1, value_fn=float):
    metrics = [{"key": key, "value": value_fn(s), "timestamp": ts, "step": s} for s in steps]
    for i in range(0, len(metrics), 1000):
        r = post(server, "runs/log-batch", {"run_id": run_id, "metrics": metrics[i : i + 1000]})
        assert r.status_code == 200, r.text


def test_bulk_interval_small_histories_returned_whole(server, exp_id):
    run1 = post(server, "runs/create", {"experiment_id": exp_id}).json()["run"]["info"]["run_id"]
    run2 = post(server, "runs/create", {"experiment_id": exp_id}).json()["run"]["info"]["run_id"]
    _log_steps(server, run1, "acc", range(10))
    _log_steps(server, run2, "acc", range(5), value_fn=lambda s: s * 10.0)
    r = get(server, BULK, {"run_ids": [run1, run2], "metric_key": "acc", "max_results": 20},
            prefix=AJAX)  # fmt: skip
    assert r.status_code == 200, r.text
    got = r.json()["metrics"]
    expected = [
        {"key": "acc", "value": float(s), "timestamp": 1, "step": s, "run_id": run1}
        for s in range(10)
    ] + [
        {"key": "acc", "value": s * 10.0, "timestamp": 1, "step": s, "run_id": run2}
        for s in range(5)
    ]
    assert got == expected
    # The /api prefix serves it too.
    r = get(server, BULK, {"run_ids": [run2], "metric_key": "acc"})
    assert r.status_code == 200, r.text
    assert [m["step"] for m in r.json()["metrics"]] == [0, 1, 2, 3, 4]


def test_bulk_interval_samples_long_histories(server, exp_id):
    run1 = post(server, "runs/create", {"experiment_id": exp_id}).json()["run"]["info"]["run_id"]
    run2 = post(server, "runs/create", {"experiment_id": exp_id}).json()["run"]["info"]["run_id"]
    _log_steps(server, run1, "loss", range(100))
    _log_steps(server, run2, "loss", range(0, 1000, 5))
    r = get(server, BULK, {"run_ids": [run1, run2], "metric_key": "loss", "max_results": 10},
            prefix=AJAX)  # fmt: skip
    assert r.status_code == 200, r.text
    got = r.json()["metrics"]
    for run_id, logged in [(run1, list(range(100))), (run2, list(range(0, 1000, 5)))]:
        points = [m for m in got if m["run_id"] == run_id]
        steps = [m["step"] for m in points]
        assert 2 <= len(steps) <= 10, steps
        assert steps == sorted(set(steps)), steps
        assert steps[0] == logged[0] and steps[-1] == logged[-1], steps
        assert set(steps) <= set(logged)
        assert all(m["value"] == float(m["step"]) and m["key"] == "loss" for m in points)
    # Grouped per run, in the requested order.
    run_order = [m["run_id"] for m in got]
    assert run_order == sorted(run_order, key=[run1, run2].index)

    # A step window.
    r = get(server, BULK, {"run_ids": [run1], "metric_key": "loss", "start_step": 10,
                           "end_step": 14, "max_results": 10}, prefix=AJAX)  # fmt: skip
    assert r.status_code == 200, r.text
    assert [m["step"] for m in r.json()["metrics"]] == [10, 11, 12, 13, 14]


def test_bulk_interval_default_max_results(server, exp_id):
    # MLflow's default (and maximum) is 2500 points per run, so 400 points come back whole.
    run1 = post(server, "runs/create", {"experiment_id": exp_id}).json()["run"]["info"]["run_id"]
    _log_steps(server, run1, "m", range(400))
    r = get(server, BULK, {"run_ids": [run1], "metric_key": "m"}, prefix=AJAX)
    assert r.status_code == 200, r.text
    assert [m["step"] for m in r.json()["metrics"]] == list(range(400))
    r = get(server, BULK, {"run_ids": [run1], "metric_key": "m", "max_results": 2500}, prefix=AJAX)
    assert r.status_code == 200, r.text
    assert len(r.json()["metrics"]) == 400


def test_bulk_interval_rejects_invalid_requests(server):
    def bad(params):
        r = get(server, BULK, params, prefix=AJAX)
        assert_error_json(r, 400, "INVALID_PARAMETER_VALUE")

    bad({"metric_key": "key"})
    bad({"run_ids": [f"id_{i}" for i in range(101)], "metric_key": "key"})
    bad({"run_ids": ["123"], "metric_key": "key", "max_results": 0})
    bad({"run_ids": ["123"], "metric_key": "key", "max_results": 2501})
    bad({"run_ids": ["123"], "max_results": 5})
    bad({"run_ids": ["123"], "metric_key": "key", "start_step": 1, "end_step": 0})
    bad({"run_ids": ["123"], "metric_key": "key", "start_step": 1})

"""``MlflowClient.search_runs``: filters, ordering, paging, view types."""

import pytest
from mlflow.entities import Metric, Param, RunTag, ViewType

from compat_helpers import raises_mlflow


@pytest.fixture
def runs(client, experiment_id):
    """Four runs with distinct start times (r1 oldest), metrics/params/tags and statuses.

    name    start  status    metrics.acc  metrics.loss  params.model  params.lr  tags.team
    alpha   1000   FINISHED  0.9          0.30          cnn           0.1        Vision
    beta    2000   FAILED    0.5          0.70          rnn           0.01       nlp
    gamma   3000   FINISHED  0.7          -             Cnn-Large     -          vision
    delta   4000   RUNNING   -            0.10          mlp           0.1        -
    """
    spec = [
        ("alpha", 1000, "FINISHED", {"acc": 0.9, "loss": 0.3}, {"model": "cnn", "lr": "0.1"},
         {"team": "Vision"}),
        ("beta", 2000, "FAILED", {"acc": 0.5, "loss": 0.7}, {"model": "rnn", "lr": "0.01"},
         {"team": "nlp"}),
        ("gamma", 3000, "FINISHED", {"acc": 0.7}, {"model": "Cnn-Large"}, {"team": "vision"}),
        ("delta", 4000, "RUNNING", {"loss": 0.1}, {"model": "mlp", "lr": "0.1"}, {}),
    ]  # fmt: skip
    ids = {}
    for name, start, status, metrics, params, tags in spec:
        rid = client.create_run(experiment_id, start_time=start, run_name=name).info.run_id
        client.log_batch(
            rid,
            metrics=[Metric(k, v, start, 0) for k, v in metrics.items()],
            params=[Param(k, v) for k, v in params.items()],
            tags=[RunTag(k, v) for k, v in tags.items()],
        )
        if status != "RUNNING":
            client.set_terminated(rid, status, end_time=start + 500)
        ids[name] = rid
    ids["_by_id"] = {v: k for k, v in ids.items()}
    return ids


def names(result, runs):
    return [runs["_by_id"][r.info.run_id] for r in result]


def search(client, experiment_id, runs, filter_string="", **kw):
    return names(client.search_runs([experiment_id], filter_string=filter_string, **kw), runs)


def test_search_all_default_order_start_time_desc(client, experiment_id, runs):
    result = client.search_runs([experiment_id])
    assert names(result, runs) == ["delta", "gamma", "beta", "alpha"]
    alpha = result[3]
    assert alpha.data.metrics == {"acc": 0.9, "loss": 0.3}
    assert alpha.data.params == {"model": "cnn", "lr": "0.1"}
    assert alpha.data.tags["team"] == "Vision"
    assert alpha.info.status == "FINISHED"
    assert alpha.info.start_time == 1000
    assert alpha.info.end_time == 1500
    assert alpha.info.run_name == "alpha"


@pytest.mark.parametrize(
    ("filter_string", "expected"),
    [
        ("metrics.acc > 0.6", ["gamma", "alpha"]),
        ("metrics.acc >= 0.7", ["gamma", "alpha"]),
        ("metrics.acc < 0.7", ["beta"]),
        ("metrics.acc <= 0.7", ["gamma", "beta"]),
        ("metrics.acc = 0.5", ["beta"]),
        ("metrics.acc != 0.5", ["gamma", "alpha"]),
        ("metrics.loss < 0.5 AND metrics.acc > 0.1", ["alpha"]),
        ("metric.`loss` > 0", ["delta", "beta", "alpha"]),
        ("params.model = 'cnn'", ["alpha"]),
        ("params.model != 'cnn'", ["delta", "gamma", "beta"]),
        ("params.lr = '0.1'", ["delta", "alpha"]),
        ("params.model LIKE 'c%'", ["alpha"]),
        ("params.model ILIKE 'c%'", ["gamma", "alpha"]),
        ("params.model LIKE '%n%'", ["gamma", "beta", "alpha"]),
        ("params.model LIKE '%N%'", []),
        ("param.model ILIKE '%LARGE'", ["gamma"]),
        ("tags.team = 'vision'", ["gamma"]),
        ("tags.team ILIKE 'VISION'", ["gamma", "alpha"]),
        ("tags.team LIKE 'V%'", ["alpha"]),
        ("tags.team != 'nlp'", ["gamma", "alpha"]),
        ("tags.`team` = 'nlp'", ["beta"]),
        ("attributes.status = 'FINISHED'", ["gamma", "alpha"]),
        ("attributes.status != 'FINISHED'", ["delta", "beta"]),
        ("attributes.run_name = 'beta'", ["beta"]),
        ("attributes.run_name LIKE '%a'", ["delta", "gamma", "beta", "alpha"]),
        ("attributes.run_name LIKE 'a%'", ["alpha"]),
        ("attributes.run_name ILIKE 'GAM%'", ["gamma"]),
        ("run_name = 'delta'", ["delta"]),
        ("tags.mlflow.runName = 'gamma'", ["gamma"]),
        ("attributes.start_time > 2000", ["delta", "gamma"]),
        ("attributes.start_time >= 2000", ["delta", "gamma", "beta"]),
        ("attributes.start_time < 2000", ["alpha"]),
        ("attributes.start_time = 3000", ["gamma"]),
        ("attributes.end_time > 2000", ["gamma", "beta"]),
        ("metrics.acc > 0.6 AND params.model = 'cnn' AND tags.team = 'Vision'", ["alpha"]),
        ("metrics.acc > 0.95", []),
        ('params."lr" = \'0.1\'', ["delta", "alpha"]),
        ('params.model = "rnn"', ["beta"]),
        ("metrics.acc > 0.6 and params.model = 'cnn'", ["alpha"]),
        ("params.lr IS NULL", ["gamma"]),
        ("tags.team IS NOT NULL", ["gamma", "beta", "alpha"]),
        ("attributes.`run_name` = 'alpha'", ["alpha"]),
        ("attributes.status = 'RUNNING'", ["delta"]),
        ("params.missing = 'x'", []),
    ],
)
def test_search_filters(client, experiment_id, runs, filter_string, expected):
    assert search(client, experiment_id, runs, filter_string) == expected


def test_search_run_id_in(client, experiment_id, runs):
    f = f"attributes.run_id IN ('{runs['alpha']}', '{runs['gamma']}')"
    assert search(client, experiment_id, runs, f) == ["gamma", "alpha"]
    f = f"attributes.run_id NOT IN ('{runs['alpha']}', '{runs['gamma']}')"
    assert search(client, experiment_id, runs, f) == ["delta", "beta"]
    f = f"run_id IN ('{runs['delta']}') AND metrics.loss < 1"
    assert search(client, experiment_id, runs, f) == ["delta"]
    f = f"attributes.run_id = '{runs['beta']}'"
    assert search(client, experiment_id, runs, f) == ["beta"]


@pytest.mark.parametrize(
    ("order_by", "expected"),
    [
        (["metrics.acc ASC"], ["beta", "gamma", "alpha", "delta"]),
        (["metrics.acc DESC"], ["alpha", "gamma", "beta", "delta"]),
        (["metrics.acc"], ["beta", "gamma", "alpha", "delta"]),
        (["metrics.loss DESC"], ["beta", "alpha", "delta", "gamma"]),
        (["metrics.`loss` ASC"], ["delta", "alpha", "beta", "gamma"]),
        (["params.lr ASC", "attributes.start_time ASC"], ["beta", "alpha", "delta", "gamma"]),
        (["params.lr DESC", "metrics.loss ASC"], ["delta", "alpha", "beta", "gamma"]),
        (["attributes.start_time ASC"], ["alpha", "beta", "gamma", "delta"]),
        (["attributes.start_time DESC"], ["delta", "gamma", "beta", "alpha"]),
        (["attributes.run_name ASC"], ["alpha", "beta", "delta", "gamma"]),
        (["attributes.run_name DESC"], ["gamma", "delta", "beta", "alpha"]),
        (["attributes.status ASC", "attributes.start_time ASC"], ["beta", "alpha", "gamma", "delta"]),
        (["attributes.end_time DESC"], ["gamma", "beta", "alpha", "delta"]),
    ],
)
def test_search_order_by(client, experiment_id, runs, order_by, expected):
    assert search(client, experiment_id, runs, order_by=order_by) == expected


def test_order_by_metric_nan_after_values_missing_last(client, experiment_id):
    ids = []
    for value in [2.0, float("nan"), None, -1.0, 5.0]:
        rid = client.create_run(experiment_id, start_time=1000).info.run_id
        if value is not None:
            client.log_metric(rid, "m", value, timestamp=1, step=0)
        ids.append(rid)
    two, nan, missing, minus_one, five = ids
    asc = [r.info.run_id for r in client.search_runs([experiment_id], order_by=["metrics.m ASC"])]
    assert asc == [minus_one, two, five, nan, missing]
    desc = [r.info.run_id for r in client.search_runs([experiment_id], order_by=["metrics.m DESC"])]
    assert desc == [five, two, minus_one, nan, missing]


def test_search_paging_three_pages(client, experiment_id):
    ids = [client.create_run(experiment_id, start_time=1).info.run_id for _ in range(8)]
    expected = sorted(ids)  # same start_time: ties broken by run id ascending
    pages = []
    token = None
    while True:
        page = client.search_runs([experiment_id], max_results=3, page_token=token)
        pages.append([r.info.run_id for r in page])
        token = page.token
        if not token:
            break
        assert len(pages) < 10
    assert [len(p) for p in pages] == [3, 3, 2]
    assert [rid for p in pages for rid in p] == expected


def test_search_paging_with_order_and_filter(client, experiment_id):
    ids = []
    for i in range(7):
        rid = client.create_run(experiment_id, start_time=1000 + i).info.run_id
        client.log_metric(rid, "score", float(i % 4), timestamp=1, step=0)
        ids.append(rid)
    kw = dict(filter_string="metrics.score >= 1", order_by=["metrics.score DESC"], max_results=2)
    seen = []
    token = None
    for _ in range(10):
        page = client.search_runs([experiment_id], page_token=token, **kw)
        seen.extend(r.info.run_id for r in page)
        token = page.token
        if not token:
            break
    # scores: 0 1 2 3 0 1 2 ; >=1 -> i in {1,2,3,5,6}; score DESC, then start_time DESC
    assert seen == [ids[3], ids[6], ids[2], ids[5], ids[1]]


def test_search_view_types(client, experiment_id):
    ids = [client.create_run(experiment_id, start_time=1000 + i).info.run_id for i in range(3)]
    client.delete_run(ids[1])

    def f(view_type):
        return [r.info.run_id for r in client.search_runs([experiment_id], run_view_type=view_type)]

    assert f(ViewType.ACTIVE_ONLY) == [ids[2], ids[0]]
    assert f(ViewType.DELETED_ONLY) == [ids[1]]
    assert f(ViewType.ALL) == [ids[2], ids[1], ids[0]]
    client.restore_run(ids[1])
    assert f(ViewType.DELETED_ONLY) == []
    assert f(ViewType.ACTIVE_ONLY) == [ids[2], ids[1], ids[0]]


def test_search_multiple_experiments(client, uniq):
    e1 = client.create_experiment(f"{uniq}-1")
    e2 = client.create_experiment(f"{uniq}-2")
    r1 = client.create_run(e1, start_time=1).info.run_id
    r2 = client.create_run(e2, start_time=2).info.run_id
    result = client.search_runs([e1, e2])
    assert [(r.info.run_id, r.info.experiment_id) for r in result] == [(r2, e2), (r1, e1)]
    assert [r.info.run_id for r in client.search_runs([e1])] == [r1]


def test_search_empty_experiment(client, experiment_id):
    result = client.search_runs([experiment_id])
    assert list(result) == []
    assert not result.token


def test_search_returns_latest_metric_values(client, experiment_id):
    rid = client.create_run(experiment_id).info.run_id
    client.log_metric(rid, "m", 5.0, timestamp=1, step=5)
    client.log_metric(rid, "m", 1.0, timestamp=2, step=1)
    (run,) = client.search_runs([experiment_id])
    assert run.data.metrics == {"m": 5.0}
    assert [r.info.run_id for r in client.search_runs([experiment_id], "metrics.m = 5")] == [rid]
    assert list(client.search_runs([experiment_id], "metrics.m = 1")) == []


@pytest.mark.parametrize(
    "bad_filter",
    [
        "metrics.acc >",
        "metrics.acc > 'abc'",
        "foo.bar = 'x'",
        "params.model = cnn",
        "attributes.status > 'FINISHED'",
        "metrics.acc LIKE '0.5'",
    ],
)
def test_search_malformed_filter(client, experiment_id, bad_filter):
    with raises_mlflow("INVALID_PARAMETER_VALUE"):
        client.search_runs([experiment_id], filter_string=bad_filter)


def test_search_bad_order_by(client, experiment_id):
    with raises_mlflow("INVALID_PARAMETER_VALUE"):
        client.search_runs([experiment_id], order_by=["metrics.acc SIDEWAYS"])


def test_search_max_results_too_large(client, experiment_id):
    with raises_mlflow("INVALID_PARAMETER_VALUE"):
        client.search_runs([experiment_id], max_results=123456789)

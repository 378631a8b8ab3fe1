"""Model registry and MLflow 3 logged models through the real ``mlflow`` client:
registered models, versions, aliases, tags, stages, search, deletes, and the fluent
``log_model`` -> ``register_model`` -> ``load_model("models:/name@alias")`` flow."""

import numpy as np
import pandas as pd
import pytest
import requests

import mlflow
from mlflow.entities import LoggedModelInput, LoggedModelStatus, Metric
from mlflow.entities.model_registry import ModelVersionTag, RegisteredModelTag

from compat_helpers import assert_error_json, raises_mlflow


@pytest.fixture
def model_name(uniq) -> str:
    return f"{uniq}-model"


def _run_with_source(client, experiment_id):
    run = client.create_run(experiment_id)
    return run.info.run_id, f"runs:/{run.info.run_id}/model"


# --------------------------------------------------------------------- registered models


def test_create_get_update_rename_delete_registered_model(client, model_name):
    created = client.create_registered_model(
        model_name, tags={"team": "vision"}, description="first"
    )
    assert created.name == model_name
    assert created.description == "first"
    assert created.tags == {"team": "vision"}
    assert created.creation_timestamp > 0

    with raises_mlflow("RESOURCE_ALREADY_EXISTS", match="already exists"):
        client.create_registered_model(model_name)

    updated = client.update_registered_model(model_name, description="second")
    assert updated.description == "second"
    got = client.get_registered_model(model_name)
    assert got.description == "second"

    client.rename_registered_model(model_name, f"{model_name}-new")
    assert client.get_registered_model(f"{model_name}-new").description == "second"
    with raises_mlflow("RESOURCE_DOES_NOT_EXIST", match="not found"):
        client.get_registered_model(model_name)

    client.delete_registered_model(f"{model_name}-new")
    with raises_mlflow("RESOURCE_DOES_NOT_EXIST"):
        client.get_registered_model(f"{model_name}-new")


def test_registered_model_tags(client, model_name):
    client.create_registered_model(model_name)
    client.set_registered_model_tag(model_name, "stage", "beta")
    client.set_registered_model_tag(model_name, "owner", "ml")
    client.delete_registered_model_tag(model_name, "owner")
    assert client.get_registered_model(model_name).tags == {"stage": "beta"}
    with raises_mlflow("RESOURCE_DOES_NOT_EXIST"):
        client.set_registered_model_tag(f"{model_name}-missing", "a", "b")


def test_invalid_registered_model_names(client):
    with raises_mlflow("INVALID_PARAMETER_VALUE", match="cannot contain"):
        client.create_registered_model("a/b")
    with raises_mlflow("INVALID_PARAMETER_VALUE"):
        client.create_registered_model("")


# --------------------------------------------------------------------- model versions


def test_versions_count_up_and_are_never_reused(client, experiment_id, model_name):
    client.create_registered_model(model_name)
    run_id, source = _run_with_source(client, experiment_id)
    versions = [
        client.create_model_version(model_name, source, run_id=run_id).version for _ in range(3)
    ]
    assert versions == ["1", "2", "3"]
    mv = client.get_model_version(model_name, "2")
    assert mv.name == model_name
    assert mv.source == source
    assert mv.run_id == run_id
    assert mv.status == "READY"
    assert mv.current_stage == "None"

    client.delete_model_version(model_name, "3")
    with raises_mlflow("RESOURCE_DOES_NOT_EXIST", match=r"version=3\) not found"):
        client.get_model_version(model_name, "3")
    assert client.create_model_version(model_name, source, run_id=run_id).version == "4"

    updated = client.update_model_version(model_name, "1", description="the first")
    assert updated.description == "the first"
    assert client.get_model_version_download_uri(model_name, "1") == source

    with raises_mlflow("INVALID_PARAMETER_VALUE", match="must be an integer"):
        client.get_model_version(model_name, "one")


def test_model_version_source_must_match_its_run(client, experiment_id, model_name):
    client.create_registered_model(model_name)
    run_id, _ = _run_with_source(client, experiment_id)
    other_run, other_source = _run_with_source(client, experiment_id)
    with raises_mlflow("INVALID_PARAMETER_VALUE", match="Invalid model version source"):
        client.create_model_version(model_name, other_source, run_id=run_id)
    with raises_mlflow("INVALID_PARAMETER_VALUE", match="Invalid model version source"):
        client.create_model_version(model_name, "s3://bucket/a/../../etc", run_id=run_id)
    # Object-store URIs are taken as they are.
    mv = client.create_model_version(model_name, "s3://bucket/models/m", run_id=run_id)
    assert mv.source == "s3://bucket/models/m"


def test_model_version_tags(client, experiment_id, model_name):
    client.create_registered_model(model_name)
    run_id, source = _run_with_source(client, experiment_id)
    client.create_model_version(model_name, source, run_id=run_id, tags={"a": "1"})
    client.set_model_version_tag(model_name, "1", "b", "2")
    client.delete_model_version_tag(model_name, "1", "a")
    assert client.get_model_version(model_name, "1").tags == {"b": "2"}


def test_aliases(client, experiment_id, model_name):
    client.create_registered_model(model_name)
    run_id, source = _run_with_source(client, experiment_id)
    for _ in range(2):
        client.create_model_version(model_name, source, run_id=run_id)
    client.set_registered_model_alias(model_name, "champion", "1")
    assert client.get_model_version_by_alias(model_name, "champion").version == "1"
    client.set_registered_model_alias(model_name, "champion", "2")
    mv = client.get_model_version_by_alias(model_name, "champion")
    assert mv.version == "2"
    assert mv.aliases == ["champion"]
    assert client.get_registered_model(model_name).aliases == {"champion": "2"}

    for reserved in ("latest", "v3"):
        with raises_mlflow("INVALID_PARAMETER_VALUE", match="reserved"):
            client.set_registered_model_alias(model_name, reserved, "1")
    with raises_mlflow("RESOURCE_DOES_NOT_EXIST"):
        client.set_registered_model_alias(model_name, "ghost", "9")

    client.delete_registered_model_alias(model_name, "champion")
    with raises_mlflow("INVALID_PARAMETER_VALUE", match="alias champion not found"):
        client.get_model_version_by_alias(model_name, "champion")

    # Deleting a version drops the aliases pointing to it.
    client.set_registered_model_alias(model_name, "old", "1")
    client.delete_model_version(model_name, "1")
    with raises_mlflow("INVALID_PARAMETER_VALUE"):
        client.get_model_version_by_alias(model_name, "old")


def test_transition_stage_and_latest_versions(client, experiment_id, model_name):
    client.create_registered_model(model_name)
    run_id, source = _run_with_source(client, experiment_id)
    for _ in range(3):
        client.create_model_version(model_name, source, run_id=run_id)
    client.transition_model_version_stage(model_name, "1", "Production")
    mv = client.transition_model_version_stage(
        model_name, "2", "production", archive_existing_versions=True
    )
    assert mv.current_stage == "Production"
    assert client.get_model_version(model_name, "1").current_stage == "Archived"
    latest = {mv.current_stage: mv.version for mv in client.get_latest_versions(model_name)}
    assert latest == {"Archived": "1", "Production": "2", "None": "3"}
    prod = client.get_latest_versions(model_name, stages=["Production"])
    assert [mv.version for mv in prod] == ["2"]
    with raises_mlflow("INVALID_PARAMETER_VALUE", match="Invalid Model Version stage"):
        client.transition_model_version_stage(model_name, "3", "prod")


def test_delete_registered_model_deletes_versions(client, experiment_id, model_name):
    client.create_registered_model(model_name)
    run_id, source = _run_with_source(client, experiment_id)
    client.create_model_version(model_name, source, run_id=run_id)
    client.set_registered_model_alias(model_name, "a", "1")
    client.delete_registered_model(model_name)
    assert client.search_model_versions(f"name = '{model_name}'") == []
    client.create_registered_model(model_name)
    assert client.create_model_version(model_name, source, run_id=run_id).version == "1"


# --------------------------------------------------------------------------- search


def test_search_registered_models(client, uniq):
    names = [f"{uniq}-a", f"{uniq}-B", f"{uniq}-c"]
    for name in names:
        client.create_registered_model(name)
    client.set_registered_model_tag(f"{uniq}-c", "team", "x")

    found = client.search_registered_models(filter_string=f"name LIKE '{uniq}-%'")
    assert sorted(m.name for m in found) == sorted(names)
    assert [m.name for m in client.search_registered_models(f"name = '{uniq}-a'")] == [
        f"{uniq}-a"
    ]
    ilike = client.search_registered_models(filter_string=f"name ILIKE '{uniq}-b'")
    assert [m.name for m in ilike] == [f"{uniq}-B"]
    tagged = client.search_registered_models(f"name LIKE '{uniq}%' AND tags.team = 'x'")
    assert [m.name for m in tagged] == [f"{uniq}-c"]

    ordered = client.search_registered_models(
        filter_string=f"name LIKE '{uniq}-%'", order_by=["name DESC"]
    )
    assert [m.name for m in ordered] == sorted(names, reverse=True)

    first = client.search_registered_models(
        filter_string=f"name LIKE '{uniq}-%'", max_results=2, order_by=["name ASC"]
    )
    assert len(first) == 2 and first.token
    rest = client.search_registered_models(
        filter_string=f"name LIKE '{uniq}-%'",
        max_results=2,
        order_by=["name ASC"],
        page_token=first.token,
    )
    assert [m.name for m in first] + [m.name for m in rest] == sorted(names)
    assert not rest.token

    with raises_mlflow("INVALID_PARAMETER_VALUE", match="Invalid attribute key"):
        client.search_registered_models("run_id = 'x'")
    with raises_mlflow("INVALID_PARAMETER_VALUE", match="Invalid order by key"):
        client.search_registered_models(order_by=["version_number"])


def test_search_model_versions(client, experiment_id, uniq):
    run_id, source = _run_with_source(client, experiment_id)
    for name in (f"{uniq}-x", f"{uniq}-y"):
        client.create_registered_model(name)
        for _ in range(2):
            client.create_model_version(name, source, run_id=run_id)
    found = client.search_model_versions(f"name = '{uniq}-x'")
    assert [(mv.name, mv.version) for mv in found] == [(f"{uniq}-x", "2"), (f"{uniq}-x", "1")]
    by_run = client.search_model_versions(f"run_id = '{run_id}'", order_by=["name ASC", "version_number ASC"])
    assert [(mv.name, mv.version) for mv in by_run] == [
        (f"{uniq}-x", "1"),
        (f"{uniq}-x", "2"),
        (f"{uniq}-y", "1"),
        (f"{uniq}-y", "2"),
    ]
    numbered = client.search_model_versions(f"name IN ('{uniq}-x', '{uniq}-y') AND version_number > 1")
    assert sorted(mv.name for mv in numbered) == [f"{uniq}-x", f"{uniq}-y"]
    page = client.search_model_versions(f"run_id = '{run_id}'", max_results=3)
    assert len(page) == 3 and page.token


# ----------------------------------------------------------------------------- REST


def test_registry_rest_shapes_and_errors(server, model_name):
    for prefix in ("/api/2.0/mlflow/", "/ajax-api/2.0/mlflow/"):
        name = f"{model_name}-{prefix.split('/')[1]}"
        r = requests.post(server.api("registered-models/create", prefix), json={"name": name})
        assert r.status_code == 200, r.text
        body = r.json()["registered_model"]
        assert body["name"] == name
        assert isinstance(body["creation_timestamp"], int)
    r = requests.get(server.api("registered-models/get"), params={"name": f"{model_name}-nope"})
    body = assert_error_json(r, 404, "RESOURCE_DOES_NOT_EXIST")
    assert body["message"] == f"Registered Model with name={model_name}-nope not found"
    r = requests.post(server.api("registered-models/create"), json={})
    assert_error_json(r, 400, "INVALID_PARAMETER_VALUE")
    r = requests.get(
        server.api("registered-models/alias"), params={"name": f"{model_name}-api", "alias": "x"}
    )
    assert_error_json(r, 400, "INVALID_PARAMETER_VALUE")


def test_tags_objects_are_accepted(client, experiment_id, model_name):
    run_id, source = _run_with_source(client, experiment_id)
    client.create_registered_model(model_name, tags={"k": "v"})
    client.create_model_version(model_name, source, run_id=run_id, tags={"x": "y"})
    assert RegisteredModelTag("k", "v").key == "k"
    assert ModelVersionTag("x", "y").value == "y"
    assert client.get_model_version(model_name, "1").tags == {"x": "y"}


# ------------------------------------------------------------------- logged models


def test_logged_model_endpoints(client, experiment_id):
    run_id = client.create_run(experiment_id).info.run_id
    model = client.create_logged_model(
        experiment_id,
        name="my_model",
        source_run_id=run_id,
        params={"lr": "0.1"},
        tags={"t": "1"},
        model_type="agent",
    )
    assert model.model_id.startswith("m-")
    assert model.status == LoggedModelStatus.PENDING
    assert model.params == {"lr": "0.1"}
    assert model.tags == {"t": "1"}
    assert model.artifact_location.endswith(f"/models/{model.model_id}/artifacts")

    client.set_logged_model_tags(model.model_id, {"u": "2"})
    client.delete_logged_model_tag(model.model_id, "t")
    client.log_model_params(model.model_id, {"epochs": "3"})
    finalized = client.finalize_logged_model(model.model_id, LoggedModelStatus.READY)
    assert finalized.status == LoggedModelStatus.READY
    got = client.get_logged_model(model.model_id)
    assert got.tags == {"u": "2"}
    assert got.params == {"lr": "0.1", "epochs": "3"}
    assert got.source_run_id == run_id

    other = client.create_logged_model(experiment_id, name="other")
    found = client.search_logged_models(experiment_ids=[experiment_id])
    assert [m.model_id for m in found] == [other.model_id, model.model_id]
    named = client.search_logged_models(
        experiment_ids=[experiment_id], filter_string="name = 'my_model'"
    )
    assert [m.model_id for m in named] == [model.model_id]
    ordered = client.search_logged_models(
        experiment_ids=[experiment_id], order_by=[{"field_name": "name", "ascending": True}]
    )
    assert [m.name for m in ordered] == ["my_model", "other"]

    client.delete_logged_model(other.model_id)
    with raises_mlflow("RESOURCE_DOES_NOT_EXIST"):
        client.get_logged_model(other.model_id)


def test_metrics_logged_for_a_model(server, client, experiment_id):
    run_id = client.create_run(experiment_id).info.run_id
    model = client.create_logged_model(experiment_id, name="scored", source_run_id=run_id)
    client.log_metric(
        run_id, "accuracy", 0.91, step=2, model_id=model.model_id,
        dataset_name="eval", dataset_digest="d1",
    )
    client.log_batch(run_id, metrics=[Metric("f1", 0.8, 1000, 3, model_id=model.model_id)])
    by_key = {m.key: m for m in client.get_logged_model(model.model_id).metrics}
    assert sorted(by_key) == ["accuracy", "f1"]
    accuracy = by_key["accuracy"]
    assert (accuracy.value, accuracy.step) == (0.91, 2)
    assert (accuracy.model_id, accuracy.run_id) == (model.model_id, run_id)
    assert (accuracy.dataset_name, accuracy.dataset_digest) == ("eval", "d1")
    assert (by_key["f1"].value, by_key["f1"].timestamp) == (0.8, 1000)
    # A dataset is named by both its name and digest, or not at all (checked server-side).
    response = requests.post(
        server.api("runs/log-metric"),
        json={"run_id": run_id, "key": "x", "value": 1, "timestamp": 1,
              "model_id": model.model_id, "dataset_name": "eval"},
    )
    assert_error_json(response, 400, "INVALID_PARAMETER_VALUE")
    # The points are the run's metrics as well.
    assert [m.value for m in client.get_metric_history(run_id, "accuracy")] == [0.91]


def test_search_logged_models_by_metrics_and_datasets(client, experiment_id):
    run_id = client.create_run(experiment_id).info.run_id
    models = {}
    for name, value, dataset in [("low", 0.6, "eval"), ("high", 0.9, "eval"), ("other", 0.95, "train")]:
        model = client.create_logged_model(experiment_id, name=name)
        client.log_metric(
            run_id, "accuracy", value, model_id=model.model_id,
            dataset_name=dataset, dataset_digest=f"{dataset}-digest",
        )
        models[name] = model.model_id
    bare = client.create_logged_model(experiment_id, name="bare")

    def names(**kwargs):
        return [m.name for m in client.search_logged_models(experiment_ids=[experiment_id], **kwargs)]

    assert sorted(names(filter_string="metrics.accuracy > 0.7")) == ["high", "other"]
    assert names(
        filter_string="metrics.accuracy > 0.7", datasets=[{"dataset_name": "eval"}]
    ) == ["high"]
    assert sorted(names(datasets=[{"dataset_name": "eval"}])) == ["high", "low"]
    ordered = names(order_by=[{"field_name": "metrics.accuracy", "ascending": False}])
    assert ordered == ["other", "high", "low", "bare"]
    assert bare.model_id not in models.values()


def test_runs_record_the_models_they_used(client, experiment_id):
    model = client.create_logged_model(experiment_id, name="base")
    run_id = client.create_run(experiment_id).info.run_id
    client.log_inputs(run_id, models=[LoggedModelInput(model.model_id)])
    client.log_inputs(run_id, models=[LoggedModelInput(model.model_id)])
    inputs = client.get_run(run_id).inputs
    assert [m.model_id for m in inputs.model_inputs] == [model.model_id]


def test_register_logged_model_and_resolve_aliases(client, experiment_id, model_name):
    run_id = client.create_run(experiment_id).info.run_id
    model = client.create_logged_model(experiment_id, name="m", source_run_id=run_id)
    client.create_registered_model(model_name)
    mv = client.create_model_version(
        model_name, f"models:/{model.model_id}", run_id=run_id, model_id=model.model_id
    )
    assert mv.run_id == run_id
    # The download URI is where the logged model's files live.
    assert client.get_model_version_download_uri(model_name, mv.version) == model.artifact_location
    with raises_mlflow("INVALID_PARAMETER_VALUE", match="Invalid model version source"):
        client.create_model_version(
            model_name, "models:/m-0000", run_id=run_id, model_id=model.model_id
        )


@pytest.mark.ferroflow_only
def test_model_version_json_carries_model_id(server, client, experiment_id, model_name):
    # `model_id` is in `model_registry.proto`'s ModelVersion; MLflow 3.17.2's server leaves
    # it out of responses (and its client drops it), ferroflow sends it.
    model = client.create_logged_model(experiment_id, name="m")
    client.create_registered_model(model_name)
    mv = client.create_model_version(
        model_name, f"models:/{model.model_id}", model_id=model.model_id
    )
    raw = requests.get(
        server.api("model-versions/get"), params={"name": model_name, "version": mv.version}
    ).json()["model_version"]
    assert raw["model_id"] == model.model_id


# -------------------------------------------------------------------- fluent flow


class AddN(mlflow.pyfunc.PythonModel):
    def __init__(self, n):
        self.n = n

    def predict(self, context, model_input, params=None):
        return model_input.apply(lambda column: column + self.n)


def test_fluent_log_register_and_load_pyfunc(fluent, client, uniq):
    mlflow.set_experiment(f"{uniq}-fluent")
    name = f"{uniq}-pyfunc"
    data = pd.DataFrame({"x": [1.0, 2.0, 3.0]})
    with mlflow.start_run() as run:
        info = mlflow.pyfunc.log_model(name="model", python_model=AddN(5))
    assert info.model_uri == f"models:/{info.model_id}"
    logged = client.get_logged_model(info.model_id)
    assert logged.source_run_id == run.info.run_id
    assert logged.status == LoggedModelStatus.READY

    mv = mlflow.register_model(info.model_uri, name)
    assert mv.version == "1"
    client.set_registered_model_alias(name, "champion", mv.version)
    loaded = mlflow.pyfunc.load_model(f"models:/{name}@champion")
    expected = AddN(5).predict(None, data)
    pd.testing.assert_frame_equal(loaded.predict(data), expected)
    np.testing.assert_allclose(
        mlflow.pyfunc.load_model(f"models:/{name}/1").predict(data)["x"].to_numpy(),
        [6.0, 7.0, 8.0],
    )


def test_fluent_sklearn_flow(fluent, client, uniq):
    sklearn = pytest.importorskip("sklearn")
    from sklearn.linear_model import LinearRegression

    mlflow.set_experiment(f"{uniq}-sk")
    name = f"{uniq}-sk"
    X = np.array([[0.0], [1.0], [2.0], [3.0]])
    y = 2 * X[:, 0] + 1
    reg = LinearRegression().fit(X, y)
    with mlflow.start_run():
        info = mlflow.sklearn.log_model(reg, name="reg", registered_model_name=name)
    assert sklearn is not None
    mv = client.get_latest_versions(name)[0]
    assert mv.source == f"models:/{info.model_id}"
    client.set_registered_model_alias(name, "prod", mv.version)
    loaded = mlflow.sklearn.load_model(f"models:/{name}@prod")
    np.testing.assert_allclose(loaded.predict(X), reg.predict(X))

"""Experiments through ``MlflowClient``: CRUD, tags, lifecycle and search_experiments."""

import time

import pytest
from mlflow.entities import ViewType

from compat_helpers import raises_mlflow


def test_default_experiment_exists(client):
    exp = client.get_experiment("0")
    assert exp.experiment_id == "0"
    assert exp.name == "Default"
    assert exp.lifecycle_stage == "active"
    assert isinstance(exp.artifact_location, str) and exp.artifact_location
    by_name = client.get_experiment_by_name("Default")
    assert by_name.experiment_id == "0"


def test_create_experiment_with_tags_and_artifact_location(client, uniq):
    name = f"{uniq} My Experiment"
    location = f"s3://ferroflow-compat-bucket/{uniq}"
    exp_id = client.create_experiment(
        name, artifact_location=location, tags={"key1": "val1", "key2": "val2"}
    )
    assert isinstance(exp_id, str) and exp_id
    assert exp_id != "0"
    exp = client.get_experiment(exp_id)
    assert exp.experiment_id == exp_id
    assert exp.name == name
    assert exp.artifact_location == location
    assert exp.lifecycle_stage == "active"
    assert exp.tags == {"key1": "val1", "key2": "val2"}
    assert isinstance(exp.creation_time, int) and exp.creation_time > 1_600_000_000_000
    assert isinstance(exp.last_update_time, int) and exp.last_update_time >= exp.creation_time


def test_create_experiment_default_artifact_location(client, uniq):
    exp_id = client.create_experiment(f"{uniq}-a")
    exp = client.get_experiment(exp_id)
    assert isinstance(exp.artifact_location, str) and exp.artifact_location
    # MLflow puts each experiment's artifacts under <default-artifact-root>/<experiment id>.
    assert exp.artifact_location.rstrip("/").endswith("/" + exp_id)
    assert exp.tags == {}


def test_experiment_ids_are_distinct(client, uniq):
    ids = [client.create_experiment(f"{uniq}-{i}") for i in range(3)]
    assert len(set(ids)) == 3
    assert [client.get_experiment(i).name for i in ids] == [f"{uniq}-{i}" for i in range(3)]


def test_get_experiment_by_name(client, uniq):
    exp_id = client.create_experiment(uniq)
    exp = client.get_experiment_by_name(uniq)
    assert exp.experiment_id == exp_id
    assert exp.name == uniq
    assert client.get_experiment_by_name(f"{uniq}-does-not-exist") is None


def test_get_experiment_unknown_id(client):
    with raises_mlflow("RESOURCE_DOES_NOT_EXIST"):
        client.get_experiment("987654321")


def test_duplicate_experiment_name(client, uniq):
    client.create_experiment(uniq)
    with raises_mlflow("RESOURCE_ALREADY_EXISTS"):
        client.create_experiment(uniq)


def test_duplicate_name_of_deleted_experiment(client, uniq):
    exp_id = client.create_experiment(uniq)
    client.delete_experiment(exp_id)
    with raises_mlflow("RESOURCE_ALREADY_EXISTS"):
        client.create_experiment(uniq)


def test_rename_experiment(client, uniq):
    exp_id = client.create_experiment(f"{uniq}-bad")
    client.rename_experiment(exp_id, f"{uniq}-good")
    assert client.get_experiment(exp_id).name == f"{uniq}-good"
    assert client.get_experiment_by_name(f"{uniq}-bad") is None
    assert client.get_experiment_by_name(f"{uniq}-good").experiment_id == exp_id


def test_rename_experiment_to_existing_name(client, uniq):
    client.create_experiment(f"{uniq}-1")
    exp2 = client.create_experiment(f"{uniq}-2")
    with pytest.raises(Exception):
        client.rename_experiment(exp2, f"{uniq}-1")
    assert client.get_experiment(exp2).name == f"{uniq}-2"


def test_delete_and_restore_experiment(client, uniq):
    exp_id = client.create_experiment(uniq)
    assert client.get_experiment(exp_id).lifecycle_stage == "active"
    client.delete_experiment(exp_id)
    assert client.get_experiment(exp_id).lifecycle_stage == "deleted"
    # A deleted experiment is still found by name.
    assert client.get_experiment_by_name(uniq).lifecycle_stage == "deleted"
    client.restore_experiment(exp_id)
    assert client.get_experiment(exp_id).lifecycle_stage == "active"


def test_delete_experiment_deletes_its_runs(client, uniq):
    exp_id = client.create_experiment(uniq)
    run = client.create_run(exp_id)
    client.delete_experiment(exp_id)
    assert client.get_run(run.info.run_id).info.lifecycle_stage == "deleted"
    client.restore_experiment(exp_id)
    assert client.get_run(run.info.run_id).info.lifecycle_stage == "active"


def test_delete_unknown_experiment(client):
    with raises_mlflow("RESOURCE_DOES_NOT_EXIST"):
        client.delete_experiment("987654321")


def test_set_and_delete_experiment_tag(client, uniq):
    exp_id = client.create_experiment(f"{uniq}-1")
    client.set_experiment_tag(exp_id, "dataset", "imagenet1K")
    assert client.get_experiment(exp_id).tags == {"dataset": "imagenet1K"}
    # Overwrite.
    client.set_experiment_tag(exp_id, "dataset", "birdbike")
    assert client.get_experiment(exp_id).tags == {"dataset": "birdbike"}
    # Tags are per experiment.
    exp2 = client.create_experiment(f"{uniq}-2")
    assert client.get_experiment(exp2).tags == {}
    client.set_experiment_tag(exp2, "dataset", "birds200")
    assert client.get_experiment(exp_id).tags["dataset"] == "birdbike"
    assert client.get_experiment(exp2).tags["dataset"] == "birds200"
    # Multi-line and empty values.
    client.set_experiment_tag(exp_id, "multiline tag", "value2\nvalue2\nvalue2")
    client.set_experiment_tag(exp_id, "empty", "")
    assert client.get_experiment(exp_id).tags == {
        "dataset": "birdbike",
        "multiline tag": "value2\nvalue2\nvalue2",
        "empty": "",
    }
    client.delete_experiment_tag(exp_id, "dataset")
    assert client.get_experiment(exp_id).tags == {
        "multiline tag": "value2\nvalue2\nvalue2",
        "empty": "",
    }
    assert client.get_experiment(exp2).tags == {"dataset": "birds200"}


def test_set_experiment_tag_unknown_experiment(client):
    with raises_mlflow("RESOURCE_DOES_NOT_EXIST"):
        client.set_experiment_tag("987654321", "k", "v")


# --------------------------------------------------------------------------- search


@pytest.fixture
def search_set(client, uniq):
    """Creates <uniq>-a {key: value}, <uniq>-ab {key: vaLue}, <uniq>-Abc (no tags), in order."""
    ids = {}
    for suffix, tags in [("a", {"key": "value"}), ("ab", {"key": "vaLue"}), ("Abc", None)]:
        time.sleep(0.01)  # distinct creation_time (ms resolution)
        ids[suffix] = client.create_experiment(f"{uniq}-{suffix}", tags=tags)
    return ids


def _names(experiments, uniq):
    return [e.name[len(uniq) + 1 :] for e in experiments]


def test_search_experiments_by_name(client, uniq, search_set):
    f = lambda s: client.search_experiments(filter_string=s)  # noqa: E731
    assert _names(f(f"name = '{uniq}-a'"), uniq) == ["a"]
    assert _names(f(f"attribute.name = '{uniq}-ab'"), uniq) == ["ab"]
    # Default order: creation_time DESC.
    assert _names(f(f"name LIKE '{uniq}-%'"), uniq) == ["Abc", "ab", "a"]
    assert _names(f(f"name LIKE '{uniq}-a%'"), uniq) == ["ab", "a"]  # LIKE is case-sensitive
    assert _names(f(f"name ILIKE '{uniq}-a%'"), uniq) == ["Abc", "ab", "a"]
    assert _names(f(f"name LIKE '{uniq}-a_'"), uniq) == ["ab"]
    assert _names(f(f"name LIKE '{uniq}-%' AND name != '{uniq}-a'"), uniq) == ["Abc", "ab"]
    assert list(f(f"name = '{uniq}-nothing'")) == []


def test_search_experiments_by_tag(client, uniq, search_set):
    prefix = f"name LIKE '{uniq}-%'"
    f = lambda s: _names(client.search_experiments(filter_string=f"{prefix} AND {s}"), uniq)  # noqa: E731
    assert f("tags.key = 'value'") == ["a"]
    assert f("tag.key != 'value'") == ["ab"]
    assert f("tags.key LIKE '%alu%'") == ["a"]
    assert f("tags.key ILIKE '%alu%'") == ["ab", "a"]
    assert f("tags.`key` = 'vaLue'") == ["ab"]
    assert f("tags.missing = 'x'") == []


def test_search_experiments_order_by(client, uniq, search_set):
    prefix = f"name LIKE '{uniq}-%'"
    asc = client.search_experiments(filter_string=prefix, order_by=["name ASC"])
    assert _names(asc, uniq) == ["Abc", "a", "ab"]
    desc = client.search_experiments(filter_string=prefix, order_by=["name DESC"])
    assert _names(desc, uniq) == ["ab", "a", "Abc"]
    by_time = client.search_experiments(filter_string=prefix, order_by=["creation_time ASC"])
    assert _names(by_time, uniq) == ["a", "ab", "Abc"]
    by_id = client.search_experiments(filter_string=prefix, order_by=["experiment_id DESC"])
    assert [e.experiment_id for e in by_id] == sorted(search_set.values(), key=int, reverse=True)


def test_search_experiments_view_type(client, uniq, search_set):
    prefix = f"name LIKE '{uniq}-%'"
    client.delete_experiment(search_set["ab"])

    def f(view_type):
        return _names(client.search_experiments(view_type=view_type, filter_string=prefix), uniq)

    assert f(ViewType.ACTIVE_ONLY) == ["Abc", "a"]
    assert f(ViewType.DELETED_ONLY) == ["ab"]
    assert f(ViewType.ALL) == ["Abc", "ab", "a"]
    # Default is ACTIVE_ONLY.
    assert _names(client.search_experiments(filter_string=prefix), uniq) == ["Abc", "a"]


def test_search_experiments_paging(client, uniq):
    names = [f"{uniq}-{i:02d}" for i in range(7)]
    for n in names:
        client.create_experiment(n)
    prefix = f"name LIKE '{uniq}-%'"
    seen = []
    token = None
    pages = 0
    while True:
        page = client.search_experiments(
            max_results=3, filter_string=prefix, order_by=["name ASC"], page_token=token
        )
        pages += 1
        seen.extend(e.name for e in page)
        token = page.token
        if pages < 3:
            assert len(page) == 3
            assert token
        if not token:
            break
        assert pages < 10
    assert pages == 3
    assert seen == names


def test_search_experiments_max_results_exact_fit(client, uniq):
    for i in range(2):
        client.create_experiment(f"{uniq}-{i}")
    page = client.search_experiments(max_results=2, filter_string=f"name LIKE '{uniq}-%'")
    assert len(page) == 2
    if page.token:  # MLflow may hand out a token that leads to an empty page
        assert list(
            client.search_experiments(
                max_results=2, filter_string=f"name LIKE '{uniq}-%'", page_token=page.token
            )
        ) == []


def test_search_experiments_default_includes_default_experiment(client):
    exps = client.search_experiments(filter_string="name = 'Default'")
    assert [e.experiment_id for e in exps] == ["0"]


def test_search_experiments_invalid_filter(client):
    with raises_mlflow("INVALID_PARAMETER_VALUE"):
        client.search_experiments(filter_string="name =")
    with raises_mlflow("INVALID_PARAMETER_VALUE"):
        client.search_experiments(filter_string="metrics.x > 1")

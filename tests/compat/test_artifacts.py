"""Artifacts through the server (``--serve-artifacts``), with the real ``mlflow`` client.

Round trips run on the local destination (SQLite and PostgreSQL servers) and on an S3
destination (a bucket on ``moto_server``); every file comes back with the same SHA-256.
The 200 MB tests run once per store and check the server's peak RSS (``VmHWM``) stays
under 100 MB: uploads and downloads stream instead of holding files.
"""

from __future__ import annotations

import hashlib
import os
import socket
import struct
import zlib
from pathlib import Path
from urllib.parse import urlparse

import mlflow
import pytest
import requests
from mlflow import MlflowClient

from conftest import TARGET

LARGE_FILE_BYTES = 200 * 1024 * 1024
PEAK_RSS_LIMIT_KB = 100 * 1024


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def _png_bytes(width: int = 4, height: int = 3) -> bytes:
    """A valid RGB PNG, as ``log_figure`` would write (no matplotlib needed)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(
        b"\x00" + b"".join(bytes([x * 60 % 256, y * 80 % 256, 128]) for x in range(width))
        for y in range(height)
    )
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def _peak_rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise AssertionError("VmHWM missing from /proc status")


def _artifacts_api(server, path: str = "") -> str:
    return f"{server.url}/api/2.0/mlflow-artifacts/artifacts{('/' + path) if path else ''}"


def _make_tree(root: Path) -> dict[str, str]:
    """Writes nested files under ``root``; returns relative path -> sha256."""
    files = {
        "top.txt": b"top level\n",
        "a/b/c/deep.bin": os.urandom(300_000),
        "a/sibling.csv": b"x,y\n1,2\n",
        "empty.dat": b"",
        "weird name (1).txt": b"spaces and parentheses",
    }
    for rel, data in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(data)
    return {rel: hashlib.sha256(data).hexdigest() for rel, data in files.items()}


def _round_trip(server, tmp_path: Path, experiment_name: str) -> None:
    mlflow.set_tracking_uri(server.url)
    client = MlflowClient(server.url)
    exp_id = client.create_experiment(experiment_name)
    src = tmp_path / "src"
    tree = _make_tree(src / "tree")
    single = src / "single.bin"
    single.write_bytes(os.urandom(123_457))
    png = src / "plot.png"
    png.write_bytes(_png_bytes())

    with mlflow.start_run(experiment_id=exp_id) as run:
        run_id = run.info.run_id
        assert run.info.artifact_uri == f"mlflow-artifacts:/{exp_id}/{run_id}/artifacts"
        mlflow.log_artifact(str(single))
        mlflow.log_artifact(str(png), artifact_path="figures")
        mlflow.log_artifacts(str(src / "tree"), artifact_path="tree")
        mlflow.log_text("hello text\n", "notes/hello.txt")
        mlflow.log_dict({"lr": 0.1, "layers": [64, 32]}, "config/params.json")

    top = {(f.path, f.is_dir) for f in client.list_artifacts(run_id)}
    assert top == {
        ("single.bin", False),
        ("figures", True),
        ("tree", True),
        ("notes", True),
        ("config", True),
    }
    sizes = {f.path: f.file_size for f in client.list_artifacts(run_id)}
    assert sizes["single.bin"] == 123_457
    nested = mlflow.artifacts.list_artifacts(artifact_uri=f"{run.info.artifact_uri}/tree/a")
    assert {(f.path.rsplit("/", 1)[-1], f.is_dir) for f in nested} == {("b", True), ("sibling.csv", False)}

    dst = Path(mlflow.artifacts.download_artifacts(run_id=run_id, dst_path=str(tmp_path / "dst")))
    assert _sha256(dst / "single.bin") == _sha256(single)
    assert (dst / "figures" / "plot.png").read_bytes() == png.read_bytes()
    for rel, digest in tree.items():
        assert _sha256(dst / "tree" / rel) == digest, rel
    assert (dst / "notes" / "hello.txt").read_text() == "hello text\n"
    assert mlflow.artifacts.load_dict(f"runs:/{run_id}/config/params.json") == {
        "lr": 0.1,
        "layers": [64, 32],
    }

    # The UI's download route serves the same bytes with MLflow's headers.
    r = requests.get(f"{server.url}/get-artifact", params={"run_uuid": run_id, "path": "figures/plot.png"})
    assert r.status_code == 200
    assert r.headers["Content-Type"] == "image/png"
    assert r.headers["Content-Disposition"].startswith("attachment")
    assert r.content == png.read_bytes()


def test_round_trip_local(server, tmp_path, uniq, fluent):
    _round_trip(server, tmp_path, f"{uniq}-local")


def test_round_trip_s3(s3_server, tmp_path, uniq):
    _round_trip(s3_server, tmp_path, f"{uniq}-s3")
    mlflow.set_tracking_uri(None)


def test_files_land_under_the_destination(server, client, experiment_id):
    run = client.create_run(experiment_id)
    r = requests.put(
        _artifacts_api(server, f"{experiment_id}/{run.info.run_id}/artifacts/x/y.txt"), data=b"payload"
    )
    assert r.status_code == 200, r.text
    on_disk = Path(server.artifact_root) / experiment_id / run.info.run_id / "artifacts" / "x" / "y.txt"
    assert on_disk.read_bytes() == b"payload"


def test_list_artifacts_rest(server, client, experiment_id):
    run_id = client.create_run(experiment_id).info.run_id
    base = f"{experiment_id}/{run_id}/artifacts"
    for rel, data in {"m/a.txt": b"aaa", "m/sub/b.txt": b"bb", "root.txt": b"r"}.items():
        assert requests.put(_artifacts_api(server, f"{base}/{rel}"), data=data).status_code == 200
    r = requests.get(server.api("artifacts/list"), params={"run_id": run_id, "path": "m"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["root_uri"] == f"mlflow-artifacts:/{base}"
    assert {(f["path"], f["is_dir"], f.get("file_size")) for f in body["files"]} == {
        ("m/a.txt", False, 3),
        ("m/sub", True, None),
    }
    r = requests.get(_artifacts_api(server), params={"path": f"{base}/m"})
    assert r.status_code == 200, r.text
    assert sorted(f["path"] for f in r.json()["files"]) == ["a.txt", "sub"]
    # A missing folder lists as empty, as MLflow's repositories do.
    r = requests.get(server.api("artifacts/list"), params={"run_id": run_id, "path": "nope"})
    assert r.status_code == 200 and r.json().get("files", []) == []


def test_range_requests(server, client, experiment_id):
    run_id = client.create_run(experiment_id).info.run_id
    data = bytes(range(256)) * 40
    path = f"{experiment_id}/{run_id}/artifacts/blob.bin"
    assert requests.put(_artifacts_api(server, path), data=data).status_code == 200
    r = requests.get(_artifacts_api(server, path), headers={"Range": "bytes=100-199"})
    assert r.status_code == 206
    assert r.content == data[100:200]
    assert r.headers["Content-Range"] == f"bytes 100-199/{len(data)}"
    r = requests.get(_artifacts_api(server, path), headers={"Range": "bytes=-10"})
    assert r.status_code == 206 and r.content == data[-10:]
    r = requests.get(
        f"{server.url}/get-artifact",
        params={"run_uuid": run_id, "path": "blob.bin"},
        headers={"Range": "bytes=10000-"},
    )
    assert r.status_code == 206 and r.content == data[10000:]
    r = requests.get(_artifacts_api(server, path), headers={"Range": f"bytes={len(data) + 5}-"})
    assert r.status_code == 416


def test_model_version_get_artifact(server, client, experiment_id, uniq):
    run = client.create_run(experiment_id)
    base = run.info.artifact_uri
    rel = base[len("mlflow-artifacts:/") :]
    mlmodel = b"flavors:\n  python_function: {}\n"
    assert requests.put(_artifacts_api(server, f"{rel}/model/MLmodel"), data=mlmodel).status_code == 200
    name = f"{uniq}-model"
    client.create_registered_model(name)
    mv = client.create_model_version(name, f"{base}/model", run_id=run.info.run_id)
    r = requests.get(
        f"{server.url}/model-versions/get-artifact",
        params={"name": name, "version": mv.version, "path": "MLmodel"},
    )
    assert r.status_code == 200, r.text
    assert r.content == mlmodel
    assert r.headers["Content-Type"] == "text/plain"
    r = requests.get(
        f"{server.url}/model-versions/get-artifact",
        params={"name": name, "version": mv.version, "path": "../../secret"},
    )
    assert r.status_code == 400


def test_delete_artifact(server, client, experiment_id):
    run_id = client.create_run(experiment_id).info.run_id
    base = f"{experiment_id}/{run_id}/artifacts"
    for rel in ("d/one.txt", "d/two/three.txt", "keep.txt"):
        assert requests.put(_artifacts_api(server, f"{base}/{rel}"), data=b"x").status_code == 200
    assert requests.delete(_artifacts_api(server, f"{base}/d")).status_code == 200
    assert [f.path for f in MlflowClient(server.url).list_artifacts(run_id)] == ["keep.txt"]
    assert requests.get(_artifacts_api(server, f"{base}/d/one.txt")).status_code == 404


HOSTILE_QUERY_PATHS = ["../etc", "a/../../b", "/etc/passwd", "%2e%2e/secret", "..%2f..%2fsecret", "a#b"]


@pytest.mark.parametrize("path", HOSTILE_QUERY_PATHS)
def test_hostile_list_paths_are_rejected(server, path):
    r = requests.get(_artifacts_api(server), params={"path": path})
    assert r.status_code == 400, r.text
    assert r.json()["error_code"] == "INVALID_PARAMETER_VALUE"


@pytest.mark.parametrize("path", HOSTILE_QUERY_PATHS)
def test_hostile_run_artifact_paths_are_rejected(server, run_id, path):
    r = requests.get(server.api("artifacts/list"), params={"run_id": run_id, "path": path})
    assert r.status_code == 400, r.text
    assert r.json()["error_code"] == "INVALID_PARAMETER_VALUE"
    r = requests.get(f"{server.url}/get-artifact", params={"run_uuid": run_id, "path": path})
    assert r.status_code == 400, r.text


@pytest.mark.ferroflow_only
@pytest.mark.parametrize(
    "raw", ["..%2f..%2fescape.txt", "%252e%252e/escape.txt", "a%00b.txt", "a%5c..%5cb.txt", "C:%5cwin.txt"]
)
def test_hostile_upload_paths_are_rejected(server, raw):
    r = requests.put(f"{_artifacts_api(server)}/{raw}", data=b"x")
    assert r.status_code == 400, r.text
    assert r.json() == {"error_code": "INVALID_PARAMETER_VALUE", "message": "Invalid path"}
    assert not (Path(server.artifact_root).parent / "escape.txt").exists()


@pytest.mark.ferroflow_only
def test_interrupted_upload_leaves_no_file(server, client, experiment_id):
    run_id = client.create_run(experiment_id).info.run_id
    rel = f"{experiment_id}/{run_id}/artifacts/partial.bin"
    url = urlparse(server.url)
    with socket.create_connection((url.hostname, url.port)) as sock:
        sock.sendall(
            f"PUT /api/2.0/mlflow-artifacts/artifacts/{rel} HTTP/1.1\r\n"
            f"Host: {url.netloc}\r\nContent-Length: {20 * 1024 * 1024}\r\n\r\n".encode()
        )
        sock.sendall(os.urandom(12 * 1024 * 1024))  # more than one upload part, less than promised
    # The server is still healthy, and nothing is visible under the final name.
    assert requests.get(f"{server.url}/health").status_code == 200
    assert requests.get(_artifacts_api(server, rel)).status_code == 404
    names = [f.path for f in MlflowClient(server.url).list_artifacts(run_id)]
    assert "partial.bin" not in names
    assert not (Path(server.artifact_root) / rel).exists()


def _multipart_rest(server, experiment_id, run_id, tmp_path):
    folder = f"{experiment_id}/{run_id}/artifacts/mpu"
    parts = [os.urandom(5 * 1024 * 1024), os.urandom(5 * 1024 * 1024), os.urandom(1234)]
    r = requests.post(
        f"{server.url}/api/2.0/mlflow-artifacts/mpu/create/{folder}",
        json={"path": str(tmp_path / "big.bin"), "num_parts": len(parts)},
    )
    assert r.status_code == 200, r.text
    create = r.json()
    assert len(create["credentials"]) == 3
    done = []
    for cred, data in zip(create["credentials"], parts):
        resp = requests.put(cred["url"], data=data, headers=cred.get("headers", {}))
        assert resp.status_code == 200, resp.text
        done.append({"part_number": cred["part_number"], "etag": resp.headers["ETag"], "url": cred["url"]})
    # Nothing is visible before completion.
    assert requests.get(_artifacts_api(server, f"{folder}/big.bin")).status_code == 404
    r = requests.post(
        f"{server.url}/api/2.0/mlflow-artifacts/mpu/complete/{folder}",
        json={"path": str(tmp_path / "big.bin"), "upload_id": create["upload_id"], "parts": done},
    )
    assert r.status_code == 200, r.text
    got = requests.get(_artifacts_api(server, f"{folder}/big.bin"))
    assert got.status_code == 200
    assert hashlib.sha256(got.content).hexdigest() == hashlib.sha256(b"".join(parts)).hexdigest()

    # An aborted upload leaves nothing behind, and its id is gone.
    r = requests.post(
        f"{server.url}/api/2.0/mlflow-artifacts/mpu/create/{folder}",
        json={"path": "/tmp/aborted.bin", "num_parts": 2},
    )
    aborted = r.json()
    assert requests.put(aborted["credentials"][0]["url"], data=b"x" * 1000).status_code == 200
    r = requests.post(
        f"{server.url}/api/2.0/mlflow-artifacts/mpu/abort/{folder}",
        json={"path": "/tmp/aborted.bin", "upload_id": aborted["upload_id"]},
    )
    assert r.status_code == 200, r.text
    assert requests.get(_artifacts_api(server, f"{folder}/aborted.bin")).status_code == 404
    r = requests.put(aborted["credentials"][1]["url"], data=b"y")
    assert r.status_code == 404 and r.json()["error_code"] == "RESOURCE_DOES_NOT_EXIST"
    listing = requests.get(_artifacts_api(server)).json().get("files", [])
    assert all(not f["path"].startswith(".ferroflow") for f in listing)


@pytest.mark.ferroflow_only
def test_multipart_rest_local(server, client, experiment_id, tmp_path):
    _multipart_rest(server, experiment_id, client.create_run(experiment_id).info.run_id, tmp_path)


@pytest.mark.ferroflow_only
def test_multipart_rest_s3(s3_server, tmp_path):
    client = MlflowClient(s3_server.url)
    exp_id = client.create_experiment(f"mpu-{os.urandom(6).hex()}")
    _multipart_rest(s3_server, exp_id, client.create_run(exp_id).info.run_id, tmp_path)


def test_multipart_upload_with_the_client(server, fluent, tmp_path, monkeypatch):
    """MLflow's client switches to mpu/create + part PUTs + mpu/complete when asked to."""
    if server.backend != "sqlite":
        pytest.skip("one multipart client round trip is enough")
    monkeypatch.setenv("MLFLOW_ENABLE_PROXY_MULTIPART_UPLOAD", "true")
    monkeypatch.setenv("MLFLOW_MULTIPART_UPLOAD_MINIMUM_FILE_SIZE", "1")
    monkeypatch.setenv("MLFLOW_MULTIPART_UPLOAD_CHUNK_SIZE", str(5 * 1024 * 1024))
    src = tmp_path / "chunks.bin"
    src.write_bytes(os.urandom(12 * 1024 * 1024 + 17))
    exp_id = MlflowClient(server.url).create_experiment(f"mpu-client-{os.urandom(6).hex()}")
    with mlflow.start_run(experiment_id=exp_id) as run:
        mlflow.log_artifact(str(src), artifact_path="weights")
    dst = mlflow.artifacts.download_artifacts(
        run_id=run.info.run_id, artifact_path="weights/chunks.bin", dst_path=str(tmp_path / "out")
    )
    assert _sha256(Path(dst)) == _sha256(src)


def _large_file(server, tmp_path: Path) -> int:
    mlflow.set_tracking_uri(server.url)
    src = tmp_path / "large.bin"
    with open(src, "wb") as f:
        block = os.urandom(1024 * 1024)
        for i in range(LARGE_FILE_BYTES // len(block)):
            f.write(block[i % 251 :] + block[: i % 251])
    exp_id = MlflowClient(server.url).create_experiment(f"large-{os.urandom(6).hex()}")
    with mlflow.start_run(experiment_id=exp_id) as run:
        mlflow.log_artifact(str(src), artifact_path="big")
    dst = mlflow.artifacts.download_artifacts(
        run_id=run.info.run_id, artifact_path="big/large.bin", dst_path=str(tmp_path / "out")
    )
    assert os.path.getsize(dst) == LARGE_FILE_BYTES
    assert _sha256(Path(dst)) == _sha256(src)
    mlflow.set_tracking_uri(None)
    if TARGET != "ferroflow":
        return 0
    peak = _peak_rss_kb(server.pid)
    print(f"\nserver peak RSS after a {LARGE_FILE_BYTES >> 20} MB round trip: {peak / 1024:.1f} MB")
    assert peak < PEAK_RSS_LIMIT_KB, f"server peak RSS {peak} kB"
    return peak


def test_large_file_local(server, tmp_path):
    if server.backend != "sqlite":
        pytest.skip("the 200 MB round trip runs once per store")
    _large_file(server, tmp_path)


def test_large_file_s3(s3_server, tmp_path):
    _large_file(s3_server, tmp_path)

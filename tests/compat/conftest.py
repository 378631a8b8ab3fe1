"""Fixtures for the MLflow-client compatibility suite.

Every test runs against a real ``ferroflow server`` process, once backed by SQLite and
once by PostgreSQL, and talks to it with the real ``mlflow`` client from PyPI.

Environment variables:

* ``FERROFLOW_BIN`` - the server binary (default: ``<repo>/target/debug/ferroflow``).
* ``FERROFLOW_COMPAT_SKIP_POSTGRES=1`` - skip the PostgreSQL half instead of failing when
  PostgreSQL is unreachable.
* ``FERROFLOW_COMPAT_PG_DSN`` - where PostgreSQL runs (default
  ``postgresql://postgres@127.0.0.1:5432``).
* ``FERROFLOW_COMPAT_TARGET=mlflow`` - run the suite against the reference ``mlflow server``
  (from the same venv) instead of ferroflow, to check that the tests encode MLflow's real
  behaviour. Tests marked ``ferroflow_only`` are skipped then.

Servers run as ``mlflow server`` does by default: ``--serve-artifacts`` with a local
``--artifacts-destination``, so runs get ``mlflow-artifacts:/`` URIs and artifacts flow
through the server. ``s3_server`` is a further SQLite server whose destination is a bucket
on a local ``moto_server`` (a real S3 implementation from PyPI).
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import pytest
import requests

# A failing server must fail the test quickly instead of being retried with back-off for
# minutes by the MLflow client.
os.environ.setdefault("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "0")
os.environ.setdefault("MLFLOW_HTTP_REQUEST_TIMEOUT", "30")
# Keep the fluent API from reading a tracking URI / experiment from the developer's shell.
os.environ.pop("MLFLOW_TRACKING_URI", None)
os.environ.pop("MLFLOW_EXPERIMENT_ID", None)
os.environ.pop("MLFLOW_EXPERIMENT_NAME", None)
os.environ.pop("MLFLOW_RUN_ID", None)

import mlflow  # noqa: E402
from mlflow import MlflowClient  # noqa: E402

REPO_ROOT = Path(__file__).resolve().parent.parent.parent
TARGET = os.environ.get("FERROFLOW_COMPAT_TARGET", "ferroflow").strip().lower()
PG_DSN = os.environ.get("FERROFLOW_COMPAT_PG_DSN", "postgresql://postgres@127.0.0.1:5432")
HEALTH_TIMEOUT_S = 30 if TARGET == "ferroflow" else 90


def pytest_configure(config):
    config.addinivalue_line(
        "markers",
        "ferroflow_only: behaviour ferroflow promises beyond what the reference mlflow server does",
    )


def pytest_collection_modifyitems(config, items):
    if TARGET != "mlflow":
        return
    skip = pytest.mark.skip(reason="ferroflow-only behaviour (FERROFLOW_COMPAT_TARGET=mlflow)")
    for item in items:
        if "ferroflow_only" in item.keywords:
            item.add_marker(skip)


def _ferroflow_bin() -> str:
    path = os.environ.get("FERROFLOW_BIN") or str(REPO_ROOT / "target" / "debug" / "ferroflow")
    if not (os.path.isfile(path) and os.access(path, os.X_OK)):
        pytest.fail(
            f"ferroflow binary not found at {path!r}; build it with `cargo build --bin ferroflow` "
            "or set FERROFLOW_BIN",
            pytrace=False,
        )
    return path


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _pg_connect(dbname: str = "postgres"):
    import psycopg2

    conn = psycopg2.connect(f"{PG_DSN}/{dbname}", connect_timeout=5)
    conn.autocommit = True
    return conn


def _create_pg_database() -> str:
    name = f"ferroflow_compat_{uuid.uuid4().hex}"
    try:
        conn = _pg_connect()
    except Exception as e:  # noqa: BLE001 - any connection failure
        if os.environ.get("FERROFLOW_COMPAT_SKIP_POSTGRES") == "1":
            pytest.skip(f"PostgreSQL unreachable at {PG_DSN} ({e}); FERROFLOW_COMPAT_SKIP_POSTGRES=1")
        pytest.fail(
            f"PostgreSQL is not reachable at {PG_DSN}: {e}\n"
            "Start it, or set FERROFLOW_COMPAT_SKIP_POSTGRES=1 to skip the PostgreSQL backend.",
            pytrace=False,
        )
    try:
        with conn.cursor() as cur:
            cur.execute(f'CREATE DATABASE "{name}"')
    finally:
        conn.close()
    return name


def _drop_pg_database(name: str) -> None:
    conn = _pg_connect()
    try:
        with conn.cursor() as cur:
            # The server is gone, but be robust to lingering connections.
            cur.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = %s AND pid <> pg_backend_pid()",
                (name,),
            )
            cur.execute(f'DROP DATABASE IF EXISTS "{name}"')
    finally:
        conn.close()


def _server_command(backend_uri: str, artifacts_destination: str, port: int) -> list[str]:
    if TARGET == "mlflow":
        return [
            sys.executable, "-m", "mlflow", "server",
            "--backend-store-uri", backend_uri,
            "--artifacts-destination", artifacts_destination,
            "--host", "127.0.0.1",
            "--port", str(port),
            "--workers", "1",
        ]  # fmt: skip
    return [
        _ferroflow_bin(), "server",
        "--backend-store-uri", backend_uri,
        "--artifacts-destination", artifacts_destination,
        "--host", "127.0.0.1",
        "--port", str(port),
    ]  # fmt: skip


def _wait_healthy(proc: subprocess.Popen, url: str, log_path: Path) -> None:
    deadline = time.monotonic() + HEALTH_TIMEOUT_S
    last_error = None
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(
                f"server exited with code {proc.returncode} before becoming healthy; output:\n"
                + log_path.read_text(errors="replace"),
                pytrace=False,
            )
        try:
            r = requests.get(f"{url}/health", timeout=2)
            if r.status_code == 200:
                return
            last_error = f"HTTP {r.status_code}"
        except requests.RequestException as e:
            last_error = repr(e)
        time.sleep(0.1)
    proc.kill()
    proc.wait()
    pytest.fail(
        f"server did not answer GET /health with 200 within {HEALTH_TIMEOUT_S}s "
        f"(last: {last_error}); output:\n" + log_path.read_text(errors="replace"),
        pytrace=False,
    )


class Server:
    """A running server: ``url`` is its base URL, ``backend`` "sqlite" or "postgres",
    ``artifact_root`` its artifacts destination, ``pid`` its process id."""

    def __init__(self, url: str, backend: str, log_path: Path, artifact_root: str, pid: int):
        self.url = url
        self.backend = backend
        self.log_path = log_path
        self.artifact_root = artifact_root
        self.pid = pid

    def __str__(self) -> str:
        return self.url

    def api(self, endpoint: str, prefix: str = "/api/2.0/mlflow/") -> str:
        return f"{self.url}{prefix}{endpoint}"


def _stop(proc: subprocess.Popen) -> None:
    """Stops a server and its whole process group (``start_new_session``): ``mlflow server``
    runs uvicorn and job-queue workers as children, and the workers ignore SIGTERM."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def _run_server(backend: str, backend_uri: str, tmp: Path, artifacts_destination: str, env: dict):
    """Starts a server; returns the process, the ``Server`` and its open log file."""
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    log_path = tmp / "server.log"
    log = open(log_path, "wb")
    proc = subprocess.Popen(
        _server_command(backend_uri, artifacts_destination, port),
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        cwd=str(tmp),
        env=env,
        start_new_session=True,
    )
    try:
        _wait_healthy(proc, url, log_path)
    except BaseException:
        _stop(proc)
        log.close()
        raise
    return proc, Server(url, backend, log_path, artifacts_destination, proc.pid), log


@pytest.fixture(scope="session", params=["sqlite", "postgres"])
def server(request):
    """Starts the server for one backend and yields a ``Server``."""
    backend = request.param
    tmp = Path(tempfile.mkdtemp(prefix=f"ferroflow-compat-{backend}-"))
    artifact_root = str(tmp / "artifacts")
    os.makedirs(artifact_root)
    pg_db = None
    if backend == "sqlite":
        backend_uri = f"sqlite:///{tmp / 'tracking.db'}"  # sqlite:////abs/path
    else:
        pg_db = _create_pg_database()
        backend_uri = f"{PG_DSN}/{pg_db}"
        if TARGET == "mlflow":  # SQLAlchemy's default postgresql driver is psycopg 3
            backend_uri = backend_uri.replace("postgresql://", "postgresql+psycopg2://", 1)
    env = dict(os.environ)
    env.setdefault("RUST_BACKTRACE", "1")
    proc = log = None
    try:
        proc, srv, log = _run_server(backend, backend_uri, tmp, artifact_root, env)
        yield srv
    finally:
        if proc is not None:
            _stop(proc)
        if log is not None:
            log.close()
        if pg_db is not None:
            _drop_pg_database(pg_db)
        if os.environ.get("FERROFLOW_COMPAT_KEEP_TMP") != "1":
            shutil.rmtree(tmp, ignore_errors=True)


S3_BUCKET = "ferroflow-compat"
S3_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
}


@pytest.fixture(scope="session")
def s3_endpoint():
    """Starts ``moto_server`` (moto's real S3 implementation) on 127.0.0.1, creates the
    bucket, and yields the endpoint URL."""
    moto = Path(sys.executable).parent / "moto_server"
    if not moto.exists():
        pytest.fail(f"{moto} not found; install tests/compat/requirements.txt", pytrace=False)
    tmp = Path(tempfile.mkdtemp(prefix="ferroflow-compat-moto-"))
    port = _free_port()
    endpoint = f"http://127.0.0.1:{port}"
    log = open(tmp / "moto.log", "wb")
    proc = subprocess.Popen(
        [str(moto), "-H", "127.0.0.1", "-p", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        cwd=str(tmp),
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + HEALTH_TIMEOUT_S
        while True:
            try:
                requests.get(endpoint, timeout=2)
                break
            except requests.RequestException:
                if proc.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(
                        "moto_server did not start:\n" + (tmp / "moto.log").read_text(errors="replace"),
                        pytrace=False,
                    )
                time.sleep(0.1)
        import boto3

        boto3.client("s3", endpoint_url=endpoint, **{
            "aws_access_key_id": S3_CREDENTIALS["AWS_ACCESS_KEY_ID"],
            "aws_secret_access_key": S3_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
            "region_name": S3_CREDENTIALS["AWS_DEFAULT_REGION"],
        }).create_bucket(Bucket=S3_BUCKET)
        yield endpoint
    finally:
        _stop(proc)
        log.close()
        shutil.rmtree(tmp, ignore_errors=True)


@pytest.fixture(scope="session")
def s3_server(s3_endpoint):
    """A SQLite-backed server whose artifacts destination is ``s3://<bucket>/artifacts`` on
    the moto endpoint; ``artifact_root`` is that URI."""
    tmp = Path(tempfile.mkdtemp(prefix="ferroflow-compat-s3-"))
    env = dict(os.environ)
    env.update(S3_CREDENTIALS)
    env["MLFLOW_S3_ENDPOINT_URL"] = s3_endpoint
    env.setdefault("RUST_BACKTRACE", "1")
    proc = log = None
    try:
        proc, srv, log = _run_server(
            "sqlite", f"sqlite:///{tmp / 'tracking.db'}", tmp, f"s3://{S3_BUCKET}/artifacts", env
        )
        yield srv
    finally:
        if proc is not None:
            _stop(proc)
        if log is not None:
            log.close()
        if os.environ.get("FERROFLOW_COMPAT_KEEP_TMP") != "1":
            shutil.rmtree(tmp, ignore_errors=True)


@pytest.fixture
def url(server) -> str:
    return server.url


@pytest.fixture
def client(server) -> MlflowClient:
    return MlflowClient(tracking_uri=server.url)


@pytest.fixture
def fluent(server):
    """Points the fluent API at the server; makes sure no run leaks out of the test."""
    while mlflow.active_run() is not None:
        mlflow.end_run()
    mlflow.set_tracking_uri(server.url)
    yield server.url
    while mlflow.active_run() is not None:
        mlflow.end_run()


@pytest.fixture
def uniq() -> str:
    """A unique name prefix for the test's experiments."""
    return f"compat-{uuid.uuid4().hex[:12]}"


@pytest.fixture
def experiment_id(client, uniq) -> str:
    return client.create_experiment(f"{uniq}-exp")


@pytest.fixture
def run_id(client, experiment_id) -> str:
    return client.create_run(experiment_id).info.run_id

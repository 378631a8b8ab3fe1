#!/usr/bin/env python3
"""Artifact throughput: upload and download MB/s of one large file through
``ferroflow server`` and through ``mlflow server`` on the same machine and disk, next to a
plain ``cp`` of the same file.

Both servers run with ``--serve-artifacts`` and a local ``--artifacts-destination`` in
the same temp directory. The client is the same for both, Python's ``http.client``: an
upload sends the file with ``sendfile`` and a download reads and writes 8 MiB blocks, so
the client is never the bottleneck (``curl`` writes downloads 8-16 KB at a time, which
made it the bottleneck here). Each figure is the best of ``--repeat`` runs. Files go
through the page cache everywhere (no fsync), ``cp`` included; before every timed copy,
upload or download the bench runs ``sync`` (untimed) and removes the previous copy, so no
run pays for an earlier one's writeback or for truncating its file.

    python benches/artifacts.py [--size-mb 1024] [--repeat 2] [--ferroflow-bin target/release/ferroflow]
        [--mlflow "python -m mlflow"] [--skip-mlflow]
"""

from __future__ import annotations

import argparse
import os
import shlex
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from http.client import HTTPConnection
from urllib.request import urlopen

REPO = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_healthy(url: str, proc: subprocess.Popen, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"server exited with {proc.returncode}")
        try:
            with urlopen(f"{url}/health", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"{url} did not become healthy")


def timed(action, fresh: Path | None = None) -> float:
    """Seconds `action()` takes, after an untimed `sync`; `fresh` (its output file) is
    removed first, so no run pays for truncating or writing back an earlier copy."""
    if fresh is not None:
        fresh.unlink(missing_ok=True)
    os.sync()
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def upload(port: int, path: str, src: Path) -> None:
    """PUTs `src` with `sendfile`."""
    conn = HTTPConnection("127.0.0.1", port)
    conn.putrequest("PUT", path)
    conn.putheader("Content-Length", str(src.stat().st_size))
    conn.endheaders()
    with open(src, "rb") as f:
        conn.sock.sendfile(f)
    response = conn.getresponse()
    response.read()
    conn.close()
    if response.status != 200:
        raise SystemExit(f"upload answered {response.status}")


def download(port: int, path: str, out: Path) -> None:
    """GETs `path` into `out` in 8 MiB blocks."""
    conn = HTTPConnection("127.0.0.1", port)
    conn.request("GET", path)
    response = conn.getresponse()
    if response.status != 200:
        raise SystemExit(f"download answered {response.status}")
    block = memoryview(bytearray(8 << 20))
    fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        while n := response.readinto(block):
            os.write(fd, block[:n])
    finally:
        os.close(fd)
        conn.close()


def bench_server(name: str, command: list[str], work: Path, src: Path, repeat: int) -> tuple[float, float]:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    dest = work / f"{name}-artifacts"
    dest.mkdir()
    log = open(work / f"{name}.log", "wb")
    proc = subprocess.Popen(
        command
        + [
            "--backend-store-uri", f"sqlite:///{work / (name + '.db')}",
            "--artifacts-destination", str(dest),
            "--host", "127.0.0.1",
            "--port", str(port),
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        cwd=work,
    )  # fmt: skip
    try:
        wait_healthy(url, proc)
        route = f"/api/2.0/mlflow-artifacts/artifacts/bench/{src.name}"
        out = work / f"{name}-download.bin"
        # Each upload first removes the stored copy, so none pays for truncating it, and
        # the page cache reuses the same memory (on this VM, pages the guest never used
        # before cost several times more to fill).
        up = min(timed(lambda: upload(port, route, src), dest / "bench" / src.name) for _ in range(repeat))
        down = min(timed(lambda: download(port, route, out), out) for _ in range(repeat))
        if out.stat().st_size != src.stat().st_size:
            raise SystemExit(f"{name}: downloaded {out.stat().st_size} bytes")
        out.unlink()
        return up, down
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()
        shutil.rmtree(dest, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size-mb", type=int, default=1024)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--ferroflow-bin", default=str(REPO / "target" / "release" / "ferroflow"))
    parser.add_argument("--mlflow", default=f"{sys.executable} -m mlflow")
    parser.add_argument("--skip-mlflow", action="store_true")
    parser.add_argument("--workdir", default=None, help="where files go (default: a temp dir under the repo)")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="ferroflow-artifact-bench-", dir=args.workdir or REPO))
    try:
        src = work / "payload.bin"
        block = os.urandom(1 << 20)
        with open(src, "wb") as f:
            for _ in range(args.size_mb):
                f.write(block)
        size_mb = src.stat().st_size / (1 << 20)

        copy = work / "copy.bin"
        cp = min(timed(lambda: subprocess.run(["cp", str(src), str(copy)], check=True), copy) for _ in range(args.repeat))
        copy.unlink()
        rows = [("cp", cp, cp)]
        rows.append(("ferroflow", *bench_server("ferroflow", [str(Path(args.ferroflow_bin).resolve()), "server"], work, src, args.repeat)))
        if not args.skip_mlflow:
            rows.append(("mlflow", *bench_server("mlflow", shlex.split(args.mlflow) + ["server"], work, src, args.repeat)))

        print(f"\n{size_mb:.0f} MB file, best of {args.repeat}\n")
        print(f"{'':10} {'upload MB/s':>12} {'download MB/s':>14}")
        for name, up, down in rows:
            print(f"{name:10} {size_mb / up:12.0f} {size_mb / down:14.0f}")
        speeds = {name: (size_mb / up, size_mb / down) for name, up, down in rows}
        ff = speeds["ferroflow"]
        print(f"\nferroflow / cp      upload {ff[0] / speeds['cp'][0]:.2f}x   download {ff[1] / speeds['cp'][1]:.2f}x")
        if "mlflow" in speeds:
            ml = speeds["mlflow"]
            print(f"ferroflow / mlflow  upload {ff[0] / ml[0]:.1f}x   download {ff[1] / ml[1]:.1f}x")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

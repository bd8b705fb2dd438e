"""A 2xx is durable: kill the server while clients post, restart it, 0 lost, 0 duplicated.

``cojourney serve`` runs as a real process on a free loopback port; clients post
batches with ids through :class:`cojourney.client.Client`, which sends again every
batch it got no answer for. The server is killed with SIGKILL mid-way (no clean-up
of any kind), started again, and the clients carry on.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest
from test_ingest import events

from cojourney.client import BatchResult, Client
from cojourney.events.store import EventStore
from cojourney.services.workspaces import init_workspace

pytestmark = pytest.mark.skipif(os.name != "posix", reason="SIGKILL")

CLI = str(Path(sys.executable).with_name("cojourney"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(folder: Path, port: int, log: Path) -> subprocess.Popen[bytes]:
    out = log.open("ab")
    server = subprocess.Popen(
        [CLI, "serve", str(folder), "--port", str(port)], stdout=out, stderr=subprocess.STDOUT
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise AssertionError(f"the server stopped: {log.read_text(errors='replace')[-2000:]}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return server
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    server.kill()
    raise AssertionError("the server did not start within 60 s")


def test_nothing_lost_nothing_duplicated_across_a_kill(tmp_path: Path) -> None:
    folder = tmp_path / "ws"
    init_workspace(folder, example="ecampus-car-share")
    token = subprocess.run(
        [CLI, "tokens", "create", str(folder), "--name", "kill-test", "--role", "ingest"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    port, log = free_port(), tmp_path / "server.log"
    server = start_server(folder, port, log)
    clients, batches, size = 4, 15, 40
    acked: list[int] = []
    results: list[BatchResult] = []
    failures: list[BaseException] = []
    lock = threading.Lock()

    def send(n: int) -> None:
        try:
            with Client(
                f"http://127.0.0.1:{port}", token, retries=40, backoff=0.1, max_backoff=1.0
            ) as client:
                for b in range(batches):
                    batch = events(size, prefix=f"c{n}-", start=b * size)
                    result = client.post_events(batch)
                    with lock:
                        acked.append(n)
                        results.append(result)
        except BaseException as exc:
            failures.append(exc)

    threads = [threading.Thread(target=send, args=(n,)) for n in range(clients)]
    for t in threads:
        t.start()
    deadline = time.monotonic() + 60
    while len(acked) < clients * batches // 3 and time.monotonic() < deadline:
        time.sleep(0.01)
    os.kill(server.pid, signal.SIGKILL)
    server.wait()
    acked_at_kill = len(acked)
    time.sleep(0.5)
    server = start_server(folder, port, log)
    try:
        for t in threads:
            t.join(timeout=180)
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert not failures, failures
    assert 0 < acked_at_kill < clients * batches
    assert len(results) == clients * batches
    expected = {f"c{n}-{i}" for n in range(clients) for i in range(batches * size)}
    with EventStore.open(folder, read_only=True) as store:
        rows = store.connection.execute("SELECT event_id FROM events").fetchall()
    ids = [r[0] for r in rows]
    assert len(ids) == len(set(ids)), "an event was stored twice"
    assert set(ids) == expected, f"{len(expected - set(ids))} events lost"
    assert sum(r.new for r in results) <= len(expected)

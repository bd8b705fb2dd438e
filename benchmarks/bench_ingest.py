"""Load benchmark of the ingestion API on loopback: many clients, retried batches, 0 lost.

For each web-state database (the SQLite default, and PostgreSQL when
``COJOURNEY_TEST_POSTGRES_URL`` is set; the events go to the workspace's DuckDB store
either way, the database holds the tokens), it:

1. makes a fresh workspace (``cojourney init --example ecampus-car-share``) and an
   ``ingest`` token (``cojourney tokens create``), then starts ``cojourney serve`` on
   a free loopback port;
2. runs ``--clients`` threads, each with its own :class:`cojourney.client.Client`,
   posting its share of ``--events`` events and ``--answers`` survey answers in
   batches of ``--batch``; every ``--retry-every``-th batch is sent a second time, as
   a client does when an answer is lost;
3. checks the store: every id exactly once (0 lost, 0 duplicated), and the retried
   batches answered ``known``.

The throughput is the events (and answers) stored over the wall time from the first
request to the last answer. The result goes to ``benchmarks/results/ingest-100k.json``
(with the load before the run, the machine and the versions) and BENCHMARKS.md.

Usage::

    .venv/bin/python benchmarks/bench_ingest.py                 # 100k events, 10k answers
    .venv/bin/python benchmarks/bench_ingest.py --events 20000 --answers 2000 --no-write
"""

from __future__ import annotations

import argparse
import logging
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _harness import COJOURNEY, cpu_busy, loadavg, setup_logging, versions, write_result

log = logging.getLogger("bench.ingest")
#: The least sustained events per second the issue asks for.
TARGET_EVENTS_PER_S = 5000
ACTIVITIES = ("search", "book", "unlock", "drive", "return", "pay")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def make_events(client: int, n: int) -> list[dict[str, Any]]:
    base = datetime(2026, 3, 1, tzinfo=UTC)
    return [
        {
            "id": f"c{client}-e{i}",
            "journey_id": f"c{client}-j{i // 6}",
            "activity": ACTIVITIES[i % 6],
            "timestamp": (base + timedelta(seconds=client * 100_000 + i * 37)).isoformat(),
            "channel": "app" if i % 3 else "web",
            "segment": "katrina",
            "attributes": {"n": i},
        }
        for i in range(n)
    ]


def make_answers(client: int, n: int) -> list[dict[str, Any]]:
    base = datetime(2026, 3, 2, tzinfo=UTC)
    return [
        {
            "id": f"c{client}-a{i}",
            "journey_id": f"c{client}-j{i}",
            "timestamp": (base + timedelta(seconds=client * 10_000 + i)).isoformat(),
            "question": "csat",
            "score": 1 + i % 5,
            "respondent": f"r{client}-{i}",
        }
        for i in range(n)
    ]


def postgres_url(base: str, name: str) -> str:
    """A database of its own on the server of ``base`` (created, empty, for this run)."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    url = make_url(base.replace("postgresql://", "postgresql+pg8000://", 1))
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as con:
        con.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        con.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return url.set(database=name).render_as_string(hide_password=False).replace("+pg8000", "")


def run_once(database: str, args: argparse.Namespace, work: Path) -> dict[str, Any]:
    import httpx

    from cojourney.client import BatchResult, Client
    from cojourney.events.store import EventStore

    folder = work / f"ws-{database}"
    db_args: list[str] = []
    if database == "postgresql":
        db_args = [
            "--database-url",
            postgres_url(os.environ["COJOURNEY_TEST_POSTGRES_URL"], "cojourney_bench_ingest"),
        ]
    subprocess.run(
        [str(COJOURNEY), "init", str(folder), "--example", "ecampus-car-share"],
        check=True,
        capture_output=True,
    )
    token = subprocess.run(
        [
            str(COJOURNEY),
            "tokens",
            "create",
            str(folder),
            "--name",
            "bench",
            "--role",
            "ingest",
            *db_args,
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    port = free_port()
    server_log = (work / f"server-{database}.log").open("wb")
    server = subprocess.Popen(
        [str(COJOURNEY), "serve", str(folder), "--port", str(port), *db_args],
        stdout=server_log,
        stderr=subprocess.STDOUT,
        env={**os.environ, "COJOURNEY_LOG_LEVEL": "WARNING"},
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        else:
            raise RuntimeError("the server did not start")
        per_client_events = args.events // args.clients
        per_client_answers = args.answers // args.clients
        work_items = {
            n: (make_events(n, per_client_events), make_answers(n, per_client_answers))
            for n in range(args.clients)
        }
        totals: dict[str, BatchResult] = {"events": BatchResult(), "feedback": BatchResult()}
        retried = {"batches": 0, "known": 0}
        failures: list[BaseException] = []
        lock = threading.Lock()
        start_gate = threading.Barrier(args.clients + 1)

        def client_run(n: int) -> None:
            evs, ans = work_items[n]
            try:
                with Client(url, token, retries=20, backoff=0.1, max_backoff=2.0) as client:
                    start_gate.wait()
                    sent = 0
                    for kind, items in (("events", evs), ("feedback", ans)):
                        for s in range(0, len(items), args.batch):
                            batch = items[s : s + args.batch]
                            result = client.post_batch(kind, batch)  # type: ignore[arg-type]
                            sent += 1
                            again = None
                            if args.retry_every and sent % args.retry_every == 0:
                                again = client.post_batch(kind, batch)  # type: ignore[arg-type]
                            with lock:
                                totals[kind] += result
                                if again is not None:
                                    retried["batches"] += 1
                                    retried["known"] += again.known
            except BaseException as exc:
                failures.append(exc)

        threads = [threading.Thread(target=client_run, args=(n,)) for n in range(args.clients)]
        for t in threads:
            t.start()
        load = loadavg()
        busy = cpu_busy(0.5)
        start_gate.wait()
        started = time.perf_counter()
        for t in threads:
            t.join()
        wall = time.perf_counter() - started
    finally:
        server.terminate()
        server.wait(timeout=60)
        server_log.close()
    if failures:
        raise RuntimeError(f"{len(failures)} clients failed: {failures[0]!r}")
    with EventStore.open(folder, read_only=True) as store:
        con = store.connection
        ev = con.execute("SELECT count(*), count(DISTINCT event_id) FROM events").fetchone()
        an = con.execute("SELECT count(*), count(DISTINCT answer_id) FROM feedback").fetchone()
        transactions = len(store.imports())
    assert ev is not None and an is not None
    sent_events = per_client_events * args.clients
    sent_answers = per_client_answers * args.clients
    out = {
        "database": database,
        "events_sent": sent_events,
        "answers_sent": sent_answers,
        "events_stored": int(ev[0]),
        "events_distinct": int(ev[1]),
        "answers_stored": int(an[0]),
        "answers_distinct": int(an[1]),
        "lost": (sent_events - int(ev[1])) + (sent_answers - int(an[1])),
        "duplicated": (int(ev[0]) - int(ev[1])) + (int(an[0]) - int(an[1])),
        "retried_batches": retried["batches"],
        "retried_items_known": retried["known"],
        "new_reported": totals["events"].new + totals["feedback"].new,
        "wall_s": round(wall, 3),
        "events_per_s": round(sent_events / wall),
        "items_per_s": round((sent_events + sent_answers) / wall),
        "transactions": transactions,
        "loadavg_before": load,
        "cpu_busy_before": busy,
    }
    log.info("%s: %s", database, out)
    return out


def main() -> int:
    setup_logging()
    logging.getLogger("httpx").setLevel(logging.WARNING)
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--answers", type=int, default=10_000)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument(
        "--retry-every",
        type=int,
        default=3,
        help="send every N-th batch of a client twice (0: never)",
    )
    parser.add_argument("--no-write", action="store_true", help="print, write no result file")
    args = parser.parse_args()
    databases = ["sqlite"]
    if os.environ.get("COJOURNEY_TEST_POSTGRES_URL"):
        databases.append("postgresql")
    else:
        log.warning("COJOURNEY_TEST_POSTGRES_URL is not set: PostgreSQL is not measured")
    with tempfile.TemporaryDirectory(prefix="bench-ingest-") as tmp:
        runs = [run_once(db, args, Path(tmp)) for db in databases]
    targets = [
        {
            "target": f"ingestion API, {r['database']}: at least {TARGET_EVENTS_PER_S:,} events/s, "
            "0 lost, 0 duplicated",
            "unit": "events/s",
            "value": r["events_per_s"],
            "limit": TARGET_EVENTS_PER_S,
            "met": r["events_per_s"] >= TARGET_EVENTS_PER_S
            and r["lost"] == 0
            and r["duplicated"] == 0,
        }
        for r in runs
    ]
    result = {
        "events": args.events,
        "answers": args.answers,
        "clients": args.clients,
        "batch": args.batch,
        "retry_every": args.retry_every,
        "versions": versions(),
        "runs_by_database": runs,
        "targets": targets,
        "commands": {"bench": "python benchmarks/bench_ingest.py " + " ".join(sys.argv[1:])},
    }
    if args.no_write:
        print(result)
    else:
        write_result("ingest-100k" if args.events == 100_000 else f"ingest-{args.events}", result)
    return 0 if all(t["met"] for t in targets) else 1


if __name__ == "__main__":
    raise SystemExit(main())

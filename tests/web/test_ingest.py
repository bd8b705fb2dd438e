"""The ingestion API in-process: who may send, what is refused, what is stored once."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from web_helpers import Site

from cojourney.events.store import STORE_SCHEMA_VERSION, EventStore
from cojourney.services.ingest import AnswerIn, EventIn, IngestWriter
from cojourney.services.workspaces import init_workspace
from cojourney.web.routes_ingest import writer_of


def events(
    n: int, *, prefix: str = "e", journey: str = "j1", start: int = 0
) -> list[dict[str, Any]]:
    base = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
    return [
        {
            "id": f"{prefix}{start + i}",
            "journey_id": f"{journey}-{(start + i) // 3}",
            "activity": "book" if i % 2 else "search",
            "timestamp": (base + timedelta(minutes=start + i)).isoformat(),
            "channel": "app",
            "attributes": {"n": start + i},
        }
        for i in range(n)
    ]


def answers(n: int, *, prefix: str = "a") -> list[dict[str, Any]]:
    return [
        {
            "id": f"{prefix}{i}",
            "journey_id": f"j-{i}",
            "timestamp": "2026-03-01T10:00:00+01:00",
            "question": "csat",
            "score": 1 + i % 5,
            "comment": "fine" if i % 2 else None,
        }
        for i in range(n)
    ]


@pytest.fixture
def fresh(make_site: Callable[..., Site], tmp_path: Path) -> Iterator[tuple[Site, Path]]:
    folder = tmp_path / "ws"
    init_workspace(folder, example="ecampus-car-share")
    yield make_site(folder), folder


def stored(folder: Path, kind: str = "events", site: Site | None = None) -> list[tuple[Any, ...]]:
    """The ids stored (once the server's writer has let go of the store)."""
    if site is not None:
        writer_of(site.app).close()
    column = "event_id" if kind == "events" else "answer_id"
    with EventStore.open(folder, read_only=True) as store:
        return store.connection.execute(
            f"SELECT {column}, journey_id FROM {kind} ORDER BY {column}"
        ).fetchall()


def test_only_tokens_that_may_ingest_are_let_through(fresh: tuple[Site, Path]) -> None:
    site, folder = fresh
    client = site.client()
    assert client.post("/api/events", json=events(1)).status_code == 401
    assert (
        client.post("/api/events", json=events(1), headers=site.bearer("viewer")).status_code == 403
    )
    assert (
        client.post("/api/feedback", json=answers(1), headers=site.bearer("viewer")).status_code
        == 403
    )
    reply = client.post("/api/events", json=events(2), headers=site.bearer("ingest"))
    assert reply.status_code == 200, reply.text
    assert reply.json() == {"received": 2, "new": 2, "known": 0}
    assert [r[0] for r in stored(folder, site=site)] == ["e0", "e1"]


def test_a_retried_batch_adds_nothing_and_says_so(fresh: tuple[Site, Path]) -> None:
    site, folder = fresh
    client, auth = site.client(), site.bearer("ingest")
    first = client.post("/api/events", json=events(5), headers=auth).json()
    again = client.post("/api/events", json=events(5), headers=auth).json()
    overlap = client.post("/api/events", json=events(5, start=3), headers=auth).json()
    assert first == {"received": 5, "new": 5, "known": 0}
    assert again == {"received": 5, "new": 0, "known": 5}
    assert overlap == {"received": 5, "new": 3, "known": 2}
    ids = [r[0] for r in stored(folder, site=site)]
    assert sorted(ids) == sorted(f"e{i}" for i in range(8))


def test_a_repeated_id_in_one_batch_keeps_the_first(fresh: tuple[Site, Path]) -> None:
    site, folder = fresh
    batch = events(2)
    twin = {**batch[0], "activity": "cancel"}
    reply = site.client().post("/api/events", json=[*batch, twin], headers=site.bearer("ingest"))
    assert reply.json() == {"received": 3, "new": 2, "known": 1}
    writer_of(site.app).close()
    with EventStore.open(folder, read_only=True) as store:
        rows = store.connection.execute(
            "SELECT activity FROM events WHERE event_id = 'e0'"
        ).fetchall()
    assert rows == [("search",)]


def test_a_bad_batch_is_refused_whole_with_every_problem_located(fresh: tuple[Site, Path]) -> None:
    site, folder = fresh
    batch = events(4)
    batch[1]["timestamp"] = "2026-03-01T09:00:00"  # no offset
    del batch[2]["activity"]
    batch[3]["colour"] = "red"
    reply = site.client().post("/api/events", json=batch, headers=site.bearer("ingest"))
    assert reply.status_code == 422
    fields = {p["field"] for p in reply.json()["problems"]}
    assert fields == {"[1].timestamp", "[2].activity", "[3].colour"}
    assert not (folder / "data" / "events.duckdb").exists() or stored(folder, site=site) == []


def test_answers_out_of_scale_are_located_and_valid_ones_stored(fresh: tuple[Site, Path]) -> None:
    site, folder = fresh
    client, auth = site.client(), site.bearer("ingest")
    bad = answers(3)
    bad[2]["score"] = 9
    reply = client.post("/api/feedback", json=bad, headers=auth)
    assert reply.status_code == 422
    assert [p["field"] for p in reply.json()["problems"]] == ["[2].score"]
    good = client.post("/api/feedback", json=answers(3), headers=auth)
    assert good.json() == {"received": 3, "new": 3, "known": 0}
    assert client.post("/api/feedback", json=answers(3), headers=auth).json()["new"] == 0
    assert [r[0] for r in stored(folder, "feedback", site)] == ["a0", "a1", "a2"]


def test_size_limits_answer_413(make_site: Callable[..., Site], tmp_path: Path) -> None:
    folder = tmp_path / "ws"
    init_workspace(folder, example="ecampus-car-share")
    site = make_site(folder, ingest_max_batch=3, ingest_max_body_bytes=4000)
    client, auth = site.client(), site.bearer("ingest")
    assert client.post("/api/events", json=events(4), headers=auth).status_code == 413
    big = events(1)
    big[0]["attributes"] = {"text": "x" * 5000}
    assert client.post("/api/events", json=big, headers=auth).status_code == 413
    assert client.post("/api/events", json={"id": "x"}, headers=auth).status_code == 422
    assert client.post("/api/events", content=b"[{", headers=auth).status_code == 422


def test_ingested_events_are_seen_by_the_analysis_without_a_restart(
    fresh: tuple[Site, Path],
) -> None:
    from cojourney.services.analysis import analyze_workspace

    site, folder = fresh
    workspace = site.app.state.web.reader.workspace()
    journey = workspace.journeys[0]
    touchpoints = [t.id for t in journey.touchpoints][:3]
    base = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)

    def journeys(first: int, last: int) -> list[dict[str, Any]]:
        return [
            {
                "id": f"x{j}-{k}",
                "journey_id": f"case-{j}",
                "activity": tp,
                "timestamp": (base + timedelta(hours=j, minutes=k)).isoformat(),
            }
            for j in range(first, last)
            for k, tp in enumerate(touchpoints)
        ]

    client, auth = site.client(), site.bearer("ingest")
    assert client.post("/api/events", json=journeys(0, 4), headers=auth).json()["new"] == 12
    with writer_of(site.app).paused():  # how server code reads the store
        counts = analyze_workspace(folder, journey_id=journey.id).counts
    assert (counts.journeys, counts.events) == (4, 12)
    assert client.post("/api/events", json=journeys(2, 6), headers=auth).json() == {
        "received": 12,
        "new": 6,
        "known": 6,
    }
    writer_of(site.app).close()
    counts = analyze_workspace(folder, journey_id=journey.id).counts
    assert (counts.journeys, counts.events) == (6, 18)
    with EventStore.open(folder, read_only=True) as store:
        assert [r.source_name for r in store.imports()] == ["ingestion API"] * 2


def test_the_writer_groups_batches_sent_together(tmp_path: Path) -> None:
    import threading

    from cojourney.services.ingest import validate_batch

    writer = IngestWriter(tmp_path)
    (tmp_path / "data").mkdir()
    results: list[Any] = []

    def send(n: int) -> None:
        items = validate_batch("events", events(50, prefix=f"t{n}-"), max_items=100)
        results.append(writer.write("events", items))

    threads = [threading.Thread(target=send, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    writer.close()
    assert sum(r.new for r in results) == 400
    with EventStore.open(tmp_path, read_only=True) as store:
        assert store.count() == 400
        seqs = store.connection.execute("SELECT count(DISTINCT event_seq) FROM events").fetchone()
        assert seqs == (400,)
        assert len(store.imports()) <= 8


HOLD = textwrap.dedent(
    """
    import sys, time
    from cojourney.events.store import EventStore
    store = EventStore.open(sys.argv[1])
    print("holding", flush=True)
    time.sleep(float(sys.argv[2]))
    store.close()
    """
)


def test_the_server_answers_503_while_another_process_holds_the_store(
    fresh: tuple[Site, Path],
) -> None:
    site, folder = fresh
    client, auth = site.client(), site.bearer("ingest")
    assert client.post("/api/events", json=events(1), headers=auth).status_code == 200
    writer_of(site.app).close()  # idle: the server lets go of the store
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(folder), "20"], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "holding"
        writer_of(site.app).busy_wait = 0.3
        started = time.monotonic()
        reply = client.post("/api/events", json=events(2, start=10), headers=auth)
        assert reply.status_code == 503, reply.text
        assert reply.headers["Retry-After"].isdigit()
        assert "in use" in reply.json()["detail"]
        assert time.monotonic() - started < 10
    finally:
        holder.kill()
        holder.wait()
    writer_of(site.app).busy_wait = 5.0
    again = client.post("/api/events", json=events(2, start=10), headers=auth)
    assert again.json() == {"received": 2, "new": 2, "known": 0}


def test_an_import_from_the_cli_while_the_store_is_held_says_in_use(tmp_path: Path) -> None:
    folder = tmp_path / "ws"
    init_workspace(folder, example="ecampus-car-share")
    log = tmp_path / "log.csv"
    log.write_text("case,activity,time\nc1,a,2026-01-01T10:00:00Z\n", encoding="utf-8")
    with EventStore.open(folder):  # what the server's writer does during a batch
        done = subprocess.run(
            [
                str(Path(sys.executable).with_name("cojourney")),
                "import",
                str(folder),
                str(log),
                "--case",
                "case",
                "--activity",
                "activity",
                "--timestamp",
                "time",
            ],
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert done.returncode != 0
    assert "in use" in done.stderr + done.stdout
    assert "Traceback" not in done.stderr


def test_a_store_of_version_2_gets_the_id_columns_on_the_next_write(tmp_path: Path) -> None:
    with EventStore.open(tmp_path) as store:
        con = store.connection
        con.execute("ALTER TABLE events DROP COLUMN event_id")
        con.execute("ALTER TABLE feedback DROP COLUMN answer_id")
        con.execute("UPDATE store_meta SET value = '2' WHERE key = 'schema_version'")
    with EventStore.open(tmp_path, read_only=True) as old:
        cols = [r[0] for r in old.connection.execute("DESCRIBE events").fetchall()]
        assert "event_id" not in cols and old.count() == 0
    from cojourney.services.ingest import validate_batch

    writer = IngestWriter(tmp_path)
    writer.write("events", validate_batch("events", events(2), max_items=10))
    writer.close()
    with EventStore.open(tmp_path, read_only=True) as store:
        assert [r[0] for r in stored(tmp_path)] == ["e0", "e1"]
        version = store.connection.execute(
            "SELECT value FROM store_meta WHERE key = 'schema_version'"
        ).fetchone()
        assert version == (str(STORE_SCHEMA_VERSION),)


def test_paused_lets_this_process_read_while_batches_flow(tmp_path: Path) -> None:
    import threading

    from cojourney.services.ingest import validate_batch

    (tmp_path / "data").mkdir()
    writer = IngestWriter(tmp_path, linger=5.0)  # would keep the store open for 5 s
    writer.write("events", validate_batch("events", events(10), max_items=100))
    errors: list[BaseException] = []

    def send(n: int) -> None:
        try:
            batch = events(10, prefix=f"p{n}-")
            writer.write("events", validate_batch("events", batch, max_items=100))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=send, args=(n,)) for n in range(5)]
    with writer.paused():
        for t in threads:
            t.start()
        with EventStore.open(tmp_path, read_only=True) as store:
            assert store.count() >= 10
    for t in threads:
        t.join()
    assert not errors
    with writer.paused(), EventStore.open(tmp_path, read_only=True) as store:
        assert store.count() == 60


def test_the_openapi_description_has_every_field_and_error(site: Site) -> None:
    spec = site.client().get("/openapi.json").json()
    for path, fields in (("/api/events", EventIn), ("/api/feedback", AnswerIn)):
        op = spec["paths"][path]["post"]
        assert {"200", "401", "403", "413", "422", "503"} <= set(op["responses"])
        item = op["requestBody"]["content"]["application/json"]["schema"]["items"]
        assert set(item["properties"]) == set(fields.model_fields)
        assert all(p.get("description") for p in item["properties"].values())

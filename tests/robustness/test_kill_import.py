"""A ``cojourney import`` killed mid-way (SIGKILL) keeps nothing; run again, it stores
every event exactly once: 0 or all, then exactly once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from cojourney.events.store import EventStore
from cojourney.services.workspaces import init_workspace

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")

COLUMNS = ["--case", "case", "--activity", "act", "--timestamp", "ts"]


def export(path: Path, first: int, last: int) -> Path:
    """Events ``first`` .. ``last - 1`` of one big log, 7 per journey, each one unique."""
    con = duckdb.connect()
    con.execute(f"""COPY (SELECT 'J' || (i // 7) AS "case", 'step-' || (i % 11) AS act,
                     TIMESTAMP '2024-01-01' + INTERVAL (i) SECOND AS ts, 'note ' || i AS note
                     FROM range({first}, {last}) t(i)) TO '{path}' (HEADER, DELIMITER ',')""")
    con.close()
    return path


def cojourney(*args: str | Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "cojourney.cli.main", *map(str, args)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )


#: ``cojourney`` with standard error taken for a terminal, so that it shows its progress.
_AS_ON_A_TERMINAL = (
    "import sys; sys.stderr.isatty = lambda: True; "
    "from cojourney.cli.main import main; sys.exit(main(sys.argv[1:]))"
)


def snapshot(ws: Path) -> tuple[int, int, object, list[int]]:
    """Events, distinct events, a content checksum and the import ids."""
    with EventStore.open(ws, read_only=True) as store:
        row = store.connection.execute(
            "SELECT count(*), count(DISTINCT (journey_id, activity, timestamp, attributes)), "
            "sum(hash(journey_id, activity, timestamp, event_seq, attributes)) FROM events"
        ).fetchone()
        assert row is not None
        return int(row[0]), int(row[1]), row[2], [r.id for r in store.imports()]


def test_killed_import_then_retry_stores_every_event_exactly_once(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    init_workspace(ws)
    first = export(tmp_path / "first.csv", 0, 100_000)
    big = export(tmp_path / "big.csv", 50_000, 450_000)  # overlaps the first by 50,000
    done = cojourney("import", ws, first, *COLUMNS)
    out, err = done.communicate(timeout=300)
    assert done.returncode == 0, err
    before = snapshot(ws)
    assert before[:2] == (100_000, 100_000)

    # The same command, with its progress shown as on a terminal: kill it while it inserts.
    child = subprocess.Popen(
        [sys.executable, "-c", _AS_ON_A_TERMINAL, "import", str(ws), str(big)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONUNBUFFERED": "1", "COLUMNS": "100"},
    )
    assert child.stderr is not None
    seen = b""
    while b"inserting" not in seen:
        chunk = child.stderr.read1(4096)
        if not chunk:
            break
        seen += chunk
    assert b"inserting" in seen, seen.decode(errors="replace")[-2000:]
    time.sleep(0.1)  # well inside the INSERT of 350,000 new events
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=60)
    assert child.returncode == -signal.SIGKILL, "the import ended before it could be killed"

    after_kill = snapshot(ws)
    committed = after_kill != before  # killed after its commit: all of it is there
    if committed:
        assert after_kill[:2] == (450_000, 450_000) and after_kill[3] == [1, 2]

    retry = cojourney("import", ws, big)
    out, err = retry.communicate(timeout=600)
    assert retry.returncode == 0, err
    if committed:
        assert "already imported as #2" in out
    else:
        assert "350,000 new, 50,000 already stored" in out
    count, distinct, _, ids = snapshot(ws)
    assert count == distinct == 450_000  # every event, exactly once
    assert ids == [1, 2]

    again = cojourney("import", ws, big)
    out, err = again.communicate(timeout=300)
    assert again.returncode == 0 and "already imported as #2" in out
    assert snapshot(ws)[:2] == (450_000, 450_000)

"""Nothing lost, nothing counted twice: per-event identity across overlapping imports,
undo of an import, and files without rows."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cojourney.errors import ImportRejected
from cojourney.events.mappings import MappingFlags
from cojourney.events.store import EventStore
from cojourney.services.imports import delete_import, import_events, list_imports
from cojourney.services.workspaces import init_workspace

HEADER = ["case", "act", "ts", "note"]
FLAGS = MappingFlags(journey_id="case", activity="act", timestamp="ts")


def event(i: int) -> list[str]:
    """Event ``i`` of an export: journeys of 4 events, a note that makes each unique."""
    return [
        f"C{i // 4:04d}",
        f"step-{i % 4}",
        f"2024-05-01 {i // 60 % 24:02d}:{i % 60:02d}:00",
        f"n{i}",
    ]


def export(path: Path, numbers: list[int]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(HEADER)
        writer.writerows(event(i) for i in numbers)
    return path


def content(ws: Path) -> list[tuple[str, str, str, str]]:
    """The stored events (journey, activity, time, attributes), sorted: a multiset."""
    with EventStore.open(ws, read_only=True) as store:
        rows = store.connection.execute(
            "SELECT journey_id, activity, strftime(timestamp, '%Y-%m-%d %H:%M'), attributes "
            "FROM events ORDER BY ALL"
        ).fetchall()
    return [tuple(r) for r in rows]


def workspace(folder: Path) -> Path:
    init_workspace(folder)
    return folder


def test_overlapping_exports_store_every_event_once(tmp_path: Path) -> None:
    ws = workspace(tmp_path / "ws")
    first = import_events(ws, export(tmp_path / "1-600.csv", list(range(1, 601))), flags=FLAGS)
    second = import_events(ws, export(tmp_path / "401-1000.csv", list(range(401, 1001))))
    assert (first.rows_imported, first.rows_duplicate) == (600, 0)
    assert (second.rows_imported, second.rows_duplicate) == (400, 200)
    assert len(content(ws)) == 1000 and len(set(content(ws))) == 1000
    # the new events are exactly 601..1000, numbered after the first import's
    with EventStore.open(ws, read_only=True) as store:
        notes = store.connection.execute(
            "SELECT min(event_seq), list(attributes ->> 'note' ORDER BY event_seq)[1] "
            "FROM events WHERE import_id = 2"
        ).fetchone()
    assert notes == (600 + 200, "n601")


@settings(
    max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(st.tuples(st.integers(0, 59), st.integers(1, 40)), min_size=1, max_size=4))
def test_any_overlapping_slices_store_their_union(
    tmp_path_factory: pytest.TempPathFactory, slices: list[tuple[int, int]]
) -> None:
    tmp = tmp_path_factory.mktemp("slices")
    ws = workspace(tmp / "ws")
    union: set[int] = set()
    for n, (start, length) in enumerate(slices):
        numbers = list(range(start, min(start + length, 60)))
        result = import_events(ws, export(tmp / f"slice-{n}.csv", numbers), flags=FLAGS)
        if not result.already_imported:
            assert result.rows_imported == len(set(numbers) - union)
            assert result.rows_duplicate == len(set(numbers) & union)
        union |= set(numbers)
    assert content(ws) == sorted(tuple(r) for r in _expected(union))


def _expected(numbers: set[int]) -> list[tuple[str, str, str, str]]:
    return [(c, a, t[:16], f'{{"note":"{note}"}}') for c, a, t, note in (event(i) for i in numbers)]


def test_an_event_a_file_repeats_is_kept_as_often_and_never_more(tmp_path: Path) -> None:
    ws = workspace(tmp_path / "ws")
    twice = import_events(ws, export(tmp_path / "twice.csv", [1, 2, 2, 3]), flags=FLAGS)
    assert (twice.rows_imported, twice.rows_duplicate) == (4, 0)
    once = import_events(ws, export(tmp_path / "once.csv", [2, 3, 4]))
    assert (once.rows_imported, once.rows_duplicate) == (1, 2)
    thrice = import_events(ws, export(tmp_path / "thrice.csv", [2, 2, 2]))
    assert (thrice.rows_imported, thrice.rows_duplicate) == (1, 2)
    assert [e[3] for e in content(ws)].count('{"note":"n2"}') == 3
    assert len(content(ws)) == 6  # 1, 2, 2, 2, 3, 4


def test_a_header_only_file_is_refused_and_not_recorded(tmp_path: Path) -> None:
    ws = workspace(tmp_path / "ws")
    with pytest.raises(ImportRejected, match="no events to import"):
        import_events(ws, export(tmp_path / "empty.csv", []), flags=FLAGS)
    assert list_imports(ws) == []
    import_events(ws, export(tmp_path / "one.csv", [1]), flags=FLAGS)
    with pytest.raises(ImportRejected, match="no events to import"):
        import_events(ws, export(tmp_path / "empty-again.csv", []))
    assert [r.source_name for r in list_imports(ws)] == ["one.csv"]


def test_delete_undoes_one_import_and_a_reimport_restores_it(tmp_path: Path) -> None:
    ws = workspace(tmp_path / "ws")
    import_events(ws, export(tmp_path / "a.csv", list(range(0, 20))), flags=FLAGS)
    before = content(ws)
    import_events(ws, export(tmp_path / "b.csv", list(range(10, 30))))
    after = content(ws)
    done = delete_import(ws, 2)
    assert (done.record.source_name, done.rows_removed) == ("b.csv", 10)
    assert content(ws) == before
    again = import_events(ws, tmp_path / "b.csv")
    assert again.import_id == 3  # ids are never given twice
    assert (again.rows_imported, again.rows_duplicate) == (10, 10)
    assert content(ws) == after
    delete_import(ws, 1)  # b's copies of 10..19 belonged to import #1: they go with it
    assert len(content(ws)) == 10 and [r.id for r in list_imports(ws)] == [3]


def test_delete_removes_the_quarantine_file(tmp_path: Path) -> None:
    ws = workspace(tmp_path / "ws")
    log = export(tmp_path / "a.csv", [1, 2])
    log.write_text(log.read_text(encoding="utf-8") + ",step-0,2024-05-01 00:00:00,x\n")
    result = import_events(ws, log, flags=FLAGS, on_error="skip")
    assert result.quarantine_path is not None and result.quarantine_path.is_file()
    done = delete_import(ws, result.import_id)
    assert done.quarantine_removed == result.quarantine_path
    assert not result.quarantine_path.exists() and content(ws) == []


def test_delete_of_survey_answers(tmp_path: Path) -> None:
    from cojourney.services.imports import import_feedback

    ws = workspace(tmp_path / "ws")
    answers = tmp_path / "answers.csv"
    answers.write_text(
        "journey_id,timestamp,question,score\nJ1,2024-05-01 10:00:00,csat,4\n"
        "J2,2024-05-01 11:00:00,nps,9\n",
        encoding="utf-8",
    )
    events = import_events(ws, export(tmp_path / "a.csv", [1, 2]), flags=FLAGS)
    survey = import_feedback(ws, answers)
    done = delete_import(ws, survey.import_id)
    assert (done.record.kind, done.rows_removed) == ("feedback", 2)
    with EventStore.open(ws, read_only=True) as store:
        assert store.count("feedback") == 0 and store.count() == events.rows_imported

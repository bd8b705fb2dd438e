"""``journey_scope``: an event source restricted to the journeys a filter keeps, and the
groups of a breakdown, on a hand-made store.

    j1  segment a   channel app, then web     2025-03-01   2 answers   plan gold
    j2  segment a   channel web               2025-04-02   1 answer
    j3  segment b   no channel                2025-04-03   0 answers   plan silver

Measurements: two for segment a, one for b, one without segment.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pytest

from cojourney.analytics.filters import JourneyFilter
from cojourney.analytics.journey_scope import describe, journey_groups, scoped
from cojourney.analytics.sla_events import data_end
from cojourney.errors import InputError
from cojourney.events.feedback_schema import feedback_arrow_schema
from cojourney.events.schema import canonical_arrow_schema
from cojourney.events.store import EventStore


def _t(day: str) -> datetime:
    return datetime.fromisoformat(f"{day}T10:00").replace(tzinfo=UTC)


EVENTS = [
    ("j1", "start", "2025-03-01", "a", "app", {"plan": "gold"}),
    ("j1", "end", "2025-03-02", "a", "web", {}),
    ("j2", "start", "2025-04-02", "a", "web", {}),
    ("j3", "start", "2025-04-03", "b", None, {"plan": "silver"}),
    ("j3", "end", "2025-04-09", "b", None, {}),
]


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("scope")
    rows = [
        {
            "journey_id": j,
            "activity": a,
            "timestamp": _t(d),
            "event_seq": i,
            "segment": s,
            "channel": c,
            "attributes": json.dumps(attrs),
        }
        for i, (j, a, d, s, c, attrs) in enumerate(EVENTS)
    ]
    answers = [
        {"journey_id": j, "timestamp": _t(d), "answer_seq": i, "question": "csat", "score": 4.0}
        for i, (j, d) in enumerate(
            [("j1", "2025-03-02"), ("j1", "2025-03-03"), ("j2", "2025-04-02")]
        )
    ]
    measurements = pa.table(
        {
            "indicator": ["uptime"] * 4,
            "timestamp": pa.array([_t("2025-03-01")] * 4, pa.timestamp("us", tz="UTC")),
            "measurement_seq": list(range(4)),
            "value": [1.0, 2.0, 3.0, 4.0],
            "segment": pa.array(["a", "a", "b", None], pa.string()),
            "unit": pa.array([None] * 4, pa.string()),
        }
    )
    with EventStore.open(folder) as st:
        st.import_batches(
            pa.Table.from_pylist(rows, schema=canonical_arrow_schema()).to_batches(),
            source_name="events",
            source_sha256="e",
        )
        st.import_batches(
            pa.Table.from_pylist(answers, schema=feedback_arrow_schema()).to_batches(),
            source_name="feedback",
            source_sha256="f",
            kind="feedback",
        )
        st.import_batches(
            measurements.to_batches(), source_name="m", source_sha256="m", kind="measurements"
        )
    return folder


def ids(source, kind: str = "events") -> list[str]:
    rows = source.connection.execute(
        f'SELECT DISTINCT journey_id FROM "{source.table_name(kind)}" ORDER BY 1'
    ).fetchall()
    return [r[0] for r in rows]


def values(source) -> list[float]:
    rows = source.connection.execute(
        f'SELECT value FROM "{source.table_name("measurements")}" ORDER BY 1'
    ).fetchall()
    return [r[0] for r in rows]


def test_a_filter_keeps_whole_journeys_and_their_answers(store: Path):
    with EventStore.open(store, read_only=True) as source:
        # j1's second event is on the web: the journey is kept whole.
        with scoped(source, JourneyFilter(attributes=(("channel", "web"),))) as kept:
            assert ids(kept) == ["j1", "j2"] and kept.count() == 3
            assert ids(kept, "feedback") == ["j1", "j2"] and kept.count("feedback") == 3
            assert values(kept) == []  # measurements cannot follow a case attribute
            # the data's end stays the whole log's (j3's last event)
            assert data_end(kept) == _t("2025-04-09")
        with scoped(source, JourneyFilter(segments=("a",))) as kept:
            assert ids(kept) == ["j1", "j2"]
            assert values(kept) == [1.0, 2.0]  # segment a's measurements only
        april = JourneyFilter(start=datetime(2025, 4, 1), end=datetime(2025, 5, 1))
        with scoped(source, april) as kept:
            assert ids(kept) == ["j2", "j3"]  # by the first event: j1 started in March
            assert values(kept) == [1.0, 2.0, 3.0, 4.0]
            assert kept.count("feedback") == 1
        with scoped(source, JourneyFilter(attributes=(("plan", "silver"),))) as kept:
            assert ids(kept) == ["j3"] and kept.count("feedback") == 0
        with scoped(source, None) as kept:
            assert kept is source


def test_cohorts_are_months_of_the_first_event(store: Path):
    with EventStore.open(store, read_only=True) as source:
        both = JourneyFilter(cohorts=("2025-03", "2025-04"))
        with scoped(source, both) as kept:  # a journey has one cohort: alternatives
            assert ids(kept) == ["j1", "j2", "j3"]
        with scoped(source, JourneyFilter(cohorts=("2025-04",))) as kept:
            assert ids(kept) == ["j2", "j3"]
            assert values(kept) == []  # measurements cannot follow a cohort


def test_groups_add_up_and_clean_up(store: Path):
    with EventStore.open(store, read_only=True) as source:
        with journey_groups(source, "channel") as groups:
            found = {g.label: (g.journeys, ids(part)) for g, part in groups}
            assert [g.label for g, _ in groups] == ["app", "web", "(none)"]
        # each journey in the group of its first value: j1 is an app journey
        assert found == {"app": (1, ["j1"]), "web": (1, ["j2"]), "(none)": (1, ["j3"])}
        with journey_groups(source, "segment") as groups:
            assert [(g.label, g.journeys, values(p)) for g, p in groups] == [
                ("a", 2, [1.0, 2.0]),
                ("b", 1, [3.0]),
            ]
        with journey_groups(source, "cohort") as groups:
            assert [(g.label, g.journeys) for g, _ in groups] == [("2025-03", 1), ("2025-04", 2)]
        with journey_groups(source, "plan") as groups:
            assert [(g.label, ids(p)) for g, p in groups] == [
                ("gold", ["j1"]),
                ("silver", ["j3"]),
                ("(none)", ["j2"]),
            ]
        left = source.connection.execute(
            "SELECT count(*) FROM duckdb_tables() WHERE table_name LIKE 'cojourney_%' "
            "UNION ALL SELECT count(*) FROM duckdb_views() WHERE view_name LIKE 'cojourney_%'"
        ).fetchall()
        assert left == [(0,), (0,)]


def test_variant_filters_are_refused_and_filters_are_described(store: Path):
    with (
        EventStore.open(store, read_only=True) as source,
        pytest.raises(InputError, match="variant"),
        scoped(source, JourneyFilter(variant=1)),
    ):
        pass
    text = describe(JourneyFilter(segments=("a", "b"), attributes=(("channel", "app"),)))
    assert text == "segments a, b; channel = app"

"""Load, dump and load again gives an equal model (property test over generated workspaces)."""

from __future__ import annotations

import tempfile
from datetime import date, timedelta
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cojourney.domain import (
    Channel,
    DsvStep,
    Journey,
    Period,
    Stakeholder,
    Step,
    Touchpoint,
    TouchpointKind,
    Visibility,
    Workspace,
)
from cojourney.spec import load_workspace, write_workspace

ids = st.from_regex(r"[a-z][a-z0-9-]{0,10}", fullmatch=True)
text = st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=40).filter(
    lambda s: s.strip() == s and s != ""
)
optional_text = st.none() | text
durations = st.none() | st.integers(0, 10**7).map(lambda us: timedelta(microseconds=us * 1000))


@st.composite
def journeys(draw, journey_id: str, tp_prefix: str) -> Journey:
    step_ids = draw(st.lists(ids, min_size=1, max_size=7, unique=True))
    steps = [
        Step(
            id=s,
            name=draw(text),
            period=draw(st.sampled_from(Period)),
            dsv_step=draw(st.none() | st.sampled_from(DsvStep)),
            customer_does=draw(st.lists(text, max_size=3)),
            expected_duration=draw(durations),
        )
        for s in step_ids
    ]
    tp_ids = draw(st.lists(ids, max_size=8, unique=True))
    touchpoints = [
        Touchpoint(
            id=f"{tp_prefix}{t}",
            name=draw(text),
            step=draw(st.sampled_from(step_ids)),
            channel=draw(st.sampled_from(Channel)),
            kind=draw(st.sampled_from(TouchpointKind)),
            visibility=draw(st.sampled_from(Visibility)),
            expected_duration=draw(durations),
            emotion=draw(st.none() | st.floats(-3, 3, allow_nan=False)),
            moment_of_truth=draw(st.booleans()),
            optional=draw(st.booleans()),
            description=draw(optional_text),
        )
        for t in tp_ids
    ]
    order = draw(st.permutations([t.id for t in touchpoints]))
    return Journey(
        id=journey_id,
        name=draw(text),
        steps=steps,
        touchpoints=touchpoints,
        path={"order": list(order), "entry_points": list(order[:1])},
    )


@st.composite
def workspaces(draw) -> Workspace:
    journey_ids = sorted(
        draw(st.lists(ids, max_size=3, unique=True))
    )  # the loader orders journeys by id
    stakeholders = [
        Stakeholder(
            id=s,
            name=draw(text),
            kind="other",
            snapshots=[
                {"date": d, "influence": draw(st.floats(0, 10)), "interest": draw(st.floats(0, 10))}
                for d in draw(
                    st.lists(st.dates(date(2000, 1, 1), date(2100, 1, 1)), max_size=3, unique=True)
                )
            ],
        )
        for s in draw(st.lists(ids, max_size=3, unique=True))
    ]
    return Workspace(
        workspace={"id": draw(ids), "name": draw(text), "description": draw(optional_text)},
        stakeholders=stakeholders,
        journeys=[draw(journeys(j, f"j{n}-")) for n, j in enumerate(journey_ids)],
    )


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(workspaces())
def test_write_then_load_gives_an_equal_workspace(workspace: Workspace):
    with tempfile.TemporaryDirectory() as folder:
        write_workspace(workspace, Path(folder) / "ws")
        assert load_workspace(Path(folder) / "ws") == workspace


def test_shipped_workspaces_round_trip(workspace_copy: Path, tmp_path: Path):
    original = load_workspace(workspace_copy)
    write_workspace(original, tmp_path / "again")
    assert load_workspace(tmp_path / "again") == original

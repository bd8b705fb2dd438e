"""The consumer view: only the consumer's side of the line of visibility, decided in one place."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from backstage import (
    backstage_texts,
    consumer_texts,
    consumer_touchpoint_names,
    json_texts,
    leaks,
    strings,
)
from hypothesis import given, settings
from hypothesis import strategies as st

from cojourney.demo import example_names, example_path
from cojourney.domain import (
    Journey,
    Owner,
    ServiceInteraction,
    Step,
    Touchpoint,
    Transition,
    Visibility,
    Workspace,
    WorkspaceInfo,
)
from cojourney.domain.visibility import (
    CONSUMER_COLLECTIONS,
    CONSUMER_FIELDS,
    check_audience,
    consumer_view,
)
from cojourney.errors import InputError, NotFound
from cojourney.spec import load_workspace

SHARING = Path(__file__).resolve().parents[2] / "docs" / "sharing.md"


@pytest.fixture(scope="module", params=example_names())
def flagship(request: pytest.FixtureRequest) -> Workspace:
    return load_workspace(example_path(request.param))


def test_both_flagships_are_checked():
    assert {"ecampus-car-share", "incident-resolution"} <= set(example_names())


def test_the_view_holds_no_backstage_text(flagship):
    for journey in flagship.journeys:
        view = consumer_view(flagship, journey.id)
        hidden = backstage_texts(flagship, journey.id)
        assert len(hidden) > 100  # the oracle is not empty: the flagships have a backstage
        assert leaks(json_texts(view.model_dump(mode="json", by_alias=True)), hidden) == []
        # stronger: every text of the view is one the oracle allows
        assert set(strings(view)) <= consumer_texts(flagship, journey.id)


def test_the_full_workspace_would_fail_the_same_check(flagship):
    hidden = backstage_texts(flagship)
    found = leaks(json_texts(flagship.model_dump(mode="json", by_alias=True)), hidden)
    assert set(found) == hidden


def test_the_view_keeps_the_consumers_side(flagship):
    journey = flagship.journey()
    view = consumer_view(flagship)
    shown = view.journey()
    assert [tp.name for tp in shown.touchpoints] == consumer_touchpoint_names(flagship)
    assert [s.id for s in shown.steps] == [s.id for s in journey.steps]
    for mine, theirs in zip(shown.steps, journey.steps, strict=True):
        assert mine.customer_does == theirs.customer_does
        assert mine.customer_feels == theirs.customer_feels
        assert mine.customer_goal == theirs.customer_goal
        assert mine.provider_goal is None
    assert view.workspace.name == flagship.workspace.name
    assert view.workspace.default_journey == journey.id
    assert len(view.journeys) == 1


def test_references_to_backstage_touchpoints_are_dropped(flagship):
    journey = flagship.journey()
    backstage = {tp.id for tp in journey.touchpoints if tp.visibility.value == "provider_only"}
    assert backstage
    shown = consumer_view(flagship).journey()
    path = shown.path
    moves = [*path.loops, *path.skips]
    named = {
        *path.order,
        *path.entry_points,
        *path.exit_points,
        *(t for m in moves for t in (m.from_, m.to)),
        *(t for ix in shown.interactions for t in ix.touchpoints),
    }
    assert named and not named & backstage
    kept = {tp.id for tp in shown.touchpoints}
    assert path.order == [t for t in journey.expected_order() if t in kept]


def _journey() -> Journey:
    return Journey(
        id="join",
        name="Joining",
        description="Internal: the funnel we optimise",
        personas=["p"],
        steps=[
            Step(
                id="s",
                name="Sign up",
                period="service",
                description="Internal purpose",
                customer_does=["Fills the form"],
                customer_goal="Get a card",
                provider_goal="Upsell insurance",
            )
        ],
        touchpoints=[
            Touchpoint(
                id="form",
                name="Fills the form",
                step="s",
                channel="web",
                owner=Owner(team="Growth", role="Analyst"),
                data_source="web analytics",
                description="Conversion is 40%",
            ),
            Touchpoint(
                id="own",
                name="Asks a friend",
                step="s",
                channel="other",
                visibility="consumer_only",
            ),
            Touchpoint(
                id="check",
                name="Credit check",
                step="s",
                channel="system",
                visibility="provider_only",
            ),
        ],
        interactions=[
            ServiceInteraction(
                id="sign",
                name="Signing together",
                kind="joint_service_action",
                step="s",
                touchpoints=["form", "check"],
                owner=Owner(team="Growth"),
                provider_resources=["CRM"],
                consumer_resources=["An e-mail address"],
            ),
            ServiceInteraction(
                id="score",
                name="Scoring",
                kind="operant_resources",
                step="s",
                visibility="provider_only",
            ),
        ],
        path={
            "order": ["own", "form", "check"],
            "loops": [Transition(**{"from": "check", "to": "form"}, reason="Rejected")],
            "skips": [Transition(**{"from": "own", "to": "form"}, reason="Internal reason")],
            "exit_points": ["check"],
        },
    )


def _small() -> Workspace:
    return Workspace(
        workspace=WorkspaceInfo(id="w", name="W", description="Secret plans", provider="acme"),
        journeys=[_journey()],
    )


def test_hidden_fields_keep_their_defaults():
    """The allow-list: a field not declared consumer-safe is never copied."""

    def check(item):
        for name, info in type(item).model_fields.items():
            if name not in CONSUMER_FIELDS[type(item)]:
                assert getattr(item, name) == info.get_default(call_default_factory=True), name
        assert item.model_fields_set <= CONSUMER_FIELDS[type(item)]

    view = consumer_view(_small())
    journey = view.journey()
    objects = [
        view.workspace,
        journey,
        *journey.steps,
        *journey.touchpoints,
        *journey.interactions,
        journey.path,
        *journey.path.skips,
    ]
    for item in objects:
        check(item)
    assert [t.id for t in journey.touchpoints] == ["form", "own"]
    assert [i.id for i in journey.interactions] == ["sign"]
    assert journey.interactions[0].touchpoints == ["form"]
    assert journey.interactions[0].consumer_resources == ["An e-mail address"]
    assert journey.path.loops == [] and journey.path.exit_points == []
    assert [(t.from_, t.to, t.reason) for t in journey.path.skips] == [("own", "form", None)]
    for name in type(view).model_fields:
        if name not in CONSUMER_COLLECTIONS:
            assert getattr(view, name) == [], name


def test_the_original_workspace_is_untouched():
    workspace = _small()
    before = workspace.model_dump()
    consumer_view(workspace)
    assert workspace.model_dump() == before


def test_unknown_or_missing_journey():
    with pytest.raises(NotFound, match=r"no journey 'nope'.*join"):
        consumer_view(_small(), "nope")
    with pytest.raises(NotFound, match="no journey to show"):
        consumer_view(Workspace(workspace=WorkspaceInfo(id="w", name="W")))


def test_audience_is_checked():
    assert check_audience("consumer") == "consumer"
    with pytest.raises(InputError) as caught:
        check_audience("public")
    message = str(caught.value)
    assert "audience" in message and "provider or consumer" in message and "--" not in message


def _documented() -> dict[str, str]:
    rows = re.findall(r"^\| (\w+\.\w+) \| (shown|hidden) \|", SHARING.read_text(), re.M)
    return dict(rows)


def test_sharing_doc_gives_every_field_its_decision():
    documented = _documented()
    expected = {
        f"{model.__name__}.{name}": "shown" if name in allowed else "hidden"
        for model, allowed in CONSUMER_FIELDS.items()
        for name in model.model_fields
    }
    expected |= {
        f"Workspace.{name}": "shown" if name in CONSUMER_COLLECTIONS else "hidden"
        for name in Workspace.model_fields
    }
    assert documented == expected


INCIDENT = load_workspace(example_path("incident-resolution"))
N_TP = len(INCIDENT.journey().touchpoints)
N_IX = len(INCIDENT.journey().interactions)


@settings(max_examples=25, deadline=None)
@given(
    st.lists(st.sampled_from(list(Visibility)), min_size=N_TP, max_size=N_TP),
    st.lists(st.sampled_from(list(Visibility)), min_size=N_IX, max_size=N_IX),
)
def test_any_visibility_keeps_exactly_the_consumer_side(tp_sides, ix_sides):
    workspace = INCIDENT.model_copy(deep=True)
    journey = workspace.journey()
    for tp, side in zip(journey.touchpoints, tp_sides, strict=True):
        tp.visibility = side
    for ix, side in zip(journey.interactions, ix_sides, strict=True):
        ix.visibility = side
    shown = consumer_view(workspace).journey()
    consumer = (Visibility.BAND, Visibility.CONSUMER_ONLY)
    assert [t.id for t in shown.touchpoints] == [
        t.id for t in journey.touchpoints if t.visibility in consumer
    ]
    assert [i.id for i in shown.interactions] == [
        i.id for i in journey.interactions if i.visibility in consumer
    ]
    assert set(strings(consumer_view(workspace))) <= consumer_texts(workspace)

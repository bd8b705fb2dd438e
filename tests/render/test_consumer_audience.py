"""``map --audience consumer``: journey maps with nothing from backstage, in every format.

Every provider-only text of both flagship examples (:mod:`backstage`, the oracle) is
looked for in every consumer picture: the SVG text and tooltips, the HTML page around
it, the Mermaid text. The same pictures must still show every consumer touchpoint,
and the provider's pictures must hold backstage texts, so the check can fail both ways.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from backstage import backstage_texts, consumer_touchpoint_names, leaks

from cojourney.cli.main import main
from cojourney.demo import example_path
from cojourney.domain import Workspace
from cojourney.errors import InputError
from cojourney.render import consumer_overlay, render
from cojourney.services.maps import draw_map

FORMATS = ("html", "svg", "mermaid")


def full_overlay(workspace: Workspace, journey_id: str) -> dict:
    """Measured data on every touchpoint (backstage ones too) and every step."""
    journey = workspace.journey(journey_id)
    return {
        "touchpoints": {
            tp.id: {"journeys": 4321, "median_seconds": 600, "emotion": 1.5}
            for tp in journey.touchpoints
        },
        "steps": {s.id: {"reached": 8765, "left": 1234, "emotion": -0.5} for s in journey.steps},
    }


def pictures(workspace: Workspace, journey_id: str, audience: str) -> dict[str, str]:
    """Every journey picture of one journey for ``audience``, with and without an overlay."""
    drawn = {
        fmt: render(workspace, "journey", fmt, journey_id, audience=audience) for fmt in FORMATS
    }
    overlay = full_overlay(workspace, journey_id)
    for fmt in ("html", "svg"):
        drawn[f"{fmt}+overlay"] = render(
            workspace, "journey", fmt, journey_id, overlay=overlay, audience=audience
        )
    return drawn


def test_consumer_maps_hold_nothing_from_backstage(example, check):
    for journey in example.journeys:
        hidden = backstage_texts(example, journey.id)
        names = consumer_touchpoint_names(example, journey.id)
        assert hidden and names
        for name, text in pictures(example, journey.id, "consumer").items():
            assert leaks(text, hidden) == [], (journey.id, name)
            assert leaks(text, names) == sorted(names), (journey.id, name)  # all still shown
            if name.startswith("svg"):
                root = check.svg(text)
                shown = check.text(root)
                assert "does not see this" not in shown  # no line of visibility drawn
                assert "Backstage" not in shown and "Teams and roles" not in shown
                assert check.overlaps(root) == []
            elif name.startswith("html"):
                check.html(text)
            assert check.urls(text) == []


def test_provider_maps_do_show_backstage(example):
    """The oracle finds what the provider's own pictures show: the check can fail."""
    for journey in example.journeys:
        hidden = backstage_texts(example, journey.id)
        for name, text in pictures(example, journey.id, "provider").items():
            if name != "mermaid":  # Mermaid leaves backstage touchpoints out, but names teams
                assert len(leaks(text, hidden)) > 10, (journey.id, name)


def test_consumers_see_the_measured_emotion_but_no_volumes(example):
    journey = example.journey()
    overlay = full_overlay(example, journey.id)
    consumer = render(example, "journey", "svg", journey.id, overlay=overlay, audience="consumer")
    provider = render(example, "journey", "svg", journey.id, overlay=overlay)
    for figure in ("4,321", "8,765", "1,234"):
        assert figure in provider
        assert figure not in consumer
    assert "Measured emotion" in consumer
    kept = consumer_overlay(journey, overlay)
    assert kept is not None
    assert all(set(v) == {"emotion"} for part in kept.values() for v in part.values())


def test_consumer_overlay_drops_unknown_ids_and_volumes(workspace):
    journey = workspace.journey()
    overlay = {
        "touchpoints": {"plans": {"journeys": 5, "emotion": 1.0}, "ghost": {"emotion": 2.0}},
        "steps": {"agree": {"reached": 9}},
    }
    assert consumer_overlay(journey, overlay) == {
        "touchpoints": {"plans": {"emotion": 1.0}},
        "steps": {},
    }
    assert consumer_overlay(journey, {"steps": {"agree": {"reached": 9}}}) is None
    assert consumer_overlay(journey, None) is None


def test_small_workspace_consumer_map(workspace, check):
    """The render fixture's workspace: owners, a provider goal, personas and pain points."""
    text = render(workspace, "journey", "html", audience="consumer")
    check.html(text)
    for secret in ("Back office", "Field operations", "A verified member who rides responsibly"):
        assert secret in render(workspace, "journey", "html")
        assert secret not in text
    for persona in workspace.personas:
        assert persona.name not in text
    for pain in workspace.pain_points:
        assert pain.name not in text
    assert "Identity and payment check" not in text  # provider-only touchpoint
    assert "Signs up in the app" in text


@pytest.mark.parametrize("kind", ["blueprint", "stakeholders"])
def test_provider_pictures_are_refused_for_consumers(workspace, kind):
    with pytest.raises(InputError) as caught:
        render(workspace, kind, "svg", audience="consumer")
    message = str(caught.value)
    assert "not drawn for consumers" in message and "journey" in message
    assert "--" not in message  # below the CLI, messages name fields, not flags


def test_unknown_audience(workspace):
    with pytest.raises(InputError, match="audience"):
        render(workspace, "journey", "svg", audience="everyone")


def test_draw_map_service_and_cli(tmp_path: Path, capsys):
    folder = example_path("incident-resolution")
    from cojourney.spec import load_workspace

    workspace = load_workspace(folder)
    hidden = backstage_texts(workspace)
    for suffix in ("html", "svg", "mmd"):
        out = tmp_path / f"map.{suffix}"
        code = main(["map", str(folder), "-o", str(out), "--audience", "consumer"])
        assert code == 0
        assert leaks(out.read_bytes(), hidden) == []
    provider = draw_map(folder, tmp_path / "provider.svg")
    assert leaks(provider.read_bytes(), hidden)
    code = main(
        [
            "map",
            str(folder),
            "-o",
            str(tmp_path / "b.svg"),
            "--kind",
            "blueprint",
            "--audience",
            "consumer",
        ]
    )
    err = capsys.readouterr().err
    assert code == 2
    assert "service blueprint is not drawn for consumers" in err
    assert not (tmp_path / "b.svg").exists()
    with pytest.raises(InputError, match="audience"):
        draw_map(folder, tmp_path / "x.svg", audience="public")


def test_a_step_with_only_backstage_work(workspace):
    changed = workspace.model_copy(deep=True)
    realize = [tp for tp in changed.journey().touchpoints if tp.step == "realize"]
    assert realize
    for tp in realize:
        tp.visibility = "provider_only"
    consumer = render(changed, "journey", "svg", audience="consumer")
    provider = render(changed, "journey", "svg")
    assert "nothing for you to do here" in consumer and "no touchpoint designed" not in consumer
    assert "no touchpoint designed" in provider
    assert leaks(consumer, [tp.name for tp in realize]) == []

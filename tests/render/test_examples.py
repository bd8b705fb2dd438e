"""The flagship examples (when they exist): every picture of every journey draws cleanly."""

from __future__ import annotations

from cojourney.render import render, render_blueprint, render_journey_map


def test_every_picture_of_every_journey(example, check):
    for journey in example.journeys:
        for kind in ("journey", "blueprint"):
            svg = render(example, kind, "svg", journey.id)
            root = check.svg(svg)
            text = check.text(root)
            for tp in journey.touchpoints:
                assert tp.name in text, (kind, tp.name)
            for step in journey.steps:
                assert step.name in text
            assert "line of visibility" in text
            assert check.overlaps(root) == [], kind
            assert check.urls(svg) == []
        check.html(render_journey_map(example, journey.id))
        check.html(render_blueprint(example, journey.id))
        assert render(example, "journey", "mermaid", journey.id).startswith("journey\n")
    check.svg(render(example, "stakeholders", "svg"))
    check.html(render(example, "stakeholders", "html"))


def test_wide_journeys_grow_instead_of_squeezing(example, check):
    for journey in example.journeys:
        root = check.svg(render_journey_map(example, journey.id, fmt="svg"))
        width = float(root.get("viewBox").split()[2])
        front = sum(1 for t in journey.touchpoints if t.visibility.value != "provider_only")
        assert width >= front * 140  # every frontstage touchpoint has a card slot of its own

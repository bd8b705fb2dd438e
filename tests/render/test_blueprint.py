"""The service blueprint: lanes, labelled lines, what goes where."""

from __future__ import annotations

import pytest

from cojourney.render import render_blueprint

SVG_NS = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def svg(workspace) -> str:
    return render_blueprint(workspace, fmt="svg")


def test_lanes_and_labelled_lines(svg, check):
    text = check.text(check.svg(svg))
    for lane in (
        "PHYSICAL EVIDENCE",
        "CUSTOMER ACTIONS",
        "FRONTSTAGE",
        "BACKSTAGE",
        "SUPPORT PROCESSES",
    ):
        assert lane in text, lane
    for divider in ("line of interaction", "line of visibility", "line of internal interaction"):
        assert divider in text, divider
    # the lines come in blueprint order
    assert (
        svg.index("line of interaction")
        < svg.index("line of visibility")
        < svg.index("line of internal interaction")
    )


def test_contents(svg, workspace, check):
    text = check.text(check.svg(svg))
    journey = workspace.journey()
    for tp in journey.touchpoints:
        assert tp.name in text, tp.name
    for step in journey.steps:
        assert step.name in text
    for ix in journey.interactions:
        assert ix.name in text
    # support processes: the resources that interactions draw on
    for resource in (
        "Bike fleet",
        "Docks",
        "Ticketing system",
        "Ride data warehouse",
        "Forecasting model",
    ):
        assert resource in text
    assert "Compares bikes, buses and walking" in text  # customer actions
    assert "Hears about it from friends" in text  # a customer-only touchpoint among the actions


def test_html_page(workspace, check):
    page = render_blueprint(workspace)
    check.html(page)
    assert "Service blueprint" in page and "Line of internal interaction" in page

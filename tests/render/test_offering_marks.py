"""Offerings delivered, drawn on the journey map and the blueprint; for consumers, only
what their side of the line delivers."""

from __future__ import annotations

import pytest

from cojourney.domain import Offering, OfferingDelivery
from cojourney.render import render_blueprint, render_journey_map

SVG_NS = "{http://www.w3.org/2000/svg}"
BACKSTAGE_ACTION = "Identity and payment verification"


@pytest.fixture(scope="module")
def offered(workspace):
    """The bike-share workspace with a plan delivered at the front and the back."""
    journey = workspace.journey()
    plan = Offering(
        id="plan",
        name="Student plan",
        target_group="Students living off campus",
        price="9 a month",
        goods=["Member card"],
        access_to_resources=["Bikes at every dock"],
        service_actions=[BACKSTAGE_ACTION, "Roadside help"],
    )

    def deliver(tp, **parts):
        return tp.model_copy(update={"offerings": [OfferingDelivery(offering="plan", **parts)]})

    touchpoints = []
    for tp in journey.touchpoints:
        if tp.id == "ride":
            tp = deliver(tp, access_to_resources=["Bikes at every dock"])
        elif tp.id == "id-check":  # provider_only
            tp = deliver(tp, service_actions=[BACKSTAGE_ACTION])
        elif tp.id == "first-unlock":
            tp = deliver(tp, goods=["Member card"])
        touchpoints.append(tp)
    steps = [
        s.model_copy(update={"offerings": [OfferingDelivery(offering="plan")]})
        if s.id == "offer"
        else s
        for s in journey.steps
    ]
    changed = journey.model_copy(update={"touchpoints": touchpoints, "steps": steps})
    return workspace.model_copy(update={"journeys": [changed], "offerings": [plan]})


def _cards(root):
    return [g for g in root.iter(f"{SVG_NS}g") if g.get("class") == "cj-offering"]


def test_journey_map_shows_each_delivery_under_its_touchpoint(offered, check):
    root = check.svg(render_journey_map(offered, fmt="svg"))
    cards = _cards(root)
    assert len(cards) == 4  # the offer step, ride, first unlock, and the backstage check
    tips = [c.find(f"{SVG_NS}title").text for c in cards]
    assert (
        "Offering Student plan at Rides to campus: access to resources: Bikes at every dock" in tips
    )
    assert "Offering Student plan over the whole step" in tips
    text = check.text(root)
    assert "OFFERINGS" in text and "DELIVERED" in text  # the lane title, over two lines
    assert "Goods" in text and "Access to resources" in text
    assert BACKSTAGE_ACTION in text and "backstage at Identity and payment check" in text
    # a part's kind is marked: goods as a square, access as a circle, actions as a diamond
    kinds = {g.get("class") for g in root.iter(f"{SVG_NS}g")}
    assert {"cj-part-goods", "cj-part-access_to_resources", "cj-part-service_actions"} <= kinds
    # the ride's card sits in the ride's column slot: same x as the ride's touchpoint card
    x_of = {
        g.find(f"{SVG_NS}title").text.split(":")[0]: x
        for x, _y, g in check.placed(root, "cj-touchpoint") + check.placed(root, "cj-offering")
    }
    assert x_of["Rides to campus"] == x_of["Offering Student plan at Rides to campus"]


def test_consumer_map_leaves_out_backstage_deliveries_and_commercial_fields(offered, check):
    page = render_journey_map(offered, fmt="html", audience="consumer")
    check.html(page)
    assert "Student plan" in page and "Bikes at every dock" in page and "Member card" in page
    for hidden in (BACKSTAGE_ACTION, "Students living off campus", "9 a month", "Roadside help"):
        assert hidden not in page
    root = check.svg(render_journey_map(offered, fmt="svg", audience="consumer"))
    assert len(_cards(root)) == 3


def test_blueprint_has_the_lane_and_the_legend(offered, check):
    root = check.svg(render_blueprint(offered, fmt="svg"))
    assert len(_cards(root)) == 4
    assert "Offering delivered" in check.text(root)  # the legend
    page = render_blueprint(offered)
    check.html(page)
    assert "Offering delivered" in page and "Service actions" in page


def test_no_delivery_no_lane(workspace, check):
    root = check.svg(render_journey_map(workspace, fmt="svg"))
    assert not _cards(root) and "OFFERINGS" not in check.text(root)

"""The journey map: structure, content, overlay, layout rules."""

from __future__ import annotations

import itertools
import logging

import pytest

from cojourney.domain import Visibility
from cojourney.errors import NotFound
from cojourney.render import render_journey_map
from cojourney.render.layout import CARD_W, layout_columns
from cojourney.render.svg import text_width, wrap

SVG_NS = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def svg(workspace) -> str:
    return render_journey_map(workspace, fmt="svg")


def test_svg_is_well_formed_and_accessible(svg, check):
    root = check.svg(svg)
    assert root.get("role") == "img"
    ids = root.get("aria-labelledby").split()
    assert {el.get("id") for el in root if el.get("id")} >= set(ids)
    assert root.find(f"{SVG_NS}title").text == "Journey map: Commuting to campus by shared bike"


def test_every_touchpoint_and_step_is_named(svg, workspace, check):
    text = check.text(check.svg(svg))
    journey = workspace.journey()
    for tp in journey.touchpoints:
        assert tp.name in text, tp.name
    assert [s.name for s in journey.steps] == [
        "Explore",
        "Engage",
        "Offer",
        "Agree",
        "Onboard",
        "Co-create",
        "Realize",
    ]
    for step in journey.steps:
        assert step.name in text
    for period in ("PRE-SERVICE", "SERVICE", "POST-SERVICE"):
        assert period in text


def test_lanes_and_line_of_visibility(svg, workspace, check):
    text = check.text(check.svg(svg))
    for lane in (
        "CUSTOMER DOES",
        "THINKS, FEELS, ASKS",
        "TOUCHPOINTS",
        "EXPERIENCE",
        "PAIN POINTS",
        "OPPORTUNITIES",
        "SERVICE INTERACTIONS",
        "TEAMS AND ROLES",
        "BACKSTAGE",
    ):
        assert lane in text, lane
    assert "line of visibility" in text
    for item in [
        *workspace.pain_points,
        *workspace.opportunities,
        *workspace.journey().interactions,
    ]:
        assert item.name in text
    assert "Is it cheaper than the bus?" in text  # thinks
    assert "Field operations · Ambassador" in text  # a team and role facing the customer


def test_backstage_is_below_the_line_of_visibility(svg, workspace, check):
    root = check.svg(svg)
    dividers = [
        g
        for _, _, g in check.placed(root, "cj-divider")
        if "line of visibility" in " ".join(g.itertext())
    ]
    assert len(dividers) == 1
    line_y = float(dividers[0].find(f"{SVG_NS}line").get("y1"))
    cards = {
        " ".join(g.find(f"{SVG_NS}title").itertext()): y
        for _, y, g in check.placed(root, "cj-touchpoint")
    }
    assert len(cards) == len(workspace.journey().touchpoints)
    for tp in workspace.journey().touchpoints:
        y = next(v for k, v in cards.items() if k.startswith(tp.name))
        if tp.visibility == Visibility.PROVIDER_ONLY:
            assert y > line_y, tp.name
        else:
            assert y < line_y, tp.name


def test_cards_do_not_overlap(svg, check):
    assert check.overlaps(check.svg(svg)) == []


def test_designed_emotion_curve_and_moments_of_truth(svg, workspace, check):
    root = check.svg(svg)
    curves = [p for p in root.iter(f"{SVG_NS}path") if p.get("class") == "cj-designed-emotion"]
    assert len(curves) == 1 and curves[0].get("d").startswith("M")
    # one cubic segment between each pair of touchpoints that carry a designed emotion
    journey = workspace.journey()
    with_emotion = [
        t
        for t in journey.touchpoints
        if t.emotion is not None and t.visibility != Visibility.PROVIDER_ONLY
    ]
    assert curves[0].get("d").count("C") == len(with_emotion) - 1
    stars = [p for p in root.iter(f"{SVG_NS}polygon")]
    mots = sum(1 for t in journey.touchpoints if t.moment_of_truth)
    assert len(stars) >= 2 * mots  # on the card and on the curve (+ legend)
    text = check.text(root)
    assert "+2.5" in text and "\u22122.5" in text  # labels of the peak and of the low


def test_no_overlay_no_measured_marks(svg):
    assert "cj-measured-emotion" not in svg and "cj-volume" not in svg
    assert "ACTUAL JOURNEYS" not in svg


def test_overlay_is_drawn(workspace, overlay, check):
    svg = render_journey_map(workspace, fmt="svg", overlay=overlay)
    root = check.svg(svg)
    measured = [p for p in root.iter(f"{SVG_NS}path") if p.get("class") == "cj-measured-emotion"]
    assert len(measured) == 1 and measured[0].get("stroke-dasharray")
    assert measured[0].get("d").count("C") == 5 - 1  # five touchpoints with a measured emotion
    bars = [r for r in root.iter(f"{SVG_NS}rect") if r.get("class") == "cj-volume"]
    assert len(bars) == 5  # frontstage touchpoints with volumes; the backstage one is on its card
    heights = {float(b.get("height")) for b in bars}
    assert max(heights) == pytest.approx(52.0)  # the busiest touchpoint has the full bar
    text = check.text(root)
    assert "ACTUAL JOURNEYS" in text
    assert "reached 1,800" in text and "left 300 (17%)" in text
    assert "median 7 min" in text  # 420 s
    assert "300 journeys" in text  # the backstage card "rebalance"
    assert "step +0.4" in text  # a step-level measured emotion beside the touchpoint curve


def test_overlay_with_only_step_emotions_draws_a_step_curve(workspace, check):
    overlay = {
        "steps": {"explore": {"emotion": 1}, "agree": {"emotion": -1}, "realize": {"emotion": 2}}
    }
    root = check.svg(render_journey_map(workspace, fmt="svg", overlay=overlay))
    measured = [p for p in root.iter(f"{SVG_NS}path") if p.get("class") == "cj-measured-emotion"]
    assert len(measured) == 1 and measured[0].get("d").count("C") == 2


def test_overlay_with_unknown_ids_is_tolerated(workspace, check, caplog):
    overlay = {
        "touchpoints": {"nope": {"journeys": 3}, "ride": {"journeys": "many", "emotion": None}},
        "steps": {"ghost": {"reached": 1}},
    }
    with caplog.at_level(logging.WARNING):
        check.svg(render_journey_map(workspace, fmt="svg", overlay=overlay))
    assert "ghost" in caplog.text and "nope" in caplog.text


def test_html_page(workspace, check):
    page = render_journey_map(workspace)
    check.html(page)
    assert "<title>Commuting to campus by shared bike · journey map</title>" in page
    assert 'name="viewport"' in page and "@media print" in page
    assert "Ana Souza" in page and "I want to get to class on time" in page  # the persona card
    assert "Legend" in page and "Moment of truth" in page
    assert 'aria-labelledby="cj-journey-map-title cj-journey-map-desc"' in page
    assert "Terms &amp; conditions &lt;v2&gt;" in page  # escaped, not markup


def test_html_page_says_when_measured_data_are_drawn(workspace, overlay, check):
    page = render_journey_map(workspace, overlay=overlay)
    check.html(page)
    assert "Measured emotion" in page and "Measured data from the event log" in page


def test_unknown_journey_lists_the_known_ones(workspace):
    with pytest.raises(NotFound, match="commute"):
        render_journey_map(workspace, "no-such-journey")


def test_output_is_deterministic(workspace, overlay):
    assert render_journey_map(workspace, overlay=overlay) == render_journey_map(
        workspace, overlay=overlay
    )


def test_columns_widen_with_their_touchpoints(workspace):
    steps = workspace.journey().steps
    columns = layout_columns(steps, {"explore": 1, "engage": 3, "offer": 8}, 0)
    widths = [c.width for c in columns]
    assert widths[1] > widths[0] and widths[2] > widths[1]
    assert all(c.slot_w >= CARD_W - 0.01 for c in columns[:3])
    assert [c.x for c in columns] == sorted(c.x for c in columns)
    for left, right in itertools.pairwise(columns):
        assert left.x + left.width == pytest.approx(right.x)  # adjacent, never overlapping


@pytest.mark.parametrize(
    "text",
    [
        "Finds the dock full and looks for another",
        "Supercalifragilisticexpialidocious-sharing-scheme name",
        "A B C",
    ],
)
def test_wrapped_lines_fit_their_width(text):
    for width in (60, 100, 140):
        for line in wrap(text, width, 12, bold=True):
            assert text_width(line, 12, bold=True) <= width + 0.01
    cut = wrap(text * 5, 100, 12, max_lines=2)
    assert len(cut) <= 2 and (
        len(cut) < 2 or cut[-1].endswith("…") or len(wrap(text * 5, 100, 12)) <= 2
    )


def test_a_long_journey_keeps_its_cards_apart(big_workspace, check):
    """34 touchpoints over seven steps: everything named, no card over another, wider columns."""
    svg = render_journey_map(big_workspace, fmt="svg")
    root = check.svg(svg)
    text = check.text(root)
    for tp in big_workspace.journey().touchpoints:
        assert tp.name in text
    assert check.overlaps(root) == []
    width = float(root.get("viewBox").split()[2])
    assert width > 34 * 100  # the columns grew with their touchpoints
    check.html(render_journey_map(big_workspace))

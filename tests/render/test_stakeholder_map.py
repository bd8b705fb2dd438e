"""The stakeholder map: the power/interest grid, positions, movement arrows, the table."""

from __future__ import annotations

import pytest

from cojourney.domain import HIGH_LEVEL, Quadrant
from cojourney.render import render_stakeholder_map
from cojourney.render.stakeholder_map import table_rows

SVG_NS = "{http://www.w3.org/2000/svg}"
QUADRANTS = ("manage closely", "keep satisfied", "keep informed", "monitor")


@pytest.fixture(scope="module")
def root(workspace, check):
    return check.svg(render_stakeholder_map(workspace, fmt="svg"))


def _groups(root, cls):
    return [g for g in root.iter(f"{SVG_NS}g") if g.get("class") == cls]


def test_quadrant_names_and_axes(root, check):
    text = check.text(root)
    for name in QUADRANTS:
        assert name.upper() in text
    assert "INTEREST →" in text and "INFLUENCE →" in text


def test_each_assessed_stakeholder_is_a_labelled_dot_in_its_quadrant(root, workspace, check):
    text = check.text(root)
    # the grid: the quadrant labels sit in the top-left corner of their quadrant
    corners = {}
    for el in root.iter(f"{SVG_NS}text"):
        if el.get("class") == "cj-quadrant":
            corners[el.text.lower()] = (float(el.get("x")), float(el.get("y")))
    split_x = corners["manage closely"][0] - 12
    split_y = corners["monitor"][1] - 22
    dots = _groups(root, "cj-stakeholder")
    assert len(dots) == 3  # the fourth has no snapshot yet
    for g in dots:
        tip = g.find(f"{SVG_NS}title").text
        dot = g.find(f"{SVG_NS}circle")
        x, y = float(dot.get("cx")), float(dot.get("cy"))
        stakeholder = next(s for s in workspace.stakeholders if tip.startswith(s.name))
        assert stakeholder.name in text
        latest = stakeholder.snapshot_at()
        quadrant = Quadrant(
            ("manage closely" if x > split_x else "keep satisfied")
            if y < split_y
            else ("keep informed" if x > split_x else "monitor")
        )
        assert quadrant == latest.quadrant, stakeholder.name
        assert latest.quadrant.value in tip
    assert "Not assessed yet: Riverside neighbours" in text
    assert HIGH_LEVEL == 5.0


def test_arrows_for_stakeholders_with_two_snapshots(root):
    moves = _groups(root, "cj-movement")
    assert len(moves) == 2
    for g in moves:
        path = g.find(f"{SVG_NS}path")
        assert path.get("marker-end", "").startswith("url(#cj-arrow-")
        tip = g.find(f"{SVG_NS}title").text
        assert "2025-01-15" in tip and "2025-09-01" in tip  # earliest and latest date
        assert tip.index("2025-01-15") < tip.index("2025-09-01")
    markers = {m.get("id") for m in root.iter(f"{SVG_NS}marker")}
    for g in moves:
        assert g.find(f"{SVG_NS}path").get("marker-end")[5:-1] in markers


def test_arrow_runs_from_earliest_to_latest(root):
    g = next(
        g
        for g in _groups(root, "cj-movement")
        if "Students' union" in g.find(f"{SVG_NS}title").text
    )
    d = g.find(f"{SVG_NS}path").get("d")
    (x0, y0), (x1, y1) = [tuple(map(float, p.strip("ML ").split(","))) for p in d.split(" L")]
    assert x1 > x0 and y1 < y0  # interest 7 -> 9 and influence 3 -> 7: right and up


def test_table_now_and_before(workspace):
    rows = {r["id"]: r for r in table_rows(workspace)}
    assert (
        rows["students"]["now"] == "manage closely"
        and rows["students"]["before"] == "keep informed"
    )
    assert rows["students"]["moved"] is True
    assert (
        rows["city"]["now"] == rows["city"]["before"] == "keep satisfied"
        and not rows["city"]["moved"]
    )
    assert rows["bus-co"]["before"] is None and rows["neighbours"]["now"] is None


def test_html_page_has_the_table(workspace, check):
    page = render_stakeholder_map(workspace)
    check.html(page)
    assert "<table>" in page and page.count("<tr>") == 1 + len(workspace.stakeholders)
    for name in QUADRANTS:
        assert name in page
    assert "Students&#39; union" in page or "Students' union" in page
    assert 'class="quadrant q-keep-informed"' in page and "moved" in page


def test_no_stakeholders_still_draws_the_grid(workspace, check):
    empty = workspace.model_copy(update={"stakeholders": []})
    root = check.svg(render_stakeholder_map(empty, fmt="svg"))
    assert "MANAGE CLOSELY" in check.text(root)
    check.html(render_stakeholder_map(empty))

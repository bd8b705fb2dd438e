"""The report file: one well-formed, self-contained HTML document with every section."""

from __future__ import annotations

import json
import re

from checks import external_references, parse

from cojourney.report.page import ECHARTS
from cojourney.report.sections import SECTIONS

SECTION_IDS = [section_id for section_id, _ in SECTIONS]


def test_every_section_in_order_with_a_heading_and_a_contents_link(built):
    _, html = built
    page = parse(html)
    found = re.findall(r'<section id="([^"]+)" class="cj-section"', html)
    assert found == SECTION_IDS
    for section_id in SECTION_IDS:
        assert f'<h2 id="{section_id}-title">' in html
        assert f'<a href="#{section_id}"' in html  # the table of contents
    assert "summary" in page.ids and "chart-journey-graph" in page.ids


def test_nothing_is_fetched(built):
    _, html = built
    page = parse(html)
    assert external_references(page) == []
    # only three scripts, all inline: the data, ECharts, the report's own
    kinds = [(attrs.get("type"), bool(attrs.get("src"))) for attrs, _ in page.scripts]
    assert kinds == [("application/json", False), (None, False), (None, False)]


def test_echarts_is_inlined_with_its_licence_and_credited(built):
    _, html = built
    vendored = ECHARTS.read_text(encoding="utf-8")
    assert vendored[:2000] in html  # the Apache licence header is kept
    assert "Licensed to the Apache Software Foundation" in vendored[:400]
    assert "Charts: Apache ECharts (Apache-2.0)." in html


def test_the_chart_data_is_valid_json_for_every_chart_container(built):
    _, html = built
    page = parse(html)
    data = json.loads(
        next(body for attrs, body in page.scripts if attrs.get("type") == "application/json")
    )
    containers = set(re.findall(r'data-chart="([^"]+)"', html))
    assert containers == set(data["charts"])
    graph = data["charts"]["chart-journey-graph"]
    assert graph["type"] == "journey-graph"
    # MAIN_LOG: 7 designed touchpoints and one unknown activity, in an extra column
    assert len(graph["nodes"]) == 8 and graph["columns"][-1] == "Not in the design"
    assert {n["id"]: n["column"] for n in graph["nodes"]}["newsletter-click"] == 7

"""The report in headless Chromium (Debian's), driven by Playwright, with the network blocked.

Every request other than the report file itself is aborted and recorded; the page must
make none, log no console error, show every section with its charts drawn, and its
graph controls must change what the graph draws.
"""

from __future__ import annotations

import pytest

from cojourney.report.sections import SECTIONS

pytestmark = pytest.mark.browser


@pytest.fixture
def opened(browser, built):
    result, _ = built
    url = result.output.resolve().as_uri()
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    problems: list[str] = []
    requests: list[str] = []
    page.on(
        "console",
        lambda m: (
            problems.append(f"{m.type}: {m.text}") if m.type in ("error", "warning") else None
        ),
    )
    page.on("pageerror", lambda e: problems.append(f"uncaught: {e}"))
    page.on(
        "requestfailed", lambda r: requests.append(f"failed: {r.url}") if r.url != url else None
    )

    def route(r):
        if r.request.url == url:
            r.continue_()
        else:
            requests.append(r.request.url)
            r.abort()

    page.route("**/*", route)
    page.goto(url)
    page.wait_for_selector("html[data-report-ready]", timeout=20_000)
    yield page, problems, requests
    page.close()


def test_opens_offline_without_errors(opened):
    page, problems, requests = opened
    page.wait_for_timeout(300)
    assert problems == []
    assert requests == []


def test_every_section_and_chart_is_drawn(opened):
    page, problems, _ = opened
    for section_id, title in SECTIONS:
        section = page.locator(f"section#{section_id}")
        section.scroll_into_view_if_needed()
        assert section.is_visible(), section_id
        assert section.locator("h2").inner_text() == title
    charts = page.locator(".cj-chart[data-chart]")
    assert charts.count() >= 8
    for i in range(charts.count()):
        chart = charts.nth(i)
        name = chart.get_attribute("data-chart")
        assert chart.get_attribute("data-rendered") == "true", name
        assert chart.locator("svg, canvas").count() >= 1, name
    assert problems == []


def test_graph_controls_change_the_graph(opened):
    page, problems, _ = opened
    graph = page.locator("#chart-journey-graph")
    graph.scroll_into_view_if_needed()
    assert graph.get_attribute("data-mode") == "frequency"
    assert graph.get_attribute("data-detail") == "100"
    edges_all = int(graph.get_attribute("data-edges-shown"))
    # MAIN_LOG's distinct directly-follows pairs: A 5, B 3 more, C 2 more (back to sign-up,
    # on to the unknown activity), D 1 more (sign-up -> first-use), G 2 more (sign-up <->
    # welcome-guide); E and H add none, F has one event
    assert edges_all == 13

    def first_label() -> str:
        return page.evaluate("""() => {
            const chart = echarts.getInstanceByDom(document.getElementById('chart-journey-graph'));
            const link = chart.getOption().series[0].links[0];
            return link.label.formatter + ' ' + link.lineStyle.width.toFixed(2);
        }""")

    by_count = first_label()
    page.locator("input[name=cj-graph-mode][value=median]").check()
    assert graph.get_attribute("data-mode") == "median"
    by_time = first_label()
    assert by_time != by_count
    page.locator("input[name=cj-graph-mode][value=frequency]").check()
    assert first_label() == by_count

    slider = page.locator(".cj-graph-detail")
    slider.fill("50")
    assert graph.get_attribute("data-detail") == "50"
    # 50%: the 4 activities with most events: first-use 8, sign-up 8, identity-check 4,
    # search 4 (ties by id; survey 4 comes after); between them 5 paths (search -> sign-up,
    # sign-up -> identity-check, identity-check -> first-use, sign-up <-> first-use), of
    # which the top ceil(5 x 50%) = 3 are drawn
    assert int(graph.get_attribute("data-nodes-shown")) == 4
    assert int(graph.get_attribute("data-edges-shown")) == 3
    assert "Showing 4 of 8 activities" in page.locator(".cj-graph-status").inner_text()
    assert problems == []


def test_variant_filter_and_expand(opened):
    page, _, _ = opened
    rows = page.locator(".cj-variant")
    total = rows.count()
    page.locator(".cj-variant-filter").fill("support")
    visible = page.locator(".cj-variant:not(.cj-hidden)")
    # B and C are the only journeys that call support, each its own variant
    assert visible.count() == 2
    assert page.locator(".cj-variant-count").inner_text() == f"2 of {total} shown"
    visible.first.locator("summary").click()
    assert visible.first.locator(".cj-variant-steps").is_visible()

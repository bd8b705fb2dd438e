"""No chart label of the report runs into another (issue 11 §6), measured in Debian's chromium.

The page holds the report's own CSS, ECharts and ``report.js``, and the kinds of chart the
experience section draws (per touchpoint, half width, as ``cj-grid-2`` lays them out): many
long touchpoint names (the eCampus journey has 40 answered touchpoints), a few long ones,
short ones, and a line over many steps. Every ``<text>`` of a chart is measured with
``getBoundingClientRect``; no two may intersect, at a desktop and a phone width.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cojourney.report.page import ASSETS, ECHARTS

pytestmark = pytest.mark.browser

LONG_NAMES = [
    f"Touchpoint {i}: {word} the car-share app and the campus charging bay"
    for i, word in enumerate(["opens", "books", "unlocks", "returns", "rates"] * 8)
]


def _bars(categories: list[str], **extra: object) -> dict:
    n = len(categories)
    return {
        "type": "ci-bars",
        "categories": categories,
        "axisName": "mean",
        "series": [
            {
                "name": "Emotion",
                "color": "#3d6fb0",
                "values": [((i % 7) - 3) / 1.5 for i in range(n)],
                "low": [((i % 7) - 3) / 1.5 - 0.4 for i in range(n)],
                "high": [((i % 7) - 3) / 1.5 + 0.4 for i in range(n)],
                "n": [10 + i for i in range(n)],
            }
        ],
        **extra,
    }


CHARTS = {
    "many-long": _bars(LONG_NAMES),
    "few-long": _bars(LONG_NAMES[:5]),
    "short": _bars(["A", "B", "C", "D"]),
    "line-many": {
        **_bars([f"Step {i} of the member journey" for i in range(30)], points=True, min=-3, max=3),
        "series": [
            {
                "name": "designed",
                "type": "line",
                "color": "#3e4c59",
                "values": [(i % 7) - 3 for i in range(30)],
            },
            {
                "name": "measured",
                "type": "line",
                "color": "#8a4fbf",
                "dashed": True,
                "values": [((i + 2) % 7) - 3 for i in range(30)],
            },
        ],
    },
}

OVERLAPS = """() => {
  const found = {};
  document.querySelectorAll('.cj-chart[data-chart]').forEach(el => {
    const boxes = [];
    el.querySelectorAll('svg text').forEach(t => {
      if (!t.textContent.trim()) { return; }
      const r = t.getBoundingClientRect();
      if (r.width && r.height) { boxes.push([t.textContent, r.left, r.top, r.right, r.bottom]); }
    });
    const pairs = [];
    for (let i = 0; i < boxes.length; i++) {
      for (let j = i + 1; j < boxes.length; j++) {
        const a = boxes[i], b = boxes[j];
        if (a[1] < b[3] - 1 && b[1] < a[3] - 1 && a[2] < b[4] - 1 && b[2] < a[4] - 1) {
          pairs.push(a[0] + ' / ' + b[0]);
        }
      }
    }
    found[el.getAttribute('data-chart')] = {
      texts: boxes.length, layout: el.getAttribute('data-label-layout'), overlaps: pairs.slice(0, 5)
    };
  });
  return found;
}"""


def _page(path: Path) -> Path:
    def chart(name: str) -> str:
        return (
            f'<div><h4>{name}</h4><div id="{name}" class="cj-chart" data-chart="{name}" '
            f'role="img" aria-label="{name}" style="height:300px"></div></div>'
        )

    html = (
        "<!doctype html><html><head><meta charset='utf-8'>"
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<style>{(ASSETS / 'report.css').read_text(encoding='utf-8')}</style></head><body>"
        f'<div class="cj-grid-2">{"".join(chart(n) for n in CHARTS)}</div>'
        f'<script type="application/json" id="cj-report-data">{json.dumps({"charts": CHARTS})}'
        "</script>"
        f"<script>{ECHARTS.read_text(encoding='utf-8')}</script>"
        f"<script>{(ASSETS / 'report.js').read_text(encoding='utf-8')}</script>"
        "</body></html>"
    )
    path.write_text(html, encoding="utf-8")
    return path


@pytest.mark.parametrize("width", [1400, 390])
def test_no_chart_label_runs_into_another(browser, tmp_path: Path, width: int) -> None:
    page = browser.new_page(viewport={"width": width, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(_page(tmp_path / "charts.html").as_uri())
    page.wait_for_selector("html[data-report-ready]")
    found = page.evaluate(OVERLAPS)
    page.close()
    assert errors == []
    assert set(found) == set(CHARTS)
    for name, chart in found.items():
        assert chart["texts"] >= 4, (name, chart)  # labels were drawn
        assert chart["overlaps"] == [], (name, chart)
    assert found["short"]["layout"] == "plain"
    assert found["many-long"]["layout"] == "horizontal"  # 40 names down the side
    assert found["line-many"]["layout"] == "vertical"  # a line keeps its categories along x


def test_a_truncated_label_shows_its_full_name(browser, tmp_path: Path) -> None:
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.goto(_page(tmp_path / "charts.html").as_uri())
    page.wait_for_selector("html[data-report-ready]")
    chart = page.locator("#many-long")
    label = chart.locator("svg text", has_text="Touchpoint 3:").first
    assert "…" in label.text_content() or "..." in label.text_content()  # cut to fit
    label.hover()
    assert chart.get_attribute("title") == LONG_NAMES[3]
    page.close()

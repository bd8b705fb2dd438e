"""A small, complete workspace to draw, a hand-made overlay, the flagship examples, and the
checks every picture must pass (fixture ``check``: well-formed SVG and HTML, no external URL).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import date
from html.parser import HTMLParser
from pathlib import Path
from types import SimpleNamespace

import pytest

from cojourney.domain import (
    Journey,
    Opportunity,
    Owner,
    PainPoint,
    Persona,
    Scenario,
    ServiceInteraction,
    Stakeholder,
    StakeholderSnapshot,
    Touchpoint,
    Workspace,
    WorkspaceInfo,
    dsv_steps,
)

#: A touchpoint name with every character Mermaid chokes on, and two that XML does.
TRICKY_NAME = "Support chat: ticket #42; follow-up & <escalation>"


def _steps():
    steps = dsv_steps()
    does = {
        "explore": ["Compares bikes, buses and walking", "Reads reviews from friends"],
        "engage": ["Follows the scheme on social media"],
        "offer": ["Looks at the student plan and its price"],
        "agree": ["Signs up and accepts the terms"],
        "onboard": ["Watches the safety video", "Unlocks a first bike with help"],
        "co-create": ["Rides to campus most days", "Reports a flat tyre"],
        "realize": ["Checks the monthly statement", "Recommends the scheme"],
    }
    for step in steps:
        step.customer_does = does[step.id]
    steps[0].customer_thinks = ["Is it cheaper than the bus?"]
    steps[0].customer_feels = ["Curious", "A bit sceptical"]
    steps[0].customer_asks = ["Where are the docks near me?"]
    steps[5].customer_feels = ["Free", "Annoyed when no dock is free"]
    steps[5].customer_asks = ["What if the bike breaks down half way?"]
    steps[3].customer_goal = "A fair price with no surprises"
    steps[3].provider_goal = "A verified member who rides responsibly"
    return steps


def _tp(id, name, step, channel, **kw):
    return Touchpoint(id=id, name=name, step=step, channel=channel, **kw)


TOUCHPOINTS = [
    _tp(
        "ad",
        "Sees a poster at the station",
        "explore",
        "physical",
        kind="brand",
        emotion=1,
        expected_duration="1m",
    ),
    _tp(
        "friends",
        "Hears about it from friends",
        "explore",
        "recommendation",
        visibility="consumer_only",
        emotion=1.5,
    ),
    _tp(
        "social",
        "Reads posts on social media",
        "engage",
        "social_media",
        kind="brand",
        emotion=1,
        optional=True,
        expected_duration="5m",
    ),
    _tp(
        "plans",
        "Compares plans on the website",
        "offer",
        "web",
        emotion=0.5,
        expected_duration="10m",
        owner=Owner(team="Marketing", role="Web editor"),
    ),
    _tp(
        "sign-up",
        "Signs up in the app",
        "agree",
        "app",
        emotion=-0.5,
        moment_of_truth=True,
        expected_duration="8m",
        owner=Owner(team="Digital", role="Product owner"),
    ),
    _tp("terms", "Terms & conditions <v2>", "agree", "app", emotion=-1, expected_duration="3m"),
    _tp(
        "id-check",
        "Identity and payment check",
        "agree",
        "system",
        visibility="provider_only",
        owner=Owner(team="Back office", role="Risk analyst"),
        expected_duration="1h",
    ),
    _tp(
        "video",
        "Watches the safety video",
        "onboard",
        "app",
        emotion=0.5,
        optional=True,
        expected_duration="4m",
    ),
    _tp(
        "first-unlock",
        "Unlocks the first bike at a dock",
        "onboard",
        "self_service",
        emotion=2,
        moment_of_truth=True,
        expected_duration="2m",
        owner=Owner(team="Field operations", role="Ambassador"),
    ),
    _tp("ride", "Rides to campus", "co-create", "physical", emotion=2.5, expected_duration="20m"),
    _tp(
        "dock-full",
        "Finds the dock full and looks for another",
        "co-create",
        "app",
        emotion=-2.5,
        expected_duration="6m",
    ),
    _tp(
        "support",
        TRICKY_NAME,
        "co-create",
        "chat",
        emotion=-1,
        optional=True,
        owner=Owner(team="Service desk", role="Agent"),
        expected_duration="12m",
    ),
    _tp(
        "rebalance",
        "Rebalances bikes between docks",
        "co-create",
        "system",
        visibility="provider_only",
        owner=Owner(team="Field operations", role="Van driver"),
    ),
    _tp(
        "repair",
        "Repairs reported bikes",
        "co-create",
        "in_person",
        visibility="provider_only",
        owner=Owner(team="Workshop", role="Mechanic"),
    ),
    _tp(
        "statement",
        "Receives the monthly statement",
        "realize",
        "email",
        emotion=0,
        expected_duration="2m",
        owner=Owner(team="Billing"),
    ),
    _tp(
        "survey",
        "Answers the satisfaction survey",
        "realize",
        "email",
        emotion=0.5,
        optional=True,
        expected_duration="3m",
    ),
]

INTERACTIONS = [
    ServiceInteraction(
        id="hand-over-card",
        name="Gets a member card by post",
        kind="transfer_of_goods",
        step="onboard",
        touchpoints=["first-unlock"],
        owner=Owner(team="Back office"),
    ),
    ServiceInteraction(
        id="use-bike",
        name="Uses a bike from the fleet",
        kind="access_to_resources",
        step="co-create",
        touchpoints=["ride"],
        provider_resources=["Bike fleet", "Docks"],
    ),
    ServiceInteraction(
        id="agent-helps",
        name="Agent sorts out a broken bike",
        kind="operant_resources",
        step="co-create",
        touchpoints=["support"],
        owner=Owner(team="Service desk", role="Agent"),
        provider_resources=["Ticketing system"],
    ),
    ServiceInteraction(
        id="first-ride",
        name="First ride with an ambassador",
        kind="joint_service_action",
        step="onboard",
        touchpoints=["first-unlock"],
        owner=Owner(team="Field operations", role="Ambassador"),
    ),
    ServiceInteraction(
        id="fleet-planning",
        name="Plans the fleet from ride data",
        kind="operant_resources",
        step="co-create",
        visibility="provider_only",
        owner=Owner(team="Planning"),
        provider_resources=["Ride data warehouse", "Forecasting model"],
    ),
]


def build_workspace() -> Workspace:
    journey = Journey(
        id="commute",
        name="Commuting to campus by shared bike",
        description="A student's journey from first hearing of the scheme to recommending it.",
        personas=["ana"],
        steps=_steps(),
        touchpoints=TOUCHPOINTS,
        interactions=INTERACTIONS,
    )
    persona = Persona(
        id="ana",
        name="Ana Souza",
        segment="Students living off campus",
        age=21,
        occupation="Biology student",
        location="Riverside",
        quote="I want to get to class on time without going broke.",
        hopes_and_goals=["Arrive on time", "Spend less than on the bus"],
        frustrations=["Full docks", "Hidden fees"],
        looks_for=["Cheap", "Reliable", "Green"],
    )
    scenario = Scenario(
        id="late-for-exam",
        name="Late for an exam",
        persona="ana",
        journey="commute",
        why="Her bus is cancelled on exam day.",
        goals=["Reach the exam hall in 20 minutes"],
    )
    stakeholders = [
        Stakeholder(
            id="students",
            name="Students' union",
            kind="customer",
            snapshots=[
                StakeholderSnapshot(date=date(2025, 1, 15), influence=3, interest=7),
                StakeholderSnapshot(
                    date=date(2025, 9, 1), influence=7, interest=9, note="Joined the board"
                ),
            ],
        ),
        Stakeholder(
            id="city",
            name="City council",
            kind="regulator",
            snapshots=[
                StakeholderSnapshot(date=date(2025, 1, 15), influence=8, interest=3),
                StakeholderSnapshot(date=date(2025, 9, 1), influence=8, interest=4),
            ],
        ),
        Stakeholder(
            id="bus-co",
            name="Bus company",
            kind="competitor",
            snapshots=[
                StakeholderSnapshot(date=date(2025, 9, 1), influence=4, interest=2),
            ],
        ),
        Stakeholder(id="neighbours", name="Riverside neighbours", kind="community"),
    ]
    pains = [
        PainPoint(
            id="no-dock",
            name="No free dock near the faculty",
            journey="commute",
            touchpoint="dock-full",
            severity="high",
            evidence="38% of complaints",
        ),
        PainPoint(
            id="long-form",
            name="Sign-up form asks too much",
            journey="commute",
            step="agree",
            touchpoint="sign-up",
            severity="medium",
        ),
        PainPoint(
            id="opaque-fees", name="Fees are hard to understand", journey="commute", severity="low"
        ),
    ]
    opportunities = [
        Opportunity(
            id="dock-alert",
            name="Tell riders where a free dock is before they arrive",
            journey="commute",
            touchpoint="dock-full",
            pain_points=["no-dock"],
        ),
        Opportunity(
            id="ambassadors",
            name="Ambassadors at the busiest docks in week one",
            journey="commute",
            step="onboard",
        ),
    ]
    return Workspace(
        workspace=WorkspaceInfo(
            id="bike-share", name="Riverside Bike Share", default_journey="commute"
        ),
        personas=[persona],
        scenarios=[scenario],
        journeys=[journey],
        stakeholders=stakeholders,
        pain_points=pains,
        opportunities=opportunities,
    )


@pytest.fixture(scope="session")
def workspace() -> Workspace:
    return build_workspace()


def build_big_workspace() -> Workspace:
    """34 touchpoints over the seven steps, long names, many backstage activities: a layout stress test."""
    counts = {
        "explore": 2,
        "engage": 3,
        "offer": 6,
        "agree": 5,
        "onboard": 4,
        "co-create": 10,
        "realize": 4,
    }
    channels = [
        "app",
        "web",
        "email",
        "phone",
        "physical",
        "chat",
        "system",
        "in_person",
        "sms",
        "portal",
    ]
    touchpoints, interactions, n = [], [], 0
    for step, count in counts.items():
        for _i in range(count):
            n += 1
            touchpoints.append(
                Touchpoint(
                    id=f"tp{n}",
                    step=step,
                    channel=channels[n % len(channels)],
                    name=f"Touchpoint {n} with a rather long name that has to wrap over several lines"
                    if n % 3 == 0
                    else f"Touchpoint {n}",
                    visibility="provider_only"
                    if n % 5 == 0
                    else ("consumer_only" if n % 11 == 0 else "band"),
                    emotion=((n * 7) % 13 - 6) / 2,
                    moment_of_truth=n % 9 == 0,
                    optional=n % 4 == 0,
                    expected_duration=f"{n}m",
                    owner=Owner(team=f"Team {n % 4}", role="Role") if n % 2 else None,
                )
            )
        interactions.append(
            ServiceInteraction(
                id=f"ix-{step}",
                name=f"Interaction in {step} between the customer and the provider",
                kind=[
                    "transfer_of_goods",
                    "access_to_resources",
                    "operant_resources",
                    "joint_service_action",
                ][len(interactions) % 4],
                step=step,
                touchpoints=[touchpoints[-1].id],
                provider_resources=["CRM", "Fleet"],
            )
        )
    journey = Journey(
        id="big",
        name="A long journey " * 6,
        steps=_steps(),
        touchpoints=touchpoints,
        interactions=interactions,
    )
    pains = [
        PainPoint(
            id=f"p{i}",
            name=f"Pain {i} on touchpoint {i * 3}",
            journey="big",
            touchpoint=f"tp{i * 3}",
            severity="critical",
        )
        for i in range(1, 11)
    ]
    return Workspace(
        workspace=WorkspaceInfo(id="big", name="Big"), journeys=[journey], pain_points=pains
    )


@pytest.fixture(scope="session")
def big_workspace() -> Workspace:
    return build_big_workspace()


@pytest.fixture
def overlay() -> dict:
    """Measured data as the analytics engineers will provide it (made up by hand)."""
    return {
        "touchpoints": {
            "plans": {"journeys": 1800, "median_seconds": 420, "emotion": 0.2},
            "sign-up": {"journeys": 1500, "median_seconds": 610, "emotion": -1.4},
            "first-unlock": {"journeys": 1200, "median_seconds": 150, "emotion": 1.1},
            "ride": {"journeys": 1100, "median_seconds": 1380, "emotion": 2.0},
            "dock-full": {"journeys": 400, "median_seconds": 540, "emotion": -2.8},
            "rebalance": {"journeys": 300},
        },
        "steps": {
            "offer": {"reached": 1800, "left": 300, "emotion": 0.2},
            "agree": {"reached": 1500, "left": 250},
            "co-create": {"reached": 1150, "left": 60, "emotion": 0.4},
        },
    }


# --- checks shared by the tests -------------------------------------------------------------

SVG_NS = "{http://www.w3.org/2000/svg}"
ALLOWED_URLS = {"http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"}
_VOID = {
    "area",
    "base",
    "br",
    "col",
    "embed",
    "hr",
    "img",
    "input",
    "link",
    "meta",
    "source",
    "track",
    "wbr",
}


def parse_svg(text: str) -> ET.Element:
    """Parse a standalone SVG (fails the test when it is not well-formed XML)."""
    root = ET.fromstring(text)
    assert root.tag == f"{SVG_NS}svg"
    assert re.fullmatch(r"0 0 [\d.]+ [\d.]+", root.get("viewBox", "")), "the SVG needs a viewBox"
    return root


def svg_text(root: ET.Element) -> str:
    """All the text of a picture (text, tspans, titles) with XML entities resolved."""
    return " ".join(
        " ".join(el.itertext())
        for el in root.iter()
        if el.tag in (f"{SVG_NS}text", f"{SVG_NS}title", f"{SVG_NS}desc")
    )


def external_urls(text: str) -> list[str]:
    """Every reference to something outside the file (the SVG and xlink namespaces are fine)."""
    found = [u for u in re.findall(r"https?://[^\s\"'<>)]+", text) if u not in ALLOWED_URLS]
    found += re.findall(r"(?i)(?:src|href)\s*=\s*[\"'](?!#)[^\"']*", text)
    found += re.findall(r"(?i)url\((?!\s*[\"']?#)[^)]*\)", text)
    found += re.findall(r"(?i)@import|<link\b|@font-face|//cdn", text)
    return found


class StrictHTML(HTMLParser):
    """A tag-balance checker: one root element, every element closed in order."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.roots: list[str] = []
        self.errors: list[str] = []
        self.text_outside = False

    def handle_starttag(self, tag, attrs):
        if not self.stack:
            self.roots.append(tag)
        if tag not in _VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        if not self.stack:
            self.roots.append(tag)

    def handle_endtag(self, tag):
        if tag in _VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(
                f"</{tag}> closes {self.stack[-1] if self.stack else 'nothing'} at {self.getpos()}"
            )
            if tag in self.stack:
                while self.stack.pop() != tag:
                    pass
        else:
            self.stack.pop()

    def handle_data(self, data):
        if not self.stack and data.strip():
            self.text_outside = True


def check_html(text: str) -> StrictHTML:
    """Fail unless ``text`` is one well-formed, self-contained HTML document."""
    assert text.lstrip().lower().startswith("<!doctype html>")
    parser = StrictHTML()
    parser.feed(text)
    parser.close()
    assert not parser.errors, parser.errors
    assert not parser.stack, f"unclosed: {parser.stack}"
    assert parser.roots == ["html"], parser.roots
    assert not parser.text_outside
    assert re.search(r'<meta charset="utf-8">', text, re.IGNORECASE)
    assert re.search(r"<title>[^<]+</title>", text)
    assert external_urls(text) == []
    return parser


def placed(root: ET.Element, cls: str) -> list[tuple[float, float, ET.Element]]:
    """(absolute x, absolute y, element) of every group of class ``cls`` (translate() only)."""
    found = []

    def walk(el: ET.Element, x: float, y: float) -> None:
        match = re.match(r"translate\(([-\d.]+),([-\d.]+)\)", el.get("transform", ""))
        if match:
            x, y = x + float(match.group(1)), y + float(match.group(2))
        if el.get("class") == cls:
            found.append((x, y, el))
        for child in el:
            walk(child, x, y)

    walk(root, 0.0, 0.0)
    return found


def overlapping_cards(root: ET.Element) -> list[tuple]:
    """Pairs of cards (touchpoints, interactions, pain points...) drawn over each other."""
    boxes = []
    for cls in ("cj-touchpoint", "cj-interaction", "cj-pain", "cj-opportunity", "cj-support"):
        for x, y, g in placed(root, cls):
            frame = g.find(f"{SVG_NS}rect")
            boxes.append((x, y, x + float(frame.get("width")), y + float(frame.get("height"))))
    return [
        (a, b)
        for i, a in enumerate(boxes)
        for b in boxes[i + 1 :]
        if a[0] < b[2] - 0.5 and b[0] < a[2] - 0.5 and a[1] < b[3] - 0.5 and b[1] < a[3] - 0.5
    ]


def load_example(folder: Path) -> Workspace:
    """Merge the collections of every YAML file of an example folder into one Workspace."""
    from ruamel.yaml import YAML

    yaml = YAML(typ="safe")
    merged: dict = {}
    for path in sorted(folder.rglob("*.yaml")):
        if "data" in path.relative_to(folder).parts:
            continue
        document = yaml.load(path.read_text(encoding="utf-8")) or {}
        for key, value in document.items():
            if isinstance(value, list):
                merged.setdefault(key, []).extend(value)
            else:
                merged[key] = value
    return Workspace(**merged)


def example_folders() -> list[Path]:
    from cojourney.demo import EXAMPLES_DIR

    if not EXAMPLES_DIR.is_dir():
        return []
    return sorted(p for p in EXAMPLES_DIR.iterdir() if p.is_dir() and any(p.rglob("*.yaml")))


@pytest.fixture(scope="session")
def check() -> SimpleNamespace:
    """The shared checks: ``check.svg(text)``, ``check.text(root)``, ``check.html(text)``,
    ``check.urls(text)``, ``check.placed(root, css_class)``, ``check.overlaps(root)``."""
    return SimpleNamespace(
        svg=parse_svg,
        text=svg_text,
        html=check_html,
        urls=external_urls,
        placed=placed,
        overlaps=overlapping_cards,
    )


@pytest.fixture(scope="session")
def tricky_name() -> str:
    return TRICKY_NAME


@pytest.fixture(scope="session", params=[p.name for p in example_folders()] or ["<none>"])
def example(request) -> Workspace:
    """Each flagship example that exists (skipped while the examples are not written yet)."""
    if request.param == "<none>":
        pytest.skip("no flagship example under src/cojourney/demo/examples yet")
    from cojourney.demo import EXAMPLES_DIR

    return load_example(EXAMPLES_DIR / request.param)

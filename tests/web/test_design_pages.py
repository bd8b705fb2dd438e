"""The design pages and their read API, on both flagship workspaces.

Every expectation is read from the loaded model (never written out here), so the
tests follow the examples when they change.
"""

from __future__ import annotations

import doctest
import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from markupsafe import escape
from web_helpers import Controls, Site

from cojourney.domain import Workspace
from cojourney.services.workspaces import init_workspace, open_workspace

EXAMPLES = ("ecampus-car-share", "incident-resolution")
PAGES = (
    "/journeys",
    "/personas",
    "/stakeholders",
    "/relationships",
    "/offerings",
    "/agreements",
    "/indicators",
    "/improvements",
)
HTML = {"Accept": "text/html"}


@pytest.fixture(scope="module")
def example_folders(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folders = {}
    for example in EXAMPLES:
        folder = tmp_path_factory.mktemp(example)
        init_workspace(folder, example=example)
        folders[example] = folder
    return folders


@pytest.fixture(params=EXAMPLES)
def example(
    request: pytest.FixtureRequest,
    example_folders: dict[str, Path],
    make_site: Callable[..., Site],
) -> tuple[Site, Workspace]:
    folder = example_folders[request.param]
    return make_site(folder), open_workspace(folder)


def e(text: str) -> str:
    """``text`` as the templates write it (autoescaped)."""
    return str(escape(text))


def page(client: Any, path: str) -> str:
    response = client.get(path, headers=HTML)
    assert response.status_code == 200, (path, response.text[:500])
    return str(response.text)


def test_journey_page_draws_the_map_and_lists_every_touchpoint(
    example: tuple[Site, Workspace],
) -> None:
    site, ws = example
    client, _ = site.signed_in("viewer")
    for journey in ws.journeys:
        html = page(client, f"/journeys/{journey.id}")
        assert "<svg" in html and f"Journey map: {e(journey.name)}" in html
        assert "Line of visibility" in html  # the provider's map draws it
        assert 'id="editor"' in html  # the marked place of the editor
        for step in journey.steps:
            assert f'id="step-{step.id}"' in html
            assert e(step.name) in html
        for tp in journey.touchpoints:
            row = re.search(rf'<tr id="tp-{re.escape(tp.id)}".*?</tr>', html, flags=re.S)
            assert row, tp.id
            cells = row.group(0)
            assert e(tp.name) in cells
            assert tp.channel.value.replace("_", " ") in cells
            assert tp.visibility.value.replace("_", " ") in cells
            if tp.owner:
                assert e(tp.owner.team) in cells
            assert ("moment of truth" in cells) == tp.moment_of_truth
        motd = sum(tp.moment_of_truth for tp in journey.touchpoints)
        assert html.count('class="badge mot"') == motd


def test_each_journey_is_listed_with_a_link(example: tuple[Site, Workspace]) -> None:
    site, ws = example
    client, _ = site.signed_in("viewer")
    html = page(client, "/journeys")
    overview = page(client, "/")
    for journey in ws.journeys:
        assert f'href="/journeys/{journey.id}"' in html
        assert f'href="/journeys/{journey.id}"' in overview
    for target in PAGES:
        assert f'href="{target}"' in overview  # the nav, on every page


def test_personas_page_shows_the_full_profile_culture_and_scenarios(
    example: tuple[Site, Workspace],
) -> None:
    site, ws = example
    client, _ = site.signed_in("viewer")
    html = page(client, "/personas")
    for persona in ws.personas:
        assert f'id="persona-{persona.id}"' in html
        for text in [
            persona.name,
            persona.segment,
            *persona.frustrations,
            *persona.hopes_and_goals,
        ]:
            assert e(text) in html
        if persona.culture:
            for scale, value in persona.culture.model_dump().items():
                if value is not None:
                    meter = rf'value="{value}"\s+id="culture-{re.escape(persona.id)}-{scale}"'
                    assert re.search(meter, html), (persona.id, scale)
    for scenario in ws.scenarios:
        assert f'id="scenario-{scenario.id}"' in html
        for text in [scenario.name, scenario.why, *scenario.goals]:
            assert e(text) in html


def test_stakeholder_page_shows_the_latest_map_and_replays_each_date(
    example: tuple[Site, Workspace],
) -> None:
    site, ws = example
    client, _ = site.signed_in("viewer")
    html = page(client, "/stakeholders")
    assert "<svg" in html and 'src="/static/stakeholders.js"' in html
    dates = sorted({snap.date for s in ws.stakeholders for snap in s.snapshots})
    for stakeholder in ws.stakeholders:
        assert e(stakeholder.name) in html
        latest = stakeholder.snapshot_at()
        row = re.search(rf'<tr id="stakeholder-{re.escape(stakeholder.id)}">.*?</tr>', html, re.S)
        assert row
        assert (latest.quadrant.value if latest else "not assessed") in row.group(0)
    for when in dates:
        replay = page(client, f"/stakeholders?as_of={when.isoformat()}")
        assert f"<strong>{when.isoformat()}</strong>" in replay
        for stakeholder in ws.stakeholders:
            then = stakeholder.snapshot_at(when)
            row = re.search(
                rf'<tr id="stakeholder-{re.escape(stakeholder.id)}">.*?</tr>', replay, re.S
            )
            assert row
            expected = then.quadrant.value if then else "not assessed"
            assert f">{expected}</td>" in row.group(0), (when, stakeholder.id)


def test_the_other_design_pages_name_everything_in_the_model(
    example: tuple[Site, Workspace],
) -> None:
    site, ws = example
    client, _ = site.signed_in("viewer")
    expected = {
        "/relationships": [r.name for r in ws.relationships]
        + [o.name for o in ws.organisations]
        + [h.held_by for o in ws.organisations for h in o.consumer_roles],
        "/offerings": [o.name for o in ws.offerings] + [o.target_group for o in ws.offerings],
        "/agreements": [a.name for a in ws.agreements],
        "/indicators": [i.name for i in ws.indicators] + [i.definition for i in ws.indicators],
        "/improvements": [i.name for i in ws.improvements] + [p.name for p in ws.pain_points],
    }
    for path, texts in expected.items():
        assert texts, f"the example has nothing for {path}"
        html = page(client, path)
        for text in texts:
            assert e(text) in html, (path, text)


def test_every_page_has_the_nav_a_skip_link_and_labelled_controls(site: Site) -> None:
    client, _ = site.signed_in("viewer")
    journey = site.app.state.web.reader.workspace().journeys[0].id
    for path in (*PAGES, f"/journeys/{journey}", "/"):
        html = page(client, path)
        assert html.index('class="skip-link"') < html.index('aria-label="Workspace"')
        current = re.findall(r'<a href="([^"]+)" aria-current="page">', html)
        assert current == [path if path.count("/") == 1 else "/journeys"], path
        ids = re.findall(r'\sid="([^"]+)"', html)
        assert len(ids) == len(set(ids)), f"{path} repeats an id"
        for target in re.findall(r'href="#([^"]+)"', html):
            assert target in ids, (path, target)  # every link within the page lands
        for labelled_by in re.findall(r'aria-(?:labelledby|describedby)="([^"]+)"', html):
            assert set(labelled_by.split()) <= set(ids), (path, labelled_by)
        controls = Controls()
        controls.feed(html)
        assert all(c.get("id") in controls.labelled for c in controls.controls), path
        assert all(a and a.startswith("/static/") for a in controls.assets), path


def test_names_are_escaped(workspace: Path, tmp_path: Path, make_site: Callable[..., Site]) -> None:
    folder = tmp_path / "ws"
    shutil.copytree(workspace, folder, ignore=shutil.ignore_patterns(".cojourney"))
    persona = open_workspace(folder).personas[0]
    nasty = f'<script>alert(1)</script> {persona.name} & "Co"'
    personas = folder / "personas.yaml"
    text = personas.read_text(encoding="utf-8")
    assert f"name: {persona.name}\n" in text
    personas.write_text(
        text.replace(f"name: {persona.name}\n", f"name: '{nasty}'\n", 1), encoding="utf-8"
    )
    assert open_workspace(folder).personas[0].name == nasty
    client, _ = make_site(folder).signed_in("viewer")
    journey = next(j for j in open_workspace(folder).journeys if persona.id in j.personas)
    for path in ("/personas", f"/journeys/{journey.id}", "/"):
        html = page(client, path)
        assert e(nasty) in html, path
        assert "<script>alert(1)</script>" not in html, path


def test_unknown_journey_is_404_on_page_and_api(site: Site) -> None:
    client, _ = site.signed_in("viewer")
    response = client.get("/journeys/no-such-journey", headers=HTML)
    assert response.status_code == 404
    assert "no-such-journey" in response.text
    assert 'aria-label="Workspace"' in response.text  # the error page keeps the nav
    api = client.get("/api/journeys/no-such-journey")
    assert api.status_code == 404 and "no-such-journey" in api.json()["detail"]


def test_a_replay_date_that_is_not_a_date_is_a_422_naming_the_field(site: Site) -> None:
    client, _ = site.signed_in("viewer")
    response = client.get("/api/stakeholder-map?as_of=last-tuesday")
    assert response.status_code == 422
    problem = response.json()["problems"][0]
    assert problem["field"] == "as_of" and problem["found"] == "last-tuesday"
    assert client.get("/stakeholders?as_of=last-tuesday", headers=HTML).status_code == 422


def test_anonymous_is_sent_to_sign_in_and_the_api_answers_401(site: Site) -> None:
    anonymous = site.client()
    journey = site.app.state.web.reader.workspace().journeys[0].id
    for path in (*PAGES, f"/journeys/{journey}"):
        response = anonymous.get(path, headers=HTML, follow_redirects=False)
        assert response.status_code == 303, path
        assert response.headers["location"].startswith("/login?next=")
    for path in ("/api/scenarios", "/api/agreements", "/api/stakeholder-map"):
        assert anonymous.get(path).status_code == 401


API_COLLECTIONS = {
    "/api/scenarios": "scenarios",
    "/api/organisations": "organisations",
    "/api/relationships": "relationships",
    "/api/offerings": "offerings",
    "/api/services": "services",
    "/api/products": "products",
    "/api/agreements": "agreements",
    "/api/indicators": "indicators",
    "/api/improvements": "improvements",
    "/api/pain-points": "pain_points",
    "/api/opportunities": "opportunities",
}


def test_the_api_returns_the_loaded_model(example: tuple[Site, Workspace]) -> None:
    site, ws = example
    client = site.client()
    for path, collection in API_COLLECTIONS.items():
        response = client.get(path, headers=site.bearer("viewer"))
        assert response.status_code == 200, path
        expected = [item.model_dump(mode="json", by_alias=True) for item in getattr(ws, collection)]
        assert response.json() == expected, path


def test_the_stakeholder_map_api_replays_each_date(example: tuple[Site, Workspace]) -> None:
    site, ws = example
    client = site.client()
    latest = client.get("/api/stakeholder-map", headers=site.bearer("viewer")).json()
    dates = sorted({snap.date for s in ws.stakeholders for snap in s.snapshots})
    assert latest["dates"] == [d.isoformat() for d in dates]
    assert latest["as_of"] is None
    for when in [None, *dates]:
        query = f"?as_of={when.isoformat()}" if when else ""
        body = client.get(f"/api/stakeholder-map{query}", headers=site.bearer("viewer")).json()
        assert [s["id"] for s in body["stakeholders"]] == [s.id for s in ws.stakeholders]
        for item, stakeholder in zip(body["stakeholders"], ws.stakeholders, strict=True):
            snap = stakeholder.snapshot_at(when)
            assert item["influence"] == (snap.influence if snap else None)
            assert item["interest"] == (snap.interest if snap else None)
            assert item["quadrant"] == (snap.quadrant.value if snap else None)


def test_openapi_describes_every_field_of_the_design_api(site: Site) -> None:
    spec = site.client().get("/openapi.json").json()
    schemas = spec["components"]["schemas"]
    for path in [*API_COLLECTIONS, "/api/stakeholder-map"]:
        assert path in spec["paths"], path
    agreement = next(v for k, v in schemas.items() if k.startswith("Agreement"))
    assert {"kind", "basis", "targets", "clocks"} <= set(agreement["properties"])
    assert "/journeys/{journey_id}" not in spec["paths"]  # pages stay out of the API


def test_a_workspace_with_problems_answers_409_listing_them(
    workspace: Path, tmp_path: Path, make_site: Callable[..., Site]
) -> None:
    folder = tmp_path / "ws"
    shutil.copytree(workspace, folder, ignore=shutil.ignore_patterns(".cojourney"))
    (folder / "personas.yaml").write_text("personas:\n  - id: nobody\n", encoding="utf-8")
    site = make_site(folder)
    client, _ = site.signed_in("viewer")
    for path in ("/personas", "/stakeholders", "/journeys"):
        response = client.get(path, headers=HTML)
        assert response.status_code == 409, path
        assert "journeys[0].personas[0]" in response.text, path  # where, and
        assert "unknown persona" in response.text, path  # what is wrong
    assert client.get("/api/scenarios").status_code == 409
    assert client.get("/", headers=HTML).status_code == 200  # the overview lists them


def test_docstring_examples_of_the_design_views() -> None:
    from cojourney.web import design_views

    failures, tried = doctest.testmod(design_views)
    assert tried > 0 and failures == 0


def test_links_between_the_design_pages_land_on_an_element(
    example: tuple[Site, Workspace],
) -> None:
    site, ws = example
    client, _ = site.signed_in("viewer")
    pages = {path: page(client, path) for path in ("/", *PAGES)}
    for journey in ws.journeys:
        pages[f"/journeys/{journey.id}"] = page(client, f"/journeys/{journey.id}")
    followed = 0
    for source, html in list(pages.items()):
        for target, anchor in re.findall(r'href="(/[^"#?]*)#([^"]+)"', html):
            if target not in pages:
                pages[target] = page(client, target)
            assert f'id="{anchor}"' in pages[target], (source, f"{target}#{anchor}")
            followed += 1
    assert followed > len(ws.personas)  # the overview alone links each persona

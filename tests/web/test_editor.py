"""The journey editor in-process: forms and JSON twins write the YAML back as versions."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from web_helpers import Site

from cojourney.domain.journey import Channel, Journey
from cojourney.services.workspaces import init_workspace

HTML = {"Accept": "text/html"}


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A workspace of its own (the shared one stays read-only)."""
    init_workspace(tmp_path / "ws", example="ecampus-car-share")
    return tmp_path / "ws"


@pytest.fixture
def editing_site(make_site: Callable[..., Site], folder: Path) -> Site:
    return make_site(folder)


def _journey(site: Site) -> Journey:
    journey: Journey = site.app.state.web.reader.workspace().journeys[0]
    return journey


def _journey_file(folder: Path, journey: Journey) -> Path:
    for path in sorted(folder.rglob("*.yaml")):
        if f"id: {journey.id}" in path.read_text(encoding="utf-8"):
            return path
    raise AssertionError(journey.id)


def _form(html: str, action: str) -> dict[str, str]:
    """The hidden fields of the form posting to ``action``."""
    start = html.index(f'action="{action}"')
    end = html.index("</form>", start)
    chunk = html[start:end]
    return dict(re.findall(r'type="hidden" name="([^"]+)" value="([^"]*)"', chunk))


def _open(client: Any, journey: Journey, touchpoint: str) -> tuple[str, dict[str, str]]:
    page = client.get(f"/journeys/{journey.id}?edit={touchpoint}", headers=HTML)
    assert page.status_code == 200, page.text
    action = f"/journeys/{journey.id}/touchpoints/{touchpoint}"
    return page.text, _form(page.text, action)


def _other_channel(current: str) -> str:
    return next(c.value for c in Channel if c.value != current)


def test_an_editor_saves_a_touchpoint_the_yaml_changes_and_a_version_is_recorded(
    editing_site: Site, folder: Path
) -> None:
    journey = _journey(editing_site)
    touchpoint = journey.touchpoints[0]
    path = _journey_file(folder, journey)
    before = path.read_text(encoding="utf-8")
    comments = [line for line in before.splitlines() if line.strip().startswith("#")]
    client, _ = editing_site.signed_in("editor")
    _, hidden = _open(client, journey, touchpoint.id)
    channel = _other_channel(touchpoint.channel.value)
    answer = client.post(
        f"/journeys/{journey.id}/touchpoints/{touchpoint.id}",
        data={**hidden, "channel": channel, "owner_team": "Web crew", "message": "try chat"},
        headers=HTML,
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text
    assert "saved=1" in answer.headers["location"]
    after = path.read_text(encoding="utf-8")
    assert f"channel: {channel}" in after and "Web crew" in after
    assert [line for line in after.splitlines() if line.strip().startswith("#")] == comments
    edited = _touchpoint(editing_site, journey.id, touchpoint.id)
    assert edited.channel.value == channel
    assert edited.owner is not None and edited.owner.team == "Web crew"
    history = client.get(f"/journeys/{journey.id}/history", headers=HTML)
    assert history.status_code == 200
    assert "editor@example.org" in history.text and "try chat" in history.text


def _touchpoint(site: Site, journey_id: str, touchpoint_id: str) -> Any:
    journey = site.app.state.web.reader.workspace().require("journeys", journey_id)
    return next(t for t in journey.touchpoints if t.id == touchpoint_id)


def test_a_problem_is_shown_next_to_its_field_and_nothing_is_written(
    editing_site: Site, folder: Path
) -> None:
    journey = _journey(editing_site)
    touchpoint = journey.touchpoints[0]
    path = _journey_file(folder, journey)
    before = path.read_text(encoding="utf-8")
    client, _ = editing_site.signed_in("editor")
    _, hidden = _open(client, journey, touchpoint.id)
    answer = client.post(
        f"/journeys/{journey.id}/touchpoints/{touchpoint.id}",
        data={**hidden, "emotion": "9", "name": "Still here"},
        headers=HTML,
    )
    assert answer.status_code == 422
    assert 'aria-describedby="tp-emotion-problem"' in answer.text
    problem = re.search(r'<p class="problem" id="tp-emotion-problem">([^<]+)</p>', answer.text)
    assert problem and "3" in problem.group(1)
    assert 'value="Still here"' in answer.text  # the user's values are kept
    assert path.read_text(encoding="utf-8") == before


def test_two_editors_from_the_same_base_the_second_gets_a_conflict(editing_site: Site) -> None:
    journey = _journey(editing_site)
    touchpoint = journey.touchpoints[0]
    first, _ = editing_site.signed_in("editor")
    second, _ = editing_site.signed_in("owner")
    _, hidden_first = _open(first, journey, touchpoint.id)
    _, hidden_second = _open(second, journey, touchpoint.id)
    assert hidden_first["base_version"] == hidden_second["base_version"]
    action = f"/journeys/{journey.id}/touchpoints/{touchpoint.id}"
    saved = first.post(action, data={**hidden_first, "name": "First name"}, headers=HTML)
    assert saved.status_code == 200  # followed the redirect to the page
    clash = second.post(action, data={**hidden_second, "name": "Second name"}, headers=HTML)
    assert clash.status_code == 409
    assert "Someone else saved first" in clash.text
    assert touchpoint.id in clash.text and "name" in clash.text
    assert 'value="Second name"' in clash.text  # kept for re-applying
    assert f'href="/journeys/{journey.id}?edit={touchpoint.id}#editor">reload</a>' in clash.text
    assert _touchpoint(editing_site, journey.id, touchpoint.id).name == "First name"
    again = _form(clash.text, action)
    assert again["base_version"] != hidden_second["base_version"]
    reapplied = second.post(
        action, data={**again, "name": "Second name"}, headers=HTML, follow_redirects=False
    )
    assert reapplied.status_code == 303
    assert _touchpoint(editing_site, journey.id, touchpoint.id).name == "Second name"


def test_a_viewer_sees_no_form_and_is_refused(editing_site: Site, folder: Path) -> None:
    journey = _journey(editing_site)
    touchpoint = journey.touchpoints[0]
    client, csrf = editing_site.signed_in("viewer")
    page = client.get(f"/journeys/{journey.id}?edit={touchpoint.id}", headers=HTML)
    assert page.status_code == 200
    assert f'action="/journeys/{journey.id}/touchpoints/{touchpoint.id}"' not in page.text
    before = {p: p.read_text(encoding="utf-8") for p in folder.rglob("*.yaml")}
    refused = client.post(
        f"/journeys/{journey.id}/touchpoints/{touchpoint.id}",
        data={"csrf_token": csrf, "base_version": "x", "name": "Nope"},
        headers=HTML,
    )
    assert refused.status_code == 403
    assert {p: p.read_text(encoding="utf-8") for p in folder.rglob("*.yaml")} == before


def test_a_form_without_the_csrf_token_is_refused(editing_site: Site) -> None:
    journey = _journey(editing_site)
    touchpoint = journey.touchpoints[0]
    client, _ = editing_site.signed_in("editor")
    _, hidden = _open(client, journey, touchpoint.id)
    hidden.pop("csrf_token")
    refused = client.post(
        f"/journeys/{journey.id}/touchpoints/{touchpoint.id}",
        data={**hidden, "name": "Forged"},
        headers=HTML,
    )
    assert refused.status_code == 403
    assert _touchpoint(editing_site, journey.id, touchpoint.id).name == touchpoint.name


def test_move_and_remove_touchpoints_and_add_a_step(editing_site: Site) -> None:
    journey = _journey(editing_site)
    step = next(s for s in journey.steps if sum(t.step == s.id for t in journey.touchpoints) >= 2)
    first, second = [t.id for t in journey.touchpoints if t.step == step.id][:2]
    client, _ = editing_site.signed_in("editor")
    page = client.get(f"/journeys/{journey.id}", headers=HTML).text
    move = f"/journeys/{journey.id}/touchpoints/{second}/move"
    hidden = _form(page, move)
    assert client.post(move, data={**hidden, "direction": "up"}, headers=HTML).status_code == 200
    ids = [t.id for t in _journey(editing_site).touchpoints if t.step == step.id]
    assert ids.index(second) < ids.index(first)
    page = client.get(f"/journeys/{journey.id}", headers=HTML).text
    remove = f"/journeys/{journey.id}/touchpoints/{first}/remove"
    answer = client.post(remove, data=_form(page, remove), headers=HTML)
    assert answer.status_code in (200, 422)
    if answer.status_code == 200:
        assert first not in [t.id for t in _journey(editing_site).touchpoints]
    page = client.get(f"/journeys/{journey.id}", headers=HTML).text
    add = f"/journeys/{journey.id}/steps"
    added = client.post(
        add,
        data={**_form(page, add), "id": "web-step", "name": "Web step", "period": "service"},
        headers=HTML,
    )
    assert added.status_code == 200, added.text
    assert _journey(editing_site).steps[-1].id == "web-step"


def test_history_diff_and_restore(editing_site: Site) -> None:
    journey = _journey(editing_site)
    touchpoint = journey.touchpoints[0]
    client, csrf = editing_site.signed_in("editor")
    _, hidden = _open(client, journey, touchpoint.id)
    action = f"/journeys/{journey.id}/touchpoints/{touchpoint.id}"
    client.post(action, data={**hidden, "name": "Renamed <b>bold</b>"}, headers=HTML)
    _, hidden = _open(client, journey, touchpoint.id)
    client.post(action, data={**hidden, "name": "Renamed again"}, headers=HTML)
    diff = client.get(f"/journeys/{journey.id}/history?a=0&b=1", headers=HTML)
    assert diff.status_code == 200
    assert "+" in diff.text and "Renamed &lt;b&gt;bold&lt;/b&gt;" in diff.text
    assert "<b>bold</b>" not in diff.text
    restored = client.post(
        f"/journeys/{journey.id}/history/1/restore",
        data={"csrf_token": csrf},
        headers=HTML,
        follow_redirects=False,
    )
    assert restored.status_code == 303, restored.text
    assert _touchpoint(editing_site, journey.id, touchpoint.id).name == "Renamed <b>bold</b>"
    versions = client.get("/api/model/versions", headers=editing_site.bearer("viewer")).json()
    assert [v["number"] for v in versions] == [3, 2, 1]
    assert versions[0]["restores"] == 1 and versions[0]["author"] == "editor@example.org"


def test_json_twins_answer_422_409_and_200(editing_site: Site) -> None:
    journey = _journey(editing_site)
    touchpoint = journey.touchpoints[0]
    auth = editing_site.bearer("editor")
    base = editing_site.client().get("/api/model/version", headers=auth).json()["base_version"]
    url = f"/api/journeys/{journey.id}/touchpoints/{touchpoint.id}"
    bad = editing_site.client().patch(
        url, json={"base_version": base, "fields": {"kind": "telepathy"}}, headers=auth
    )
    assert bad.status_code == 422
    assert any("kind" in (p["target"] or "") for p in bad.json()["problems"])
    good = editing_site.client().patch(
        url, json={"base_version": base, "fields": {"name": "API name"}}, headers=auth
    )
    assert good.status_code == 200, good.text
    assert good.json()["number"] == 1 and "API name" in good.json()["diff"]
    late = editing_site.client().post(
        "/api/edits",
        json={
            "base_version": base,
            "edits": [
                {
                    "op": "set",
                    "collection": "journeys",
                    "item": journey.id,
                    "path": ["touchpoints", touchpoint.id, "name"],
                    "value": "Late name",
                }
            ],
        },
        headers=auth,
    )
    assert late.status_code == 409
    assert late.json()["changes"] and late.json()["current_version"] != base
    viewer = editing_site.client().patch(
        url,
        json={"base_version": base, "fields": {"name": "x"}},
        headers=editing_site.bearer("viewer"),
    )
    assert viewer.status_code == 403


def test_moving_a_stakeholder_records_a_dated_snapshot(editing_site: Site, folder: Path) -> None:
    workspace = editing_site.app.state.web.reader.workspace()
    stakeholder = workspace.stakeholders[0]
    client, _ = editing_site.signed_in("editor")
    page = client.get("/stakeholders", headers=HTML)
    assert 'id="move-influence"' in page.text and 'for="move-influence"' in page.text
    hidden = _form(page.text, "/stakeholders/snapshot")
    bad = client.post(
        "/stakeholders/snapshot",
        data={**hidden, "stakeholder": stakeholder.id, "influence": "12", "interest": "x"},
        headers=HTML,
    )
    assert bad.status_code == 422
    assert 'aria-describedby="move-influence-problem"' in bad.text
    assert 'aria-describedby="move-interest-problem"' in bad.text
    moved = client.post(
        "/stakeholders/snapshot",
        data={
            **hidden,
            "stakeholder": stakeholder.id,
            "influence": "2",
            "interest": "9",
            "date": "2031-05-04",
        },
        headers=HTML,
        follow_redirects=False,
    )
    assert moved.status_code == 303, moved.text
    again = editing_site.app.state.web.reader.workspace()
    latest = next(s for s in again.stakeholders if s.id == stakeholder.id).snapshots[-1]
    assert (str(latest.date), latest.influence, latest.interest) == ("2031-05-04", 2, 9)
    versions = client.get("/api/model/versions", headers=editing_site.bearer("viewer")).json()
    assert versions[0]["author"] == "editor@example.org"
    viewer, _ = editing_site.signed_in("viewer")
    assert 'id="move-form"' not in viewer.get("/stakeholders", headers=HTML).text


def test_a_persona_is_edited_through_the_generic_form(editing_site: Site, folder: Path) -> None:
    persona = editing_site.app.state.web.reader.workspace().personas[0]
    client, _ = editing_site.signed_in("editor")
    page = client.get(f"/edit/personas/{persona.id}", headers=HTML)
    assert page.status_code == 200
    assert 'for="item-segment"' in page.text and 'id="item-segment"' in page.text
    hidden = _form(page.text, f"/edit/personas/{persona.id}")
    bad = client.post(f"/edit/personas/{persona.id}", data={**hidden, "age": "400"}, headers=HTML)
    assert bad.status_code == 422
    assert 'aria-describedby="item-age-problem"' in bad.text
    good = client.post(
        f"/edit/personas/{persona.id}",
        data={**hidden, "occupation": "Night nurse"},
        headers=HTML,
        follow_redirects=False,
    )
    assert good.status_code == 303, good.text
    assert "Night nurse" in (folder / "personas.yaml").read_text(encoding="utf-8")
    edited = editing_site.app.state.web.reader.workspace().require("personas", persona.id)
    assert edited.occupation == "Night nurse"
    viewer, _ = editing_site.signed_in("viewer")
    assert viewer.get(f"/edit/personas/{persona.id}", headers=HTML).status_code == 403


def test_the_touchpoint_form_sets_and_clears_its_interaction_type(
    editing_site: Site, folder: Path
) -> None:
    from cojourney.domain.journey import InteractionKind

    journey = _journey(editing_site)
    touchpoint = journey.touchpoints[0]
    others_before = {
        i.id: [t for t in i.touchpoints if t != touchpoint.id] for i in journey.interactions
    }
    client, _ = editing_site.signed_in("editor")
    action = f"/journeys/{journey.id}/touchpoints/{touchpoint.id}"

    def save(kind: str) -> list[Any]:
        _, hidden = _open(client, journey, touchpoint.id)
        answer = client.post(
            action, data={**hidden, "interaction_kind": kind}, headers=HTML, follow_redirects=False
        )
        assert answer.status_code == 303, answer.text
        fresh = editing_site.app.state.web.reader.workspace().require("journeys", journey.id)
        return [i for i in fresh.interactions if touchpoint.id in i.touchpoints]

    # none: the touchpoint leaves its interactions; the other touchpoints stay in theirs
    assert save("") == []
    fresh = editing_site.app.state.web.reader.workspace().require("journeys", journey.id)
    for interaction in fresh.interactions:
        assert interaction.touchpoints == others_before.get(interaction.id, interaction.touchpoints)
    first, second = InteractionKind.JOINT_SERVICE_ACTION, InteractionKind.TRANSFER_OF_GOODS
    # a kind: an interaction is added for the touchpoint, in its step
    created = save(first.value)
    assert len(created) == 1 and created[0].kind == first
    assert created[0].step == touchpoint.step and created[0].touchpoints == [touchpoint.id]
    page, _ = _open(client, journey, touchpoint.id)
    assert f'<option value="{first.value}" selected>' in page
    assert f"kind: {first.value}" in _journey_file(folder, journey).read_text(encoding="utf-8")
    # another kind: the same interaction changes kind
    changed = save(second.value)
    assert [(i.id, i.kind) for i in changed] == [(created[0].id, second)]
    # none again: the interaction that listed only this touchpoint is removed
    assert save("") == []
    fresh = editing_site.app.state.web.reader.workspace().require("journeys", journey.id)
    assert created[0].id not in {i.id for i in fresh.interactions}

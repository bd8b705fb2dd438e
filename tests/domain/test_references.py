from cojourney.domain import Workspace, check_references, dsv_steps


def _ws(**collections):
    base = {
        "workspace": {"id": "w", "name": "W", "provider": "p"},
        "organisations": [
            {"id": "p", "name": "P", "roles": ["provider"]},
            {"id": "c", "name": "C", "roles": ["consumer"]},
        ],
        "journeys": [
            {
                "id": "j",
                "name": "J",
                "steps": [s.model_dump() for s in dsv_steps()],
                "touchpoints": [
                    {"id": "a", "name": "A", "step": "explore", "channel": "app"},
                    {"id": "b", "name": "B", "step": "onboard", "channel": "app"},
                    {"id": "c1", "name": "C", "step": "co-create", "channel": "app"},
                ],
            }
        ],
    }
    base.update(collections)
    return Workspace.model_validate(base)


def _messages(ws):
    return {(p.path, p.message) for p in check_references(ws)}


def test_sound_workspace_has_no_problem():
    assert check_references(_ws()) == []


def test_every_kind_of_broken_reference_is_found_with_its_path():
    ws = _ws(
        stakeholders=[{"id": "s", "name": "S", "kind": "user", "organisation": "nobody"}],
        relationships=[
            {
                "id": "r",
                "name": "R",
                "type": "basic",
                "provider": "p",
                "consumer": "p",
                "agreements": ["missing-agreement"],
            }
        ],
        indicators=[
            {
                "id": "i",
                "name": "I",
                "definition": "d",
                "unit": "%",
                "direction": "higher_is_better",
                "target": 90,
                "warning": 95,
            }
        ],
        agreements=[
            {
                "id": "a",
                "name": "A",
                "kind": "sla",
                "basis": "agreement",
                "provider": "p",
                "targets": [{"indicator": "ghost", "comparator": ">=", "value": 1}],
            }
        ],
    )
    problems = _messages(ws)
    assert (("stakeholders", 0, "organisation"), "unknown organisation 'nobody'") in problems
    assert any(p[0] == ("relationships", 0, "consumer") for p in problems)
    assert (
        ("relationships", 0, "agreements", 0),
        "unknown agreement 'missing-agreement'",
    ) in problems
    assert (("agreements", 0, "targets", 0, "indicator"), "unknown indicator 'ghost'") in problems
    assert (("indicators", 0, "warning"), "the warning level lies beyond the target") in problems


def test_journey_internal_references_gates_loops_and_skips():
    ws = _ws()
    j = ws.journeys[0]
    j.touchpoints[2].step = "nowhere"
    j.path.loops = [{"from": "a", "to": "c1"}]  # a "loop" that goes forward
    j.path.skips = [{"from": "a", "to": "b"}]  # a "skip" over nothing
    j.gates = [{"id": "g", "name": "G", "requires": ["a", "zzz"], "before": ["a"]}]
    paths = {p.path for p in check_references(ws)}
    assert ("journeys", 0, "touchpoints", 2, "step") in paths
    assert ("journeys", 0, "path", "loops", 0, "to") in paths
    assert ("journeys", 0, "path", "skips", 0, "to") in paths
    assert ("journeys", 0, "gates", 0, "requires", 1) in paths
    assert ("journeys", 0, "gates", 0, "before", 0) in paths


def test_duplicate_ids_within_and_across_journeys():
    ws = _ws()
    second = ws.journeys[0].model_copy(deep=True)
    second.id = "j2"
    ws.journeys = [ws.journeys[0], second, ws.journeys[0].model_copy(deep=True)]
    messages = [p.message for p in check_references(ws)]
    assert any("duplicate id 'j'" in m for m in messages)
    assert any("already used in journey 'j'" in m for m in messages)


def test_unknown_time_zone():
    ws = _ws()
    ws.workspace.time_zone = "Mars/Olympus"
    assert any(p.path == ("workspace", "time_zone") for p in check_references(ws))


def test_require_names_the_ids_there_are() -> None:
    import pytest

    from cojourney.domain import Workspace, WorkspaceInfo
    from cojourney.errors import NotFound

    ws = Workspace(workspace=WorkspaceInfo(id="w", name="W"))
    with pytest.raises(
        NotFound,
        match=r"no agreement 'sla' in workspace 'w'; the agreements are: "
        r"none \(choose one with --agreement\)",
    ):
        ws.require("agreements", "sla", hint="choose one with --agreement")
    with pytest.raises(
        NotFound, match=r"no value proposition 'x'.*the value propositions are: none"
    ):
        ws.require("value_propositions", "x")

"""Edit operations on the workspace's YAML: only what is edited changes, byte for byte."""

from __future__ import annotations

import copy
import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from cojourney.demo import EXAMPLES_DIR, example_names
from cojourney.errors import InputError, NotFound
from cojourney.spec import TEMPLATE_DIR, validate_workspace
from cojourney.spec.loader import workspace_files
from cojourney.spec.yaml_edit import (
    AddItem,
    AddSnapshot,
    MoveItem,
    RemoveField,
    RemoveItem,
    SetField,
    Target,
    WorkspaceDocuments,
    YamlFile,
    path_text,
    write_files,
)
from cojourney.spec.yaml_io import plain

SOURCES = ["template", *example_names()]


def source_dir(name: str) -> Path:
    return TEMPLATE_DIR if name == "template" else EXAMPLES_DIR / name


ALL_FILES = [
    (source, path.relative_to(source_dir(source)).as_posix())
    for source in SOURCES
    for path in workspace_files(source_dir(source))
]


def load_plain(text: str) -> Any:
    return plain(YAML(typ="rt").load(text))


def comment_lines(text: str) -> list[str]:
    """Every comment of a text (a whole-line comment, or the '# ...' end of a line)."""
    found = []
    for line in text.splitlines():
        match = re.search(r"(^|\s)(#.*)$", line)
        if match:
            found.append(match.group(2).rstrip())
    return found


def is_subsequence(small: list[str], big: list[str]) -> bool:
    rest = iter(big)
    return all(any(x == y for y in rest) for x in small)


def first_journey(documents: WorkspaceDocuments) -> tuple[str, Any]:
    for name, document in documents.documents():
        if document.get("journeys"):
            return name, document["journeys"][0]
    raise AssertionError("no journey")


# -- round trip --------------------------------------------------------------------------
@pytest.mark.parametrize(("source", "name"), ALL_FILES, ids=[f"{s}/{n}" for s, n in ALL_FILES])
def test_every_example_file_round_trips_byte_for_byte(source: str, name: str) -> None:
    text = (source_dir(source) / name).read_bytes().decode("utf-8")
    file = YamlFile.parse(name, text)
    assert file.faithful
    assert file.dump() == text


@pytest.mark.parametrize("source", SOURCES)
def test_reading_a_workspace_and_editing_nothing_writes_nothing(source: str) -> None:
    documents = WorkspaceDocuments.read(source_dir(source))
    for name in documents.names():
        documents.file(name)  # parse everything
    assert documents.render() == {}
    assert documents.edited_texts() == documents.texts


@pytest.mark.parametrize(
    ("text", "layout"),
    [
        ("a:\n- x\n- y\nb:\n  c: 1\n", (2, 2, 0)),
        ("---\na:\n    b:\n        - x\n", None),
        ("a:\r\n  - x\r\n  # c\r\n  - y\r\n", None),
    ],
)
def test_other_layouts_are_detected_and_kept(text: str, layout: Any) -> None:
    file = YamlFile.parse("f.yaml", text)
    assert file.dump() == text
    if layout is not None:
        assert file.layout == layout


def test_a_file_no_layout_reproduces_is_marked_not_faithful() -> None:
    text = "a: a plain scalar\n  folded by hand\n"
    file = YamlFile.parse("f.yaml", text)
    assert not file.faithful
    assert load_plain(file.dump()) == load_plain(text)


# -- each operation changes only its place, comments elsewhere stay -------------------------
@pytest.fixture(params=SOURCES)
def documents(request) -> WorkspaceDocuments:
    return WorkspaceDocuments.read(source_dir(request.param))


def edited(documents: WorkspaceDocuments) -> dict[str, str]:
    out = documents.render()
    assert all(text is not None for text in out.values())
    return {name: text for name, text in out.items() if text is not None}


def test_set_field_changes_one_line_and_keeps_every_comment(documents) -> None:
    name, journey = first_journey(documents)
    touchpoint = journey["touchpoints"][-1]
    documents.apply(
        SetField(
            Target("journeys", journey["id"], ("touchpoints", touchpoint["id"], "name")), "Renamed"
        )
    )
    before = documents.texts[name]
    after = edited(documents)[name]
    assert comment_lines(after) == comment_lines(before)
    changed = [
        (a, b) for a, b in zip(before.splitlines(), after.splitlines(), strict=True) if a != b
    ]
    assert len(changed) == 1 and "Renamed" in changed[0][1]
    old, new = load_plain(before), load_plain(after)
    old["journeys"][0]["touchpoints"][-1]["name"] = "Renamed"
    assert new == old


def test_remove_the_last_stakeholder_keeps_the_comments_after_it(documents) -> None:
    name = next(n for n, d in documents.documents() if d.get("stakeholders"))
    items = documents.file(name).data["stakeholders"]
    last = items[-1]["id"]
    start = items.lc.item(len(items) - 1)[0]
    before = documents.texts[name]
    documents.apply(RemoveItem(Target("stakeholders", last)))
    after = edited(documents)[name]
    # the comments inside the removed item go, every other comment stays in order
    inside = _item_lines(before, start)
    expected = comment_lines("\n".join(before.splitlines()[:start] + before.splitlines()[inside:]))
    assert comment_lines(after) == expected
    assert [s["id"] for s in load_plain(after)["stakeholders"]] == [s["id"] for s in items]


def _item_lines(text: str, start: int) -> int:
    """The line after a list element that starts on line ``start`` (0-based), without the
    comment lines that follow it."""
    lines = text.splitlines()
    dash = lines[start].index("-")
    last = start
    for index in range(start + 1, len(lines)):
        stripped = lines[index].strip()
        if not stripped or stripped.startswith("#"):
            continue
        if len(lines[index]) - len(lines[index].lstrip()) <= dash:
            break
        last = index
    return last + 1


def test_add_and_move_steps_keep_comments_and_other_items(documents) -> None:
    name, journey = first_journey(documents)
    steps = [s["id"] for s in journey["steps"]]
    before = documents.texts[name]
    documents.apply(
        AddItem(
            Target("journeys", journey["id"], ("steps",)),
            {"id": "new-step", "name": "A new step", "period": "service"},
            index=1,
        )
    )
    documents.apply(MoveItem(Target("journeys", journey["id"], ("steps", steps[-1])), 0))
    after = edited(documents)[name]
    assert sorted(comment_lines(after)) == sorted(comment_lines(before))
    new_steps = [s["id"] for s in load_plain(after)["journeys"][0]["steps"]]
    assert new_steps == [steps[-1], steps[0], "new-step", *steps[1:-1]]
    old, new = load_plain(before)["journeys"][0], load_plain(after)["journeys"][0]
    old.pop("steps"), new.pop("steps")
    assert new == old


def test_stakeholder_snapshot_is_appended_in_the_style_of_its_neighbours(documents) -> None:
    name = next(n for n, d in documents.documents() if d.get("stakeholders"))
    stakeholder = documents.file(name).data["stakeholders"][0]
    before = documents.texts[name]
    documents.apply(AddSnapshot(stakeholder["id"], date(2030, 1, 2), 3, 9, note="moved on the map"))
    after = edited(documents)[name]
    assert comment_lines(after) == comment_lines(before)
    snapshots = load_plain(after)["stakeholders"][0]["snapshots"]
    assert snapshots[-1] == {
        "date": date(2030, 1, 2),
        "influence": 3,
        "interest": 9,
        "note": "moved on the map",
    }
    # a second drag on the same day replaces that day's snapshot
    documents.apply(AddSnapshot(stakeholder["id"], date(2030, 1, 2), 4, 8))
    again = load_plain(edited(documents)[name])["stakeholders"][0]["snapshots"]
    assert len(again) == len(snapshots)
    assert again[-1] == {"date": date(2030, 1, 2), "influence": 4, "interest": 8}


def test_remove_field_and_new_top_level_items(documents) -> None:
    name, journey = first_journey(documents)
    field = next(k for k in ("description", "offerings", "personas") if k in journey)
    documents.apply(RemoveField(Target("journeys", journey["id"], (field,))))
    documents.apply(AddItem(Target("journeys"), {"id": "zz-new", "name": "New", "steps": []}))
    documents.apply(AddItem(Target("personas"), {"id": "new-persona", "name": "New persona"}))
    out = edited(documents)
    assert field not in load_plain(out[name])["journeys"][0]
    assert load_plain(out["journeys/zz-new.yaml"]) == {
        "journeys": [{"id": "zz-new", "name": "New", "steps": []}]
    }
    assert out["journeys/zz-new.yaml"].startswith("# A journey: steps, touchpoints")
    persona_file = next(n for n in out if "personas" in load_plain(out[n]))
    assert load_plain(out[persona_file])["personas"][-1]["id"] == "new-persona"


def test_removing_a_journey_deletes_its_file(tmp_path: Path) -> None:
    documents = WorkspaceDocuments(
        {"journeys/a.yaml": "journeys:\n  - id: a\n    name: A\n", "workspace.yaml": "x: 1\n"}
    )
    documents.apply(RemoveItem(Target("journeys", "a")))
    assert documents.render() == {"journeys/a.yaml": None}
    (tmp_path / "journeys").mkdir()
    (tmp_path / "journeys" / "a.yaml").write_text("old", encoding="utf-8")
    write_files(tmp_path, documents.render())
    assert not (tmp_path / "journeys" / "a.yaml").exists()


def test_missing_places_are_named() -> None:
    documents = WorkspaceDocuments({"p.yaml": "personas:\n  - id: anna\n    name: Anna\n"})
    with pytest.raises(NotFound, match=r"no item 'bob' in personas.*anna"):
        documents.apply(SetField(Target("personas", "bob", ("name",)), "x"))
    with pytest.raises(NotFound, match=r"personas\[anna\]\.nope"):
        documents.apply(SetField(Target("personas", "anna", ("nope", "deeper")), "x"))
    with pytest.raises(InputError, match="unknown collection 'people'"):
        documents.apply(SetField(Target("people", "anna", ("name",)), "x"))
    with pytest.raises(InputError, match="place from 0 to 0"):
        documents.apply(MoveItem(Target("personas", "anna"), 3))
    assert documents.render() == {}


def test_path_text_names_elements_by_id() -> None:
    assert path_text(("touchpoints", "call", "channel")) == "touchpoints[call].channel"
    assert path_text(("snapshots", 0, "date")) == "snapshots[0].date"
    assert str(Target("journeys", "j", ("steps", "s", "name"))) == "journeys[j].steps[s].name"


# -- hostile values are data ---------------------------------------------------------------
HOSTILE = [
    "line one\nline two\n",
    "key: value # not a comment",
    "# only a comment",
    "- a list? no",
    "'quotes' and \"double\"",
    "ünïcödé ✓ 日本語 🎉",
    "yes",
    "null",
    "2026-01-01",
    "  leading and trailing  ",
    "tab\there",
    "x" * 10_000,
    "word " * 2_000,
    "{flow: like}",
    "&anchor *alias !tag",
    "",
    "\u2028 line separator \x85 next line",
    "\x85",
    "a\x85b",
    "\x00\x07\x1b control",
]


@pytest.mark.parametrize("value", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_values_round_trip_as_data(value: str) -> None:
    text = "# keep\npersonas:\n  - id: anna  # keep too\n    name: Anna\n    tags: [a, b]\n"
    documents = WorkspaceDocuments({"p.yaml": text})
    documents.apply(SetField(Target("personas", "anna", ("name",)), value))
    documents.apply(SetField(Target("personas", "anna", ("tags", 1)), value))
    out = documents.render()["p.yaml"]
    assert out is not None
    assert load_plain(out) == {"personas": [{"id": "anna", "name": value, "tags": ["a", value]}]}
    assert comment_lines(out)[:2] == ["# keep", "# keep too"]
    assert YamlFile.parse("p.yaml", out).dump() == out


# -- property: random field edits, then reload: exactly the edited values changed ---------
TEMPLATE_TEXTS = WorkspaceDocuments.read(source_dir("template")).texts


def _string_fields() -> list[tuple[str, Target, tuple[str | int, ...]]]:
    """(file, target, path in the plain document) of every string field of the template."""
    found = []
    for name, text in TEMPLATE_TEXTS.items():
        document = load_plain(text)
        for collection, items in document.items():
            if not isinstance(items, list):
                continue
            for index, item in enumerate(items):
                for key, value in item.items():
                    if isinstance(value, str) and key != "id":
                        found.append(
                            (name, Target(collection, item["id"], (key,)), (collection, index, key))
                        )
    return found


STRING_FIELDS = _string_fields()
TEMPLATE_PLAIN = {name: load_plain(text) for name, text in TEMPLATE_TEXTS.items()}
values = st.text(st.characters(exclude_categories=("Cs",)), max_size=200)


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(STRING_FIELDS), values), min_size=1, max_size=5))
def test_random_field_edits_change_exactly_those_fields(edits) -> None:
    documents = WorkspaceDocuments(dict(TEMPLATE_TEXTS))
    expected = copy.deepcopy(TEMPLATE_PLAIN)
    for (name, target, place), value in edits:
        documents.apply(SetField(target, value))
        node = expected[name]
        for part in place[:-1]:
            node = node[part]
        node[place[-1]] = value
    texts = documents.edited_texts()
    assert set(texts) == set(TEMPLATE_TEXTS)
    edited_files = {e[0][0] for e in edits}
    for name, text in texts.items():
        if name not in edited_files:
            assert text == TEMPLATE_TEXTS[name]
        else:
            assert load_plain(text) == expected[name]
            assert is_subsequence(comment_lines(TEMPLATE_TEXTS[name]), comment_lines(text))


STYLED = (
    "# every style of text\n"
    "personas:\n"
    "  - id: a\n"
    "    plain: Plain text   # eol\n"
    "    single: 'Single quoted'\n"
    '    double: "Double\\tquoted"\n'
    "    folded: >-\n"
    "      Folded text that goes on for a while so that the author folded it\n"
    "      over two lines.\n"
    "    literal: |\n"
    "      Literal\n"
    "      text\n"
    "    # before the list\n"
    "    tags: [one, two]\n"
    "  # before b\n"
    "  - id: b\n"
    "    plain: B\n"
    "\n"
    "# after the list\n"
)
STYLED_FIELDS = ["plain", "single", "double", "folded", "literal"]


@settings(max_examples=80, deadline=None)
@given(st.dictionaries(st.sampled_from(STYLED_FIELDS), values, min_size=1))
def test_random_text_in_every_style_reads_back_exactly(new_values) -> None:
    documents = WorkspaceDocuments({"p.yaml": STYLED})
    expected = load_plain(STYLED)
    for key, value in new_values.items():
        documents.apply(SetField(Target("personas", "a", (key,)), value))
        expected["personas"][0][key] = value
    out = documents.render()["p.yaml"]
    assert out is not None
    assert load_plain(out) == expected
    assert is_subsequence(comment_lines(STYLED), comment_lines(out))
    assert YamlFile.parse("p.yaml", out).dump() == out


def test_edited_files_are_written_together_and_still_validate(tmp_path: Path) -> None:
    import shutil

    root = tmp_path / "ws"
    shutil.copytree(source_dir("template"), root)
    documents = WorkspaceDocuments.read(root)
    documents.apply(SetField(Target("workspace", None, ("name",)), "Renamed workspace"))
    documents.apply(
        AddItem(
            Target("stakeholders"), {"id": "regulator", "name": "Regulator", "kind": "regulator"}
        )
    )
    written = write_files(root, documents.render())
    assert sorted(p.relative_to(root).as_posix() for p in written) == sorted(documents.changed())
    report = validate_workspace(root)
    assert report.ok, report.problems
    assert report.workspace is not None
    assert report.workspace.workspace.name == "Renamed workspace"
    assert report.workspace.stakeholders[-1].id == "regulator"
    assert not list(root.rglob(".*.tmp"))


def test_module_examples_run() -> None:
    import doctest

    from cojourney.spec import yaml_edit
    from cojourney.spec.yaml_edit import operations

    for module in (yaml_edit, operations):
        result = doctest.testmod(module)
        assert result.attempted > 0 and result.failed == 0


@pytest.mark.parametrize(
    "edit",
    [
        RemoveField(Target("journeys", "main-journey", ("path",))),
        SetField(Target("journeys", "main-journey", ("path",)), {"order": ["search"]}),
        SetField(Target("journeys", "main-journey", ("path", "exit_points")), ["survey"]),
    ],
    ids=["remove", "replace", "replace-last-field"],
)
def test_the_heading_of_the_next_field_stays_before_it(edit) -> None:
    documents = WorkspaceDocuments.read(source_dir("template"))
    documents.apply(edit)
    after = edited(documents)["journeys/main-journey.yaml"].splitlines()
    gates = after.index("    gates:")
    assert after[gates - 1].startswith("    # Gates: onboarding")
    before = documents.texts["journeys/main-journey.yaml"]
    removed = set(comment_lines(before)) - set(comment_lines("\n".join(after)))
    assert removed == set()


def test_new_values_take_the_style_of_their_neighbours() -> None:
    text = "personas:\n  - id: a\n    name: A\n    tags: [x, y]\n    notes:\n      - one\n"
    documents = WorkspaceDocuments({"p.yaml": text})
    documents.apply(SetField(Target("personas", "a", ("tags",)), ["z", "w"]))
    documents.apply(SetField(Target("personas", "a", ("notes",)), ["two"]))
    documents.apply(SetField(Target("personas", "a", ("goals",)), ["fast", "cheap"]))
    documents.apply(SetField(Target("personas", "a", ("description",)), "two\nlines"))
    assert documents.render()["p.yaml"] == (
        "personas:\n  - id: a\n    name: A\n    tags: [z, w]\n    notes:\n      - two\n"
        "    goals: [fast, cheap]\n    description: |-\n      two\n      lines\n"
    )


def test_edited_text_keeps_its_quotes_or_its_folded_block() -> None:
    text = (
        "personas:\n"
        "  - id: a\n"
        "    name: 'Anna'\n"
        '    role: "Controller"\n'
        "    description: >-\n"
        "      A long description that the author folded by hand at about forty\n"
        "      characters wide, to keep it readable.\n"
    )
    documents = WorkspaceDocuments({"p.yaml": text})
    longer = "A much longer description " + "with many more words " * 8 + "to fold."
    documents.apply(SetField(Target("personas", "a", ("name",)), "Anne"))
    documents.apply(SetField(Target("personas", "a", ("role",)), "Chief"))
    documents.apply(SetField(Target("personas", "a", ("description",)), longer))
    out = documents.render()["p.yaml"]
    assert out is not None
    lines = out.splitlines()
    assert lines[2:5] == ["    name: 'Anne'", '    role: "Chief"', "    description: >-"]
    assert len(lines) > 7 and all(len(line) <= 6 + 70 for line in lines[5:])
    assert load_plain(out)["personas"][0]["description"] == longer
    # setting the old values back gives the file back, byte for byte (quoted values)
    documents.apply(SetField(Target("personas", "a", ("name",)), "Anna"))
    documents.apply(SetField(Target("personas", "a", ("role",)), "Controller"))
    assert documents.render()["p.yaml"].splitlines()[2:4] == text.splitlines()[2:4]


def test_edits_from_their_json_form() -> None:
    from cojourney.spec.yaml_edit import edit_from_dict

    where = {"collection": "journeys", "item": "j", "path": ["touchpoints", "t", "channel"]}
    target = Target("journeys", "j", ("touchpoints", "t", "channel"))
    assert edit_from_dict({"op": "set", **where, "value": "chat"}) == SetField(target, "chat")
    assert edit_from_dict({"op": "remove_field", **where}) == RemoveField(target)
    assert edit_from_dict({"op": "add", "collection": "personas", "value": {"id": "p"}}) == (
        AddItem(Target("personas"), {"id": "p"})
    )
    assert edit_from_dict(
        {"op": "snapshot", "stakeholder": "s", "date": "2026-12-06", "influence": 7, "interest": 3}
    ) == AddSnapshot("s", date(2026, 12, 6), 7, 3)


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"op": "explode"}, "op"),
        ({"op": "set", "collection": "journeys", "item": "j", "path": ["a"]}, "value"),
        (
            {"op": "move", "collection": "journeys", "item": "j", "path": ["s"], "index": "1"},
            "index",
        ),
        ({"op": "set", "collection": "journeys", "path": "a.b", "value": 1}, "path"),
        ({"op": "remove", "collection": "", "item": "j"}, "collection"),
        ({"op": "snapshot", "stakeholder": "s", "date": "yesterday"}, "date"),
        (
            {"op": "snapshot", "stakeholder": "s", "date": "2026-01-01", "influence": True},
            "influence",
        ),
    ],
)
def test_a_malformed_edit_names_its_field(data, field: str) -> None:
    from cojourney.spec.yaml_edit import edit_from_dict

    with pytest.raises(InputError) as caught:
        edit_from_dict(data)
    assert caught.value.problems[0].location.field == field

"""Editing the model as code: validation, conflicts, merges, versions, restore and diffs."""

from __future__ import annotations

import errno
import json
import threading
from datetime import date
from pathlib import Path

import pytest

from cojourney.errors import CojourneyError, NotFound
from cojourney.files import OutputError
from cojourney.services.editing import (
    Conflict,
    EditRejected,
    apply_edits,
    conflicts,
    current_version,
    diff_versions,
    fingerprint,
    read_texts,
    restore,
)
from cojourney.services.handle import as_handle
from cojourney.services.versions import (
    Change,
    FileVersionStore,
    InMemoryVersionStore,
    VersionStore,
)
from cojourney.services.workspaces import init_workspace
from cojourney.spec.yaml_edit import (
    AddItem,
    AddSnapshot,
    MoveItem,
    RemoveItem,
    SetField,
    Target,
)

JOURNEY = "main-journey"
JOURNEY_FILE = "journeys/main-journey.yaml"


def touchpoint(tp: str, field: str) -> Target:
    return Target("journeys", JOURNEY, ("touchpoints", tp, field))


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    """A fresh workspace from the commented DSV template."""
    init_workspace(tmp_path / "ws")
    return tmp_path / "ws"


@pytest.fixture
def store() -> InMemoryVersionStore:
    return InMemoryVersionStore()


def snapshot_bytes(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*.yaml"))
        if ".cojourney" not in p.parts
    }


# -- a save ---------------------------------------------------------------------------------
def test_an_edit_changes_its_line_only_and_records_a_version(ws: Path, store) -> None:
    before = snapshot_bytes(ws)
    base = current_version(ws)
    result = apply_edits(
        ws,
        [SetField(touchpoint("search", "channel"), "social_media")],
        base_version=base,
        author="ann",
        message="found on social media",
        versions=store,
    )
    after = snapshot_bytes(ws)
    assert [p.relative_to(ws).as_posix() for p in result.files] == [JOURNEY_FILE]
    assert {n for n in after if after[n] != before[n]} == {JOURNEY_FILE}
    old_lines = before[JOURNEY_FILE].decode().splitlines()
    new_lines = after[JOURNEY_FILE].decode().splitlines()
    changed = [(a, b) for a, b in zip(old_lines, new_lines, strict=True) if a != b]
    # the end-of-line comment listing the channels stays on the edited line
    assert len(changed) == 1
    assert changed[0][1].startswith("        channel: social_media ")
    assert changed[0][1].endswith("# app, web, portal, service_catalogue, email, phone, sms, chat,")
    assert result.version == fingerprint(read_texts(ws)) != base
    assert [str(c) for c in result.changes] == [
        "journeys[main-journey].touchpoints[search].channel: 'web' -> 'social_media'"
    ]
    assert (
        "-        channel: web" in result.diff and "+        channel: social_media" in result.diff
    )
    record = store.get(1)
    assert (record.author, record.message, record.number) == ("ann", "found on social media", 1)
    assert record.time.tzinfo is not None and record.time.utcoffset().total_seconds() == 0
    assert record.files[0].before == before[JOURNEY_FILE].decode()
    assert record.files[0].after == after[JOURNEY_FILE].decode()
    # the handle sees the new model at once
    journey = as_handle(ws).model().journeys[0]
    assert next(t for t in journey.touchpoints if t.id == "search").channel.value == "social_media"


def test_an_edit_that_changes_nothing_writes_nothing(ws: Path, store) -> None:
    before = snapshot_bytes(ws)
    result = apply_edits(
        ws,
        [SetField(touchpoint("search", "channel"), "web")],
        base_version=current_version(ws),
        author="ann",
        versions=store,
    )
    assert not result.changed and result.changes == [] and result.record is None
    assert snapshot_bytes(ws) == before
    assert store.list() == []


# -- validation --------------------------------------------------------------------------------
def test_an_invalid_value_is_refused_located_by_item_and_field(ws: Path, store) -> None:
    before = snapshot_bytes(ws)
    with pytest.raises(EditRejected) as caught:
        apply_edits(
            ws,
            [
                SetField(touchpoint("sign-up", "channel"), "carrier pigeon"),
                SetField(touchpoint("survey", "step"), "no-such-step"),
            ],
            base_version=current_version(ws),
            author="ann",
            versions=store,
        )
    located = {str(p.target): p.problem for p in caught.value.located}
    assert set(located) == {
        "journeys[main-journey].touchpoints[sign-up].channel",
        "journeys[main-journey].touchpoints[survey].step",
    }
    channel = located["journeys[main-journey].touchpoints[sign-up].channel"]
    assert channel.found == "'carrier pigeon'" and "social_media" in (channel.expected or "")
    assert channel.location.file == str(ws / JOURNEY_FILE)
    assert channel.location.line is not None
    assert "no-such-step" in located["journeys[main-journey].touchpoints[survey].step"].render()
    assert caught.value.exit_code == 2
    assert snapshot_bytes(ws) == before
    assert store.list() == []


def test_a_missing_item_is_named(ws: Path) -> None:
    with pytest.raises(NotFound, match=r"no element 'nope'.*search"):
        apply_edits(
            ws,
            [SetField(touchpoint("nope", "name"), "x")],
            base_version=current_version(ws),
            author="ann",
        )


# -- concurrency --------------------------------------------------------------------------------
def test_two_editors_changing_the_same_touchpoint_conflict(ws: Path, store) -> None:
    base = current_version(ws)
    first = apply_edits(
        ws,
        [SetField(touchpoint("sign-up", "name"), "Registers in the app")],
        base_version=base,
        author="ann",
        versions=store,
    )
    before = snapshot_bytes(ws)
    with pytest.raises(Conflict) as caught:
        apply_edits(
            ws,
            [SetField(touchpoint("sign-up", "channel"), "web")],
            base_version=base,
            author="bob",
            versions=store,
        )
    conflict = caught.value
    assert isinstance(conflict, CojourneyError) and conflict.http_status == 409
    assert [str(c) for c in conflict.changes] == [
        "journeys[main-journey].touchpoints[sign-up].name: 'Signs up in the app' -> 'Registers in the app'"
    ]
    assert "touchpoints[sign-up].name" in str(conflict) and "Reload" in str(conflict)
    assert conflict.current == first.version
    assert snapshot_bytes(ws) == before and len(store.list()) == 1
    # reload and re-apply: saved, and both changes are in the file
    again = apply_edits(
        ws,
        [SetField(touchpoint("sign-up", "channel"), "web")],
        base_version=conflict.current,
        author="bob",
        versions=store,
    )
    tp = next(t for t in as_handle(ws).model().journeys[0].touchpoints if t.id == "sign-up")
    assert (tp.name, tp.channel.value) == ("Registers in the app", "web")
    assert again.record is not None and again.record.number == 2


def test_changes_to_different_items_from_one_base_are_merged(ws: Path, store) -> None:
    base = current_version(ws)
    apply_edits(
        ws,
        [SetField(touchpoint("sign-up", "name"), "Registers")],
        base_version=base,
        author="ann",
        versions=store,
    )
    second = apply_edits(
        ws,
        [
            SetField(touchpoint("survey", "name"), "Rates us"),
            AddSnapshot("service-team", date(2026, 12, 1), 9, 9),
        ],
        base_version=base,
        author="bob",
        versions=store,
    )
    assert [str(c) for c in second.merged_over] == [
        "journeys[main-journey].touchpoints[sign-up].name: 'Signs up in the app' -> 'Registers'"
    ]
    model = as_handle(ws).model()
    names = {t.id: t.name for t in model.journeys[0].touchpoints}
    assert (names["sign-up"], names["survey"]) == ("Registers", "Rates us")
    team = next(s for s in model.stakeholders if s.id == "service-team")
    assert team.snapshot_at() is not None and team.snapshot_at().influence == 9
    # the second version records only its own changes
    assert {c.item for c in second.changes} == {JOURNEY, "service-team"}
    assert len(second.changes) == 2


def test_an_edit_made_outside_is_picked_up(ws: Path, store) -> None:
    base = current_version(ws)
    path = ws / JOURNEY_FILE
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace("name: Calls support", "name: Calls the helpdesk"), encoding="utf-8"
    )
    # elsewhere: merged
    apply_edits(ws, [SetField(touchpoint("survey", "emotion"), 1)], base_version=base, author="ann")
    # the same touchpoint: a conflict naming the outside change
    with pytest.raises(Conflict, match=r"touchpoints\[support-call\]\.name"):
        apply_edits(
            ws,
            [SetField(touchpoint("support-call", "emotion"), -2)],
            base_version=base,
            author="bob",
        )
    assert "Calls the helpdesk" in path.read_text(encoding="utf-8")


def test_an_unknown_base_is_a_conflict(ws: Path) -> None:
    current_version(ws)
    (ws / "workspace.yaml").write_text(
        (ws / "workspace.yaml").read_text(encoding="utf-8") + "\n", encoding="utf-8"
    )
    with pytest.raises(Conflict, match="no longer known"):
        apply_edits(
            ws, [SetField(touchpoint("survey", "emotion"), 1)], base_version="0" * 64, author="a"
        )


def test_reordering_the_same_list_conflicts_but_editing_a_step_does_not(ws: Path) -> None:
    base = current_version(ws)
    steps = Target("journeys", JOURNEY, ("steps", "realize"))
    apply_edits(ws, [MoveItem(steps, 0)], base_version=base, author="ann")
    with pytest.raises(Conflict, match="order changed"):
        apply_edits(
            ws,
            [MoveItem(Target("journeys", JOURNEY, ("steps", "explore")), 2)],
            base_version=base,
            author="bob",
        )
    apply_edits(
        ws,
        [SetField(Target("journeys", JOURNEY, ("steps", "explore", "name")), "Look around")],
        base_version=base,
        author="bob",
    )
    steps_now = [s.id for s in as_handle(ws).model().journeys[0].steps]
    assert steps_now[0] == "realize"


def test_concurrent_saves_in_threads_never_lose_an_edit(ws: Path, store) -> None:
    base = current_version(ws)
    targets = ["search", "sign-up", "identity-check", "welcome-guide", "first-use", "survey"]
    errors: list[BaseException] = []

    def save(tp: str) -> None:
        try:
            apply_edits(
                ws,
                [SetField(touchpoint(tp, "name"), f"renamed {tp}")],
                base_version=base,
                author=tp,
                versions=store,
            )
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=save, args=(tp,)) for tp in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    names = {t.id: t.name for t in as_handle(ws).model().journeys[0].touchpoints}
    assert all(names[tp] == f"renamed {tp}" for tp in targets)
    assert sorted(r.number for r in store.list()) == list(range(1, len(targets) + 1))


# -- versions, restore, diff ---------------------------------------------------------------------
def three_versions(ws: Path, store: VersionStore) -> None:
    apply_edits(
        ws,
        [SetField(touchpoint("search", "name"), "Finds us")],
        base_version=current_version(ws),
        author="ann",
        versions=store,
    )
    apply_edits(
        ws,
        [
            AddItem(
                Target("journeys"),
                {
                    "id": "second-journey",
                    "name": "A second journey",
                    "steps": [{"id": "only", "name": "Only step", "period": "service"}],
                },
            )
        ],
        base_version=current_version(ws),
        author="bob",
        versions=store,
    )
    apply_edits(
        ws,
        [
            SetField(touchpoint("search", "name"), "Finds us on the web"),
            RemoveItem(Target("journeys", "second-journey")),
        ],
        base_version=current_version(ws),
        author="carl",
        versions=store,
    )


def test_restore_writes_the_old_files_back_as_a_new_version(ws: Path, store) -> None:
    three_versions(ws, store)
    assert not (ws / "journeys" / "second-journey.yaml").exists()
    result = restore(ws, store, 2, "dora")
    assert result.record is not None
    assert (result.record.number, result.record.restores, result.record.author) == (4, 2, "dora")
    assert result.record.message == "restore version 2"
    texts = read_texts(ws)
    for file in store.get(2).files:
        assert texts[file.name] == file.after
    model = as_handle(ws).model()
    assert [j.id for j in model.journeys] == [JOURNEY, "second-journey"]
    assert next(t for t in model.journeys[0].touchpoints if t.id == "search").name == "Finds us"
    words = result.summary()
    assert "journeys[second-journey]: added" in words
    assert "touchpoints[search].name: 'Finds us on the web' -> 'Finds us'" in words
    # restoring version 1 removes the journey that version 2 added
    restore(ws, store, 1, "dora")
    assert not (ws / "journeys" / "second-journey.yaml").exists()
    with pytest.raises(NotFound, match="no version 9"):
        restore(ws, store, 9, "dora")


def test_diff_between_any_two_versions(ws: Path, store) -> None:
    three_versions(ws, store)
    one_three = diff_versions(store, 1, 3)
    assert one_three.files == [JOURNEY_FILE, "journeys/second-journey.yaml"]
    assert one_three.summary().splitlines() == [
        "journeys[main-journey].touchpoints[search].name: 'Finds us' -> 'Finds us on the web'"
    ]
    assert "-        name: Finds us\n" in one_three.diff
    assert "+        name: Finds us on the web\n" in one_three.diff
    zero_two = diff_versions(store, 0, 2)
    assert sorted(map(str, zero_two.changes)) == [
        "journeys[main-journey].touchpoints[search].name: 'Finds us online' -> 'Finds us'",
        "journeys[second-journey]: added",
    ]
    assert "+++ b/journeys/second-journey.yaml" in zero_two.diff
    backwards = diff_versions(store, 2, 0)
    assert [str(c) for c in backwards.changes if c.item == "second-journey"] == [
        "journeys[second-journey]: removed"
    ]
    assert diff_versions(store, 2, 2).changes == []
    with pytest.raises(NotFound):
        diff_versions(store, 1, 7)


def test_versions_can_be_listed_per_journey_or_item(ws: Path, store) -> None:
    three_versions(ws, store)
    assert [r.number for r in store.list("journeys", "second-journey")] == [2, 3]
    assert [r.number for r in store.list("journeys", JOURNEY)] == [1, 3]
    assert [r.number for r in store.list()] == [1, 2, 3]


def test_file_version_store_keeps_versions_across_instances(ws: Path, tmp_path: Path) -> None:
    folder = tmp_path / "versions"
    three_versions(ws, FileVersionStore(folder))
    again = FileVersionStore(folder)
    assert isinstance(again, VersionStore)
    assert [r.number for r in again.list()] == [1, 2, 3]
    record = again.get(3)
    assert record.author == "carl" and record.time.tzinfo is not None
    assert [f.name for f in record.files] == [JOURNEY_FILE, "journeys/second-journey.yaml"]
    assert record.files[1].after is None
    assert str(record.changes[0]).startswith("journeys[main-journey].touchpoints[search].name")
    # two stores on one folder never hand out one number twice
    other = FileVersionStore(folder)
    assert [other.record(record).number, again.record(record).number] == [4, 5]
    # readable from the folder alone
    assert "'Finds us' -> 'Finds us on the web'" in diff_versions(again, 1, 3).summary()
    with pytest.raises(NotFound, match="versions 1 to 5 exist"):
        again.get(6)


# -- writing ---------------------------------------------------------------------------------------
def test_a_failed_write_leaves_every_file_as_it_was(
    ws: Path, store, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = snapshot_bytes(ws)
    real = Path.write_bytes
    calls = {"n": 0}

    def flaky(self: Path, data: bytes) -> int:
        if self.name.endswith(".tmp") and self.name.startswith("."):
            calls["n"] += 1
            if calls["n"] == 2:
                raise OSError(errno.ENOSPC, "No space left on device")
        return real(self, data)

    base = current_version(ws)
    monkeypatch.setattr(Path, "write_bytes", flaky)
    with pytest.raises(OutputError, match="the disk is full"):
        apply_edits(
            ws,
            [
                SetField(touchpoint("search", "name"), "x"),
                SetField(Target("stakeholders", "service-team", ("name",)), "y"),
            ],
            base_version=base,
            author="ann",
            versions=store,
        )
    monkeypatch.undo()
    assert snapshot_bytes(ws) == before
    assert not [p for p in ws.rglob(".*.tmp")]
    assert store.list() == []


def test_a_folder_that_is_not_there_is_named(tmp_path: Path) -> None:
    with pytest.raises(NotFound, match="no workspace folder"):
        current_version(tmp_path / "missing")


# -- the conflict rule, case by case ----------------------------------------------------------------
def change(*place: str | int, kind: str = "changed") -> Change:
    collection, item, *path = place
    return Change(str(collection), str(item), tuple(path), kind)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("theirs", "mine", "collide"),
    [
        (
            change("journeys", "j", "touchpoints", "t", "name"),
            SetField(touchpoint("t", "name"), 1),
            True,
        ),
        (
            change("journeys", "j", "touchpoints", "t", "name"),
            SetField(touchpoint("t", "step"), 1),
            True,
        ),
        (
            change("journeys", "j", "touchpoints", "u", "name"),
            SetField(touchpoint("t", "name"), 1),
            False,
        ),
        (change("journeys", "j", "name"), SetField(touchpoint("t", "name"), 1), False),
        (change("journeys", "j", kind="removed"), SetField(touchpoint("t", "name"), 1), True),
        (
            change("journeys", "j", "touchpoints", "t", kind="removed"),
            SetField(touchpoint("t", "name"), 1),
            True,
        ),
        (
            change("journeys", "j", "steps", "#order", kind="reordered"),
            MoveItem(Target("journeys", "j", ("steps", "s")), 0),
            True,
        ),
        (
            change("journeys", "j", "steps", "#order", kind="reordered"),
            SetField(Target("journeys", "j", ("steps", "s", "name")), 1),
            False,
        ),
        (
            change("journeys", "j", "steps", "s", kind="added"),
            AddItem(Target("journeys", "j", ("steps",)), {"id": "s"}),
            True,
        ),
        (
            change("journeys", "j", "steps", "r", kind="added"),
            AddItem(Target("journeys", "j", ("steps",)), {"id": "s"}),
            False,
        ),
        (change("stakeholders", "a", "snapshots"), AddSnapshot("a", date(2026, 1, 1), 1, 1), True),
        (change("stakeholders", "b", "snapshots"), AddSnapshot("a", date(2026, 1, 1), 1, 1), False),
        (
            change("stakeholders", "a", "snapshots"),
            SetField(Target("stakeholders", "a", ("snapshots", 0, "note")), "x"),
            True,
        ),
        (
            change("journeys", "j", "touchpoints", "u", "name"),
            SetField(Target("journeys", "j", ("touchpoints", 3, "name")), 1),
            True,
        ),
        (
            Change("workspace", None, ("name",), "changed"),
            SetField(Target("workspace", None, ("description",)), "d"),
            True,
        ),
    ],
)
def test_the_conflict_rule(theirs: Change, mine, collide: bool) -> None:
    if isinstance(mine, SetField) and mine.target.item == JOURNEY:
        mine = SetField(Target("journeys", "j", mine.target.path), mine.value)
    assert conflicts([theirs], [mine]) == ([theirs] if collide else [])


def test_old_bases_are_pruned_with_their_texts(ws: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from cojourney.services import edit_state

    monkeypatch.setattr(edit_state, "KEPT_BASES", 2)
    first = current_version(ws)
    for name in ("One", "Two", "Three"):
        apply_edits(
            ws,
            [SetField(touchpoint("survey", "name"), name)],
            base_version=current_version(ws),
            author="ann",
        )
    folder = ws / ".cojourney" / "editing"
    assert len(list((folder / "bases").glob("*.json"))) == 2
    used = set()
    for manifest in (folder / "bases").glob("*.json"):
        used.update(json.loads(manifest.read_text(encoding="utf-8")).values())
    # the texts of pruned bases are gone; files shared by the kept ones are stored once
    assert {p.stem for p in (folder / "blobs").glob("*.txt")} == used
    assert len(used) == len(read_texts(ws)) + 1
    # a pruned base is a conflict to reload from, never a silent overwrite
    with pytest.raises(Conflict, match="no longer known"):
        apply_edits(
            ws, [SetField(touchpoint("search", "name"), "x")], base_version=first, author="b"
        )


def test_a_damaged_version_file_is_named(tmp_path: Path) -> None:
    store = FileVersionStore(tmp_path / "versions")
    (tmp_path / "versions").mkdir()
    (tmp_path / "versions" / "000001.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(CojourneyError, match="version 1 cannot be read") as caught:
        store.get(1)
    assert "000001.json" in str(caught.value)


def test_a_file_changed_outside_during_a_save_is_not_overwritten(
    ws: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import cojourney.services.editing as editing

    path = ws / JOURNEY_FILE
    real = editing._validated

    def meanwhile(handle, texts):  # someone saves the file in an editor while we validate
        path.write_text(
            path.read_text(encoding="utf-8").replace("name: Calls support", "name: Rings us"),
            encoding="utf-8",
        )
        return real(handle, texts)

    monkeypatch.setattr(editing, "_validated", meanwhile)
    with pytest.raises(Conflict, match=r"touchpoints\[support-call\]\.name"):
        apply_edits(
            ws,
            [SetField(touchpoint("survey", "name"), "Rates us")],
            base_version=current_version(ws),
            author="ann",
        )
    text = path.read_text(encoding="utf-8")
    assert "name: Rings us" in text and "Rates us" not in text


def test_every_collection_of_a_flagship_example_is_editable(tmp_path: Path, store) -> None:
    from cojourney.spec.yaml_edit import WorkspaceDocuments

    init_workspace(tmp_path / "ws", example="incident-resolution")
    ws = tmp_path / "ws"
    documents = WorkspaceDocuments.read(ws)
    edits = []
    for _, document in documents.documents():
        for collection, items in document.items():
            if collection == "workspace" or not isinstance(items, list):
                continue
            first = items[0]
            if isinstance(first.get("name"), str):
                edits.append(
                    SetField(Target(collection, first["id"], ("name",)), f"Edited {first['id']}")
                )
    assert len({e.target.collection for e in edits}) >= 10
    before = snapshot_bytes(ws)
    result = apply_edits(ws, edits, base_version=current_version(ws), author="ann", versions=store)
    assert {(c.collection, c.item) for c in result.changes} == {
        (e.target.collection, e.target.item) for e in edits
    }
    model = as_handle(ws).model()
    for edit in edits:
        item = next(i for i in getattr(model, edit.target.collection) if i.id == edit.target.item)
        assert item.name == f"Edited {edit.target.item}"
    # only the name lines changed, every comment kept
    after = snapshot_bytes(ws)
    for name, old in before.items():
        old_lines, new_lines = old.decode().splitlines(), after[name].decode().splitlines()
        assert len(old_lines) == len(new_lines)
        assert all(
            a == b or (a.lstrip().startswith(("name:", "- name:")) and "Edited" in b)
            for a, b in zip(old_lines, new_lines, strict=True)
        ), name


def test_the_handle_keeps_the_model_a_save_validated(
    ws: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import cojourney.spec as spec

    handle = as_handle(ws)
    assert handle.validation().ok
    apply_edits(
        handle,
        [SetField(touchpoint("survey", "name"), "Rates us")],
        base_version=current_version(handle),
        author="ann",
    )

    def no_second_check(path: object) -> object:
        raise AssertionError("the workspace was validated again after the save")

    monkeypatch.setattr(spec, "validate_workspace", no_second_check)
    report = handle.validation()
    assert report.root == ws and all(str(f).startswith(str(ws)) for f in report.files)
    journey = handle.model().require("journeys", "main-journey")
    assert next(t for t in journey.touchpoints if t.id == "survey").name == "Rates us"
    # a change made outside afterwards is still seen
    path = ws / JOURNEY_FILE
    path.write_text(path.read_text(encoding="utf-8").replace("Rates us", "Scores us"), "utf-8")
    monkeypatch.undo()
    journey = handle.model().require("journeys", "main-journey")
    assert next(t for t in journey.touchpoints if t.id == "survey").name == "Scores us"


def test_a_file_just_saved_is_edited_again_exactly_as_if_it_were_parsed_afresh(
    ws: Path,
) -> None:
    from cojourney.spec.yaml_edit import WorkspaceDocuments, yaml_file

    yaml_file._handed.clear()  # documents handed over by earlier tests in this process
    apply_edits(
        ws,
        [SetField(touchpoint("survey", "name"), "Rates us")],
        base_version=current_version(ws),
        author="ann",
    )
    saved = read_texts(ws)
    assert len(yaml_file._handed) >= 1  # the save handed its document over
    second = [
        SetField(touchpoint("search", "name"), "Looks around"),
        SetField(touchpoint("search", "description"), "A new line\nof text"),
    ]
    handed = dict(yaml_file._handed)
    yaml_file._handed.clear()
    fresh = WorkspaceDocuments(dict(saved))
    for edit in second:
        fresh.apply(edit)
    expected = fresh.edited_texts()
    yaml_file._handed.update(handed)
    apply_edits(ws, second, base_version=current_version(ws), author="bob")
    assert not set(handed) & set(yaml_file._handed)  # taken, not parsed again
    assert read_texts(ws) == expected

"""Symbolic links in a workspace: those leading outside it are refused, those inside are read.

Without this, a link such as ``journeys/x.yaml -> /etc/passwd`` let ``validate``
pass and put the outside file's text into maps and reports.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from cojourney.cli.main import main
from cojourney.errors import InputError, ValidationError
from cojourney.events.mappings import MappingLibrary
from cojourney.services.maps import draw_map
from cojourney.services.workspaces import init_workspace
from cojourney.spec import validate_workspace

SECRET = "secret-outside-text"

pytestmark = pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symbolic links here")


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    folder = tmp_path / "ws"
    init_workspace(folder)
    assert validate_workspace(folder).ok
    return folder


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A YAML file outside the workspace that would pass validation, with a tell-tale text."""
    other = tmp_path / "elsewhere"
    other.mkdir()
    file = other / "personas.yaml"
    file.write_text(
        f"personas:\n  - id: {SECRET}\n    name: {SECRET}\n    segment: x\n", encoding="utf-8"
    )
    return file


def test_a_file_link_leading_outside_is_refused_with_its_place(ws: Path, outside: Path) -> None:
    link = ws / "journeys" / "extra.yaml"
    link.symlink_to(outside)
    report = validate_workspace(ws)
    assert not report.ok
    (problem,) = report.problems
    assert problem.location.file == str(link)
    assert "symbolic link leads outside the workspace" in problem.message
    assert str(outside.resolve()) in (problem.found or "")
    assert report.workspace is None


def test_a_folder_link_leading_outside_is_refused(ws: Path, outside: Path) -> None:
    link = ws / "more"
    link.symlink_to(outside.parent, target_is_directory=True)
    (problem,) = validate_workspace(ws).problems
    assert problem.location.file == str(link)
    assert "leads outside" in problem.message


def test_a_file_under_a_linked_folder_is_refused_when_read(ws: Path, outside: Path) -> None:
    # a linked folder inside the workspace tree, but the link itself lives in a hidden
    # folder (not walked): reading a file through it is still refused
    from cojourney.yamlio import read_yaml_file

    hidden = ws / ".cache"
    hidden.mkdir()
    (hidden / "out").symlink_to(outside.parent, target_is_directory=True)
    with pytest.raises(InputError, match="leads outside"):
        read_yaml_file(hidden / "out" / outside.name, within=ws)


def test_map_and_cli_refuse_and_never_show_the_outside_text(
    ws: Path, outside: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (ws / "personas.yaml").unlink()
    (ws / "personas.yaml").symlink_to(outside)
    out = tmp_path / "map.html"
    with pytest.raises(ValidationError) as caught:
        draw_map(ws, out)
    assert SECRET not in str(caught.value)
    assert not out.exists()
    code = main(["map", str(ws), "-o", str(out)])
    captured = capsys.readouterr()
    assert code == 2
    assert f"{ws / 'personas.yaml'}: a symbolic link leads outside the workspace" in captured.err
    assert SECRET not in captured.out + captured.err
    assert not out.exists()
    assert main(["validate", str(ws)]) == 2


def test_links_that_stay_inside_are_read(ws: Path) -> None:
    # the personas kept in a hidden folder (never walked), linked where they belong
    shared = ws / ".shared"
    shared.mkdir()
    (ws / "personas.yaml").rename(shared / "personas.yaml")
    (ws / "personas.yaml").symlink_to(Path(".shared") / "personas.yaml")
    report = validate_workspace(ws)
    assert report.ok, [p.render() for p in report.problems]
    assert report.workspace is not None and report.workspace.personas


def test_a_link_loop_is_refused_not_followed_forever(ws: Path) -> None:
    (ws / "a.yaml").symlink_to(ws / "b.yaml")
    (ws / "b.yaml").symlink_to(ws / "a.yaml")
    problems = validate_workspace(ws).problems
    assert {Path(p.location.file or "").name for p in problems} == {"a.yaml", "b.yaml"}
    assert all("loop" in (p.found or "") for p in problems)


def test_a_workspace_reached_through_a_link_is_fine(ws: Path, tmp_path: Path) -> None:
    alias = tmp_path / "alias-of-ws"
    alias.symlink_to(ws, target_is_directory=True)
    assert validate_workspace(alias).ok


def test_a_saved_mapping_linked_outside_is_refused(ws: Path, tmp_path: Path) -> None:
    folder = ws / "data" / "mappings"
    folder.mkdir(parents=True)
    elsewhere = tmp_path / "mapping.yaml"
    elsewhere.write_text("mapping_version: 1\nkind: events\n", encoding="utf-8")
    (folder / "shop.yaml").symlink_to(elsewhere)
    with pytest.raises(InputError, match="leads outside the workspace") as caught:
        MappingLibrary(folder).load("shop")
    assert caught.value.problems[0].location.file == str(folder / "shop.yaml")


def test_data_may_live_elsewhere_through_a_link(ws: Path, tmp_path: Path) -> None:
    # event stores are big: data/ on another disk is legitimate, and its mappings load
    from cojourney.events.mappings import ImportMapping

    elsewhere = tmp_path / "big-disk" / "data"
    (elsewhere / "mappings").mkdir(parents=True)
    (ws / "data").symlink_to(elsewhere, target_is_directory=True)
    library = MappingLibrary(ws / "data" / "mappings")
    saved = ImportMapping.from_yaml("mapping_version: 1\nkind: events\n", name="shop")
    library.save(saved)
    assert library.load("shop").kind == "events"
    assert validate_workspace(ws).ok

"""The cache of validated models: the same model as reading the YAML, and never stale."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from cojourney.settings import Settings, use_settings
from cojourney.spec import loader, model_cache, validate_workspace


@pytest.fixture
def cache(tmp_path: Path):
    folder = tmp_path / "model-cache"
    with use_settings(Settings(model_cache=True, model_cache_dir=folder)):
        yield folder


def _no_yaml_reading(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args, **kwargs):
        raise AssertionError("the YAML was read although the model was kept")

    monkeypatch.setattr(loader, "read_yaml", refuse)


def test_a_kept_model_is_the_model_read_from_the_files(
    workspace_copy: Path, cache: Path, monkeypatch
):
    first = validate_workspace(workspace_copy)
    assert first.ok and first.workspace is not None
    assert len(list(cache.glob("*.json"))) == 1
    with use_settings(Settings(model_cache=False)):
        fresh = validate_workspace(workspace_copy).workspace
    _no_yaml_reading(monkeypatch)
    second = validate_workspace(workspace_copy)
    assert second.ok and second.files == first.files
    assert second.workspace == fresh == first.workspace
    assert second.workspace is not first.workspace


def test_an_edited_file_is_read_again(workspace_copy: Path, cache: Path):
    before = validate_workspace(workspace_copy).workspace
    assert before is not None
    file = workspace_copy / "workspace.yaml"
    text = file.read_text(encoding="utf-8")
    assert f"name: {before.workspace.name}" in text
    file.write_text(text.replace(f"name: {before.workspace.name}", "name: Renamed", 1))
    after = validate_workspace(workspace_copy).workspace
    assert after is not None and after.workspace.name == "Renamed"
    assert len(list(cache.glob("*.json"))) == 2


def test_problems_are_reported_and_never_kept(workspace_copy: Path, cache: Path, plant):
    assert validate_workspace(workspace_copy).ok  # kept
    plant(workspace_copy / "workspace.yaml", r"^  name: .*$", "  name: [unclosed")
    for _ in range(2):
        report = validate_workspace(workspace_copy)
        assert not report.ok and report.workspace is None
        assert report.problems[0].location.file.endswith("workspace.yaml")
    assert len(list(cache.glob("*.json"))) == 1


def test_a_link_out_of_the_workspace_is_refused_even_with_the_same_content(
    workspace_copy: Path, cache: Path, tmp_path: Path
):
    assert validate_workspace(workspace_copy).ok
    file = workspace_copy / "workspace.yaml"
    outside = tmp_path / "outside.yaml"
    shutil.copy(file, outside)
    file.unlink()
    file.symlink_to(outside)
    report = validate_workspace(workspace_copy)
    assert not report.ok and report.workspace is None
    assert "symbolic link" in report.problems[0].message


def test_a_damaged_cache_file_is_ignored(workspace_copy: Path, cache: Path):
    first = validate_workspace(workspace_copy).workspace
    (kept,) = cache.glob("*.json")
    kept.write_text('{"not": "a model"')
    assert validate_workspace(workspace_copy).workspace == first
    assert validate_workspace(workspace_copy).workspace == first  # rewritten, then read


def test_other_yaml_limits_are_another_key(workspace_copy: Path, tmp_path: Path):
    folder = tmp_path / "c"
    with use_settings(Settings(model_cache=True, model_cache_dir=folder)):
        assert validate_workspace(workspace_copy).ok
    with use_settings(Settings(model_cache=True, model_cache_dir=folder, yaml_max_depth=3)):
        report = validate_workspace(workspace_copy)
    assert not report.ok
    assert "nested too deep" in report.problems[0].message


def test_the_cache_can_be_turned_off_and_lives_in_the_users_cache_folder(
    workspace_copy: Path, tmp_path: Path, monkeypatch
):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert model_cache.cache_folder(Settings(model_cache=True)) == (
        tmp_path / "xdg" / "cojourney" / "models"
    )
    assert model_cache.cache_folder(Settings(model_cache=False)) is None
    with use_settings(Settings(model_cache=False)):
        assert validate_workspace(workspace_copy).ok
    assert not (tmp_path / "xdg").exists()
    with use_settings(Settings(model_cache=True)):
        assert validate_workspace(workspace_copy).ok
    assert len(list((tmp_path / "xdg" / "cojourney" / "models").glob("*.json"))) == 1
    assert not list(workspace_copy.rglob("*.json"))


def test_only_the_most_recent_models_are_kept(workspace_copy: Path, cache: Path, monkeypatch):
    import os

    monkeypatch.setattr(model_cache, "KEEP", 2)
    file = workspace_copy / "workspace.yaml"
    text = file.read_text(encoding="utf-8")
    for n in range(4):
        file.write_text(f"{text}\n# edit {n}\n", encoding="utf-8")
        assert validate_workspace(workspace_copy).ok
        for k, kept in enumerate(sorted(cache.glob("*.json"), key=lambda p: p.stat().st_mtime_ns)):
            os.utime(kept, ns=(k, k))  # the order of writing, whatever the clock's resolution
    assert len(list(cache.glob("*.json"))) == 2
    file.write_text(f"{text}\n# edit 3\n", encoding="utf-8")  # the last one is still kept
    before = set(cache.glob("*.json"))
    assert validate_workspace(workspace_copy).ok
    assert set(cache.glob("*.json")) == before

"""Settings: precedence, validation messages, and docs that cannot drift."""

from __future__ import annotations

from pathlib import Path

import pytest

from cojourney.errors import InputError
from cojourney.settings import (
    Settings,
    current_settings,
    load_settings,
    settings_reference,
    use_settings,
)

REPO = Path(__file__).resolve().parents[1]


def test_docs_list_every_setting() -> None:
    doc = (REPO / "docs" / "settings.md").read_text(encoding="utf-8")
    assert doc == settings_reference(), "docs/settings.md is stale: run `make docs`"
    for name in Settings.model_fields:
        assert f"`COJOURNEY_{name.upper()}`" in doc


def test_precedence_flag_over_env_over_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    file = tmp_path / "c.toml"
    file.write_text("yaml_max_depth = 7\nyaml_max_aliases = 3\njson_max_depth = 5\n")
    monkeypatch.setenv("COJOURNEY_SETTINGS_FILE", str(file))
    monkeypatch.setenv("COJOURNEY_YAML_MAX_ALIASES", "9")
    monkeypatch.setenv("COJOURNEY_JSON_MAX_DEPTH", "11")
    s = load_settings(json_max_depth=13, engine=None)
    assert (s.yaml_max_depth, s.yaml_max_aliases, s.json_max_depth) == (7, 9, 13)
    assert s.engine == "duckdb"


def test_bad_settings_are_located(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COJOURNEY_YAML_MAX_DEPTH", "-3")
    with pytest.raises(InputError) as caught:
        load_settings()
    text = str(caught.value)
    assert "yaml_max_depth" in text and "COJOURNEY_YAML_MAX_DEPTH" in text
    monkeypatch.delenv("COJOURNEY_YAML_MAX_DEPTH")
    monkeypatch.setenv("COJOURNEY_SETTINGS_FILE", str(tmp_path / "missing.toml"))
    with pytest.raises(InputError, match=r"does not exist"):
        load_settings()


def test_use_settings_installs_and_restores() -> None:
    before = current_settings()
    with use_settings(Settings(yaml_max_depth=3)):
        assert current_settings().yaml_max_depth == 3
    assert current_settings() is before

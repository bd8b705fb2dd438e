"""The loader reports every problem of a workspace at once, each at its exact place."""

from __future__ import annotations

from pathlib import Path

import pytest

from cojourney.errors import NotFound, ValidationError
from cojourney.spec import load_workspace, validate_workspace


def test_template_and_examples_are_valid(workspace_copy: Path):
    report = validate_workspace(workspace_copy)
    assert report.problems == [], "\n".join(p.render() for p in report.problems)
    assert report.workspace is not None and report.workspace.journeys


def _first_journey_file(ws: Path) -> Path:
    return sorted((ws / "journeys").glob("*.yaml"))[0]


def test_five_planted_mistakes_are_all_reported_with_their_lines(workspace_copy: Path, plant):
    journey_file = _first_journey_file(workspace_copy)
    expected: dict[str, tuple[Path, int]] = {}
    # (the mistake that inserts a line goes first, so later line numbers stay right)
    # 3. an unknown field
    line, _ = plant(journey_file, r"^( +)(channel: )", r"\1colour: red\n\1\2", nth=1)
    expected["colour"] = (journey_file, line)
    # 1. a channel that does not exist (schema)
    line, _ = plant(journey_file, r"(?<=channel: )app\b", "appp")
    expected["appp"] = (journey_file, line)
    # 2. a touchpoint in a step outside the journey (reference)
    line, _ = plant(journey_file, r"(?<=\n        step: )[a-z-]+", "no-such-step", nth=3)
    expected["no-such-step"] = (journey_file, line)
    # 4. a gate requiring a touchpoint that does not exist
    line, _ = plant(journey_file, r"(?<=requires: \[)[a-z0-9-]+", "ghost-touchpoint")
    expected["ghost-touchpoint"] = (journey_file, line)
    # 5. an agreement target on an indicator that does not exist
    agreements = workspace_copy / "agreements.yaml"
    line, _ = plant(agreements, r"(?<=indicator: )[a-z0-9-]+", "ghost-indicator")
    expected["ghost-indicator"] = (agreements, line)

    report = validate_workspace(workspace_copy)
    assert len(report.problems) == 5, "\n".join(p.render() for p in report.problems)
    for needle, (file, line) in expected.items():
        hits = [p for p in report.problems if needle in p.render()]
        assert hits, f"no problem mentions {needle}"
        assert hits[0].location.file == str(file)
        assert hits[0].location.line == line, hits[0].render()
        assert hits[0].location.column is not None and hits[0].location.field


def test_load_workspace_raises_one_error_listing_all_problems(workspace_copy: Path, plant):
    plant(_first_journey_file(workspace_copy), r"(?<=emotion: )-?[0-9.]+", "9")
    plant(workspace_copy / "workspace.yaml", r"(?<=  id: )\S+", "has spaces in it")
    with pytest.raises(ValidationError) as err:
        load_workspace(workspace_copy)
    assert len(err.value.problems) == 2
    assert "at most 3" in str(err.value)
    assert "an id of letters" in str(err.value)


def test_yaml_syntax_error_has_line_and_column(tmp_path: Path):
    (tmp_path / "workspace.yaml").write_text(
        "workspace:\n  id: w\n  name: [unclosed\n", encoding="utf-8"
    )
    (tmp_path / "other.yaml").write_text("personas:\n  - id: a\n    id: b\n", encoding="utf-8")
    problems = validate_workspace(tmp_path).problems
    by_file = {Path(p.location.file).name: p for p in problems}
    assert "YAML syntax error" in by_file["workspace.yaml"].message
    assert by_file["workspace.yaml"].location.line is not None
    assert "duplicate key" in by_file["other.yaml"].message
    assert by_file["other.yaml"].location.line == 3


def test_structural_problems(tmp_path: Path):
    (tmp_path / "a.yaml").write_text("- just a list\n", encoding="utf-8")
    (tmp_path / "b.yaml").write_text("journies: []\npersonas: {id: x}\n", encoding="utf-8")
    problems = validate_workspace(tmp_path).problems
    text = "\n".join(p.render() for p in problems)
    assert "must be a mapping" in text
    assert "unknown section 'journies'" in text and "did you mean 'journeys'?" in text
    assert "'personas' must be a list" in text
    assert "no 'workspace' section" in text


def test_missing_required_field_points_at_the_item(tmp_path: Path):
    (tmp_path / "w.yaml").write_text(
        "workspace: {id: w, name: W}\npersonas:\n  - id: p\n    name: P\n", encoding="utf-8"
    )
    [problem] = validate_workspace(tmp_path).problems
    assert problem.message == "missing required field 'segment'"
    assert problem.location.line == 3


def test_missing_folder_and_empty_folder(tmp_path: Path):
    with pytest.raises(NotFound):
        validate_workspace(tmp_path / "nope")
    assert "no YAML file" in validate_workspace(tmp_path).problems[0].message


def test_data_and_hidden_folders_are_not_read(tmp_path: Path):
    (tmp_path / "w.yaml").write_text("workspace: {id: w, name: W}\n", encoding="utf-8")
    for folder in ("data", ".git"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "x.yaml").write_text("not: a workspace\n", encoding="utf-8")
    assert validate_workspace(tmp_path).ok


def test_unchanged_files_are_not_parsed_again_and_the_limits_still_apply(
    workspace_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import cojourney.spec.yaml_io as yaml_io
    from cojourney.settings import Settings, use_settings

    parsed: list[str] = []
    real = yaml_io.parse_yaml

    def counting(text: str, source: str, **kwargs: object) -> object:
        parsed.append(Path(source).name)
        return real(text, source, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(yaml_io, "parse_yaml", counting)
    monkeypatch.setattr(yaml_io, "_parsed", type(yaml_io._parsed)())  # start empty
    first = validate_workspace(workspace_copy)
    assert first.ok and len(parsed) == len(first.files)
    parsed.clear()
    assert validate_workspace(workspace_copy).ok and parsed == []  # all from the cache
    journey = _first_journey_file(workspace_copy)
    journey.write_text(journey.read_text(encoding="utf-8") + "\n# changed\n", encoding="utf-8")
    again = validate_workspace(workspace_copy)
    assert again.ok and parsed == [journey.name]  # only the changed file
    # a known text is still refused when the limits in force no longer allow it
    with use_settings(Settings(yaml_max_bytes=64)):
        refused = validate_workspace(workspace_copy)
    assert not refused.ok
    assert any(p.message == "the YAML file is too big" for p in refused.problems)

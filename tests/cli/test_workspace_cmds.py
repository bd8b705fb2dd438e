"""The workspace commands, run as a user would: through the CLI's own entry point."""

from __future__ import annotations

from pathlib import Path

import pytest

from cojourney.cli.main import main
from cojourney.demo import example_names


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_init_validate_and_refuse_to_overwrite(capsys, tmp_path: Path):
    target = tmp_path / "ws"
    code, out, _ = run(capsys, "init", str(target))
    assert code == 0 and "DSV template" in out
    assert (target / "workspace.schema.json").is_file()
    code, out, _ = run(capsys, "validate", str(target))
    assert code == 0 and "is valid" in out and "7 touchpoints" in out
    before = sorted(p.read_bytes() for p in target.rglob("*.yaml"))
    code, _, err = run(capsys, "init", str(target))
    assert code == 2 and "already holds YAML files" in err and "--force" in err
    assert sorted(p.read_bytes() for p in target.rglob("*.yaml")) == before


@pytest.mark.parametrize("example", example_names())
def test_init_example(capsys, tmp_path: Path, example: str):
    code, _, _ = run(capsys, "init", str(tmp_path / "ex"), "--example", example)
    assert code == 0
    code, out, _ = run(capsys, "validate", str(tmp_path / "ex"))
    assert code == 0, out


def test_unknown_example_is_a_clear_error_and_writes_nothing(capsys, tmp_path: Path):
    code, _, err = run(capsys, "init", str(tmp_path / "ex"), "--example", "no-such-thing")
    assert code == 3 and "no example named 'no-such-thing'" in err
    assert not (tmp_path / "ex").exists() or not any((tmp_path / "ex").rglob("*.yaml"))


def test_validate_reports_problems_without_traceback(capsys, tmp_path: Path):
    (tmp_path / "workspace.yaml").write_text("workspace:\n  id: w\n  name: W\n  provider: nobody\n")
    code, out, err = run(capsys, "validate", str(tmp_path))
    assert code == 2
    assert "workspace.yaml:4:13" in err and "unknown organisation 'nobody'" in err
    assert "Traceback" not in err + out


def test_validate_json_output(capsys, tmp_path: Path):
    import json

    (tmp_path / "workspace.yaml").write_text("workspace:\n  id: w\n  name: W\n  colour: red\n")
    code, out, _ = run(capsys, "validate", str(tmp_path), "--format", "json")
    data = json.loads(out)
    assert code == 2 and data["valid"] is False
    assert data["problems"][0]["line"] == 4 and data["problems"][0]["field"] == "workspace.colour"


def test_schema_is_json_schema_of_a_workspace_file(capsys, tmp_path: Path):
    import json

    code, out, _ = run(capsys, "schema")
    schema = json.loads(out)
    assert code == 0 and schema["$schema"].startswith("https://json-schema.org/")
    assert {"workspace", "journeys", "stakeholders", "agreements"} <= set(schema["properties"])
    assert schema["additionalProperties"] is False


def test_missing_path_is_a_usage_error(capsys, tmp_path: Path):
    code, _, err = run(capsys, "validate", str(tmp_path / "nope"))
    assert code == 2 and "does not exist" in err

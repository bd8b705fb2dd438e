"""Every table command stays readable at 80 columns (issue 11, section 6).

A simulated example workspace is measured with ``COLUMNS=80`` and output piped (as
under a pager or in CI): no printed line may be wider than 80 characters, and no
indicator, activity or agreement name may be cut across lines.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from cojourney.cli.main import main

WIDTH = 80


@pytest.fixture(scope="module")
def simulated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from cojourney.services.simulation import simulate
    from cojourney.services.workspaces import init_workspace

    folder = tmp_path_factory.mktemp("narrow") / "ws"
    init_workspace(folder, example="ecampus-car-share")
    simulate(folder, 200, seed=1)
    return folder


def _run(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, *args: str) -> str:
    monkeypatch.setenv("COLUMNS", str(WIDTH))
    capsys.readouterr()
    code = main(list(args))
    out, err = capsys.readouterr()
    assert code == 0, err
    return out


def _assert_fits(out: str) -> None:
    too_wide = [line for line in out.splitlines() if len(line) > WIDTH]
    assert not too_wide, "\n".join(too_wide)


def _names(workspace: Path, kind: str) -> list[str]:
    from cojourney.services.workspaces import open_workspace

    spec = open_workspace(workspace)
    return [item.name for item in getattr(spec, kind)]


@pytest.mark.parametrize(
    "command", ["value", "agreements", "leakage", "experience", "improvements", "analyze"]
)
def test_table_fits_80_columns(capsys, monkeypatch, simulated: Path, command: str):
    out = _run(capsys, monkeypatch, command, str(simulated))
    assert out.strip()
    _assert_fits(out)


def test_value_names_every_indicator_whole(capsys, monkeypatch, simulated: Path):
    out = _run(capsys, monkeypatch, "value", str(simulated))
    _assert_fits(out)
    lines = out.splitlines()
    names = _names(simulated, "indicators")
    assert names
    for indicator in names:
        assert any(indicator in line for line in lines), indicator


def test_imports_list_wraps_between_words(capsys, monkeypatch, simulated: Path):
    out = _run(capsys, monkeypatch, "imports", "list", str(simulated))
    _assert_fits(out)
    assert "simulated ecampus-car-share:" in out


def test_wide_terminal_keeps_the_table(capsys, monkeypatch, simulated: Path):
    monkeypatch.setenv("COLUMNS", "250")
    capsys.readouterr()
    assert main(["value", str(simulated)]) == 0
    out = capsys.readouterr().out
    assert any("indicator" in line and "status" in line for line in out.splitlines())

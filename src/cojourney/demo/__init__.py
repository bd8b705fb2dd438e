"""The flagship examples (shipped as workspace folders) and their simulators."""

from __future__ import annotations

from pathlib import Path

#: Folder holding one workspace folder per flagship example.
EXAMPLES_DIR = Path(__file__).with_name("examples")


def example_names() -> list[str]:
    """Names of the shipped examples, e.g. ``["ecampus-car-share", "incident-resolution"]``."""
    if not EXAMPLES_DIR.is_dir():
        return []
    return sorted(
        p.name for p in EXAMPLES_DIR.iterdir() if p.is_dir() and (p / "workspace.yaml").exists()
    )


def example_path(name: str) -> Path:
    """The folder of example ``name`` (KeyError when there is no such example)."""
    if name not in example_names():
        raise KeyError(name)
    return EXAMPLES_DIR / name

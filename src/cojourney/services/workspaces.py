"""Creating, checking and loading workspaces."""

from __future__ import annotations

import logging
import shutil
import tempfile
from pathlib import Path

from cojourney.demo import example_names, example_path
from cojourney.domain import Workspace
from cojourney.errors import InputError, Location, NotFound, Problem
from cojourney.files import output_errors
from cojourney.spec import (
    TEMPLATE_DIR,
    ValidationReport,
    load_workspace,
    schema_json,
    validate_workspace,
)

log = logging.getLogger(__name__)


def init_workspace(
    folder: str | Path, *, example: str | None = None, force: bool = False
) -> list[Path]:
    """Create a workspace in ``folder``: the commented DSV template, or a flagship example.

    Nothing is written when the folder already holds YAML files (unless ``force``) or
    the example does not exist. Returns the files written.

    Raises
    ------
    cojourney.files.OutputError
        The folder cannot be written (read-only, full disk, ...).
    """
    target = Path(folder)
    if example is not None:
        try:
            source = example_path(example)
        except KeyError:
            raise NotFound(
                f"no example named {example!r}; the examples are: "
                f"{', '.join(example_names()) or 'none'}"
            ) from None
    else:
        source = TEMPLATE_DIR
    if target.exists() and not target.is_dir():
        raise InputError(
            Problem(
                "a file of that name exists",
                Location(str(target)),
                hint="choose a folder name that does not exist yet",
            )
        )
    if target.exists() and any(target.rglob("*.yaml")) and not force:
        raise InputError(
            Problem(
                "the folder already holds YAML files",
                Location(str(target)),
                hint="choose an empty or new folder, or set init.force to overwrite",
            )
        )
    with output_errors(target):
        target.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".cojourney-init-", dir=target))
        try:
            shutil.copytree(
                source,
                staging,
                dirs_exist_ok=True,
                ignore=shutil.ignore_patterns("__pycache__", "*.pyc"),
            )
            (staging / "workspace.schema.json").write_text(schema_json() + "\n", encoding="utf-8")
            written = []
            for path in sorted(p for p in staging.rglob("*") if p.is_file()):
                dest = target / path.relative_to(staging)
                dest.parent.mkdir(parents=True, exist_ok=True)
                path.replace(dest)
                written.append(dest)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    log.info("created workspace %s from %s", target, example or "the DSV template")
    return written


def check_workspace(folder: str | Path) -> ValidationReport:
    """Every problem of a workspace (schema and cross-references), with locations."""
    return validate_workspace(folder)


def open_workspace(folder: str | Path) -> Workspace:
    """Load a valid workspace or raise :class:`~cojourney.errors.ValidationError`."""
    return load_workspace(folder)

"""Writing a workspace back to a folder of YAML files (the conventional layout)."""

from __future__ import annotations

import logging
import shutil
import tempfile
from pathlib import Path
from typing import Any

from cojourney.domain import COLLECTION_FILES, Workspace
from cojourney.errors import InputError, Location, Problem
from cojourney.files import output_errors
from cojourney.spec.yaml_io import dump_yaml

log = logging.getLogger(__name__)

_HEADERS = {
    "workspace.yaml": "What this workspace is about. See docs/workspace-format.md.",
    "parties.yaml": "Organisations (provider and consumer roles), stakeholders with their map\n"
    "history, and service relationships.",
    "offerings.yaml": "Services, products and the service offerings made of them.",
    "personas.yaml": "Personas (one concrete representative per segment) and scenarios.",
    "value.yaml": "Value per stakeholder (outcomes, costs, risks) and the value indicators.",
    "agreements.yaml": "Agreements (SLA, OLA, XLA, outcome-based), their targets and SLA clocks; business calendars.",
    "surveys.yaml": "Survey questions with custom scales (csat, ces, nps and emotion need none).",
    "improvements.yaml": "Pain points, opportunities and the improvement register.",
}


def workspace_documents(workspace: Workspace) -> dict[str, dict[str, Any]]:
    """The workspace as ``{relative file name: YAML document}`` in the conventional layout."""
    data = workspace.model_dump(mode="json", by_alias=True, exclude_defaults=True)
    documents: dict[str, dict[str, Any]] = {"workspace.yaml": {"workspace": data["workspace"]}}
    for collection, pattern in COLLECTION_FILES.items():
        for item in data.get(collection, []):
            name = pattern.format(id=item["id"])
            documents.setdefault(name, {}).setdefault(collection, []).append(item)
    return documents


def write_workspace(
    workspace: Workspace, folder: str | Path, *, overwrite: bool = False
) -> list[Path]:
    """Write ``workspace`` into ``folder``; all files appear together or none does.

    The folder must not hold YAML files yet unless ``overwrite`` is set. A folder
    that cannot be written is a :class:`cojourney.files.OutputError`.
    """
    target = Path(folder)
    if target.exists() and any(target.rglob("*.yaml")) and not overwrite:
        raise InputError(
            Problem(
                "the folder already holds a workspace",
                Location(str(target)),
                hint="choose an empty folder, or pass overwrite=True (init.force)",
            )
        )
    with output_errors(target):
        documents = workspace_documents(workspace)
        staging = Path(
            tempfile.mkdtemp(
                prefix=".cojourney-", dir=target.parent if target.parent.exists() else None
            )
        )
        try:
            for name, document in documents.items():
                path = staging / name
                path.parent.mkdir(parents=True, exist_ok=True)
                header = _HEADERS.get(
                    name, "A journey: steps, touchpoints, interactions, designed path, gates."
                )
                path.write_text(dump_yaml(document, header), encoding="utf-8")
            target.mkdir(parents=True, exist_ok=True)
            written = []
            for path in sorted(staging.rglob("*.yaml")):
                dest = target / path.relative_to(staging)
                dest.parent.mkdir(parents=True, exist_ok=True)
                path.replace(dest)
                written.append(dest)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    log.info("wrote %d files to %s", len(written), target)
    return written

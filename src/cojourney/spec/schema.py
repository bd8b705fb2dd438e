"""The published JSON Schema of a workspace file, for editor completion and CI checks."""

from __future__ import annotations

import json
from typing import Any

from pydantic import ConfigDict, Field, create_model

from cojourney.domain import SCHEMA_VERSION, Workspace, WorkspaceInfo

SCHEMA_ID = f"https://cojourney.dev/schema/workspace-file-v{SCHEMA_VERSION}.json"


def workspace_file_schema() -> dict[str, Any]:
    """JSON Schema for one workspace YAML file: every section optional.

    Point an editor at it with a first line like
    ``# yaml-language-server: $schema=workspace.schema.json``.
    """
    fields: dict[str, Any] = {
        "workspace": (WorkspaceInfo | None, Field(None, description="Once per folder."))
    }
    for name, info in Workspace.model_fields.items():
        if name != "workspace":
            fields[name] = (info.annotation | None, Field(None, description=info.description))  # type: ignore[operator]
    document = create_model("WorkspaceFile", __config__=ConfigDict(extra="forbid"), **fields)
    schema = document.model_json_schema(by_alias=True)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        **schema,
        "title": "cojourney workspace file",
        "description": "One YAML file of a cojourney workspace (journey-as-code, ITIL 4 Drive Stakeholder "
        "Value model). A workspace is a folder of such files.",
    }


def schema_json(indent: int = 2) -> str:
    return json.dumps(workspace_file_schema(), indent=indent, ensure_ascii=False)

"""Journey-as-code: a workspace is a folder of YAML files.

- :func:`load_workspace` / :func:`validate_workspace`: read and check, every problem with file:line:column;
- :func:`write_workspace`: write a model back (load, dump, load gives an equal model);
- :func:`workspace_file_schema`: the published JSON Schema;
- :data:`TEMPLATE_DIR`: the commented DSV template that ``cojourney init`` copies.
"""

from cojourney.spec.loader import (
    ValidationReport,
    load_workspace,
    validate_workspace,
    workspace_files,
)
from cojourney.spec.schema import schema_json, workspace_file_schema
from cojourney.spec.template import TEMPLATE_DIR
from cojourney.spec.writer import workspace_documents, write_workspace

__all__ = [
    "TEMPLATE_DIR",
    "ValidationReport",
    "load_workspace",
    "schema_json",
    "validate_workspace",
    "workspace_documents",
    "workspace_file_schema",
    "workspace_files",
    "write_workspace",
]

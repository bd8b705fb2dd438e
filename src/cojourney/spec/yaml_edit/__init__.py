"""Editing the workspace's YAML files in place, keeping everything that was not edited.

The web editor changes the model by *edit operations* on the YAML documents, not by
re-writing the model: each file is read in ruamel.yaml's round-trip mode, the
operations change only the nodes they address, and only the files they touched are
dumped again, so comments, key order, quoting and layout of everything else stay as
they were, and a team keeps reviewing journeys in git.

An operation addresses its place with a :class:`Target`: a collection (``journeys``,
``stakeholders``, ... or ``workspace`` for the workspace section), an item id and a
path inside the item. A path part is a mapping key, a list index, or, applied to a
list, the id of the list element with that ``id`` (``("touchpoints", "call", "channel")``
is the channel of touchpoint ``call``), so addresses stay valid while others reorder.

>>> docs = WorkspaceDocuments({"parties.yaml": "stakeholders:\\n  - id: a  # keep\\n    name: A\\n    kind: user\\n"})
>>> docs.apply(SetField(Target("stakeholders", "a", ("name",)), "Alpha"))
>>> print(docs.render()["parties.yaml"], end="")
stakeholders:
  - id: a  # keep
    name: Alpha
    kind: user

Each file's layout (indentation of mappings and sequences, ``---``, line ends) is
detected when it is read: the first layout whose dump reproduces the file byte for
byte is kept for writing it back. A file that no layout reproduces (for example a
long plain scalar folded over several lines by hand) is *normalised* the first time
it is edited; :attr:`YamlFile.faithful` tells which files are in that case.
"""

from cojourney.spec.yaml_edit.documents import WorkspaceDocuments
from cojourney.spec.yaml_edit.operations import (
    ID_LISTS,
    OPERATIONS,
    WORKSPACE_SECTION,
    AddItem,
    AddSnapshot,
    Edit,
    MoveItem,
    PathPart,
    RemoveField,
    RemoveItem,
    SetField,
    Target,
    edit_from_dict,
    path_text,
)
from cojourney.spec.yaml_edit.yaml_file import YamlFile, write_files

__all__ = [
    "ID_LISTS",
    "OPERATIONS",
    "WORKSPACE_SECTION",
    "AddItem",
    "AddSnapshot",
    "Edit",
    "MoveItem",
    "PathPart",
    "RemoveField",
    "RemoveItem",
    "SetField",
    "Target",
    "WorkspaceDocuments",
    "YamlFile",
    "edit_from_dict",
    "path_text",
    "write_files",
]

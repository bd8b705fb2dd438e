"""Which service relationship each agreement belongs to.

An agreement names its relationship (``relationship:``), or a relationship lists it
among its ``agreements:``; either way, the agreement belongs to that relationship.
The reference checks refuse an agreement that names one relationship while another
lists it (:mod:`cojourney.domain.references`).

>>> from cojourney.domain import Agreement, Organisation, Relationship, Workspace, WorkspaceInfo
>>> ws = Workspace(
...     workspace=WorkspaceInfo(id="w", name="W"),
...     organisations=[Organisation(id=o, name=o, roles=["provider", "consumer"]) for o in "ab"],
...     relationships=[Relationship(id="r", name="R", type="basic", provider="a", consumer="b",
...                                 agreements=["sla"])],
...     agreements=[Agreement(id="sla", name="SLA", kind="sla", basis="agreement", provider="a")],
... )
>>> {k: r.type.value for k, r in agreement_relationships(ws).items()}
{'sla': 'basic'}
"""

from __future__ import annotations

from cojourney.domain.parties import Relationship
from cojourney.domain.workspace import Workspace


def agreement_relationships(workspace: Workspace) -> dict[str, Relationship]:
    """The relationship of each agreement that has one, by agreement id."""
    relationships = {r.id: r for r in workspace.relationships}
    found: dict[str, Relationship] = {}
    for rel in workspace.relationships:
        for agreement_id in rel.agreements:
            found.setdefault(agreement_id, rel)
    for agreement in workspace.agreements:
        named = relationships.get(agreement.relationship or "")
        if named is not None:
            found[agreement.id] = named
    return {a.id: found[a.id] for a in workspace.agreements if a.id in found}


def relationship_summary(workspace: Workspace) -> dict[str, dict[str, str]]:
    """Per agreement id: its relationship's ``id``, ``name`` and ``type`` (JSON-ready)."""
    return {
        agreement_id: {"id": rel.id, "name": rel.name, "type": rel.type.value}
        for agreement_id, rel in agreement_relationships(workspace).items()
    }

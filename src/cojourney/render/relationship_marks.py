"""Relationship types and consumer roles on the stakeholder map.

Each stakeholder of an organisation in a service relationship with the workspace's
provider gets a ring around its dot, drawn by the relationship's type: dotted for
*basic*, dashed for *cooperative*, a double ring for *partnership*. When an
organisation has several relationships with the provider, the closest type is drawn
(partnership before cooperative before basic) and all are named in the tooltip and
the table. Stakeholders of the provider itself have no ring: the map is drawn from
its side. A workspace without a ``provider`` draws every relationship an
organisation takes part in.

The consumer roles (customer, user, sponsor) a stakeholder holds, as the consumer
organisations declare them (``consumer_roles[].stakeholder``), are shown as letter
badges (C, U, S) beside the dot, in the tooltip and in the table; the side panel lists
the relationships with their line style and each consumer organisation's role holders.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from cojourney.domain import (
    ConsumerRole,
    Organisation,
    Relationship,
    RelationshipType,
    Workspace,
)
from cojourney.render.svg import Palette, circle, label, line, tag, text_lines, wrap

#: Closest first: the type drawn when a stakeholder's organisation has several.
TYPE_ORDER: tuple[RelationshipType, ...] = (
    RelationshipType.PARTNERSHIP,
    RelationshipType.COOPERATIVE,
    RelationshipType.BASIC,
)
#: Dash pattern of each type's ring and line (``None``: solid, drawn double).
TYPE_DASH: dict[RelationshipType, str | None] = {
    RelationshipType.BASIC: "1.6 2.6",
    RelationshipType.COOPERATIVE: "5 3",
    RelationshipType.PARTNERSHIP: None,
}
RING = "#3e4c59"
ROLE_LETTER: dict[ConsumerRole, str] = {
    ConsumerRole.CUSTOMER: "C",
    ConsumerRole.USER: "U",
    ConsumerRole.SPONSOR: "S",
}
ROLE_COLOUR = "#5d3f99"


@dataclass
class StakeholderTies:
    """A stakeholder's relationships with the provider and the consumer roles it holds."""

    relationships: list[Relationship] = field(default_factory=list)
    roles: list[ConsumerRole] = field(default_factory=list)

    @property
    def closest(self) -> RelationshipType | None:
        types = {r.type for r in self.relationships}
        return next((t for t in TYPE_ORDER if t in types), None)

    def relationship_text(self) -> str:
        return "; ".join(f"{r.type.value} ({r.name})" for r in self.relationships)

    def roles_text(self) -> str:
        return ", ".join(r.value for r in self.roles)


def ties(workspace: Workspace) -> dict[str, StakeholderTies]:
    """Per stakeholder id: its relationships with the provider and its consumer roles."""
    provider = workspace.workspace.provider
    found = {s.id: StakeholderTies() for s in workspace.stakeholders}
    for s in workspace.stakeholders:
        org = s.organisation
        if org is None or org == provider:
            continue
        for rel in workspace.relationships:
            parties = (rel.provider, rel.consumer)
            if org in parties and (provider is None or provider in parties):
                found[s.id].relationships.append(rel)
    for organisation in workspace.organisations:
        for holder in organisation.consumer_roles:
            held = found.get(holder.stakeholder or "")
            if held is not None and holder.role not in held.roles:
                held.roles.append(holder.role)
    for held in found.values():
        held.roles.sort(key=list(ConsumerRole).index)
    return found


def ring(kind: RelationshipType, cx: float, cy: float, r: float = 11.5) -> str:
    """The ring drawn around a dot for a relationship type."""
    dash = TYPE_DASH[kind]
    if dash is None:
        return circle(cx, cy, r, fill="none", stroke=RING, stroke_width=1.8) + circle(
            cx, cy, r + 3.2, fill="none", stroke=RING, stroke_width=1.1
        )
    return circle(cx, cy, r, fill="none", stroke=RING, stroke_width=1.5, stroke_dasharray=dash)


def type_line(kind: RelationshipType, x1: float, y: float, x2: float) -> str:
    """A short line in a relationship type's style (for the legend)."""
    dash = TYPE_DASH[kind]
    if dash is None:
        return line(x1, y - 2, x2, y - 2, stroke=RING, stroke_width=1.8) + line(
            x1, y + 2, x2, y + 2, stroke=RING, stroke_width=1.1
        )
    return line(x1, y, x2, y, stroke=RING, stroke_width=1.6, stroke_dasharray=dash)


def role_badges(roles: list[ConsumerRole], x: float, y: float) -> str:
    """Letter badges (C, U, S) in a row starting at ``x``, centred on ``y``."""
    out = []
    for i, role in enumerate(roles):
        cx = x + i * 13
        out.append(circle(cx, y, 5.8, fill="#fff", stroke=ROLE_COLOUR, stroke_width=1.1))
        out.append(
            label(
                cx,
                y + 3,
                ROLE_LETTER[role],
                size=8,
                font_weight=700,
                fill=ROLE_COLOUR,
                text_anchor="middle",
            )
        )
    return tag("g", "".join(out), class_="cj-roles") if out else ""


def _org_name(workspace: Workspace, org_id: str) -> str:
    return next((o.name for o in workspace.organisations if o.id == org_id), org_id)


def _holders(workspace: Workspace, organisation: Organisation) -> list[str]:
    """``role: holder`` lines of a consumer organisation."""
    names = {s.id: s.name for s in workspace.stakeholders}
    lines = []
    for role in ConsumerRole:
        held = [
            names.get(h.stakeholder or "", h.held_by)
            for h in organisation.consumer_roles
            if h.role is role
        ]
        unique = list(dict.fromkeys(held))
        if unique:
            lines.append(f"{role.value}: {', '.join(unique)}")
    return lines


def side_panel(workspace: Workspace, x: float, y: float, width: float = 280) -> tuple[str, float]:
    """The relationships (line style, parties, type) and each consumer organisation's
    role holders, with the key to rings and badges; returns markup and height."""
    if not workspace.relationships and not any(o.consumer_roles for o in workspace.organisations):
        return "", 0.0

    def heading(y_: float, text: str) -> str:
        return label(
            x, y_, text, size=10.5, font_weight=700, fill=Palette.faint, letter_spacing=0.8
        )

    out = [heading(y + 12, "RELATIONSHIPS")]
    yy = y + 30
    for rel in workspace.relationships:
        parties = f"{_org_name(workspace, rel.provider)} → {_org_name(workspace, rel.consumer)}"
        out.append(type_line(rel.type, x, yy - 4, x + 26))
        out.append(label(x + 34, yy, rel.type.value, size=12, font_weight=700, fill=Palette.ink))
        lines = wrap(parties, width - 34, 11)
        out.append(text_lines(x + 34, yy + 3, lines, size=11, fill=Palette.muted))
        yy += 20 + 14 * len(lines)
    if workspace.relationships:
        for kind in TYPE_ORDER:
            out.append(tag("g", ring(kind, x + 8, yy - 4, 6.5), class_=f"cj-ring-{kind.value}"))
            out.append(
                label(x + 24, yy, f"ring: {kind.value} relationship", size=11.5, fill=Palette.ink)
            )
            yy += 20
    consumers = [o for o in workspace.organisations if o.consumer_roles]
    if consumers:
        yy += 8
        out.append(heading(yy + 12, "CONSUMER ROLES"))
        yy += 30
        out.append(
            role_badges(list(ConsumerRole), x + 6, yy - 4)
            + label(x + 46, yy, "customer · user · sponsor", size=11.5, fill=Palette.ink)
        )
        yy += 20
        for org in consumers:
            out.append(label(x, yy, org.name, size=11.5, font_weight=700, fill=Palette.ink))
            yy += 4
            for text in _holders(workspace, org):
                lines = wrap(text, width - 10, 11)
                out.append(text_lines(x + 8, yy, lines, size=11, fill=Palette.muted))
                yy += 14 * len(lines) + 1
            yy += 12
    return tag("g", "".join(out), class_="cj-relationships"), yy - y

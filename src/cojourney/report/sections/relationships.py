"""Section 7: relationships: where a relationship's agreements or experience fall short.

Every service relationship (basic, cooperative, partnership) with the agreements that
belong to it (:func:`cojourney.domain.relationships.agreement_relationships`) and how
they are kept, read from the same results as the agreements section: the SLA clocks
(``ClockResult.to_dict()``) and the targets (``TargetSeries.to_dict()``, latest period
with data). A target counts as *experience* when its agreement is an XLA or covers
experience; every other target and every clock counts as the *agreements*. A
relationship falls short where a clock misses its attainment or a target is missed.
"""

from __future__ import annotations

from typing import Any

from cojourney.domain import RELATIONSHIP_PROFILES, RelationshipType, Workspace
from cojourney.domain.relationships import agreement_relationships
from cojourney.report.html import badge, esc, number, panel, table
from cojourney.report.sections import TITLES, Section, no_data

SECTION_ID = "relationships"
STATUS_TONES = {"met": "good", "missed": "bad", "no_data": "neutral", "not_measured": "neutral"}


def declared(workspace: Workspace) -> list[dict[str, Any]]:
    """The relationships and their agreements, as plain data for :func:`build`."""
    names = {o.id: o.name for o in workspace.organisations}
    belongs = agreement_relationships(workspace)
    out = []
    for rel in workspace.relationships:
        agreements = [
            {
                "id": a.id,
                "name": a.name,
                "kind": a.kind.value,
                "experience": a.kind.value == "xla" or "experience" in [c.value for c in a.covers],
            }
            for a in workspace.agreements
            if belongs.get(a.id) is rel
        ]
        out.append(
            {
                "id": rel.id,
                "name": rel.name,
                "type": rel.type.value,
                "provider": names.get(rel.provider, rel.provider),
                "consumer": names.get(rel.consumer, rel.consumer),
                "agreements": agreements,
            }
        )
    return out


def shortfalls(
    relationship: dict[str, Any],
    targets: list[dict[str, Any]] | None,
    clocks: list[dict[str, Any]] | None,
) -> dict[str, list[str]]:
    """What falls short in a relationship: ``{"agreements": [...], "experience": [...]}``,
    each a list of plain sentences."""
    by_id = {a["id"]: a for a in relationship["agreements"]}
    found: dict[str, list[str]] = {"agreements": [], "experience": []}
    for t in targets or []:
        agreement = by_id.get(t["agreement"])
        if agreement is None or t["status"] != "missed":
            continue
        current, target = t.get("current") or {}, t.get("target") or {}
        text = f"{agreement['name']}: {t['indicator_name']} " + (
            f"{number(current.get('value'))} against {target.get('comparator')} "
            f"{number(target.get('value'))}"
            if current and target
            else "missed"
        )
        if current.get("period_start"):
            text += f" ({current['period_start']})"
        found["experience" if agreement["experience"] else "agreements"].append(text)
    for c in clocks or []:
        agreement = by_id.get(c["agreement_id"])
        if agreement is None or c["total"]["meets"] is not False:
            continue
        found["agreements"].append(
            f"{agreement['name']}: clock {c['clock_name']} met for "
            f"{number(c['total']['share_met'])}% of journeys against "
            f"{number(c['total']['attainment'])}%"
        )
    return found


def build(
    relationships: list[dict[str, Any]],
    targets: list[dict[str, Any]] | None,
    clocks: list[dict[str, Any]] | None,
    *,
    has_events: bool,
    note: str | None = None,
) -> Section:
    """The section.

    Parameters
    ----------
    relationships
        :func:`declared`.
    targets, clocks
        The agreements section's results (``None``: not available, ``note`` says why).
    has_events
        Whether any event was imported.
    """
    if not relationships:
        return no_data(
            SECTION_ID,
            "No relationships declared",
            "Declare the service relationships (basic, cooperative, partnership) in "
            "parties.yaml and say which agreements belong to each.",
        )
    if not has_events:
        return no_data(
            SECTION_ID,
            "No events imported yet",
            "Import an event log (and feedback) to see how each relationship's "
            "agreements and experience are kept.",
        )
    parts: list[str] = []
    if targets is None and clocks is None and note:
        parts.append(panel("unavailable", "Agreements not measured", note))
    short_list: list[str] = []
    cards: list[str] = []
    for rel in relationships:
        short = shortfalls(rel, targets, clocks)
        for kind in ("agreements", "experience"):
            short_list += [f"{rel['name']} ({rel['type']}), {kind}: {s}" for s in short[kind]]
        cards.append(_card(rel, targets, clocks, short))
    if targets is not None or clocks is not None:
        if short_list:
            items = "".join(f"<li>{esc(s)}</li>" for s in short_list)
            parts.append(
                '<div class="cj-panel cj-panel-warning" role="note"><strong>Where '
                f"relationships fall short</strong><ul>{items}</ul></div>"
            )
        else:
            parts.append(
                panel(
                    "info",
                    "No relationship falls short",
                    "Every measured agreement and experience target of every relationship "
                    "is met in its latest period with data.",
                )
            )
    parts += cards
    return Section(
        SECTION_ID,
        TITLES[SECTION_ID],
        "".join(parts),
        lede="Each service relationship with the agreements that belong to it: where its "
        "agreements (SLA and OLA clocks, targets) or its customers' experience (XLA "
        "targets) fall short.",
        headline={"short": short_list},
    )


def _card(
    rel: dict[str, Any],
    targets: list[dict[str, Any]] | None,
    clocks: list[dict[str, Any]] | None,
    short: dict[str, list[str]],
) -> str:
    profile = RELATIONSHIP_PROFILES[RelationshipType(rel["type"])]
    tone = "bad" if short["agreements"] or short["experience"] else "good"
    head = (
        f'<h3 id="relationship-{esc(rel["id"])}">{esc(rel["name"])} '
        f"{badge(rel['type'], 'info')}</h3>"
        f'<p class="cj-caption">{esc(rel["provider"])} → {esc(rel["consumer"])} · '
        f"focus: {esc(profile['focus'])} · typical agreements: {esc(profile['agreements'])}</p>"
    )
    ids = {a["id"]: a for a in rel["agreements"]}
    if not ids:
        return head + panel(
            "no-data",
            "No agreement belongs to this relationship",
            "Name the relationship on its agreements (relationship:) or list them on the "
            "relationship (agreements:).",
        )
    rows = []
    for c in clocks or []:
        if c["agreement_id"] in ids:
            meets = c["total"]["meets"]
            rows.append(
                [
                    esc(ids[c["agreement_id"]]["name"]),
                    "agreement",
                    esc(f"clock {c['clock_name']}"),
                    esc(f"{number(c['total']['share_met'])}% met")
                    if c["total"]["share_met"] is not None
                    else "—",
                    esc(f"{number(c['total']['attainment'])}%"),
                    badge(
                        "met" if meets else ("missed" if meets is False else "no data"),
                        "good" if meets else ("bad" if meets is False else "neutral"),
                    ),
                ]
            )
    for t in targets or []:
        if t["agreement"] not in ids:
            continue
        current, target = t.get("current") or {}, t.get("target") or {}
        rows.append(
            [
                esc(ids[t["agreement"]]["name"]),
                "experience" if ids[t["agreement"]]["experience"] else "agreement",
                esc(t["indicator_name"]),
                esc(number(current.get("value"))) if current else "—",
                esc(f"{target.get('comparator')} {number(target.get('value'))}") if target else "—",
                badge(t["status"].replace("_", " "), STATUS_TONES.get(t["status"], "neutral")),
            ]
        )
    verdict = badge("falls short" if tone == "bad" else "on target", tone)
    body = (
        table(["Agreement", "Counts as", "Measure", ("Latest", "num"), "Target", "Status"], rows)
        if rows
        else panel("no-data", "Nothing measured", "Its agreements set no clock or target.")
    )
    return head + f"<p>{verdict}</p>" + body

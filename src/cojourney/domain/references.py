"""Cross-reference checks of a whole workspace, reporting every problem at once.

Each problem carries the *path* of the offending value inside the workspace
(e.g. ``("journeys", 0, "touchpoints", 3, "step")``); the spec layer turns that
path into a file, line and column.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from cojourney.domain.journey import Journey
from cojourney.domain.offerings import OFFERING_PARTS, OfferingDelivery
from cojourney.domain.workspace import Workspace

Path = tuple[str | int, ...]
#: How a problem names one entry of each part of an offering.
_PART_NAMES = {
    "goods": "good",
    "access_to_resources": "access to resources",
    "service_actions": "service action",
}


@dataclass(frozen=True, slots=True)
class ReferenceProblem:
    """One broken reference or impossible value found in a workspace."""

    path: Path
    message: str
    found: str | None = None
    expected: str | None = None
    reference: bool = False  #: a reference to an id that does not resolve


def _choices(ids: Iterable[str], limit: int = 12) -> str:
    ordered = sorted(set(ids))
    if not ordered:
        return "none is defined yet"
    shown = ", ".join(ordered[:limit])
    return f"one of: {shown}" + (f" (+{len(ordered) - limit} more)" if len(ordered) > limit else "")


class _Checker:
    def __init__(self, ws: Workspace) -> None:
        self.ws = ws
        self.problems: list[ReferenceProblem] = []
        self.ids: dict[str, set[str]] = {}
        for name in type(ws).model_fields:
            items = getattr(ws, name)
            if isinstance(items, list):
                self.ids[name] = {item.id for item in items}
        self.touchpoint_journey = {tp.id: j.id for j in ws.journeys for tp in j.touchpoints}

    # --- helpers -----------------------------------------------------------------------
    def add(
        self,
        path: Path,
        message: str,
        found: Any = None,
        expected: str | None = None,
        *,
        reference: bool = False,
    ) -> None:
        self.problems.append(
            ReferenceProblem(
                path, message, None if found is None else str(found), expected, reference
            )
        )

    def ref(self, path: Path, value: str | None, collection: str, what: str) -> None:
        if value is not None and value not in self.ids[collection]:
            article = "an" if what[0] in "aeiou" else "a"
            self.add(
                path,
                f"unknown {what} {value!r}",
                value,
                f"the id of {article} {what}: {_choices(self.ids[collection])}",
                reference=True,
            )

    def refs(self, path: Path, values: Sequence[str], collection: str, what: str) -> None:
        for i, value in enumerate(values):
            self.ref((*path, i), value, collection, what)

    def local(
        self, path: Path, value: str | None, allowed: set[str], what: str, owner: str
    ) -> None:
        if value is not None and value not in allowed:
            self.add(
                path,
                f"{what} {value!r} is not part of {owner}",
                value,
                f"{_choices(allowed)}",
                reference=True,
            )

    def locals_(
        self, path: Path, values: Sequence[str], allowed: set[str], what: str, owner: str
    ) -> None:
        for i, value in enumerate(values):
            self.local((*path, i), value, allowed, what, owner)

    # --- checks ------------------------------------------------------------------------
    def duplicates(self) -> None:
        for name, _ in self.ids.items():
            seen: dict[str, int] = {}
            for i, item in enumerate(getattr(self.ws, name)):
                if item.id in seen:
                    self.add(
                        (name, i, "id"),
                        f"duplicate id {item.id!r} in {name}",
                        item.id,
                        f"an id not used elsewhere in {name} (first used at item {seen[item.id] + 1})",
                    )
                else:
                    seen[item.id] = i
        first_journey: dict[str, str] = {}
        for j_index, journey in enumerate(self.ws.journeys):
            for t_index, tp in enumerate(journey.touchpoints):
                other = first_journey.setdefault(tp.id, journey.id)
                if other != journey.id:
                    self.add(
                        ("journeys", j_index, "touchpoints", t_index, "id"),
                        f"touchpoint id {tp.id!r} is already used in journey {other!r}",
                        tp.id,
                        "touchpoint ids unique across the workspace (events name touchpoints by id)",
                    )

    def workspace_info(self) -> None:
        info = self.ws.workspace
        self.ref(("workspace", "provider"), info.provider, "organisations", "organisation")
        self.ref(("workspace", "default_journey"), info.default_journey, "journeys", "journey")
        try:
            ZoneInfo(info.time_zone)
        except (ZoneInfoNotFoundError, ValueError):
            self.add(
                ("workspace", "time_zone"),
                f"unknown time zone {info.time_zone!r}",
                info.time_zone,
                "an IANA time zone name such as 'UTC' or 'America/Sao_Paulo'",
            )

    def parties(self) -> None:
        for i, org in enumerate(self.ws.organisations):
            for k, holder in enumerate(org.consumer_roles):
                self.ref(
                    ("organisations", i, "consumer_roles", k, "persona"),
                    holder.persona,
                    "personas",
                    "persona",
                )
                self.ref(
                    ("organisations", i, "consumer_roles", k, "stakeholder"),
                    holder.stakeholder,
                    "stakeholders",
                    "stakeholder",
                )
        for i, sh in enumerate(self.ws.stakeholders):
            self.ref(
                ("stakeholders", i, "organisation"),
                sh.organisation,
                "organisations",
                "organisation",
            )
            dates: set[Any] = set()
            for k, snap in enumerate(sh.snapshots):
                if snap.date in dates:
                    self.add(
                        ("stakeholders", i, "snapshots", k, "date"),
                        f"two snapshots of {sh.id!r} on the same date",
                        snap.date.isoformat(),
                        "one snapshot per date",
                    )
                dates.add(snap.date)
        for i, rel in enumerate(self.ws.relationships):
            self.ref(
                ("relationships", i, "provider"), rel.provider, "organisations", "organisation"
            )
            self.ref(
                ("relationships", i, "consumer"), rel.consumer, "organisations", "organisation"
            )
            if rel.provider == rel.consumer:
                self.add(
                    ("relationships", i, "consumer"),
                    "a relationship needs two different organisations",
                    rel.consumer,
                    f"an organisation other than {rel.provider!r}",
                )
            self.refs(("relationships", i, "agreements"), rel.agreements, "agreements", "agreement")
        listed_by = {a: r.id for r in self.ws.relationships for a in r.agreements}
        for i, ag in enumerate(self.ws.agreements):
            other = listed_by.get(ag.id)
            if ag.relationship and other and other != ag.relationship:
                self.add(
                    ("agreements", i, "relationship"),
                    f"agreement {ag.id!r} names relationship {ag.relationship!r}, "
                    f"but relationship {other!r} lists it among its agreements",
                    ag.relationship,
                    f"{other!r}, or remove {ag.id!r} from the agreements of {other!r}",
                )

    def offerings(self) -> None:
        for i, svc in enumerate(self.ws.services):
            self.ref(("services", i, "provider"), svc.provider, "organisations", "organisation")
            self.refs(("services", i, "products"), svc.products, "products", "product")
        for i, prod in enumerate(self.ws.products):
            self.ref(("products", i, "provider"), prod.provider, "organisations", "organisation")
        for i, off in enumerate(self.ws.offerings):
            self.refs(("offerings", i, "services"), off.services, "services", "service")
            self.refs(("offerings", i, "personas"), off.personas, "personas", "persona")
            self.refs(("offerings", i, "partners"), off.partners, "organisations", "organisation")

    def deliveries(self, path: Path, deliveries: Sequence[OfferingDelivery]) -> None:
        """Offerings delivered at a step or touchpoint: the offering exists, and every
        part named is an entry of that offering's own list."""
        offerings = {o.id: o for o in self.ws.offerings}
        for i, delivery in enumerate(deliveries):
            self.ref((*path, i, "offering"), delivery.offering, "offerings", "offering")
            offering = offerings.get(delivery.offering)
            if offering is None:
                continue
            for part in OFFERING_PARTS:
                allowed = set(getattr(offering, part))
                for k, entry in enumerate(getattr(delivery, part)):
                    if entry not in allowed:
                        self.add(
                            (*path, i, part, k),
                            f"{_PART_NAMES[part]} {entry!r} is not part of "
                            f"offering {offering.id!r}",
                            entry,
                            "an entry of the offering's own list, word for word: "
                            + (_choices(allowed, limit=6) if allowed else "it lists none"),
                            reference=True,
                        )

    def personas(self) -> None:
        for i, persona in enumerate(self.ws.personas):
            self.ref(
                ("personas", i, "stakeholder"), persona.stakeholder, "stakeholders", "stakeholder"
            )
        for i, sc in enumerate(self.ws.scenarios):
            self.ref(("scenarios", i, "persona"), sc.persona, "personas", "persona")
            self.ref(("scenarios", i, "journey"), sc.journey, "journeys", "journey")
            if sc.journey and sc.journey in self.ids["journeys"]:
                allowed = {t.id for t in self.ws.journey(sc.journey).touchpoints}
                self.locals_(
                    ("scenarios", i, "touchpoints"),
                    sc.touchpoints,
                    allowed,
                    "touchpoint",
                    f"journey {sc.journey!r}",
                )
            else:
                for k, tp in enumerate(sc.touchpoints):
                    if tp not in self.touchpoint_journey:
                        self.add(
                            ("scenarios", i, "touchpoints", k),
                            f"unknown touchpoint {tp!r}",
                            tp,
                            "the id of a touchpoint of some journey",
                            reference=True,
                        )

    def journey(self, j: int, journey: Journey) -> None:
        base: Path = ("journeys", j)
        owner = f"journey {journey.id!r}"
        self.refs((*base, "personas"), journey.personas, "personas", "persona")
        self.refs((*base, "offerings"), journey.offerings, "offerings", "offering")
        for field in ("steps", "touchpoints", "interactions", "gates"):
            seen_local: set[str] = set()
            for k, item in enumerate(getattr(journey, field)):
                if item.id in seen_local:
                    self.add(
                        (*base, field, k, "id"),
                        f"duplicate {field[:-1]} id {item.id!r} in {owner}",
                        item.id,
                        f"an id not used by another {field[:-1]} of this journey",
                    )
                seen_local.add(item.id)
        steps = {s.id for s in journey.steps}
        tps = {t.id for t in journey.touchpoints}
        for k, tp in enumerate(journey.touchpoints):
            self.local((*base, "touchpoints", k, "step"), tp.step, steps, "step", owner)
            self.refs((*base, "touchpoints", k, "products"), tp.products, "products", "product")
            self.deliveries((*base, "touchpoints", k, "offerings"), tp.offerings)
        for k, step in enumerate(journey.steps):
            self.deliveries((*base, "steps", k, "offerings"), step.offerings)
        for k, inter in enumerate(journey.interactions):
            self.local((*base, "interactions", k, "step"), inter.step, steps, "step", owner)
            self.locals_(
                (*base, "interactions", k, "touchpoints"),
                inter.touchpoints,
                tps,
                "touchpoint",
                owner,
            )
        path = journey.path
        self.locals_((*base, "path", "order"), path.order, tps, "touchpoint", owner)
        seen: set[str] = set()
        for k, tp_id in enumerate(path.order):
            if tp_id in seen:
                self.add(
                    (*base, "path", "order", k),
                    f"touchpoint {tp_id!r} appears twice in the designed order",
                    tp_id,
                    "each touchpoint once (declare repeats as loops)",
                )
            seen.add(tp_id)
        for field in ("loops", "skips", "gaps"):
            for k, tr in enumerate(getattr(path, field)):
                self.local((*base, "path", field, k, "from"), tr.from_, tps, "touchpoint", owner)
                self.local((*base, "path", field, k, "to"), tr.to, tps, "touchpoint", owner)
        order = journey.expected_order()
        position = {tp_id: n for n, tp_id in enumerate(order)}
        for k, tr in enumerate(path.loops):
            if tr.from_ in position and tr.to in position and position[tr.to] > position[tr.from_]:
                self.add(
                    (*base, "path", "loops", k, "to"),
                    "a loop must go back to an earlier touchpoint",
                    f"{tr.from_} -> {tr.to}",
                    f"a touchpoint before {tr.from_!r} in the designed order",
                )
        for k, tr in enumerate(path.skips):
            if (
                tr.from_ in position
                and tr.to in position
                and position[tr.to] <= position[tr.from_] + 1
            ):
                self.add(
                    (*base, "path", "skips", k, "to"),
                    "a skip must jump forward over at least one touchpoint",
                    f"{tr.from_} -> {tr.to}",
                    f"a touchpoint at least two places after {tr.from_!r}",
                )
        self.locals_((*base, "path", "entry_points"), path.entry_points, tps, "touchpoint", owner)
        self.locals_((*base, "path", "exit_points"), path.exit_points, tps, "touchpoint", owner)
        for k, gate in enumerate(journey.gates):
            self.locals_((*base, "gates", k, "requires"), gate.requires, tps, "touchpoint", owner)
            self.locals_((*base, "gates", k, "before"), gate.before, tps, "touchpoint", owner)
            for m, tp_id in enumerate(gate.before):
                if tp_id in gate.requires:
                    self.add(
                        (*base, "gates", k, "before", m),
                        f"gate {gate.id!r} requires {tp_id!r} before itself",
                        tp_id,
                        "touchpoints in 'before' that are not in 'requires'",
                    )

    def journey_scoped(self, collection: str) -> None:
        for i, item in enumerate(getattr(self.ws, collection)):
            self.ref((collection, i, "journey"), item.journey, "journeys", "journey")
            if item.journey not in self.ids["journeys"]:
                continue
            journey = self.ws.journey(item.journey)
            owner = f"journey {journey.id!r}"
            if hasattr(item, "step"):
                self.local(
                    (collection, i, "step"), item.step, {s.id for s in journey.steps}, "step", owner
                )
            if hasattr(item, "touchpoint"):
                self.local(
                    (collection, i, "touchpoint"),
                    item.touchpoint,
                    {t.id for t in journey.touchpoints},
                    "touchpoint",
                    owner,
                )

    def value(self) -> None:
        for i, vp in enumerate(self.ws.value_propositions):
            self.ref(
                ("value_propositions", i, "stakeholder"),
                vp.stakeholder,
                "stakeholders",
                "stakeholder",
            )
            self.ref(("value_propositions", i, "journey"), vp.journey, "journeys", "journey")
            for field in ("outcomes", "costs", "risks"):
                for k, item in enumerate(getattr(vp, field)):
                    self.ref(
                        ("value_propositions", i, field, k, "indicator"),
                        item.indicator,
                        "indicators",
                        "indicator",
                    )
        for i, ind in enumerate(self.ws.indicators):
            self.ref(
                ("indicators", i, "stakeholder"), ind.stakeholder, "stakeholders", "stakeholder"
            )
            self.ref(("indicators", i, "journey"), ind.journey, "journeys", "journey")
            for k, tp in enumerate(ind.touchpoints):
                if tp not in self.touchpoint_journey:
                    self.add(
                        ("indicators", i, "touchpoints", k),
                        f"unknown touchpoint {tp!r}",
                        tp,
                        "the id of a touchpoint of some journey",
                        reference=True,
                    )
            if ind.measure is not None:
                m = ind.measure
                for field in ("touchpoints", "among"):
                    self.touchpoint_refs(("indicators", i, "measure", field), getattr(m, field))
                for field in ("start", "end"):
                    if getattr(m, field) is not None:
                        self.touchpoint_refs(
                            ("indicators", i, "measure", field), [getattr(m, field)], single=True
                        )
            if ind.target is not None and ind.warning is not None:
                worse = (
                    ind.warning > ind.target
                    if ind.direction.value == "higher_is_better"
                    else ind.warning < ind.target
                )
                if worse:
                    self.add(
                        ("indicators", i, "warning"),
                        "the warning level lies beyond the target",
                        ind.warning,
                        f"a value on the bad side of the target {ind.target:g} "
                        f"({ind.direction.value.replace('_', ' ')})",
                    )
        for i, ag in enumerate(self.ws.agreements):
            self.ref(("agreements", i, "provider"), ag.provider, "organisations", "organisation")
            self.ref(("agreements", i, "consumer"), ag.consumer, "organisations", "organisation")
            self.ref(
                ("agreements", i, "relationship"), ag.relationship, "relationships", "relationship"
            )
            self.refs(("agreements", i, "services"), ag.services, "services", "service")
            self.refs(("agreements", i, "offerings"), ag.offerings, "offerings", "offering")
            for k, target in enumerate(ag.targets):
                self.ref(
                    ("agreements", i, "targets", k, "indicator"),
                    target.indicator,
                    "indicators",
                    "indicator",
                )
            for k, clock in enumerate(ag.clocks):
                where = ("agreements", i, "clocks", k)
                self.ref((*where, "journey"), clock.journey, "journeys", "journey")
                self.ref((*where, "calendar"), clock.calendar, "calendars", "calendar")
                self.ref((*where, "indicator"), clock.indicator, "indicators", "indicator")
                for field in ("start", "stop", "pause", "resume"):
                    self.touchpoint_refs((*where, field), getattr(clock, field))
                for t, clock_target in enumerate(clock.targets):
                    self.ref(
                        (*where, "targets", t, "calendar"),
                        clock_target.calendar,
                        "calendars",
                        "calendar",
                    )
        for i, cal in enumerate(self.ws.calendars):
            try:
                ZoneInfo(cal.time_zone)
            except (ZoneInfoNotFoundError, ValueError):
                self.add(
                    ("calendars", i, "time_zone"),
                    f"unknown time zone {cal.time_zone!r}",
                    cal.time_zone,
                    "an IANA time zone such as Europe/Amsterdam or America/Sao_Paulo",
                )

    def surveys(self) -> None:
        standard = {"csat", "ces", "nps", "emotion"}
        for i, question in enumerate(self.ws.questions):
            if question.id in standard:
                self.add(
                    ("questions", i, "id"),
                    f"{question.id!r} is a standard question",
                    question.id,
                    "a custom question id; csat, ces, nps and emotion have fixed scales",
                )
            self.touchpoint_refs(("questions", i, "touchpoints"), question.touchpoints)

    def touchpoint_refs(self, path: Path, ids: list[str], *, single: bool = False) -> None:
        """Each of ``ids`` must be a touchpoint of some journey (``single``: ``path`` holds one id)."""
        for k, tp in enumerate(ids):
            if tp not in self.touchpoint_journey:
                self.add(
                    path if single else (*path, k),
                    f"unknown touchpoint {tp!r}",
                    tp,
                    "the id of a touchpoint of some journey",
                    reference=True,
                )

    def improvements(self) -> None:
        self.journey_scoped("pain_points")
        self.journey_scoped("opportunities")
        for i, opp in enumerate(self.ws.opportunities):
            self.refs(
                ("opportunities", i, "pain_points"), opp.pain_points, "pain_points", "pain point"
            )
        for i, imp in enumerate(self.ws.improvements):
            self.ref(("improvements", i, "journey"), imp.journey, "journeys", "journey")
            self.refs(
                ("improvements", i, "pain_points"), imp.pain_points, "pain_points", "pain point"
            )
            self.refs(
                ("improvements", i, "opportunities"),
                imp.opportunities,
                "opportunities",
                "opportunity",
            )
            for k, tp in enumerate(imp.touchpoints):
                if tp not in self.touchpoint_journey:
                    self.add(
                        ("improvements", i, "touchpoints", k),
                        f"unknown touchpoint {tp!r}",
                        tp,
                        "the id of a touchpoint of some journey",
                        reference=True,
                    )
            for k, effect in enumerate(imp.effects):
                self.ref(
                    ("improvements", i, "effects", k, "indicator"),
                    effect.indicator,
                    "indicators",
                    "indicator",
                )
            if imp.started and imp.finished and imp.finished < imp.started:
                self.add(
                    ("improvements", i, "finished"),
                    "the improvement finishes before it starts",
                    imp.finished.isoformat(),
                    f"a date on or after {imp.started.isoformat()}",
                )

    def run(self) -> list[ReferenceProblem]:
        self.duplicates()
        self.workspace_info()
        self.parties()
        self.offerings()
        self.personas()
        for j, journey in enumerate(self.ws.journeys):
            self.journey(j, journey)
        self.value()
        self.improvements()
        self.surveys()
        return self.problems


def check_references(workspace: Workspace) -> list[ReferenceProblem]:
    """Every broken cross-reference and impossible value in ``workspace`` (empty when sound)."""
    return _Checker(workspace).run()

"""What the editor forms show and send: fields, form values -> edits, problems by field.

The journey editor edits a touchpoint's scalar fields (:data:`TOUCHPOINT_FIELDS`),
adds, removes and moves touchpoints and steps. Form values become
:mod:`cojourney.spec.yaml_edit` edits for the fields that differ from the model, so a
save changes only what the user changed. Problems of a rejected edit are grouped by
the form field they belong to (:func:`problems_by_field`), to be shown next to it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from types import UnionType
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel

from cojourney.domain.journey import (
    Channel,
    InteractionKind,
    Journey,
    Period,
    Step,
    Touchpoint,
    TouchpointKind,
    Visibility,
)
from cojourney.errors import InputError, Location, NotFound, Problem
from cojourney.services.editing import Conflict, EditRejected, FieldProblem
from cojourney.spec.yaml_edit import (
    AddItem,
    Edit,
    MoveItem,
    RemoveField,
    RemoveItem,
    SetField,
    Target,
)

#: Which way a move button moves an element.
DIRECTIONS = ("up", "down")


@dataclass(frozen=True)
class FormField:
    """One labelled input of an editor form."""

    name: str
    label: str
    kind: str  #: "text", "textarea", "select", "number"
    choices: tuple[str, ...] = ()
    required: bool = False
    minimum: float | None = None
    maximum: float | None = None
    step: float | None = None


def _choices(enum: type[StrEnum]) -> tuple[str, ...]:
    return tuple(member.value for member in enum)


#: The touchpoint fields the journey editor sets (owner_team is the owner's team;
#: interaction_kind is the kind of the journey's service interaction that holds the
#: touchpoint, see :func:`interaction_edits`).
TOUCHPOINT_FIELDS: tuple[FormField, ...] = (
    FormField("name", "Name", "text", required=True),
    FormField("description", "Description", "textarea"),
    FormField("kind", "Kind", "select", _choices(TouchpointKind), required=True),
    FormField("channel", "Channel", "select", _choices(Channel), required=True),
    FormField("visibility", "Visibility", "select", _choices(Visibility), required=True),
    FormField("emotion", "Emotion (-3 to +3)", "number", minimum=-3, maximum=3, step=0.5),
    FormField("owner_team", "Owner team", "text"),
    FormField("interaction_kind", "Interaction type", "select", _choices(InteractionKind)),
)

#: The fields of a new touchpoint.
NEW_TOUCHPOINT_FIELDS: tuple[FormField, ...] = (
    FormField("id", "Id (letters, digits, dashes)", "text", required=True),
    FormField("name", "Name", "text", required=True),
    FormField("channel", "Channel", "select", _choices(Channel), required=True),
)

#: The fields of a new step.
NEW_STEP_FIELDS: tuple[FormField, ...] = (
    FormField("id", "Id (letters, digits, dashes)", "text", required=True),
    FormField("name", "Name", "text", required=True),
    FormField("period", "Period", "select", _choices(Period), required=True),
)


def touchpoint_values(touchpoint: Touchpoint, journey: Journey | None = None) -> dict[str, str]:
    """The form values of ``touchpoint`` (text, as an input holds them).

    With its ``journey``, ``interaction_kind`` is the kind of the first service
    interaction that lists the touchpoint ("" when none does).
    """
    holders = _interactions_of(journey, touchpoint) if journey is not None else []
    return {
        "interaction_kind": holders[0].kind.value if holders else "",
        "name": touchpoint.name,
        "description": touchpoint.description or "",
        "kind": touchpoint.kind.value,
        "channel": touchpoint.channel.value,
        "visibility": touchpoint.visibility.value,
        "emotion": "" if touchpoint.emotion is None else f"{touchpoint.emotion:g}",
        "owner_team": touchpoint.owner.team if touchpoint.owner else "",
    }


def _number(text: str) -> float | str:
    try:
        number = float(text)
    except ValueError:
        return text  # validation names it (not a number), next to the field
    return int(number) if number.is_integer() else number


def touchpoint_edits(
    journey: Journey, touchpoint: Touchpoint, form: Mapping[str, str]
) -> list[Edit]:
    """The edits that turn ``touchpoint`` into the submitted ``form`` values (changed fields only)."""
    now = touchpoint_values(touchpoint, journey)
    place: tuple[str, ...] = ("touchpoints", touchpoint.id)
    edits: list[Edit] = []
    for spec in TOUCHPOINT_FIELDS:
        if spec.name not in form:
            continue
        value = form[spec.name].strip() if spec.kind != "textarea" else form[spec.name]
        if value == now[spec.name]:
            continue
        if spec.name == "interaction_kind":
            edits.extend(interaction_edits(journey, touchpoint, value))
            continue
        if spec.name == "owner_team":
            owner = Target("journeys", journey.id, (*place, "owner"))
            if not value:
                edits.append(RemoveField(owner))
            elif touchpoint.owner is None:
                edits.append(SetField(owner, {"team": value}))
            else:
                edits.append(
                    SetField(Target("journeys", journey.id, (*place, "owner", "team")), value)
                )
            continue
        target = Target("journeys", journey.id, (*place, spec.name))
        if not value and not spec.required:
            edits.append(RemoveField(target))
        elif spec.kind == "number":
            edits.append(SetField(target, _number(value)))
        else:
            edits.append(SetField(target, value))
    return edits


def _interactions_of(journey: Journey, touchpoint: Touchpoint) -> list[Any]:
    return [i for i in journey.interactions if touchpoint.id in i.touchpoints]


def interaction_edits(journey: Journey, touchpoint: Touchpoint, kind: str) -> list[Edit]:
    """The edits that give ``touchpoint`` the interaction type ``kind`` ("" for none).

    A touchpoint's interaction type is the ``kind`` of the journey's service interaction
    that lists it. With none yet, one is added (id ``<touchpoint>-interaction``, the
    touchpoint's name and step, listing only it). Otherwise the kind of that interaction
    is set (an interaction shared by several touchpoints changes for all of them). ""
    takes the touchpoint out of its interactions: one that lists only this touchpoint
    is removed, another one keeps its other touchpoints.
    """
    holders = _interactions_of(journey, touchpoint)
    interactions = ("interactions",)
    if kind:
        if holders:
            where = (*interactions, holders[0].id, "kind")
            return [SetField(Target("journeys", journey.id, where), kind)]
        taken = {e.id for e in (*journey.steps, *journey.touchpoints, *journey.interactions)}
        new_id, number = f"{touchpoint.id}-interaction", 2
        while new_id in taken:
            new_id, number = f"{touchpoint.id}-interaction-{number}", number + 1
        value = {
            "id": new_id,
            "name": touchpoint.name,
            "kind": kind,
            "step": touchpoint.step,
            "touchpoints": [touchpoint.id],
        }
        return [AddItem(Target("journeys", journey.id, interactions), value)]
    edits: list[Edit] = []
    for holder in holders:
        place = Target("journeys", journey.id, (*interactions, holder.id))
        others = [t for t in holder.touchpoints if t != touchpoint.id]
        if others:
            edits.append(
                SetField(Target(place.collection, place.item, (*place.path, "touchpoints")), others)
            )
        else:
            edits.append(RemoveItem(place))
    return edits


def new_touchpoint_edit(journey: Journey, step: str, form: Mapping[str, str]) -> Edit:
    """Add a touchpoint to ``step`` of ``journey`` (after the step's last touchpoint)."""
    value = {
        "id": form.get("id", "").strip(),
        "name": form.get("name", "").strip(),
        "step": step,
        "channel": form.get("channel", "").strip(),
    }
    index = None
    positions = [i for i, tp in enumerate(journey.touchpoints) if tp.step == step]
    if positions:
        index = positions[-1] + 1
    return AddItem(Target("journeys", journey.id, ("touchpoints",)), value, index)


def new_step_edit(journey: Journey, form: Mapping[str, str]) -> Edit:
    """Add a step at the end of ``journey``."""
    value = {
        "id": form.get("id", "").strip(),
        "name": form.get("name", "").strip(),
        "period": form.get("period", "").strip(),
    }
    return AddItem(Target("journeys", journey.id, ("steps",)), value)


def remove_edit(journey: Journey, collection: str, element: str) -> Edit:
    """Remove step or touchpoint ``element`` (``collection`` is "steps" or "touchpoints")."""
    return RemoveItem(Target("journeys", journey.id, (collection, element)))


def move_edit(journey: Journey, collection: str, element: str, direction: str) -> Edit | None:
    """Move a step, or a touchpoint within its step, one place up or down (None: already at the end).

    A touchpoint moves past the neighbouring touchpoint of the same step.
    """
    if direction not in DIRECTIONS:
        raise InputError(
            Problem(
                "unknown direction",
                Location(field="direction"),
                found=repr(direction),
                expected=" | ".join(DIRECTIONS),
            )
        )
    items: Sequence[Step | Touchpoint] = (
        journey.steps if collection == "steps" else journey.touchpoints
    )
    ids = [item.id for item in items]
    if element not in ids:
        return None
    here = ids.index(element)
    if isinstance(items[here], Touchpoint):
        step = journey.touchpoints[here].step
        places = [i for i, tp in enumerate(journey.touchpoints) if tp.step == step]
    else:
        places = list(range(len(items)))
    rank = places.index(here)
    other = rank - 1 if direction == "up" else rank + 1
    if not 0 <= other < len(places):
        return None
    return MoveItem(Target("journeys", journey.id, (collection, element)), places[other])


def field_of(target: Target | None, fields: Sequence[str]) -> str | None:
    """The form field a problem at ``target`` belongs to (None: the form as a whole)."""
    if target is None:
        return None
    parts = [p for p in target.path if isinstance(p, str)]
    if (len(parts) >= 2 and parts[-2] == "owner") or (parts and parts[-1] == "owner"):
        return "owner_team" if "owner_team" in fields else None
    for part in reversed(parts):
        if part in fields:
            return part
    return None


@dataclass
class FormProblems:
    """Problems of a rejected edit, by form field; ``general`` are the others."""

    by_field: dict[str, list[str]] = field(default_factory=dict)
    general: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.by_field or self.general)


def _message(problem: Problem) -> str:
    text = problem.message
    if problem.found:
        text += f" (found {problem.found})"
    if problem.expected:
        text += f"; expected {problem.expected}"
    if problem.hint:
        text += f". {problem.hint}"
    return text


def problems_by_field(located: Sequence[FieldProblem], fields: Sequence[str]) -> FormProblems:
    """Group the problems of an :class:`EditRejected` by the form field each is about."""
    result = FormProblems()
    for item in located:
        name = field_of(item.target, fields)
        if name is None:
            where = f"{item.target}: " if item.target else ""
            result.general.append(where + _message(item.problem))
        else:
            result.by_field.setdefault(name, []).append(_message(item.problem))
    return result


def rejected_json(exc: EditRejected) -> dict[str, Any]:
    """The body of a 422: the title and each problem with file, line and item/field."""
    return {
        "detail": exc.title,
        "problems": [
            {
                "message": p.problem.message,
                "file": p.problem.location.file,
                "line": p.problem.location.line,
                "column": p.problem.location.column,
                "field": p.problem.location.field,
                "found": p.problem.found,
                "expected": p.problem.expected,
                "hint": p.problem.hint,
                "target": str(p.target) if p.target else None,
            }
            for p in exc.located
        ],
    }


def conflict_json(exc: Conflict) -> dict[str, Any]:
    """The body of a 409: what changed and the version to reload from."""
    return {
        "detail": str(exc),
        "current_version": exc.current,
        "changes": [str(c) for c in exc.changes],
    }


#: Text fields shown as a several-line box.
LONG_TEXT = frozenset(
    {
        "description",
        "why",
        "quote",
        "day_in_the_life",
        "background",
        "finances",
        "online_behaviour",
        "statement",
        "notes",
        "definition",
        "rationale",
    }
)


def _plain(annotation: Any) -> Any:
    """``X`` of ``X | None`` and of ``Annotated[X, ...]`` (None when it is not one type)."""
    if get_origin(annotation) is Annotated:
        return _plain(get_args(annotation)[0])
    args = get_args(annotation)
    if args and get_origin(annotation) in (Union, UnionType):
        options = [a for a in args if a is not type(None)]
        return _plain(options[0]) if len(options) == 1 else None
    return annotation


def scalar_fields(model: type[BaseModel]) -> list[FormField]:
    """The scalar fields of a pydantic model (text, number, choice) as labelled inputs."""
    fields: list[FormField] = []
    for name, info in model.model_fields.items():
        if name == "id":
            continue
        annotation = _plain(info.annotation)
        label = (info.alias or name).replace("_", " ").capitalize()
        required = info.is_required()
        if isinstance(annotation, type) and issubclass(annotation, StrEnum):
            fields.append(FormField(name, label, "select", _choices(annotation), required))
        elif annotation is str:
            kind = "textarea" if name in LONG_TEXT else "text"
            fields.append(FormField(name, label, kind, required=required))
        elif annotation in (int, float):
            fields.append(FormField(name, label, "number", required=required))
    return fields


def item_values(item: BaseModel, fields: Sequence[FormField]) -> dict[str, str]:
    """The form values of ``item``'s scalar ``fields``."""
    values: dict[str, str] = {}
    for spec in fields:
        value = getattr(item, spec.name, None)
        if value is None:
            values[spec.name] = ""
        elif isinstance(value, StrEnum):
            values[spec.name] = value.value
        elif isinstance(value, float):
            values[spec.name] = f"{value:g}"
        else:
            values[spec.name] = str(value)
    return values


def item_edits(
    collection: str, item: BaseModel, fields: Sequence[FormField], form: Mapping[str, str]
) -> list[Edit]:
    """The edits that set ``item``'s scalar fields to the submitted values (changed ones only)."""
    now = item_values(item, fields)
    item_id = str(item.model_dump(include={"id"})["id"])
    edits: list[Edit] = []
    for spec in fields:
        if spec.name not in form:
            continue
        value = form[spec.name] if spec.kind == "textarea" else form[spec.name].strip()
        if value == now[spec.name]:
            continue
        key = next(
            (f.alias or n for n, f in type(item).model_fields.items() if n == spec.name), spec.name
        )
        target = Target(collection, item_id, (key,))
        if not value and not spec.required:
            edits.append(RemoveField(target))
        elif spec.kind == "number":
            edits.append(SetField(target, _number(value)))
        else:
            edits.append(SetField(target, value))
    return edits


def touchpoint_of(journey: Journey, touchpoint_id: str) -> Touchpoint:
    """The touchpoint ``touchpoint_id`` of ``journey``, or NotFound naming the known ones."""
    for touchpoint in journey.touchpoints:
        if touchpoint.id == touchpoint_id:
            return touchpoint
    known = ", ".join(t.id for t in journey.touchpoints[:10])
    raise NotFound(f"journey {journey.id!r} has no touchpoint {touchpoint_id!r} (it has: {known})")

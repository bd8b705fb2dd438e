"""The oracle of the band of visibility, for every test of a consumer-facing output.

Written independently of :mod:`cojourney.domain.visibility` (it does not call it), so
that a leak in the projection cannot hide itself from the tests:

* :func:`consumer_texts` names, by hand, the texts a consumer may see of a journey;
* :func:`backstage_texts` walks *every* string of the loaded workspace (every field of
  every collection, every journey, nested objects included) and keeps those that are
  not consumer texts. Texts that legitimately show up inside a consumer text (a role
  "Driver" inside the step "Driver arrives") and texts too short to mean anything on
  their own (``"%"``, ``"P1"``) or words of the DSV vocabulary (the values of the domain's
  enumerations: ``"customer"`` in a persona's ``consumer_roles``; the event columns a
  persona rule names: ``"channel"``) are skipped, so a hit is a real leak.
* :func:`leaks` looks for them in an output (HTML, SVG, JSON, Mermaid), raw, with HTML
  entities decoded, with JSON escapes decoded and with the markup and whitespace
  stripped (a text wrapped over several ``<tspan>`` lines still matches).

Reuse from any test (``tests/`` is on ``sys.path``)::

    from backstage import backstage_texts, leaks
    assert leaks(response.text, backstage_texts(workspace, journey_id)) == []
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterable, Iterator
from enum import Enum
from typing import Any

from pydantic import BaseModel

from cojourney.domain import Journey, Workspace

#: Texts shorter than this are not checked: "%", "P1", "day" are everyday words of any page.
MIN_LENGTH = 5

CONSUMER_VISIBLE = ("band", "consumer_only")


def strings(value: Any) -> Iterator[str]:
    """Every string inside ``value`` (models, lists, dicts), enum values left out."""
    if isinstance(value, Enum):
        return
    if isinstance(value, str):
        if value.strip():
            yield value.strip()
    elif isinstance(value, BaseModel):
        for name in type(value).model_fields:
            yield from strings(getattr(value, name))
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from strings(key)
            yield from strings(item)
    elif isinstance(value, list | tuple | set | frozenset):
        for item in value:
            yield from strings(item)


def vocabulary() -> set[str]:
    """The values of every enumeration of the domain model and the canonical event
    columns (a persona rule names ``channel`` or ``segment``), case-folded."""
    import cojourney.domain as domain
    from cojourney.events.schema import CANONICAL_COLUMNS

    return {_fold(column) for column in CANONICAL_COLUMNS} | {
        _fold(member.value)
        for item in vars(domain).values()
        if isinstance(item, type) and issubclass(item, Enum)
        for member in item
        if isinstance(member.value, str)
    }


def _journey(workspace: Workspace, journey_id: str | None) -> Journey:
    return workspace.journey(journey_id)


def consumer_texts(workspace: Workspace, journey_id: str | None = None) -> set[str]:
    """The texts a consumer may see of the journey (the oracle's own allow-list)."""
    journey = _journey(workspace, journey_id)
    info = workspace.workspace
    texts = {info.id, info.name, info.time_zone, journey.id, journey.name}
    for step in journey.steps:
        texts |= {step.id, step.name, *step.customer_does, *step.customer_thinks}
        texts |= {*step.customer_feels, *step.customer_asks}
        if step.customer_goal:
            texts.add(step.customer_goal)
    deliveries = [d for step in journey.steps for d in step.offerings]
    for tp in journey.touchpoints:
        if tp.visibility.value in CONSUMER_VISIBLE:
            texts |= {tp.id, tp.name, tp.step}
            if tp.customer_action:
                texts.add(tp.customer_action)
            deliveries += tp.offerings
    # what the steps and consumer-facing touchpoints deliver: the offering's name and the
    # goods, access to resources and service actions named there (never its target group,
    # price, partners, or a part named only backstage)
    names = {o.id: o.name for o in workspace.offerings}
    for d in deliveries:
        texts |= {d.offering, names.get(d.offering, d.offering)}
        texts |= {*d.goods, *d.access_to_resources, *d.service_actions}
    for ix in journey.interactions:
        if ix.visibility.value in CONSUMER_VISIBLE:
            texts |= {ix.id, ix.name, *ix.consumer_resources}
    return {t.strip() for t in texts if t and t.strip()}


def consumer_touchpoint_names(workspace: Workspace, journey_id: str | None = None) -> list[str]:
    """Names of the touchpoints a consumer meets: what a consumer output must still show."""
    journey = _journey(workspace, journey_id)
    return [tp.name for tp in journey.touchpoints if tp.visibility.value in CONSUMER_VISIBLE]


def backstage_texts(workspace: Workspace, journey_id: str | None = None) -> set[str]:
    """Every text of ``workspace`` a consumer of the journey must never see.

    All strings of the workspace minus :func:`consumer_texts`, without those that occur
    inside a consumer text (they would show legitimately), words of the domain's
    :func:`vocabulary` and texts shorter than :data:`MIN_LENGTH`. Numbers (targets, influence levels) are not texts and are not
    covered here.
    """
    safe = consumer_texts(workspace, journey_id)
    safe_folded = [_fold(t) for t in safe]
    words = vocabulary()
    hidden = set()
    for text in set(strings(workspace)) - safe:
        folded = _fold(text)
        if len(folded) < MIN_LENGTH or folded in words or any(folded in s for s in safe_folded):
            continue
        hidden.add(text)
    return hidden


def _fold(text: str) -> str:
    """Lower case, no whitespace: how texts are compared."""
    return re.sub(r"\s+", "", text).casefold()


def haystacks(output: str | bytes) -> list[str]:
    """The forms an output is searched in: raw, entities decoded, JSON escapes decoded,
    and case-folded without whitespace (with the markup cut out, and as it is)."""
    text = output.decode("utf-8") if isinstance(output, bytes) else output
    unescaped = html.unescape(text)
    unjson = re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), unescaped).replace(
        '\\"', '"'
    )
    # the lines of one wrapped SVG text join up; any other element boundary separates
    joined = re.sub(r"</tspan>\s*<tspan[^>]*>", "", unjson)
    stripped = re.sub(r"<[^>]*>", "|", joined)
    return [text, unescaped, unjson, _fold(stripped), _fold(unjson)]


def leaks(output: str | bytes, hidden: Iterable[str]) -> list[str]:
    """The ``hidden`` texts that appear in ``output`` (empty: no leak)."""
    forms = haystacks(output)
    found = []
    for text in hidden:
        folded = _fold(text)
        if any(text in form for form in forms[:3]) or any(folded in form for form in forms[3:]):
            found.append(text)
    return sorted(found)


def json_texts(payload: Any) -> str:
    """A JSON payload as one string to search (for API responses)."""
    return json.dumps(payload, ensure_ascii=False)

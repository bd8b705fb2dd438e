"""OCEL 2.0 XML (``.xmlocel``): the same log as OCEL 2.0 JSON, read into the OCEL reader's form.

The layout (ocel-standard.org, and what PM4Py writes)::

    <log>
      <object-types><object-type name="Order"><attributes>
        <attribute name="price" type="float"/></attributes></object-type></object-types>
      <event-types><event-type name="place order"><attributes>...</attributes></event-type>
      </event-types>
      <objects><object id="o1" type="Order">
        <attributes><attribute name="price" time="1970-01-01T00:00:00Z">9.5</attribute></attributes>
        <objects><relationship object-id="i1" qualifier="contains"/></objects></object></objects>
      <events><event id="e1" type="place order" time="2023-01-01T09:00:00Z">
        <attributes><attribute name="channel">web</attribute></attributes>
        <objects><relationship object-id="o1" qualifier="order"/></objects></event></events>
    </log>

Any child of an event's ``<objects>`` with an ``object-id`` is a relation (the XSD
names it ``<object>``, PM4Py ``<relationship>``). The file goes through the input
caps (size, gzip expansion); a DOCTYPE declaring entities is refused.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cojourney.errors import ImportRejected, Problem, location_in
from cojourney.events.readers._input import input_blocks

if TYPE_CHECKING:  # pragma: no cover
    from cojourney.events.readers.ocel import _Log

__all__ = ["load_xml"]


def _parse(path: Path) -> ET.Element:
    parser = ET.XMLParser()
    head = b""
    try:
        for block in input_blocks(path):
            if len(head) < 1 << 16:
                head += block[: (1 << 16) - len(head)]
                if b"<!ENTITY" in head:
                    raise ImportRejected(
                        Problem(
                            "the OCEL XML file declares an XML entity, which is not allowed",
                            location_in(path, head[: head.find(b"<!ENTITY")].count(b"\n") + 1),
                            hint="remove the DOCTYPE and its entities (entities can expand a "
                            "small file into gigabytes)",
                        ),
                        title=f"the OCEL file {path.name} was refused",
                    )
            parser.feed(block)
        return parser.close()
    except ET.ParseError as exc:
        line, column = exc.position
        raise ImportRejected(
            Problem(
                f"the XML is malformed: {exc}",
                location_in(path, line, column + 1),
                hint="fix the XML at this place, or export the log again",
            ),
            title=f"the OCEL file {path.name} was refused",
        ) from None


def load_xml(path: Path) -> _Log:
    """An OCEL 2.0 XML file as the OCEL reader's plain columns."""
    from cojourney.events.readers.ocel import _OCEL_TYPES, _earliest, _Log, _reject

    root = _parse(path)
    if root.tag != "log" or root.find("events") is None:
        raise _reject(
            path,
            "this XML is not an OCEL 2.0 log",
            found=f"<{root.tag}>",
            expected="<log> with <object-types>, <event-types>, <objects> and <events>",
            hint="export the log as OCEL 2.0 XML, JSON or SQLite",
        )

    def kind(attribute: ET.Element) -> str:
        return _OCEL_TYPES.get(str(attribute.get("type")).lower(), "string")

    out = _Log("OCEL 2.0 XML")
    for etype in root.iterfind("event-types/event-type"):
        for attr in etype.iterfind("attributes/attribute"):
            out.declare(str(attr.get("name")), kind(attr))
    declared = {
        str(otype.get("name")): {
            str(a.get("name")): kind(a) for a in otype.iterfind("attributes/attribute")
        }
        for otype in root.iterfind("object-types/object-type")
    }
    out.declared_object_types = list(declared)
    for event in root.iterfind("events/event"):
        eid = str(event.get("id"))
        out.event_ids.append(eid)
        out.event_types.append(event.get("type"))
        out.event_times.append(event.get("time"))
        out.event_attrs.append(
            {str(a.get("name")): a.text for a in event.iterfind("attributes/attribute")}
        )
        for rel in event.iterfind("objects/*"):
            oid = rel.get("object-id")
            if oid is not None:
                out.rel_events.append(eid)
                out.rel_objects.append(oid)
                out.rel_qualifiers.append(rel.get("qualifier"))
    for obj in root.iterfind("objects/object"):
        oid, otype = str(obj.get("id")), str(obj.get("type"))
        out.object_type[oid] = otype
        ids, values, types = out.object_attrs.setdefault(
            otype, ([], {}, dict(declared.get(otype, {})))
        )
        changes: list[dict[str, Any]] = [
            {"name": a.get("name"), "time": a.get("time"), "value": a.text}
            for a in obj.iterfind("attributes/attribute")
        ]
        initial = _earliest(changes)
        for name in initial:
            if name not in values:
                values[name] = [None] * len(ids)
                types.setdefault(name, "string")
        ids.append(oid)
        for name, column in values.items():
            column.append(initial.get(name))
    return out

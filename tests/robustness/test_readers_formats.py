"""Readers and writers of the process-mining formats on the inputs real exports give:
XES with text timestamps, OCEL 2.0 JSON named .json, OCEL 2.0 XML, XES dates that other
tools read back (checked with lxml, an independent XML parser)."""

from __future__ import annotations

import json
import re
import shutil
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pytest
from lxml import etree

from cojourney.errors import ImportRejected
from cojourney.events.readers import ReadOptions, read_events
from cojourney.events.readers.ocel import read_ocel
from cojourney.events.schema import ColumnMapping
from cojourney.events.writers.xes import write_xes

DATA = Path(__file__).resolve().parents[1] / "data"
TINY_OCEL = DATA / "ocel" / "tiny.jsonocel"


def xes(tmp_path: Path, stamps: list[str], name: str = "log.xes") -> Path:
    events = "".join(
        f'<event><string key="concept:name" value="a{i}"/>'
        f'<string key="time:timestamp" value="{stamp}"/></event>\n'
        for i, stamp in enumerate(stamps)
    )
    path = tmp_path / name
    path.write_text(
        f'<log xes.version="1849-2016">\n<trace><string key="concept:name" value="t1"/>\n'
        f"{events}</trace>\n</log>\n"
    )
    return path


def read(path: Path, mapping: ColumnMapping | None = None, **options: object) -> pa.Table:
    return pa.Table.from_batches(
        list(read_events(path, mapping, options=ReadOptions(**options)))  # type: ignore[arg-type]
    )


def test_xes_text_timestamps_are_read_with_the_mappings_format(tmp_path: Path) -> None:
    """``2019/11/03 01:11:19.000`` (as some exporters write) is not ISO 8601: the column
    stays text and the mapping's format reads it; a day-first text needs the format."""
    path = xes(tmp_path, ["2019/11/03 01:11:19.000", "2019/11/03 01:12:20.500"])
    table = read(path, ColumnMapping(timestamp_format="%Y/%m/%d %H:%M:%S.%f"))
    assert table["timestamp"].to_pylist() == [
        datetime(2019, 11, 3, 1, 11, 19, tzinfo=UTC),
        datetime(2019, 11, 3, 1, 12, 20, 500_000, tzinfo=UTC),
    ]
    day_first = xes(tmp_path, ["03.11.2019 01:11:19", "03.11.2019 01:12:20"], "day-first.xes")
    with pytest.raises(ImportRejected) as caught:
        read(day_first)
    assert {p.location.line for p in caught.value.problems} == {3, 4}  # located, not a crash
    table = read(day_first, ColumnMapping(timestamp_format="%d.%m.%Y %H:%M:%S"))
    assert table["timestamp"][1].as_py() == datetime(2019, 11, 3, 1, 12, 20, tzinfo=UTC)


def test_skipping_incomplete_rows_skips_unreadable_xes_timestamps(tmp_path: Path) -> None:
    path = xes(tmp_path, ["2019-11-03T01:11:19Z", "?", "2019-11-03T01:13:00Z"])
    table = read(path, skip_incomplete=True)
    assert table["activity"].to_pylist() == ["a0", "a2"]
    with pytest.raises(ImportRejected) as caught:
        read(path)
    (problem,) = caught.value.problems
    assert problem.location.line == 4 and problem.found == "'?'"


def ocel_json_as_xml(doc: dict, path: Path) -> None:
    """The OCEL 2.0 JSON document written as OCEL 2.0 XML (the standard's element names)."""
    root = ET.Element("log")
    for section, tag in (("objectTypes", "object-type"), ("eventTypes", "event-type")):
        types = ET.SubElement(root, tag + "s")
        for t in doc[section]:
            node = ET.SubElement(types, tag, name=t["name"])
            attrs = ET.SubElement(node, "attributes")
            for a in t["attributes"]:
                ET.SubElement(attrs, "attribute", name=a["name"], type=a["type"])
    objects = ET.SubElement(root, "objects")
    for o in doc["objects"]:
        node = ET.SubElement(objects, "object", id=o["id"], type=o["type"])
        attrs = ET.SubElement(node, "attributes")
        for a in o.get("attributes", []):
            ET.SubElement(attrs, "attribute", name=a["name"], time=a["time"]).text = str(a["value"])
    events = ET.SubElement(root, "events")
    for e in doc["events"]:
        node = ET.SubElement(events, "event", id=e["id"], type=e["type"], time=e["time"])
        attrs = ET.SubElement(node, "attributes")
        for a in e.get("attributes", []):
            ET.SubElement(attrs, "attribute", name=a["name"]).text = str(a["value"])
        rels = ET.SubElement(node, "objects")
        for r in e["relationships"]:
            ET.SubElement(
                rels, "relationship", {"object-id": r["objectId"]}, qualifier=r["qualifier"]
            )
    ET.ElementTree(root).write(path, encoding="utf-8", xml_declaration=True)


@pytest.mark.parametrize("object_type", ["customer", "order"])
def test_ocel_json_named_json_and_ocel_xml_read_the_same(tmp_path: Path, object_type: str) -> None:
    as_json = tmp_path / "log.json"
    shutil.copy(TINY_OCEL, as_json)
    as_xml = tmp_path / "log.xmlocel"
    ocel_json_as_xml(json.loads(TINY_OCEL.read_text()), as_xml)
    expected = pa.Table.from_batches(list(read_ocel(TINY_OCEL, object_type=object_type)))
    assert expected.num_rows > 0
    for path in (as_json, as_xml):
        got = pa.Table.from_batches(list(read_ocel(path, object_type=object_type)))
        assert got.to_pylist() == expected.to_pylist(), path.suffix
        canonical = read(path, object_type=object_type)
        assert canonical.num_rows == expected.num_rows


_XS_DATETIME = re.compile(r"^-?\d{4,}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")


def test_xes_export_writes_dates_as_xs_datetime_that_read_back(tmp_path: Path) -> None:
    source = tmp_path / "in.xes"
    source.write_text(
        '<log xes.version="1849-2016">\n<trace><string key="concept:name" value="t1"/>\n'
        '<date key="signup" value="2023-05-06T00:00:00+02:00"/>\n'
        '<event><string key="concept:name" value="a"/>'
        '<date key="time:timestamp" value="2024-01-01T10:00:00.250+01:00"/>'
        '<date key="due" value="2024-02-01T12:00:00Z"/></event>\n'
        "</trace>\n</log>\n"
    )
    canonical = read(source)  # date attributes now live in the attributes JSON
    out = tmp_path / "out.xes"
    write_xes(canonical, out)
    tree = etree.parse(str(out))  # libxml2: an independent parse
    ns = {"x": "http://www.xes-standard.org/"}
    dates = {d.get("key"): d.get("value") for d in tree.iterfind(".//x:date", ns)}
    assert set(dates) == {"time:timestamp", "due", "signup"}
    for key, value in dates.items():
        assert _XS_DATETIME.match(value), (key, value)
        datetime.fromisoformat(value)
    assert datetime.fromisoformat(dates["due"]) == datetime(2024, 2, 1, 12, tzinfo=UTC)
    assert datetime.fromisoformat(dates["signup"]) == datetime(2023, 5, 5, 22, tzinfo=UTC)
    back = read(out)
    assert back["timestamp"].to_pylist() == canonical["timestamp"].to_pylist()
    attributes = json.loads(back["attributes"][0].as_py())
    assert attributes["due"].startswith("2024-02-01 12:00:00")  # a date again, not text

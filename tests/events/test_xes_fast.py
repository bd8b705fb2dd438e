"""The XES reader's columnar fast path gives exactly what the expat parser gives.

Every case is read twice, ``fast=True`` and ``fast=False`` (expat only), and the
batches compared; the log record says which path read the file, so a case meant for
the fast path fails when it silently falls back to expat.
"""

from __future__ import annotations

import gzip
import logging
from pathlib import Path

import pyarrow as pa
import pytest

from cojourney.errors import ImportRejected
from cojourney.events.readers.xes import read_xes

LOGGER = "cojourney.events.readers.xes"
HEAD = (
    '<?xml version="1.0" encoding="UTF-8" ?>\n'
    "<!-- written one element per line -->\n"
    '<log xes.version="1.0" xmlns="http://www.xes-standard.org/">\n'
    '\t<extension name="Concept" prefix="concept" uri="http://www.xes-standard.org/concept.xesext"/>\n'
    '\t<global scope="event">\n\t\t<string key="concept:name" value="UNKNOWN"/>\n\t</global>\n'
    '\t<classifier name="Activity classifier" keys="concept:name lifecycle:transition"/>\n'
    '\t<float key="meta" value="1.5">\n\t\t<float key="nested" value="2"/>\n\t</float>\n'
)


def trace(case: str, *events: list[str], attrs: tuple[str, ...] = ()) -> str:
    lines = ["\t<trace>", f'\t\t<string key="concept:name" value="{case}"/>', *attrs]
    for attributes in events:
        lines += ["\t\t<event>", *(f"\t\t\t{a}" for a in attributes), "\t\t</event>"]
    return "\n".join([*lines, "\t</trace>"]) + "\n"


def event(activity: str, second: int, *more: str) -> list[str]:
    return [
        f'<string key="concept:name" value="{activity}"/>',
        f'<date key="time:timestamp" value="2024-01-01T00:00:{second:02d}+01:00"/>',
        *more,
    ]


def write(tmp_path: Path, body: str, name: str = "log.xes", newline: str = "\n") -> Path:
    path = tmp_path / name
    text = (HEAD + body + "</log>\n").replace("\n", newline)
    data = text.encode("utf-8")
    path.write_bytes(gzip.compress(data) if name.endswith(".gz") else data)
    return path


def both(path: Path, caplog: pytest.LogCaptureFixture, **kw: object) -> tuple[pa.Table, bool]:
    """The table read both ways (asserted equal), and whether the fast path read it."""
    caplog.clear()
    with caplog.at_level(logging.DEBUG, logger=LOGGER):
        fast = list(read_xes(path, **kw))  # type: ignore[arg-type]
    fell_back = any("read with expat" in r.getMessage() for r in caplog.records)
    slow = list(read_xes(path, fast=False, **kw))  # type: ignore[arg-type]
    assert [b.num_rows for b in fast] == [b.num_rows for b in slow]
    assert len({b.schema for b in fast}) == 1
    table = pa.Table.from_batches(fast)
    assert table.equals(pa.Table.from_batches(slow))
    return table, not fell_back


def test_usual_layout_is_read_as_columns(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    body = trace(
        "c1",
        event("a", 1, '<int key="n" value="3"/>'),
        event("b", 2, '<string key="org:resource" value="R&amp;D &lt;1&gt; &quot;x&quot;"/>'),
        attrs=('\t\t<boolean key="vip" value="true"/>',),
    )
    body += "\n" + trace("c2", event("a", 3, '<float key="n" value="1.5"/>'), event("c", 4))
    body += trace("c3")  # a trace without events
    table, fast = both(write(tmp_path, body), caplog)
    assert fast
    assert table.column("case:concept:name").to_pylist() == ["c1", "c1", "c2", "c2"]
    assert table.column("org:resource").to_pylist() == [None, 'R&D <1> "x"', None, None]
    assert table.column("n").to_pylist() == [3.0, None, 1.5, None]  # int and float: float
    assert table.column("case:vip").to_pylist() == [True, True, None, None]
    lines = (HEAD + body).splitlines()
    assert table.column("source_line").to_pylist() == [
        i for i, line in enumerate(lines, start=1) if line.strip() == "<event>"
    ]


def test_gzip_crlf_and_small_chunks_match(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    body = "".join(
        trace(f"c{i}", *[event(f"a{j}", j) for j in range(i % 4 + 1)]) for i in range(30)
    )
    for name, newline in (("log.xes.gz", "\n"), ("crlf.xes", "\r\n")):
        for rows in (1, 5, 1000):
            table, fast = both(write(tmp_path, body, name, newline), caplog, chunk_rows=rows)
            assert fast
            assert table.num_rows == sum(i % 4 + 1 for i in range(30))


def test_classifier_declared_in_the_head(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    body = trace("c", event("a", 1, '<string key="lifecycle:transition" value="start"/>'))
    table, fast = both(write(tmp_path, body), caplog, classifier="Activity classifier")
    assert fast
    assert table.column("concept:name").to_pylist() == ["a+start"]


def test_last_value_of_a_repeated_key_wins(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    body = trace("c", event("a", 1, '<string key="x" value="1"/>', '<string key="x" value="2"/>'))
    table, fast = both(write(tmp_path, body), caplog)
    assert fast
    assert table.column("x").to_pylist() == ["2"]


@pytest.mark.parametrize(
    "odd",
    [
        '<string value="v" key="x"/>',  # value before key
        "<string key='x' value='v'/>",  # single quotes
        '<string key="x" value="a\tb"/>',  # a tab: expat makes it a space
        '<string key="x" value="&#65;"/>',  # a character reference
        '<list key="l">\n<string key="x" value="v"/>\n</list>',  # a nested list
        '<string key="x" value="v"/><string key="y" value="w"/>',  # two on a line
        "<!-- a comment among the events -->",
    ],
)
def test_other_layouts_fall_back_to_expat(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, odd: str
) -> None:
    body = trace("c", event("a", 1, odd), event("b", 2))
    _, fast = both(write(tmp_path, body), caplog)
    assert not fast


def test_problems_are_reported_as_expat_reports_them(tmp_path: Path) -> None:
    body = trace("c", event("a", 1)) + "\t<trace>\n\t\t<event>\n\t\t</event>\n\t</trace>\n"
    path = write(tmp_path, body)
    messages = []
    for fast in (True, False):
        with pytest.raises(ImportRejected) as caught:
            list(read_xes(path, fast=fast))
        messages.append(str(caught.value))
    assert messages[0] == messages[1]
    assert "no concept:name" in messages[0]


@pytest.mark.parametrize("cut", ["</log>\n", "\t</trace>\n</log>\n"])
def test_truncated_file_is_refused_with_expat_position(tmp_path: Path, cut: str) -> None:
    path = write(tmp_path, trace("c", event("a", 1)) + trace("d", event("b", 2)))
    path.write_text(path.read_text(encoding="utf-8").removesuffix(cut), encoding="utf-8")
    messages = []
    for fast in (True, False):
        with pytest.raises(ImportRejected) as caught:
            list(read_xes(path, fast=fast))
        messages.append(str(caught.value))
    assert messages[0] == messages[1]
    assert "malformed" in messages[0]


@pytest.mark.shared_data
def test_real_logs_fast_and_expat_agree(
    shared_data: Path, caplog: pytest.LogCaptureFixture
) -> None:
    logs = sorted((shared_data / "logs").glob("*.xes*"))
    small = [p for p in logs if p.stat().st_size < 400_000]
    if not small:
        pytest.skip(f"no XES log in {shared_data}")
    for path in small:
        table, fast = both(path, caplog, chunk_rows=500)
        assert fast, path.name
        assert table.num_rows > 0

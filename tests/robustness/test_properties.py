"""Whatever file a user throws at ``cojourney import`` and ``cojourney validate``, the
answer is a result or a clear error: exit 0, or exit 2/3/4 with a message that starts
with "Error", and never a traceback.

Generated CSV, JSON Lines and YAML go through :func:`cojourney.cli.main.main`, the
CLI's own entry point, with its output captured. Bounded (a few dozen examples, no
deadline) so the module runs in about a minute.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cojourney.cli.main import main
from cojourney.services.workspaces import init_workspace

EXAMPLES = settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

#: Column names: the XES defaults, plausible others, and awkward ones.
COLUMNS = st.sampled_from(
    ["case:concept:name", "concept:name", "time:timestamp", "id", "act", "at", "", " ", "a,b"]
)
#: Cell texts: timestamps that parse, texts that do not, and hostile characters.
CELLS = st.one_of(
    st.datetimes().map(lambda d: d.isoformat(sep=" ")),
    st.sampled_from(["", "NA", "search", "sign-up", "01/02/2024", "2024-13-45", '"', "\\"]),
    st.text(max_size=12),
)


@contextlib.contextmanager
def workspace() -> Iterator[Path]:
    """A fresh workspace per example: no example sees another's store or mappings."""
    folder = Path(tempfile.mkdtemp(prefix="cojourney-prop-"))
    try:
        init_workspace(folder / "ws")
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def run(*args: str | Path) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main([str(a) for a in args])
    return code, out.getvalue() + err.getvalue()


def assert_clear(code: int, output: str) -> None:
    assert "Traceback" not in output, output
    if code != 0:
        assert code in (2, 3, 4), f"exit {code}:\n{output}"
        assert any(line.startswith("Error") for line in output.splitlines()), output


@st.composite
def csv_files(draw: st.DrawFn) -> tuple[bytes, list[str]]:
    """CSV bytes (well-formed or not) and the column flags of the import."""
    header = draw(st.lists(COLUMNS, min_size=1, max_size=5))
    rows = draw(st.lists(st.lists(CELLS, min_size=0, max_size=6), max_size=6))
    if draw(st.booleans()):
        buffer = io.StringIO()
        writer = csv.writer(buffer, delimiter=draw(st.sampled_from([",", ";", "\t"])))
        writer.writerow(header)
        writer.writerows(rows)
        text = buffer.getvalue()
    else:  # no quoting at all: ragged rows, stray quotes, embedded separators
        text = "\n".join(",".join(row) for row in [header, *rows])
    encoding = draw(st.sampled_from(["utf-8", "utf-16", "latin-1"]))
    data = text.encode(encoding, errors="replace")
    flags: list[str] = []
    for flag in ("--case", "--activity", "--timestamp"):
        if draw(st.booleans()):
            flags += [flag, draw(st.sampled_from(header))]
    if draw(st.booleans()):
        flags += ["--on-error", "skip"]
    return data, flags


@EXAMPLES
@given(csv_files())
def test_import_csv_gives_a_result_or_a_clear_error(case: tuple[bytes, list[str]]) -> None:
    data, flags = case
    with workspace() as folder:
        log = folder / "log.csv"
        log.write_bytes(data)
        assert_clear(*run("import", folder / "ws", log, *flags))


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8) | CELLS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner),
    max_leaves=6,
)


@st.composite
def jsonl_files(draw: st.DrawFn) -> str:
    lines = []
    for _ in range(draw(st.integers(0, 5))):
        if draw(st.integers(0, 9)) == 0:
            lines.append(draw(st.text(max_size=20)))  # not JSON at all
        else:
            keys = draw(st.lists(COLUMNS, max_size=4))
            lines.append(json.dumps({k: draw(JSON_VALUES) for k in keys}))
    return "\n".join(lines)


@EXAMPLES
@given(jsonl_files(), st.booleans())
def test_import_json_lines_gives_a_result_or_a_clear_error(text: str, feedback: bool) -> None:
    with workspace() as folder:
        log = folder / "log.jsonl"
        log.write_text(text, encoding="utf-8")
        kind = ["--kind", "feedback"] if feedback else []
        assert_clear(*run("import", folder / "ws", log, *kind))


YAML_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=10),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(
            st.sampled_from(["id", "name", "journeys", "steps", "touchpoints", "step", "workspace"])
            | st.text(max_size=6),
            inner,
            max_size=4,
        )
    ),
    max_leaves=10,
)


@st.composite
def yaml_texts(draw: st.DrawFn) -> str:
    if draw(st.integers(0, 4)) == 0:
        return draw(st.text(max_size=60))  # anything, YAML or not
    return yaml.safe_dump(draw(YAML_VALUES), allow_unicode=draw(st.booleans()))


@settings(EXAMPLES, max_examples=40)
@given(yaml_texts(), st.sampled_from(["workspace.yaml", "journeys/main-journey.yaml", "x.yaml"]))
def test_validate_gives_a_result_or_a_clear_error(text: str, name: str) -> None:
    with workspace() as folder:
        path = folder / "ws" / name
        path.write_text(text, encoding="utf-8")
        assert_clear(*run("validate", folder / "ws"))
        assert_clear(*run("validate", path))
        code, output = run("validate", folder / "ws", "--json", "-")
        assert code in (0, 2) and "Traceback" not in output


@pytest.mark.parametrize(
    "data",
    [b"", b"\xff\xfe\x00", b"case:concept:name\n", b'"unclosed\n1,2,3\n', b"\x00\x00\x00"],
)
def test_import_of_degenerate_files(data: bytes) -> None:
    with workspace() as folder:
        log = folder / "log.csv"
        log.write_bytes(data)
        assert_clear(*run("import", folder / "ws", log))

"""Checks of CSV and JSON Lines files before DuckDB reads them, and DuckDB's errors explained.

Used by :mod:`cojourney.events.readers.tabular`. Each check names the real cause
and the place: the encoding and byte offset, a header without rows, a duplicate or
over-long column name, the line nesting JSON too deep, the line of malformed JSON
(1-based), the line with more or fewer fields than the header.
"""

from __future__ import annotations

import codecs
import csv
import json
import logging
import re
from contextlib import ExitStack
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from cojourney.errors import ImportRejected, Problem, location_in
from cojourney.events.readers._input import decompressed_copy, sniff_text, temp_file
from cojourney.events.readers.base import ReadOptions
from cojourney.settings import current_settings

if TYPE_CHECKING:  # pragma: no cover
    pass

log = logging.getLogger(__name__)

#: Python codec name -> DuckDB ``read_csv`` encoding, for the encodings DuckDB reads itself.
NATIVE_ENCODINGS = {
    "utf-8": "utf-8",
    "utf-8-sig": "utf-8",
    "iso8859-1": "latin-1",
    "utf-16": "utf-16",
}
_WHAT = {"csv": "CSV", "jsonl": "JSON Lines"}


def codec_name(encoding: str) -> str:
    """The Python codec name of ``encoding``; refused when unknown."""
    try:
        return codecs.lookup(encoding).name
    except LookupError as exc:
        raise ImportRejected(
            Problem(
                "unknown text encoding",
                location_in(None, field="encoding"),
                found=encoding,
                expected="a Python codec name such as utf-8, latin-1, cp1252, utf-16",
                hint="correct the encoding",
            )
        ) from exc


def text_input(
    path: Path, fmt: str, options: ReadOptions, stack: ExitStack
) -> tuple[Path, ReadOptions]:
    """The file DuckDB should read for ``path`` (expanded, transcoded when needed) and the
    options with the encoding it has. Every check of :mod:`._input` applies."""
    codec_name(options.encoding)
    suffix = ".csv" if fmt == "csv" else ".jsonl"
    file = stack.enter_context(decompressed_copy(path, suffix))
    check = sniff_text(file, options.encoding, what=_WHAT[fmt], shown=path)
    if fmt == "jsonl":
        if check.encoding != "utf-8":  # DuckDB's JSON reader takes UTF-8 without a BOM
            file = transcoded(path, file, check.encoding, stack)
        check_json_lines(path, file)
        return file, replace(options, encoding="utf-8")
    if check.encoding not in NATIVE_ENCODINGS:
        file = transcoded(path, file, check.encoding, stack)
        return file, replace(options, encoding="utf-8")
    return file, replace(options, encoding=check.encoding)


def transcoded(path: Path, file: Path, codec: str, stack: ExitStack) -> Path:
    """A temporary UTF-8 copy (without a byte-order mark) of ``file``, read as ``codec``."""
    target = stack.enter_context(temp_file("transcoded", file.suffix))
    log.info("transcoding %s from %s to UTF-8", path, codec)
    line = 1
    try:
        with (
            open(file, encoding=codec, newline="") as src,
            open(target, "w", encoding="utf-8", newline="") as dst,
        ):
            while chunk := src.read(1 << 20):
                dst.write(chunk)
                line += chunk.count("\n")
    except UnicodeDecodeError as exc:
        raise ImportRejected(
            Problem(
                f"the file is not valid {codec}: {exc.reason}",
                location_in(path, line=line),
                found=f"byte 0x{exc.object[exc.start]:02x} near line {line}",
                hint="give the file's real encoding (encoding, e.g. latin-1 or cp1252)",
            )
        ) from None
    return target


# --------------------------------------------------------------------------- CSV


def header_names(file: Path, delimiter: str, quote: str, encoding: str, path: Path) -> list[str]:
    """The header's column names (empty ones become ``column<i>``), checked.

    Refused: an empty file, a name longer than ``max_value_chars``, a name given to
    two columns. (A header without rows is read as no events: the caller decides.)
    """
    codec = codec_name(encoding)
    codec = "utf-8-sig" if codec == "utf-8" else codec
    limit = current_settings().max_value_chars
    with open(file, encoding=codec, newline="", errors="replace") as f:
        reader = csv.reader(f, delimiter=delimiter, quotechar=quote)
        header = next(reader, None)
    if not header:
        raise ImportRejected(
            Problem(
                "the file is empty: a header line is expected",
                location_in(path, line=1),
                hint="the first line must name the columns",
            )
        )
    problems: list[Problem] = []
    first_seen: dict[str, int] = {}
    names: list[str] = []
    for i, raw in enumerate(header, start=1):
        if len(raw) > limit:
            problems.append(
                Problem(
                    f"the name of column {i} is {len(raw):,} characters long",
                    location_in(path, line=1, field=raw[:40] + "..."),
                    expected=f"at most {limit:,} characters (the setting max_value_chars)",
                    hint="check the separator (sep) and the line endings: the header line "
                    "seems not to be split into columns",
                )
            )
        elif raw and raw in first_seen:
            problems.append(
                Problem(
                    f"two columns are named {raw!r} (columns {first_seen[raw]} and {i})",
                    location_in(path, line=1, field=raw),
                    expected="a different name for every column",
                    hint="rename one of them in the header, so that it is clear which one to use",
                )
            )
        first_seen.setdefault(raw, i)
        name = raw or f"column{i - 1}"
        while not raw and (name in header or name in names):  # a generated name taken
            name += "_"
        names.append(name)
    if problems:
        raise ImportRejected(problems, title=f"{path}: the header cannot be used")
    return names


def no_rows(path: Path, message: str) -> ImportRejected:
    """The error for a file without events: nothing is imported, nothing recorded."""
    return ImportRejected(
        Problem(
            message,
            location_in(path),
            expected="at least one event",
            hint="check that the export is complete (the right period, a filter that "
            "matched nothing?)",
        )
    )


# --------------------------------------------------------------------------- JSON Lines

_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"')
_BRACKET = re.compile(rb"[\[\]{}]")


def json_depth(line: bytes) -> int:
    """The deepest nesting of objects and arrays on one JSON line (strings ignored)."""
    depth = deepest = 0
    for match in _BRACKET.finditer(_STRING.sub(b'""', line)):
        if match.group() in (b"[", b"{"):
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return deepest


#: Longest JSON Lines line read (DuckDB's own limit on one object is smaller).
MAX_JSON_LINE = 1 << 26
_JSON_BLOCK = 1 << 24


def check_json_lines(path: Path, file: Path) -> None:
    """Refuse a JSON Lines file without any object, or with a line nested too deep.

    A line nested deeper than ``json_max_depth`` could crash a JSON parser. Lines
    are screened in blocks by counting their opening brackets; only a line with more
    than ``json_max_depth`` of them is measured exactly.
    """
    limit = current_settings().json_max_depth
    seen, first_line, rest = False, 1, b""
    with file.open("rb") as f:
        while True:
            data = f.read(_JSON_BLOCK)
            block = rest + data
            if data:
                cut = block.rfind(b"\n") + 1
                if cut == 0:
                    if len(block) > MAX_JSON_LINE:
                        raise _long_line(path, first_line)
                    rest = block
                    continue
                block, rest = block[:cut], block[cut:]
            else:
                rest = b""
            seen = seen or bool(block.strip())
            _check_depth(path, block, first_line, limit)
            first_line += block.count(b"\n")
            if not data:
                break
    if not seen:
        raise no_rows(path, "no events: the file has no JSON objects")


#: Every byte but the opening brackets and the newline (deleted to count openers per line).
_NOT_OPENERS = bytes(b for b in range(256) if b not in b"[{\n")


def _check_depth(path: Path, block: bytes, first_line: int, limit: int) -> None:
    """Measure the lines of ``block`` that open more than ``limit`` brackets."""
    allowed = limit + 1  # the event's own object, then values nested ``limit`` deep
    counts = block.translate(None, _NOT_OPENERS).split(b"\n")
    if max(map(len, counts)) <= allowed:
        return
    lines = block.split(b"\n")
    for index, openers in enumerate(counts):
        if len(openers) > allowed and (depth := json_depth(lines[index])) > allowed:
            number = first_line + index
            raise ImportRejected(
                Problem(
                    f"line {number} nests objects or arrays {depth:,} levels deep",
                    location_in(path, line=number),
                    expected=f"values nested at most {limit} levels deep inside the event's "
                    "object (the setting json_max_depth)",
                    hint="flatten the value in the export, or raise json_max_depth",
                )
            )


def _long_line(path: Path, number: int) -> ImportRejected:
    return ImportRejected(
        Problem(
            f"line {number} is longer than {MAX_JSON_LINE >> 20} MiB",
            location_in(path, line=number),
            expected="one event per line",
            hint="check that the file is JSON Lines (one object per line), not one big JSON "
            "document",
        )
    )


def malformed_json(path: Path, file: Path, reported: int | None) -> Problem | None:
    """The first line of ``file`` that is not JSON, as a problem (1-based line, column).

    DuckDB names the line after the bad one; that line and its predecessor are tried
    first, then the file from its start.
    """
    candidates = [n for n in (reported and reported - 1, reported) if n]
    lines: dict[int, bytes] = {}
    with file.open("rb") as f:
        for number, line in enumerate(f, start=1):
            if number in candidates:
                lines[number] = line
            if candidates and number >= max(candidates):
                break
    for number in candidates:
        problem = _json_problem(path, number, lines.get(number))
        if problem is not None:
            return problem
    with file.open("rb") as f:
        for number, line in enumerate(f, start=1):
            problem = _json_problem(path, number, line)
            if problem is not None:
                return problem
    return None


def _json_problem(path: Path, number: int, line: bytes | None) -> Problem | None:
    if line is None or not line.strip():
        return None
    try:
        value = json.loads(line.rstrip(b"\r\n"))
    except json.JSONDecodeError as exc:
        return Problem(
            f"line {number} is not valid JSON: {exc.msg}",
            location_in(path, line=number, column=exc.colno),
            found=_shorten(line.decode("utf-8", "replace").rstrip("\r\n")),
            expected="one JSON object per line",
            hint="fix the line (a value cut off, a missing quote or comma?)",
        )
    except UnicodeDecodeError:
        return None
    if not isinstance(value, dict):
        return Problem(
            f"line {number} is not a JSON object",
            location_in(path, line=number),
            found=_shorten(line.decode("utf-8", "replace").rstrip("\r\n")),
            expected='one JSON object per line, e.g. {"case": "1", "activity": "A", ...}',
            hint="write one event as one object",
        )
    return None


def _shorten(text: str, limit: int = 200) -> str:
    return text if len(text) <= limit else text[:limit] + f"... ({len(text):,} characters)"


# --------------------------------------------------------------------------- DuckDB's errors


def unreadable(
    path: Path,
    exc: Exception,
    *,
    file: Path | None = None,
    dialect: tuple[str, str] | None = None,
) -> ImportRejected:
    """DuckDB's error as a problem: the real cause, the line, and a fix."""
    lines = [ln.strip() for ln in str(exc).strip().splitlines()]
    lines = [ln for ln in lines if ln][:4]
    kept: list[str] = []
    for ln in lines:
        if ln.lower().startswith(("possible fixes", "possible solution", "*", "line 1:")):
            break
        kept.append(ln.removeprefix("Invalid Input Error: ").removeprefix("Conversion Error: "))
    text = " ".join(kept) or type(exc).__name__
    text = re.sub(r" Possible Solution:.*", "", text)
    line_match = re.search(r"[Ll]ine:? (\d+)", text)
    line = int(line_match.group(1)) if line_match else None
    lowered = text.lower()
    if "malformed json" in lowered and file is not None:
        problem = malformed_json(path, file, line)
        if problem is not None:
            return ImportRejected(problem)
    ragged = re.search(r"Expected Number of Columns: (\d+) Found: (\d+)", text)
    if ragged and line is not None:
        original = re.search(r"Original Line: (.*?) Expected Number", text)
        fields = int(ragged.group(2))
        if original and dialect is not None and "too many" not in lowered:
            row = next(csv.reader([original.group(1)], delimiter=dialect[0], quotechar=dialect[1]))
            fields = len(row)
        elif original and dialect is not None:
            fields = max(fields, len(next(csv.reader([original.group(1)], delimiter=dialect[0]))))
        return ImportRejected(
            Problem(
                f"line {line} has {fields} field{'' if fields == 1 else 's'} where the header "
                f"has {ragged.group(1)}",
                location_in(path, line=line),
                found=_shorten(original.group(1)) if original else None,
                expected=f"{ragged.group(1)} fields, like the header",
                hint="fix the line (a separator inside a value needs quotes), or check the "
                "separator (sep) and the quote character; importing with on-error skip "
                "sets such lines aside",
            )
        )
    if "unicode" in lowered or ("utf" in lowered and "encod" in lowered):
        return ImportRejected(
            Problem(
                "the file is not valid UTF-8 text"
                + (f" (at line {line})" if line is not None else ""),
                location_in(path, line=line),
                hint="give the file's encoding (encoding, e.g. latin-1, cp1252 or utf-16)",
            )
        )
    if "sniffing" in lowered or "dialect" in lowered:
        hint = "check that the file is CSV text; give its separator (sep) and quote character"
    elif path.name.lower().removesuffix(".gz").endswith((".csv", ".tsv", ".txt")):
        hint = (
            "check the separator (sep) and the quoting, and that every line has as many "
            "fields as the header"
        )
    else:
        hint = "check that the file is complete and of the format its suffix says"
    return ImportRejected(
        Problem(f"cannot read the file: {text}", location_in(path, line=line), hint=hint)
    )

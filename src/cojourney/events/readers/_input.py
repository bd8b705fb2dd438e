"""Input files as the readers take them: size and decompression caps, encodings, temp files.

Every reader opens its file through this module, so one set of rules holds for
every format:

* a file larger than ``input_max_bytes`` is refused before it is read;
* a gzip-compressed file (recognised by its content) is expanded block by block,
  and refused as soon as it expands beyond ``input_max_bytes``, or, past
  ``decompress_ratio_floor_bytes``, more than ``decompress_max_ratio`` times the
  compressed bytes read so far (a decompression bomb is stopped early, never
  expanded whole);
* text files are checked at their start: a UTF-8 or UTF-16 byte-order mark chooses
  the encoding, binary bytes or invalid UTF-8 are refused with the byte offset
  and line;
* temporary files and folders are named ``cojourney-<kind>-<pid>-*`` in
  ``temp_dir``, removed when the work is done or the process exits, and swept by
  the next cojourney process when a killed one left them behind.
"""

from __future__ import annotations

import atexit
import codecs
import contextlib
import gzip
import logging
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from cojourney.errors import ImportRejected, Problem, location_in
from cojourney.settings import current_settings

__all__ = [
    "GZIP_MAGIC",
    "TextCheck",
    "check_size",
    "decompressed_copy",
    "input_blocks",
    "is_gzip",
    "make_temp_dir",
    "remove_temp",
    "sniff_text",
    "sweep",
    "temp_dir",
    "temp_file",
]

log = logging.getLogger(__name__)

GZIP_MAGIC = b"\x1f\x8b"
_BLOCK = 1 << 20
#: Bytes of a text file's start checked for binary content and its encoding.
SNIFF_BYTES = 1 << 16
_PREFIX = "cojourney-"
_OURS = re.compile(r"^cojourney-[a-z]+-(\d+)-")


# --------------------------------------------------------------------------- sizes


def _mib(n: float) -> str:
    return f"{n / (1 << 20):,.1f} MiB"


def check_size(path: Path) -> None:
    """Refuse a file larger than ``input_max_bytes`` (before any of it is read)."""
    limit = current_settings().input_max_bytes
    size = path.stat().st_size
    if size > limit:
        raise ImportRejected(
            Problem(
                f"the file is larger than input_max_bytes ({_mib(limit)})",
                location_in(path),
                found=_mib(size),
                hint="import it in parts (e.g. one file per month), or raise the "
                "setting input_max_bytes",
            )
        )


def is_gzip(path: Path) -> bool:
    """Whether ``path`` starts with the gzip magic bytes."""
    with path.open("rb") as probe:
        return probe.read(2) == GZIP_MAGIC


def input_blocks(path: Path, block: int = _BLOCK) -> Iterator[bytes]:
    """The bytes of ``path``, expanded when it is gzip, in blocks, under the input caps.

    Raises
    ------
    ImportRejected
        The file is too large, expands too far (a decompression bomb), or its gzip
        stream is damaged.
    """
    check_size(path)
    if not is_gzip(path):
        with path.open("rb") as plain:
            while data := plain.read(block):
                yield data
        return
    settings = current_settings()
    limit, ratio, floor = (
        settings.input_max_bytes,
        settings.decompress_max_ratio,
        settings.decompress_ratio_floor_bytes,
    )
    expanded = 0
    with path.open("rb") as raw, gzip.GzipFile(fileobj=raw, mode="rb") as unzipped:
        while True:
            try:
                data = unzipped.read(block)
            except (OSError, EOFError) as exc:
                raise ImportRejected(
                    Problem(
                        f"the file cannot be decompressed: {exc}",
                        location_in(path),
                        hint="check that the download is complete (gzip -t FILE)",
                    )
                ) from None
            if not data:
                return
            expanded += len(data)
            consumed = max(raw.tell(), 1)
            if expanded > limit:
                raise _bomb(path, f"it expands beyond input_max_bytes ({_mib(limit)})", expanded)
            if expanded > floor and expanded > ratio * consumed:
                raise _bomb(
                    path,
                    f"it expands more than decompress_max_ratio ({ratio:g}) times "
                    f"({_mib(expanded)} from {_mib(consumed)})",
                    expanded,
                )
            yield data


def _bomb(path: Path, why: str, expanded: int) -> ImportRejected:
    return ImportRejected(
        Problem(
            f"the compressed file was refused: {why}",
            location_in(path),
            found=f"more than {_mib(expanded)} once expanded",
            hint="check the file (a decompression bomb?); if it is genuine, decompress it "
            "yourself, or raise the settings decompress_max_ratio / input_max_bytes",
        )
    )


@contextlib.contextmanager
def decompressed_copy(path: Path, suffix: str) -> Iterator[Path]:
    """``path`` itself when it is not gzip, else its expansion in a temporary file.

    The copy is checked as it is written (:func:`input_blocks`) and removed when the
    block ends.
    """
    check_size(path)
    if not is_gzip(path):
        yield path
        return
    with temp_file("gunzip", suffix) as target:
        with target.open("wb") as out:
            for data in input_blocks(path):
                out.write(data)
        yield target


# --------------------------------------------------------------------------- text


@dataclass(frozen=True, slots=True)
class TextCheck:
    """What the start of a text file says: its encoding, and whether it has a BOM."""

    encoding: str  # a Python codec name
    bom: bool


_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def sniff_text(
    path: Path, encoding: str, *, what: str = "CSV", shown: Path | None = None
) -> TextCheck:
    """Check the start of a text file and choose its encoding.

    A byte-order mark decides (UTF-8 or UTF-16; UTF-32 is refused). Without one, the
    given ``encoding`` holds; NUL bytes mean a binary file (or UTF-16 without a BOM)
    and are refused, as is invalid UTF-8 when the encoding is UTF-8, with the byte
    offset and line of the first bad byte.
    """
    with path.open("rb") as f:
        head = f.read(SNIFF_BYTES)
    path = shown or path
    for bom, name in _BOMS:
        if head.startswith(bom):
            if name == "utf-32":
                raise _encoding_problem(
                    path, "the file is UTF-32 text, which cannot be read", 0, head
                )
            return TextCheck(name, True)
    codec = codecs.lookup(encoding).name
    if codec.startswith("utf-16") or codec.startswith("utf-32"):
        return TextCheck(codec, False)
    nul = head.find(b"\x00")
    controls = sum(head.count(bytes([b])) for b in (*range(9), 11, 12, *range(14, 32)))
    if nul >= 0 and controls > max(16, len(head) // 100):
        odd = head[1::2].count(0) > len(head) // 4 or head[0::2].count(0) > len(head) // 4
        if odd:
            raise _encoding_problem(
                path,
                "the file looks like UTF-16 text without a byte-order mark",
                nul,
                head,
                hint="give its encoding (utf-16-le or utf-16-be), or save it as UTF-8",
            )
        raise _encoding_problem(
            path,
            f"the file is not text (a NUL byte): is it really a {what} file?",
            nul,
            head,
            hint=f"export the data as {what} text, or give the file the suffix of its real format",
        )
    if codec == "utf-8":
        try:
            head.decode("utf-8")
        except UnicodeDecodeError as exc:
            if exc.end < len(head) - 3 or len(head) < SNIFF_BYTES:  # not a cut sequence
                raise _encoding_problem(
                    path,
                    f"the file is not valid UTF-8 (byte 0x{head[exc.start]:02x})",
                    exc.start,
                    head,
                ) from None
    return TextCheck(codec, False)


def _encoding_problem(
    path: Path, message: str, offset: int, head: bytes, *, hint: str | None = None
) -> ImportRejected:
    line = head[:offset].count(b"\n") + 1
    return ImportRejected(
        Problem(
            message,
            location_in(path, line=line),
            found=f"at byte offset {offset} (line {line})",
            expected="UTF-8 (with or without a byte-order mark) or UTF-16 with a byte-order mark",
            hint=hint
            or "give the file's encoding (encoding, e.g. latin-1 or cp1252), or save it as UTF-8",
        )
    )


# --------------------------------------------------------------------------- temporary files

_made: set[Path] = set()
_swept: set[Path] = set()


def temp_dir() -> Path:
    """The folder of cojourney's temporary files (the setting ``temp_dir``, else the system's)."""
    configured = current_settings().temp_dir
    folder = Path(configured) if configured is not None else Path(tempfile.gettempdir())
    folder.mkdir(parents=True, exist_ok=True)
    if folder not in _swept:
        _swept.add(folder)
        sweep(folder)
    return folder


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's live process
        return True
    return True


def sweep(folder: Path) -> int:
    """Remove what killed cojourney processes left in ``folder``; returns how many."""
    removed = 0
    try:
        entries = list(folder.iterdir())
    except OSError:
        return 0
    for entry in entries:
        match = _OURS.match(entry.name)
        if match is None or _alive(int(match.group(1))):
            continue
        try:
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry)
            else:
                entry.unlink()
            removed += 1
        except OSError:
            continue
    if removed:
        log.info("removed %d temporary files left by stopped cojourney processes", removed)
    return removed


def _remove(path: Path) -> None:
    _made.discard(path)
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()


@atexit.register
def _remove_all() -> None:
    for path in list(_made):
        _remove(path)


def _name(kind: str) -> str:
    return f"{_PREFIX}{kind}-{os.getpid()}-"


@contextlib.contextmanager
def temp_file(kind: str, suffix: str = "") -> Iterator[Path]:
    """A new, empty temporary file, removed when the block ends (or the process exits)."""
    fd, name = tempfile.mkstemp(prefix=_name(kind), suffix=suffix, dir=temp_dir())
    os.close(fd)
    path = Path(name)
    _made.add(path)
    try:
        yield path
    finally:
        _remove(path)


def make_temp_dir(kind: str) -> Path:
    """A new temporary folder; the caller removes it with :func:`remove_temp`."""
    path = Path(tempfile.mkdtemp(prefix=_name(kind), dir=temp_dir()))
    _made.add(path)
    return path


def remove_temp(path: Path) -> None:
    """Remove a temporary file or folder made here."""
    _remove(path)

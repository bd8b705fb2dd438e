"""Uploads streamed to disk: a multipart body parsed as it arrives, with a size limit.

Starlette's own form parser spools files to the system's temporary folder with no
size limit, so the import page parses the body itself (python-multipart's streaming
parser): the file part goes straight to ``WORKSPACE/data/uploads/<id>/<name>``, the
other fields (the CSRF token) are kept in memory, and the upload stops as soon as it
passes ``upload_max_bytes``; then nothing is kept.
"""

from __future__ import annotations

import re
import secrets
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.requests import Request

_FIELD_MAX = 4096
_SAFE = re.compile(r"[^A-Za-z0-9._-]+")
_ID = re.compile(r"^[0-9a-f]{16}$")


class UploadTooLarge(Exception):
    """The body passed the limit; the partial file is gone."""


class UploadInvalid(Exception):
    """The body is not a multipart form with one file."""


@dataclass
class ReceivedUpload:
    """A file received to disk, and the other fields of the form."""

    upload_id: str
    path: Path | None
    fields: dict[str, str] = field(default_factory=dict)


def uploads_folder(workspace: Path) -> Path:
    """Where uploads wait for their import: ``WORKSPACE/data/uploads``."""
    return workspace / "data" / "uploads"


def safe_name(name: str) -> str:
    """A file name without folders or odd characters (its suffix kept)."""
    base = _SAFE.sub("_", Path(name.replace("\\", "/")).name).strip("._")
    return base[:120] or "upload"


def upload_path(workspace: Path, upload_id: str) -> Path | None:
    """The file of an upload, or None when there is no such upload."""
    if not _ID.match(upload_id):
        return None
    folder = uploads_folder(workspace) / upload_id
    files = sorted(folder.iterdir()) if folder.is_dir() else []
    return files[0] if files else None


def discard_upload(workspace: Path, upload_id: str) -> None:
    """Remove an upload's folder (nothing when it is gone already)."""
    if _ID.match(upload_id):
        shutil.rmtree(uploads_folder(workspace) / upload_id, ignore_errors=True)


async def receive_upload(request: Request, workspace: Path, limit: int) -> ReceivedUpload:
    """Stream a ``multipart/form-data`` body to disk, its first file part kept.

    Raises
    ------
    UploadTooLarge
        The body passed ``limit`` bytes (checked against Content-Length first).
    UploadInvalid
        Not a multipart body, or no file in it.
    """
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit + 64 * 1024:
        raise UploadTooLarge()
    content_type, params = parse_options_header(request.headers.get("content-type"))
    boundary = params.get(b"boundary")
    if content_type != b"multipart/form-data" or not boundary:
        raise UploadInvalid("the upload must be a multipart/form-data form")
    upload_id = secrets.token_hex(8)
    folder = uploads_folder(workspace) / upload_id
    received = ReceivedUpload(upload_id, None)
    part = _Part()
    out: list[IO[bytes]] = []

    def on_part_begin() -> None:
        part.reset()

    def on_header_field(data: bytes, start: int, end: int) -> None:
        part.header += data[start:end]

    def on_header_value(data: bytes, start: int, end: int) -> None:
        part.value += data[start:end]

    def on_header_end() -> None:
        part.headers[part.header.lower()] = part.value
        part.header, part.value = b"", b""

    def on_headers_finished() -> None:
        _disposition, options = parse_options_header(part.headers.get(b"content-disposition", b""))
        part.name = options.get(b"name", b"").decode("utf-8", "replace")
        filename = options.get(b"filename")
        if filename and received.path is None:
            folder.mkdir(parents=True, exist_ok=True)
            received.path = folder / safe_name(filename.decode("utf-8", "replace"))
            out.append(received.path.open("wb"))
            part.is_file = True

    def on_part_data(data: bytes, start: int, end: int) -> None:
        chunk = data[start:end]
        if part.is_file:
            part.size += len(chunk)
            if part.size > limit:
                raise UploadTooLarge()
            out[0].write(chunk)
        else:
            part.data = (part.data + chunk)[:_FIELD_MAX]

    def on_part_end() -> None:
        if part.is_file:
            out[0].close()
        else:
            received.fields[part.name] = part.data.decode("utf-8", "replace")

    parser = MultipartParser(
        boundary,
        {
            "on_part_begin": on_part_begin,
            "on_header_field": on_header_field,
            "on_header_value": on_header_value,
            "on_header_end": on_header_end,
            "on_headers_finished": on_headers_finished,
            "on_part_data": on_part_data,
            "on_part_end": on_part_end,
        },
    )
    try:
        async for chunk in request.stream():
            parser.write(chunk)
        parser.finalize()
    except UploadTooLarge:
        _cleanup(out, folder)
        raise
    except Exception as exc:
        _cleanup(out, folder)
        raise UploadInvalid(f"the form could not be read: {exc}") from None
    for handle in out:
        handle.close()
    if received.path is None:
        _cleanup(out, folder)
        raise UploadInvalid("the form has no file: choose the file to import")
    return received


@dataclass
class _Part:
    """The part being parsed: its headers, name, and whether it is the file."""

    header: bytes = b""
    value: bytes = b""
    headers: dict[bytes, bytes] = field(default_factory=dict)
    name: str = ""
    data: bytes = b""
    is_file: bool = False
    size: int = 0

    def reset(self) -> None:
        self.headers, self.name, self.data, self.is_file = {}, "", b"", False


def _cleanup(out: list[IO[bytes]], folder: Path) -> None:
    for handle in out:
        handle.close()
    shutil.rmtree(folder, ignore_errors=True)

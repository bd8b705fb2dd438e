"""The journey map in a real browser: headless Chromium takes a screenshot of the HTML page.

The PNG is read with the standard library only (struct for the header, zlib for the
pixels) to check its size and that it is not blank.
"""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
import zlib
from pathlib import Path

import pytest

from cojourney.render import render_blueprint, render_journey_map, render_stakeholder_map

pytestmark = pytest.mark.browser

WIDTH, HEIGHT = 1600, 1000


def chromium() -> str:
    path = shutil.which("chromium")
    if path is None:
        pytest.skip(
            "Debian's chromium is not installed (apt-get install chromium; "
            "'make install-test' does it)"
        )
    return path


def screenshot(page: Path, png: Path, tmp_path: Path) -> subprocess.CompletedProcess:
    profile = tmp_path / "profile"
    profile.mkdir(exist_ok=True)
    return subprocess.run(
        [
            chromium(),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={profile}",
            "--hide-scrollbars",
            f"--window-size={WIDTH},{HEIGHT}",
            "--enable-logging=stderr",
            "--v=0",
            f"--screenshot={png}",
            page.resolve().as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def read_png(path: Path) -> tuple[int, int, list[bytes]]:
    """Width, height and the unfiltered scanlines of an 8-bit RGB or RGBA PNG."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, header = 8, [], None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos : pos + 8])
        body = data[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat.append(body)
        elif kind == b"IEND":
            break
        pos += 12 + length
    width, height, depth, colour, _, _, interlace = header
    assert depth == 8 and colour in (2, 6) and interlace == 0, header
    bpp = 4 if colour == 6 else 3
    raw = zlib.decompress(b"".join(idat))
    stride = width * bpp
    rows, previous = [], bytearray(stride)
    for y in range(height):
        kind = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1 : (y + 1) * (stride + 1)])
        if kind == 1:  # Sub
            for i in range(bpp, stride):
                line[i] = (line[i] + line[i - bpp]) & 0xFF
        elif kind == 2:  # Up
            line = bytearray((a + b) & 0xFF for a, b in zip(line, previous, strict=False))
        elif kind == 3:  # Average
            for i in range(stride):
                left = line[i - bpp] if i >= bpp else 0
                line[i] = (line[i] + ((left + previous[i]) >> 1)) & 0xFF
        elif kind == 4:  # Paeth
            for i in range(stride):
                a = line[i - bpp] if i >= bpp else 0
                b, c = previous[i], previous[i - bpp] if i >= bpp else 0
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pred = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                line[i] = (line[i] + pred) & 0xFF
        rows.append(bytes(line))
        previous = line
    return (
        width,
        height,
        [bytes(r) for r in rows]
        if bpp == 3
        else [bytes(b for i in range(0, len(r), 4) for b in r[i : i + 3]) for r in rows],
    )


def colours_sampled(rows: list[bytes], step: int = 7) -> set[bytes]:
    """Distinct RGB colours on a grid of pixels, every ``step`` pixels both ways."""
    seen: set[bytes] = set()
    for y in range(0, len(rows), step):
        row = rows[y]
        for x in range(0, len(row) // 3, step):
            seen.add(row[x * 3 : x * 3 + 3])
    return seen


@pytest.mark.parametrize("kind", ["journey", "journey-overlay", "stakeholders", "blueprint"])
def test_page_renders_in_chromium(kind, workspace, overlay, tmp_path):
    chromium()
    if kind == "journey":
        html = render_journey_map(workspace)
    elif kind == "journey-overlay":
        html = render_journey_map(workspace, overlay=overlay)
    elif kind == "stakeholders":
        html = render_stakeholder_map(workspace)
    else:
        html = render_blueprint(workspace)
    page, png = tmp_path / f"{kind}.html", tmp_path / f"{kind}.png"
    page.write_text(html, encoding="utf-8")
    result = screenshot(page, png, tmp_path)
    assert png.exists(), result.stderr[-2000:]
    keep = os.environ.get("COJOURNEY_SCREENSHOT_DIR")  # e.g. to keep them as CI artefacts
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        shutil.copy(png, Path(keep) / png.name)
    width, height, rows = read_png(png)
    assert (width, height) == (WIDTH, HEIGHT)
    colours = colours_sampled(rows)
    assert len(colours) > 40, f"the screenshot looks blank: {len(colours)} colours"
    # the page has no script, so there is nothing to fail in the console
    assert "Uncaught" not in result.stderr
    # the top-left corner is the page background, the header is dark text on it
    assert rows[5][15:18] == bytes.fromhex("f4f6f9")


def test_png_reader_on_a_known_image(tmp_path):
    """The reader itself, on a 3 x 2 RGB image built by hand with the Up and Sub filters."""
    pixels = [bytes([255, 0, 0, 0, 255, 0, 0, 0, 255]), bytes([255, 0, 0, 255, 0, 0, 255, 0, 0])]
    raw = b"\x01" + bytes([255, 0, 0, 1, 255, 0, 0, 1, 255])  # Sub
    raw += b"\x02" + bytes(
        ((a - b) & 0xFF) for a, b in zip(pixels[1], pixels[0], strict=False)
    )  # Up

    def chunk(kind, body):
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    png = tmp_path / "known.png"
    png.write_bytes(
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 3, 2, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )
    width, height, rows = read_png(png)
    assert (width, height) == (3, 2) and rows == pixels
    assert len(colours_sampled(rows, 1)) == 3

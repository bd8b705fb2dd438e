"""``cojourney survey link|list|disable``: links, their QR codes, and what the page records."""

from __future__ import annotations

import json
import struct
import xml.etree.ElementTree as ET
import zlib
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import segno
from fastapi.testclient import TestClient

from cojourney.cli.main import main
from cojourney.services.workspaces import init_workspace
from cojourney.settings import Settings
from cojourney.web import create_app

TOUCHPOINT = "post-trip-csat"


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    folder = tmp_path / "ws"
    init_workspace(folder, example="ecampus-car-share")
    return folder


def run(capsys: pytest.CaptureFixture[str], *args: str | Path) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def unfilter(data: bytes, stride: int, height: int) -> list[bytes]:
    """The rows of a PNG image of one byte per pixel group (PNG filter types 0-4)."""
    rows: list[bytes] = []
    prior = bytes(stride)
    for y in range(height):
        start = y * (stride + 1)
        kind, line = data[start], bytearray(data[start + 1 : start + 1 + stride])
        for i in range(stride):
            left = line[i - 1] if i else 0
            up, corner = prior[i], prior[i - 1] if i else 0
            if kind == 1:
                line[i] = (line[i] + left) & 0xFF
            elif kind == 2:
                line[i] = (line[i] + up) & 0xFF
            elif kind == 3:
                line[i] = (line[i] + (left + up) // 2) & 0xFF
            elif kind == 4:
                p = left + up - corner
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
                pred = left if pa <= pb and pa <= pc else up if pb <= pc else corner
                line[i] = (line[i] + pred) & 0xFF
        rows.append(bytes(line))
        prior = rows[-1]
    return rows


def png_matrix(path: Path, scale: int, border: int) -> list[list[bool]]:
    """The dark modules of a PNG written by segno (greyscale or palette, 1 bit, no interlace)."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, chunks = 8, {}
    idat = b""
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind = data[pos + 4 : pos + 8]
        body = data[pos + 8 : pos + 8 + length]
        if kind == b"IDAT":
            idat += body
        chunks[kind] = body
        pos += 12 + length
    width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", chunks[b"IHDR"])
    assert depth == 1 and interlace == 0 and width == height
    stride = (width + 7) // 8
    raw = unfilter(zlib.decompress(idat), stride, height)
    dark_index = 0
    if colour == 3:  # palette: find the dark entry
        palette = chunks[b"PLTE"]
        dark_index = 0 if sum(palette[0:3]) < sum(palette[3:6]) else 1

    def pixel(x: int, y: int) -> bool:
        byte = raw[y][x // 8]
        return ((byte >> (7 - x % 8)) & 1) == dark_index

    modules = width // scale
    return [
        [
            pixel(c * scale + scale // 2, r * scale + scale // 2)
            for c in range(border, modules - border)
        ]
        for r in range(border, modules - border)
    ]


def test_link_with_png_qr_encodes_the_printed_url(
    ws: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    qr = tmp_path / "card.png"
    code, out, err = run(
        capsys, "survey", "link", ws, "--touchpoint", TOUCHPOINT, "--qr", qr,
        "--base-url", "https://survey.example.org",
    )  # fmt: skip
    assert code == 0, err
    url = out.strip()
    assert url.startswith("https://survey.example.org/survey/")
    assert f"Wrote {qr}" in err and "csat" in err
    expected = [[bool(v) for v in row] for row in segno.make(url, error="m", micro=False).matrix]
    assert png_matrix(qr, scale=8, border=4) == expected
    other = [[bool(v) for v in row] for row in segno.make(url + "x", error="m").matrix]
    assert png_matrix(qr, scale=8, border=4) != other


def test_link_with_svg_qr_and_a_journey(
    ws: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    qr = tmp_path / "card.svg"
    code, out, err = run(
        capsys, "survey", "link", ws, "--touchpoint", TOUCHPOINT, "--question", "nps",
        "--journey", "J-7", "--qr", qr,
    )  # fmt: skip
    assert code == 0, err
    url = out.strip()
    assert "j=J-7" in url and "&s=" in url
    root = ET.fromstring(qr.read_text(encoding="utf-8"))
    assert root.tag.endswith("svg")
    written = qr.read_text(encoding="utf-8")
    again = tmp_path / "again.svg"
    segno.make(url, error="m", micro=False).save(str(again), kind="svg", scale=8, border=4)
    assert written == again.read_text(encoding="utf-8")


def test_bad_qr_suffix_unknown_touchpoint_and_question(
    ws: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(
        capsys, "survey", "link", ws, "--touchpoint", TOUCHPOINT, "--qr", tmp_path / "a.gif"
    )
    assert code == 2 and "--qr" in err
    code, _, err = run(capsys, "survey", "link", ws, "--touchpoint", "nowhere")
    assert code == 3 and "nowhere" in err and "Traceback" not in err
    code, _, err = run(
        capsys, "survey", "link", ws, "--touchpoint", TOUCHPOINT, "--question", "mood"
    )
    assert code == 2 and "--question" in err and "mood" in err


def test_list_disable_and_the_page_answers(ws: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "survey", "list", ws)
    assert code == 0 and "No survey links yet" in out
    code, out, _ = run(capsys, "survey", "link", ws, "--touchpoint", TOUCHPOINT)
    path = urlsplit(out.strip()).path
    code, out, _ = run(capsys, "survey", "list", ws, "--json", "-")
    (row,) = json.loads(out)
    assert (row["touchpoint"], row["question"], row["state"]) == (TOUCHPOINT, "csat", "active")
    assert "token" not in json.dumps(row)

    client = TestClient(create_app(Settings(), ws))
    assert client.get(path).status_code == 200

    code, out, _ = run(capsys, "survey", "disable", ws, str(row["id"]))
    assert code == 0 and f"Disabled survey link {row['id']}" in out
    code, out, _ = run(capsys, "survey", "list", ws)
    assert "disabled" in out
    assert client.get(path).status_code == 404
    code, _, err = run(capsys, "survey", "disable", ws, "99")
    assert code == 3 and "no survey link with id 99" in err

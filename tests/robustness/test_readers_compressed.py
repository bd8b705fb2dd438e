"""Compressed input and temporary files: .csv.gz and .jsonl.gz read like .xes.gz, every one
under the same caps; decompression bombs stopped early; temporary files never left behind."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pyarrow as pa
import pytest

from cojourney.errors import ImportRejected
from cojourney.events.readers import read_events
from cojourney.events.readers._input import make_temp_dir, sweep
from cojourney.events.schema import ColumnMapping
from cojourney.settings import Settings, use_settings

MAPPING = ColumnMapping(journey_id="id", activity="act", timestamp="ts")
CSV = "id,act,ts\nc1,a,2024-01-01 10:00\nc1,b,2024-01-01 11:00\nc2,a,2024-01-02\n"


def read(path: Path, mapping: ColumnMapping | None = MAPPING) -> pa.Table:
    return pa.Table.from_batches(list(read_events(path, mapping)))


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("cojourney-"))


def gzip_bomb(path: Path, head: bytes, filler: bytes, tail: bytes, megabytes: int) -> None:
    """``head``, then ``megabytes`` MiB of ``filler``, then ``tail``, gzip-compressed."""
    block = filler * ((1 << 20) // len(filler))
    with gzip.open(path, "wb", compresslevel=9) as out:
        out.write(head)
        for _ in range(megabytes):
            out.write(block)
        out.write(tail)


def test_csv_gz_and_jsonl_gz_read_like_their_plain_files(tmp_path: Path) -> None:
    plain = tmp_path / "log.csv"
    plain.write_text(CSV)
    packed = tmp_path / "log.csv.gz"
    packed.write_bytes(gzip.compress(CSV.encode()))
    assert read(packed).equals(read(plain))
    rows = [
        dict(zip(("id", "act", "ts"), line.split(","), strict=True))
        for line in CSV.splitlines()[1:]
    ]
    jsonl = tmp_path / "log.jsonl.gz"
    jsonl.write_bytes(gzip.compress("".join(json.dumps(r) + "\n" for r in rows).encode()))
    assert read(jsonl).drop_columns(["attributes"]).equals(read(plain).drop_columns(["attributes"]))


def test_a_gzip_bomb_is_stopped_early(tmp_path: Path) -> None:
    """200 MiB of zeros (about 200 KiB compressed) is refused after the ratio floor."""
    bomb = tmp_path / "bomb.csv.gz"
    gzip_bomb(bomb, b"id,act,ts\n", b"0", b"\n", 200)
    assert bomb.stat().st_size < 1 << 20
    temp = tmp_path / "tmp"
    settings = Settings(temp_dir=temp, decompress_ratio_floor_bytes=8 << 20)
    started = time.monotonic()
    with use_settings(settings), pytest.raises(ImportRejected) as caught:
        read(bomb)
    assert time.monotonic() - started < 20
    (problem,) = caught.value.problems
    assert "decompress_max_ratio" in problem.message
    assert leftovers(temp) == []  # the partial expansion is gone
    with use_settings(Settings(input_max_bytes=1 << 20)), pytest.raises(ImportRejected) as caught:
        read(bomb)
    assert "input_max_bytes" in caught.value.problems[0].message


def test_plain_files_larger_than_the_cap_are_refused_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "log.csv"
    path.write_text(CSV)
    with use_settings(Settings(input_max_bytes=10)), pytest.raises(ImportRejected) as caught:
        read(path)
    assert "larger than input_max_bytes" in caught.value.problems[0].message


def test_an_xes_gz_bomb_is_stopped_early(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.xes.gz"
    gzip_bomb(bomb, b"<log>\n<trace>", b" ", b"</trace>\n</log>\n", 200)
    started = time.monotonic()
    with (
        use_settings(Settings(decompress_ratio_floor_bytes=8 << 20)),
        pytest.raises(ImportRejected) as caught,
    ):
        read(bomb, None)
    assert time.monotonic() - started < 20
    assert "decompress_max_ratio" in caught.value.problems[0].message


def test_xml_entity_expansion_is_refused(tmp_path: Path) -> None:
    laughs = "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10))
    path = tmp_path / "laughs.xes"
    path.write_text(
        f'<?xml version="1.0"?>\n<!DOCTYPE log [<!ENTITY l0 "ha">{laughs}]>\n'
        '<log><trace><string key="concept:name" value="&l9;"/></trace></log>\n'
    )
    with pytest.raises(ImportRejected) as caught:
        read(path, None)
    assert "declares an XML entity" in caught.value.problems[0].message


_KILLED = """
import os, signal, sys
from pathlib import Path
from cojourney.settings import Settings, use_settings
from cojourney.events.readers._input import make_temp_dir
with use_settings(Settings(temp_dir=Path(sys.argv[1]))):
    folder = make_temp_dir("xes")
    (folder / "chunk000001.arrow").write_bytes(b"x" * 1000)
    print(folder.name, flush=True)
    if sys.argv[2] == "kill":
        os.kill(os.getpid(), signal.SIGKILL)
"""


def test_temporary_files_are_removed_on_exit_and_swept_after_a_kill(tmp_path: Path) -> None:
    temp = tmp_path / "tmp"

    def run(how: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-c", _KILLED, str(temp), how],
            capture_output=True,
            text=True,
            timeout=60,
        )

    exited = run("exit")
    assert exited.returncode == 0, exited.stderr
    assert exited.stdout.startswith("cojourney-xes-")
    assert leftovers(temp) == []  # removed when the process exited
    killed = run("kill")
    assert killed.returncode != 0
    assert leftovers(temp) == [killed.stdout.strip()]  # a kill leaves it behind
    with use_settings(Settings(temp_dir=temp)):
        mine = make_temp_dir("xes")  # a process's first temporary file sweeps the folder
        assert leftovers(temp) == [mine.name]
        assert sweep(temp) == 0  # a live process's folder is never swept
        assert leftovers(temp) == [mine.name]
    assert str(os.getpid()) in mine.name

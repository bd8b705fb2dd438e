"""Seeded, vectorised event-log generator for the benchmarks.

Usage::

    python benchmarks/generate_log.py --events 1000000 --out benchmarks/data/generic-1M.parquet
    python benchmarks/generate_log.py --flavour ecampus --events 10000000 \\
        --out benchmarks/data/ecampus-10M            # a folder: a Parquet dataset

Flavours:

``generic``
    An order-to-cash service (``_generic_process.py``): 32 activities, about 10
    events per case, loops, skips, two checks in either order. Columns with the XES
    names both cojourney and PM4Py take by default: ``case:concept:name``,
    ``concept:name``, ``time:timestamp`` (``timestamp[us, UTC]``) and ``org:resource``.
``ecampus``
    eCampus member journeys (``_ecampus_process.py``): the activities are the
    touchpoint ids of the eCampus member journey, the personas are the segments.
    Canonical columns (``journey_id``, ``activity``, ``timestamp``, ``event_seq``,
    ``channel``, ``segment``), ready for ``cojourney analyze WORKSPACE --events``.

The log is built in chunks (``--chunk-events``), so memory stays bounded at any
size; each chunk is in time order (as an export of a system would be) and becomes
one or more row groups. The same seed and size give the same file. Exactly
``--events`` events are written (the last case may be cut short).
"""

from __future__ import annotations

import argparse
import json
import logging
import math
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _markov import Chain, simulate

log = logging.getLogger("generate_log")

GENERATOR_VERSION = 3
START_US = 1_740_787_200 * 1_000_000  # 2025-03-01T00:00:00Z
SPAN_SECONDS = 274 * 86400.0  # journeys start until 2025-11-30
MAX_LEN = {"generic": 80, "ecampus": 1500}
RESOURCES = 40


@dataclass(frozen=True)
class Batch:
    """One chunk of events, case by case: global case numbers, labels and times."""

    case: np.ndarray
    label: np.ndarray
    time_us: np.ndarray
    extra: np.ndarray | None  # the channel index (ecampus)
    segment: np.ndarray | None  # the persona index (ecampus)


def chains(flavour: str) -> tuple[list[tuple[str, float]], list[Chain]]:
    """The personas (``(segment, share)``; one ``("", 1.0)`` for generic) and their chains."""
    if flavour == "generic":
        from _generic_process import generic_chain

        return [("", 1.0)], [generic_chain()]
    from _ecampus_process import ecampus_chains

    pairs = ecampus_chains()
    return [(p.id, p.share) for p, _ in pairs], [c for _, c in pairs]


def batches(flavour: str, events: int, seed: int, chunk_events: int) -> Iterator[Batch]:
    """Exactly ``events`` events in chunks of about ``chunk_events``."""
    personas, chain_list = chains(flavour)
    labels = sorted({label for c in chain_list for label in c.labels})
    label_index = {label: n for n, label in enumerate(labels)}
    to_label = [
        np.array([label_index[lab] for lab in c.labels], dtype=np.int16) for c in chain_list
    ]
    rng = np.random.default_rng(seed)
    mean_len = _mean_length(chain_list, personas, np.random.default_rng(seed + 1), flavour)
    log.info(
        "%s process: %d activities, about %.1f events per case", flavour, len(labels), mean_len
    )
    written, next_case = 0, 0
    while written < events:
        want = min(chunk_events, events - written)
        n_cases = max(1, math.ceil(want / mean_len * 1.1) + 20)
        parts = []
        for k, ((_, share), chain) in enumerate(zip(personas, chain_list, strict=True)):
            n = max(1, round(n_cases * share))
            sim = simulate(
                chain,
                n,
                rng,
                start_us=START_US,
                span_seconds=SPAN_SECONDS,
                max_len=MAX_LEN[flavour],
            )
            parts.append((k, n, sim))
        case = np.concatenate(
            [sim.case + sum(n for _, n, _ in parts[:i]) for i, (_, _, sim) in enumerate(parts)]
        )
        total_cases = sum(n for _, n, _ in parts)
        renumber = rng.permutation(total_cases)  # personas interleaved over case ids
        label = np.concatenate([to_label[k][sim.state] for k, _, sim in parts])
        extra = np.concatenate([sim.state for _, _, sim in parts])
        segment = np.concatenate([np.full(len(sim), k, dtype=np.int8) for k, _, sim in parts])
        time_us = np.concatenate([sim.time_us for _, _, sim in parts])
        case = renumber[case]
        keep = np.argsort(case, kind="stable")[:want]  # whole cases in renumbered order
        case, label, extra = case[keep], label[keep], extra[keep]
        segment, time_us = segment[keep], time_us[keep]
        case += next_case
        next_case += total_cases
        order = np.argsort(time_us, kind="stable")
        written += case.size
        yield Batch(
            case[order],
            label[order],
            time_us[order],
            extra[order] if flavour == "ecampus" else None,
            segment[order] if flavour == "ecampus" else None,
        )


def _mean_length(
    chain_list: list[Chain],
    personas: list[tuple[str, float]],
    rng: np.random.Generator,
    flavour: str,
) -> float:
    """Mean events per case, from a pilot of 4,000 cases."""
    total = 0.0
    for (_, share), chain in zip(personas, chain_list, strict=True):
        sim = simulate(
            chain, 4000, rng, start_us=START_US, span_seconds=SPAN_SECONDS, max_len=MAX_LEN[flavour]
        )
        total += share * len(sim) / 4000
    return total


def to_table(
    batch: Batch,
    flavour: str,
    labels: list[str],
    seq_start: int,
    channels: list[tuple[str, ...]],
    segments: list[str],
    rng: np.random.Generator,
) -> pa.Table:
    """The chunk as an Arrow table with the flavour's columns."""
    ids = pc.cast(pa.array(batch.case), pa.string())
    times = pa.array(batch.time_us, type=pa.timestamp("us", tz="UTC"))
    activity = pa.array(labels).take(pa.array(batch.label))
    if flavour == "generic":
        case = pc.binary_join_element_wise("c", pc.utf8_lpad(ids, 8, "0"), "")
        resource = pa.array([f"R{n:02d}" for n in range(RESOURCES)]).take(
            pa.array(rng.integers(0, RESOURCES, batch.case.size))
        )
        return pa.table(
            {
                "case:concept:name": case,
                "concept:name": activity,
                "time:timestamp": times,
                "org:resource": resource,
            }
        )
    assert batch.extra is not None and batch.segment is not None
    journey = pc.binary_join_element_wise("m", pc.utf8_lpad(ids, 7, "0"), "")
    segment_of = batch.segment.astype(np.int64)
    channel_codes = np.concatenate([np.array(ch) for ch in channels])
    offsets = np.cumsum([0] + [len(ch) for ch in channels[:-1]])
    channel = pa.array(channel_codes).take(pa.array(offsets[segment_of] + batch.extra))
    seq = pa.array(np.arange(seq_start, seq_start + batch.case.size, dtype=np.int64))
    return pa.table(
        {
            "journey_id": journey,
            "activity": activity,
            "timestamp": times,
            "event_seq": seq,
            "channel": channel,
            "segment": pa.array(segments).take(pa.array(segment_of)),
        }
    )


def generate(
    out: Path,
    *,
    events: int,
    flavour: str = "generic",
    seed: int = 20251201,
    chunk_events: int = 5_000_000,
    csv: bool = False,
) -> dict[str, object]:
    """Write the log to ``out`` (a ``.parquet`` file, else a folder of parts).

    Returns the metadata also written to ``<out>.meta.json``; an existing log with
    the same metadata is kept as it is.
    """
    meta: dict[str, object] = {
        "flavour": flavour,
        "events": events,
        "seed": seed,
        "generator_version": GENERATOR_VERSION,
        "csv": csv,
        "chunk_events": chunk_events,
    }
    meta_path = out.with_name(out.name + ".meta.json")
    if out.exists() and meta_path.is_file():
        known = json.loads(meta_path.read_text())
        if {k: known.get(k) for k in meta} == meta:
            log.info("%s already generated (%s events, seed %s)", out, f"{events:,}", seed)
            return known
    started = time.perf_counter()
    personas, chain_list = chains(flavour)
    labels = sorted({label for c in chain_list for label in c.labels})
    channels = [c.extra or () for c in chain_list]
    segments = [name for name, _ in personas]
    rng = np.random.default_rng(seed + 2)
    single = out.suffix == ".parquet"
    out.parent.mkdir(parents=True, exist_ok=True)
    if not single:
        out.mkdir(exist_ok=True)
        for old in out.glob("*.parquet"):
            old.unlink()
    writer: pq.ParquetWriter | None = None
    csv_writer: pacsv.CSVWriter | None = None
    written, cases, last_case = 0, 0, -1
    for part, batch in enumerate(batches(flavour, events, seed, chunk_events)):
        table = to_table(batch, flavour, labels, written, channels, segments, rng)
        if single:
            if writer is None:
                writer = pq.ParquetWriter(out, table.schema)
            writer.write_table(table, row_group_size=1_000_000)
        else:
            pq.write_table(table, out / f"part-{part:04d}.parquet", row_group_size=1_000_000)
        if csv:
            if csv_writer is None:
                csv_writer = pacsv.CSVWriter(out.with_suffix(".csv"), table.schema)
            csv_writer.write_table(table)
        written += table.num_rows
        cases += int(np.unique(batch.case).size)
        last_case = max(last_case, int(batch.case.max()))
        log.info("%s: %s of %s events written", out.name, f"{written:,}", f"{events:,}")
    if writer is not None:
        writer.close()
    if csv_writer is not None:
        csv_writer.close()
    meta.update(
        cases=cases,
        activities=len(labels),
        path=str(out),
        bytes=_size(out),
        seconds=round(time.perf_counter() - started, 1),
    )
    meta_path.write_text(json.dumps(meta, indent=1) + "\n")
    log.info(
        "%s: %s events, %s cases, %.1f MiB in %.1f s",
        out,
        f"{written:,}",
        f"{cases:,}",
        meta["bytes"] / 2**20,
        meta["seconds"],
    )  # type: ignore[operator]
    return meta


def _size(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*.parquet"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, required=True, help="Number of events.")
    parser.add_argument(
        "--out",
        type=Path,
        required=True,
        help="A .parquet file, or a folder for a dataset of parts.",
    )
    parser.add_argument(
        "--flavour",
        choices=["generic", "ecampus"],
        default="generic",
        help="The process (see the module docstring).",
    )
    parser.add_argument("--seed", type=int, default=20251201, help="Random seed.")
    parser.add_argument(
        "--chunk-events",
        type=int,
        default=5_000_000,
        help="Events generated per chunk (bounds the memory).",
    )
    parser.add_argument("--csv", action="store_true", help="Also write OUT with .csv.")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    generate(
        args.out,
        events=args.events,
        flavour=args.flavour,
        seed=args.seed,
        chunk_events=args.chunk_events,
        csv=args.csv,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Synthetic event logs of the DSV template journey, for invariants and benchmarks.

Journeys are walked by the demo simulator (:mod:`cojourney.demo.simulator`) with two
segments that deviate in different ways (skipping the identity check, entering in
the middle, hopping back, dropping out), plus a sprinkle of activities the design
does not know. Run as a script to write a Parquet file::

    python tests/analytics/synthetic.py 1000000 /tmp/template-1m.parquet
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pyarrow as pa

from cojourney.demo.simulator.markov import Behaviour, transition_matrix, walk
from cojourney.demo.simulator.timeline import event_times, uniform_starts
from cojourney.domain import Journey
from cojourney.events.schema import canonical_arrow_schema

START = datetime(2024, 1, 1, tzinfo=UTC)
CHANNELS = np.array(["app", "web", "phone"])
UNKNOWN = "newsletter-click"


def template_journey() -> Journey:
    """The ``main-journey`` of the DSV template workspace."""
    import tempfile

    from cojourney.services.workspaces import init_workspace
    from cojourney.spec import load_workspace

    with tempfile.TemporaryDirectory() as tmp:
        init_workspace(tmp)
        return load_workspace(tmp).journeys[0]


def behaviours() -> list[Behaviour]:
    return [
        Behaviour(
            "students",
            share=0.6,
            hop_back=0.05,
            drop_out={"onboard": 0.1},
            skip_over={"identity-check": 0.05},
        ),
        Behaviour(
            "commuters",
            share=0.4,
            entry={"search": 1, "sign-up": 1, "first-use": 0.2},
            hop_back=0.1,
            drop_out={"agree": 0.05, "co-create": 0.05},
            skip_over={"identity-check": 0.15},
        ),
    ]


def template_log(events: int, *, seed: int = 7, unknown_share: float = 0.01) -> pa.Table:
    """About ``events`` canonical events of the template journey (always a little more).

    Parameters
    ----------
    events
        Target number of events (journeys are added until it is reached).
    seed
        Random seed: the same seed gives the same log.
    unknown_share
        Share of events renamed to an activity the design does not know.
    """
    journey = template_journey()
    order = journey.expected_order()
    rng = np.random.default_rng(seed)
    kinds = behaviours()
    matrices = [transition_matrix(journey, b) for b in kinds]
    entries = np.stack([m[0] for m in matrices])
    transitions = np.stack([m[1] for m in matrices])
    shares = np.array([b.share for b in kinds]) / sum(b.share for b in kinds)
    n = max(1, int(events / 4.5))
    behaviour_of = rng.choice(len(kinds), size=n, p=shares).astype(np.int16)
    walks = walk(entries, transitions, behaviour_of, rng)
    starts = uniform_starts(n, START, timedelta(days=180), rng)
    times = event_times(journey, walks, starts, rng)
    activity = np.array(order, dtype=object)[walks.touchpoint]
    activity[rng.random(activity.size) < unknown_share] = UNKNOWN
    segment = np.array([b.name for b in kinds], dtype=object)[behaviour_of[walks.journey]]
    channel = CHANNELS[rng.integers(0, len(CHANNELS), activity.size)]
    width = len(str(n))
    ids = np.char.add("j", np.char.zfill(walks.journey.astype(str), width))
    schema = canonical_arrow_schema()
    columns = {
        "journey_id": pa.array(ids, pa.string()),
        "activity": pa.array(activity, pa.string()),
        "timestamp": pa.array(times, pa.timestamp("us", tz="UTC")),
        "event_seq": pa.array(np.arange(activity.size, dtype=np.int64)),
        "channel": pa.array(channel, pa.string()),
        "segment": pa.array(segment, pa.string()),
    }
    arrays = [columns.get(f.name, pa.nulls(activity.size, f.type)) for f in schema]
    return pa.Table.from_arrays(arrays, schema=schema)


if __name__ == "__main__":  # pragma: no cover - a tool for benchmarks
    import pyarrow.parquet as pq

    size, out = int(sys.argv[1]), Path(sys.argv[2])
    table = template_log(size)
    pq.write_table(table, out, row_group_size=1_000_000)
    print(f"{out}: {table.num_rows:,} events, {len(table['journey_id'].unique()):,} journeys")

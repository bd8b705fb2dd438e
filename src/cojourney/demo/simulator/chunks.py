"""Running a simulation in fixed-size chunks of journeys, each with its own seeded generator.

Chunks keep memory bounded (10 million events never sit in memory at once) and the
output deterministic: chunk ``k`` of a simulation with seed ``s`` always draws from
``numpy.random.default_rng([s, k])``, and the chunk size is a constant of each
example, so the same parameters give the same rows, in the same order.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import pyarrow as pa


@dataclass
class Counters:
    """Running totals that make ids and sequence numbers global across chunks."""

    events: int = 0
    answers: int = 0
    bookings: int = 0
    journeys: int = 0


@dataclass
class ChunkTables:
    """One chunk's events and feedback (canonical schemas) and what it used up."""

    events: pa.Table
    feedback: pa.Table
    journeys: int
    bookings: int = 0


class ChunkSimulator(Protocol):
    """What an example's simulator offers the driver."""

    def chunk(
        self, first: int, size: int, rng: np.random.Generator, counters: Counters
    ) -> ChunkTables: ...


def run_chunks(
    simulator: ChunkSimulator, journeys: int, seed: int, chunk_size: int
) -> Iterator[ChunkTables]:
    """Simulate ``journeys`` journeys, ``chunk_size`` at a time."""
    counters = Counters()
    for number, first in enumerate(range(0, journeys, chunk_size)):
        size = min(chunk_size, journeys - first)
        rng = np.random.default_rng([seed, number])
        tables = simulator.chunk(first, size, rng, counters)
        counters.events += tables.events.num_rows
        counters.answers += tables.feedback.num_rows
        counters.bookings += tables.bookings
        counters.journeys += size
        yield tables

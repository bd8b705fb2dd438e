"""Collecting simulated events and answers in blocks, and turning them into Arrow tables.

A simulator emits *blocks*: one touchpoint (or question) for many journeys at once,
with NumPy arrays of journey indexes, UTC microsecond timestamps and attributes. The
buffers sort everything by ``(journey, timestamp, emission order)`` at the end and
build the canonical tables with Arrow compute functions, so there is never a Python
loop per event. Attributes become the JSON ``attributes`` column.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Union

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from cojourney.events.feedback_schema import feedback_arrow_schema
from cojourney.events.schema import canonical_arrow_schema

#: An attribute's values: numbers (NumPy), ready strings (Arrow) or references to journeys.
AttrValues = Union[np.ndarray, pa.Array, "JourneyRef"]


@dataclass(frozen=True)
class JourneyRef:
    """Journey indexes to be written as journey ids (``affected_by``, ``next_journey``)."""

    journeys: np.ndarray


@dataclass(frozen=True)
class IdFormat:
    """How journey indexes become ids: ``prefix`` + zero-padded ``number`` (``m000123``)."""

    prefix: str
    width: int
    offset: int = 0  #: added to the chunk-local index: ids are global across chunks

    def format(self, index: np.ndarray) -> pa.Array:
        return format_ids(self.prefix, np.asarray(index, dtype=np.int64) + self.offset, self.width)


def format_ids(prefix: str, numbers: np.ndarray, width: int) -> pa.Array:
    """``prefix`` + each number left-padded with zeros to ``width`` digits."""
    text = pc.cast(pa.array(numbers, pa.int64()), pa.string())
    digits = pc.utf8_lpad(text, width=width, padding="0")
    return pc.binary_join_element_wise(prefix, digits, "")


def _number_strings(values: np.ndarray) -> pa.Array:
    if values.dtype.kind in "iub":
        return pc.cast(pa.array(values.astype(np.int64)), pa.string())
    return pc.cast(pc.round(pa.array(values.astype(np.float64)), 2), pa.string())


def _pieces(attrs: Mapping[str, AttrValues], ids: IdFormat) -> pa.Array:
    """``, "a": 1, "b": "x"`` per row (each piece with its leading separator)."""
    parts: list[pa.Array] = []
    for name, values in attrs.items():
        if isinstance(values, JourneyRef):
            text = pc.binary_join_element_wise('"', ids.format(values.journeys), '"', "")
        elif isinstance(values, pa.Array):
            text = pc.binary_join_element_wise('"', values, '"', "")
        else:
            text = _number_strings(np.asarray(values))
        piece = pc.binary_join_element_wise(f', "{name}": ', text, "")
        parts.append(pc.fill_null(piece, ""))
    if len(parts) == 1:
        return parts[0]
    return pc.binary_join_element_wise(*parts, "")


def _json_objects(pieces: pa.Array) -> pa.Array:
    """Turn joined pieces into JSON objects; rows without attributes become null."""
    body = pc.utf8_slice_codeunits(pieces, 2)
    wrapped = pc.binary_join_element_wise("{", body, "}", "")
    return pc.if_else(pc.equal(pieces, ""), pa.scalar(None, pa.string()), wrapped)


def decode(codes: np.ndarray, values: Sequence[str | None]) -> pa.Array:
    """Strings by code (a dictionary decode): ``values[codes]`` without Python objects."""
    dictionary = pa.array(list(values), pa.string())
    indices = pa.array(codes.astype(np.int32))
    return pa.DictionaryArray.from_arrays(indices, dictionary).dictionary_decode()


@dataclass
class _Block:
    code: int
    journey: np.ndarray
    time: np.ndarray
    rank: int
    feel: np.ndarray | None
    attrs: dict[str, AttrValues] | None
    touchpoint: np.ndarray | None = None  # answers: touchpoint code per row (-1: none)
    score: np.ndarray | None = None
    comment: np.ndarray | None = None  # answers: code into AnswerBuffer.comments (-1: none)


@dataclass
class SortedEvents:
    """The events of a chunk in journey order: parallel NumPy arrays plus the attribute pieces."""

    journey: np.ndarray  #: chunk-local journey index, int64
    touchpoint: np.ndarray  #: index into the buffer's touchpoint list, int16
    time: np.ndarray  #: UTC epoch microseconds, int64
    feel: np.ndarray  #: emotion adjustment of the moment (for micro-surveys), float32
    pieces: pa.Array  #: attribute pieces (see :func:`_pieces`), "" when none

    @property
    def size(self) -> int:
        return int(self.journey.size)

    def where(self, keep: np.ndarray) -> SortedEvents:
        """Only the events where ``keep`` holds (order kept)."""
        return SortedEvents(
            self.journey[keep],
            self.touchpoint[keep],
            self.time[keep],
            self.feel[keep],
            self.pieces.filter(pa.array(keep)),
        )


class EventBuffer:
    """Collects event blocks of one chunk.

    Parameters
    ----------
    touchpoints
        Every touchpoint id the simulator may emit (codes are positions in this list).
    ids
        How journey indexes become ids (for attributes that reference journeys).
    """

    def __init__(self, touchpoints: Sequence[str], ids: IdFormat) -> None:
        self.touchpoints = list(touchpoints)
        self.codes = {tp: n for n, tp in enumerate(self.touchpoints)}
        self.ids = ids
        self._blocks: list[_Block] = []

    def emit(
        self,
        touchpoint: str,
        journey: np.ndarray,
        time: np.ndarray,
        *,
        attrs: Mapping[str, AttrValues] | None = None,
        feel: np.ndarray | float | None = None,
    ) -> None:
        """Add one event of ``touchpoint`` for each journey in ``journey`` at ``time``."""
        journey = np.asarray(journey, dtype=np.int64)
        if journey.size == 0:
            return
        feel_values = (
            None
            if feel is None
            else np.broadcast_to(np.asarray(feel, dtype=np.float32), journey.shape).copy()
        )
        self._blocks.append(
            _Block(
                self.codes[touchpoint],
                journey,
                np.asarray(time, dtype=np.int64),
                len(self._blocks),
                feel_values,
                dict(attrs) if attrs else None,
            )
        )

    def sorted(self) -> SortedEvents:
        """Every event so far, sorted by journey, time and emission order."""
        blocks = self._blocks
        if not blocks:
            empty = np.empty(0, np.int64)
            return SortedEvents(
                empty,
                empty.astype(np.int16),
                empty,
                empty.astype(np.float32),
                pa.array([], pa.string()),
            )
        journey = np.concatenate([b.journey for b in blocks])
        time = np.concatenate([b.time for b in blocks])
        rank = np.concatenate([np.full(b.journey.size, b.rank, np.int32) for b in blocks])
        code = np.concatenate([np.full(b.journey.size, b.code, np.int16) for b in blocks])
        feel = np.concatenate(
            [b.feel if b.feel is not None else np.zeros(b.journey.size, np.float32) for b in blocks]
        )
        pieces = pa.concat_arrays(
            [
                _pieces(b.attrs, self.ids) if b.attrs else empty_strings(b.journey.size)
                for b in blocks
            ]
        )
        order = sort_order(journey, time, rank)
        return SortedEvents(
            journey[order], code[order], time[order], feel[order], pieces.take(pa.array(order))
        )


def sort_order(journey: np.ndarray, time: np.ndarray, rank: np.ndarray) -> np.ndarray:
    """The permutation that sorts rows by journey, time, then rank.

    Rows come in rank order (blocks are concatenated as emitted), so a stable sort on
    one combined ``journey, time`` key gives the same order as a three-key sort, faster.
    """
    if journey.size == 0:
        return np.empty(0, dtype=np.int64)
    low = int(time.min())
    journey_bits = int(journey.max()).bit_length()
    time_bits = int(time.max() - low).bit_length()
    if journey.min() < 0 or journey_bits + time_bits > 63 or np.any(np.diff(rank) < 0):
        return np.lexsort((rank, time, journey))
    key = (journey.astype(np.int64) << time_bits) | (time - low)
    return np.argsort(key, kind="stable")


def empty_strings(n: int) -> pa.Array:
    """``n`` empty strings (built from buffers: no copy of anything)."""
    offsets = pa.py_buffer(np.zeros(n + 1, dtype=np.int32))
    return pa.StringArray.from_buffers(n, offsets, pa.py_buffer(b""))


@dataclass
class EventMeta:
    """Per-touchpoint and per-journey columns of the events table."""

    touchpoints: Sequence[str]  #: touchpoint id by code
    channel: Sequence[str | None]  #: by touchpoint code
    role: Sequence[str | None]  #: by touchpoint code
    actor_prefix: Sequence[str | None]  #: by touchpoint code (null: no actor)
    segment_names: Sequence[str]
    segment: np.ndarray  #: segment code by chunk-local journey index
    journey_attrs: dict[str, pa.Array] = field(default_factory=dict)  #: string values by journey


def events_table(
    events: SortedEvents,
    ids: IdFormat,
    meta: EventMeta,
    rng: np.random.Generator,
    seq_offset: int = 0,
    actors: int = 12,
) -> pa.Table:
    """The canonical events table of sorted events.

    ``actor`` is the touchpoint's ``actor_prefix`` and a number drawn from 1..``actors``
    (``service-desk-07``); ``event_seq`` counts from ``seq_offset``.
    """
    n = events.size
    tp = events.touchpoint.astype(np.int32)
    number = pc.utf8_lpad(
        pc.cast(pa.array(rng.integers(1, actors + 1, n)), pa.string()), width=2, padding="0"
    )
    actor = pc.binary_join_element_wise(decode(tp, meta.actor_prefix), number, "-")
    pieces = events.pieces
    if meta.journey_attrs:
        head = _pieces(meta.journey_attrs, ids).take(pa.array(events.journey))
        pieces = pc.binary_join_element_wise(head, pieces, "")
    columns = {
        "journey_id": ids.format(events.journey),
        "activity": decode(tp, meta.touchpoints),
        "timestamp": pa.array(events.time, pa.timestamp("us", tz="UTC")),
        "event_seq": pa.array(np.arange(seq_offset, seq_offset + n, dtype=np.int64)),
        "channel": decode(tp, meta.channel),
        "actor": actor,
        "role": decode(tp, meta.role),
        "segment": decode(meta.segment[events.journey], meta.segment_names),
        "lifecycle": decode(np.zeros(n, np.int8), ["complete"]),
        "attributes": _json_objects(pieces),
    }
    return columns_to_table(columns, canonical_arrow_schema())


# --------------------------------------------------------------------------- answers


class AnswerBuffer:
    """Collects survey answers of one chunk (the canonical feedback schema).

    Parameters
    ----------
    touchpoints, steps
        Touchpoint ids by code and the step of each (answers name both).
    ids
        How journey indexes become ids.
    comments
        The comment texts that answers refer to by code.
    """

    def __init__(
        self,
        touchpoints: Sequence[str],
        steps: Sequence[str],
        ids: IdFormat,
        comments: Sequence[str] = (),
    ) -> None:
        self.touchpoints = list(touchpoints)
        self.steps = list(steps)
        self.codes = {tp: n for n, tp in enumerate(self.touchpoints)}
        self.ids = ids
        self.comments = list(comments)
        self.questions: list[str] = []
        self.channels: list[str] = []
        self._blocks: list[_Block] = []
        self._channel_of: list[int] = []

    def add(
        self,
        question: str,
        journey: np.ndarray,
        time: np.ndarray,
        score: np.ndarray,
        *,
        touchpoint: str | np.ndarray | None,
        channel: str,
        attrs: Mapping[str, AttrValues] | None = None,
        comment: np.ndarray | None = None,
    ) -> None:
        """Add one answer to ``question`` per journey.

        ``touchpoint`` is one touchpoint id, an array of touchpoint codes (-1 for none)
        or ``None`` for journey-level answers; ``comment`` codes into ``comments`` (-1
        for none), or ``None`` when no answer has a comment.
        """
        journey = np.asarray(journey, dtype=np.int64)
        if journey.size == 0:
            return
        if question not in self.questions:
            self.questions.append(question)
        if channel not in self.channels:
            self.channels.append(channel)
        if touchpoint is None:
            codes = np.full(journey.size, -1, np.int32)
        elif isinstance(touchpoint, str):
            codes = np.full(journey.size, self.codes[touchpoint], np.int32)
        else:
            codes = np.asarray(touchpoint, dtype=np.int32)
        block = _Block(
            self.questions.index(question),
            journey,
            np.asarray(time, dtype=np.int64),
            len(self._blocks),
            None,
            dict(attrs) if attrs else None,
            codes,
            np.asarray(score, dtype=np.float64),
            None if comment is None else np.asarray(comment, dtype=np.int32),
        )
        self._blocks.append(block)
        self._channel_of.append(self.channels.index(channel))

    def table(
        self, respondent: pa.Array, segment: pa.Array, seq_offset: int = 0, until: int | None = None
    ) -> pa.Table:
        """The canonical feedback table, sorted by journey, time and order of addition.

        ``respondent`` and ``segment`` are strings by chunk-local journey index; answers
        at or after ``until`` (UTC microseconds) are left out.
        """
        blocks = self._blocks
        schema = feedback_arrow_schema()
        if not blocks:
            return schema.empty_table()
        journey = np.concatenate([b.journey for b in blocks])
        time = np.concatenate([b.time for b in blocks])
        rank = np.concatenate([np.full(b.journey.size, b.rank, np.int32) for b in blocks])
        question = np.concatenate([np.full(b.journey.size, b.code, np.int16) for b in blocks])
        channel = np.concatenate(
            [
                np.full(b.journey.size, c, np.int16)
                for b, c in zip(blocks, self._channel_of, strict=True)
            ]
        )
        tp = np.concatenate([b.touchpoint for b in blocks if b.touchpoint is not None])
        score = np.concatenate([b.score for b in blocks if b.score is not None])
        pieces = pa.concat_arrays(
            [
                _pieces(b.attrs, self.ids) if b.attrs else empty_strings(b.journey.size)
                for b in blocks
            ]
        )
        comment = np.concatenate(
            [
                b.comment if b.comment is not None else np.full(b.journey.size, -1, np.int32)
                for b in blocks
            ]
        )
        order = sort_order(journey, time, rank)
        if until is not None:
            order = order[time[order] < until]
        journey, tp, comment = journey[order], tp[order], comment[order]
        index = pa.array(journey)
        n = journey.size
        has_tp = tp >= 0
        tp_codes = np.where(has_tp, tp, 0)
        columns = {
            "journey_id": self.ids.format(journey),
            "timestamp": pa.array(time[order], pa.timestamp("us", tz="UTC")),
            "answer_seq": pa.array(np.arange(seq_offset, seq_offset + n, dtype=np.int64)),
            "question": decode(question[order], self.questions),
            "score": pa.array(score[order]),
            "touchpoint": _masked(decode(tp_codes, self.touchpoints), has_tp),
            "step": _masked(decode(tp_codes, self.steps), has_tp),
            "comment": _masked(decode(np.maximum(comment, 0), self.comments), comment >= 0)
            if self.comments
            else pa.nulls(n, pa.string()),
            "respondent": respondent.take(index),
            "channel": decode(channel[order], self.channels),
            "segment": segment.take(index),
            "attributes": _json_objects(pieces.take(pa.array(order))),
        }
        return columns_to_table(columns, schema)


def _masked(values: pa.Array, keep: np.ndarray) -> pa.Array:
    return pc.if_else(pa.array(keep), values, pa.scalar(None, pa.string()))


def columns_to_table(columns: Mapping[str, pa.Array], schema: pa.Schema) -> pa.Table:
    """A table of ``schema`` from columns by name (each cast to the field's type)."""
    arrays = [columns[f.name].cast(f.type) for f in schema]
    return pa.Table.from_arrays(arrays, schema=schema)

"""The canonical feedback schema: survey answers tied to a journey, a touchpoint and a time.

One row is one answer to one question:

============== ============================ ==========================================
column         type                         meaning
============== ============================ ==========================================
journey_id     string, required             the journey instance the answer is about
timestamp      timestamp[us, UTC], required when it was given
answer_seq     int64, required              input order; breaks ties in ``timestamp``
question       string, required             ``csat`` (1-5), ``ces`` (1-7), ``nps`` (0-10),
                                            ``emotion`` (-3..3) or a custom question id
score          double                       the numeric answer (null: text only)
touchpoint     string                       the touchpoint it is about; null = the
                                            whole journey (a journey-level answer)
step           string                       the step it is about (derived from the
                                            touchpoint when the workspace knows it)
comment        string                       free text
respondent     string                       who answered (customer id, anonymised)
channel        string                       where it was asked (app, email, phone...)
segment        string                       customer segment or persona
attributes     string (a JSON object)       every other source column, by name
============== ============================ ==========================================

The store keeps one more column, ``answer_id``: the id a sender gives an answer through
the ingestion API (an answer id is stored once); file imports leave it null.

The scales of the standard questions are in :data:`QUESTION_SCALES`; answers outside
their scale are rejected at import.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:  # pragma: no cover
    import pyarrow as pa

JOURNEY_ID: Final = "journey_id"
TIMESTAMP: Final = "timestamp"
ANSWER_SEQ: Final = "answer_seq"
QUESTION: Final = "question"
SCORE: Final = "score"
TOUCHPOINT: Final = "touchpoint"
STEP: Final = "step"
COMMENT: Final = "comment"
RESPONDENT: Final = "respondent"
CHANNEL: Final = "channel"
SEGMENT: Final = "segment"
ATTRIBUTES: Final = "attributes"
#: The sender's id of an answer (ingestion API); a store column, not a canonical one.
ANSWER_ID: Final = "answer_id"

FEEDBACK_COLUMNS: Final[tuple[str, ...]] = (
    JOURNEY_ID,
    TIMESTAMP,
    ANSWER_SEQ,
    QUESTION,
    SCORE,
    TOUCHPOINT,
    STEP,
    COMMENT,
    RESPONDENT,
    CHANNEL,
    SEGMENT,
    ATTRIBUTES,
)
REQUIRED_FEEDBACK_COLUMNS: Final[tuple[str, ...]] = (JOURNEY_ID, TIMESTAMP, QUESTION)
OPTIONAL_TEXT_COLUMNS: Final[tuple[str, ...]] = (
    TOUCHPOINT,
    STEP,
    COMMENT,
    RESPONDENT,
    CHANNEL,
    SEGMENT,
)

#: The standard questions and their inclusive scales.
QUESTION_SCALES: Final[dict[str, tuple[float, float]]] = {
    "csat": (1.0, 5.0),
    "ces": (1.0, 7.0),
    "nps": (0.0, 10.0),
    "emotion": (-3.0, 3.0),
}

_ARROW_SCHEMA: pa.Schema | None = None


def feedback_arrow_schema() -> pa.Schema:
    """The canonical feedback schema as a :class:`pyarrow.Schema` (built once)."""
    global _ARROW_SCHEMA
    if _ARROW_SCHEMA is None:
        import pyarrow as pa

        _ARROW_SCHEMA = pa.schema(
            [
                pa.field(JOURNEY_ID, pa.string(), nullable=False),
                pa.field(TIMESTAMP, pa.timestamp("us", tz="UTC"), nullable=False),
                pa.field(ANSWER_SEQ, pa.int64(), nullable=False),
                pa.field(QUESTION, pa.string(), nullable=False),
                pa.field(SCORE, pa.float64()),
                *(pa.field(name, pa.string()) for name in OPTIONAL_TEXT_COLUMNS),
                pa.field(ATTRIBUTES, pa.string()),
            ]
        )
    return _ARROW_SCHEMA

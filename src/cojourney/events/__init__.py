"""Event logs: the canonical schema and the readers that map files onto it.

>>> from cojourney.events import ColumnMapping
>>> ColumnMapping(journey_id="incident_id").resolve(["incident_id", "concept:name"]).activity
'concept:name'
"""

from cojourney.events.schema import (
    CANONICAL_COLUMNS,
    REQUIRED_COLUMNS,
    ColumnMapping,
    canonical_arrow_schema,
)

__all__ = ["CANONICAL_COLUMNS", "REQUIRED_COLUMNS", "ColumnMapping", "canonical_arrow_schema"]

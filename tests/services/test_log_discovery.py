"""``discover_log``: what ``cojourney analyze FILE`` runs, callable without the CLI."""

from __future__ import annotations

from pathlib import Path

import pytest

from cojourney.errors import InputError
from cojourney.services.discovery import discover_log


@pytest.fixture
def log(tmp_path: Path) -> Path:
    path = tmp_path / "log.csv"
    path.write_text(
        "id;act;at\nA;search;2024-03-01 10:00\nA;buy;2024-03-01 11:00\n"
        "B;search;2024-03-02 09:00\nB;-;2024-03-02 09:30\n",
        encoding="utf-8",
    )
    return path


def test_summary_with_reading_options(log: Path) -> None:
    columns = {"journey_id": "id", "activity": "act", "timestamp": "at", "sep": ";"}
    with pytest.raises(InputError, match="no activity"):
        discover_log(log, **columns, null_values=["-"])
    summary = discover_log(log, **columns, null_values=["-"], on_error="skip")
    assert (summary.counts.journeys, summary.counts.events) == (2, 3)
    assert summary.start_activities == {"search": 2}
    summary = discover_log(log, **columns)  # "-" is an activity then
    assert summary.counts.events == 4


def test_options_that_do_not_fit_the_format_name_concepts(log: Path) -> None:
    with pytest.raises(InputError) as caught:
        discover_log(log, classifier="concept:name+lifecycle:transition")
    assert caught.value.problems[0].location.field == "mapping.xes.classifier"
    assert "--" not in str(caught.value)
    with pytest.raises(InputError, match=r"query\.engine=spark"):
        discover_log(log, spark_master="local[1]")

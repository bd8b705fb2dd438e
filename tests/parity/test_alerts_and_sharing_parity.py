"""What the web app shows outside the analysis pages is the same on Spark and on DuckDB:
the journeys at risk (the page and the alerts) and the consumer page of a share link.

The at-risk list is read one day before the data's end, with poor answers of the last
60 days, so that both the stalled journeys and the poor answers about moments of truth
are in it.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

pytestmark = [pytest.mark.spark, pytest.mark.xdist_group("spark")]


@pytest.mark.parametrize("flagship", ["ecampus-car-share"], indirect=True)
def test_the_journeys_at_risk_are_the_same_on_both_engines(
    flagship: Path, parity_spark: Any, spark_statements: list[str]
) -> None:
    from cojourney.services.at_risk import at_risk

    end = at_risk(flagship, engine="duckdb").as_of
    assert end is not None
    as_of = end - timedelta(days=1)
    window = timedelta(days=60)
    on_duckdb = at_risk(flagship, engine="duckdb", as_of=as_of, answer_window=window)
    assert not spark_statements, "DuckDB's run went to Spark"
    on_spark = at_risk(flagship, engine="spark", as_of=as_of, answer_window=window)
    assert any("arg_max" in q or "max_by" in q.lower() for q in spark_statements), (
        "no query ran on Spark"
    )
    reasons = Counter(item.reason for item in on_duckdb.items)
    assert reasons["stalled"] and reasons["poor_answer"], reasons
    assert on_spark.to_dict() == on_duckdb.to_dict()


@pytest.mark.parametrize("flagship", ["ecampus-car-share"], indirect=True)
def test_the_consumer_page_is_the_same_on_both_engines(
    flagship: Path, parity_spark: Any, spark_statements: list[str]
) -> None:
    from cojourney.services.consumer_report import consumer_page

    def page(engine: str) -> str:
        found = consumer_page(flagship, engine=engine)
        assert not found.feedback_reason, found.feedback_reason  # answers are shown
        return re.sub(r"\d{4}-\d\d-\d\d \d\d:\d\d UTC", "(when)", found.html)

    on_duckdb = page("duckdb")
    assert not spark_statements, "DuckDB's run went to Spark"
    on_spark = page("spark")
    assert spark_statements, "the consumer page's experience figures did not run on Spark"
    assert on_spark == on_duckdb

"""The DuckDB-to-Spark SQL fixes of :mod:`cojourney.analytics.engines.spark_sql` (no Spark
needed: the generated text is checked; the parity suite runs it on Spark)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import sqlglot

from cojourney.analytics.engines.spark_sql import _java_pattern, _json_path, bind, to_spark


def spark(sql: str, parameters: object = None) -> str:
    tree = sqlglot.parse_one(sql, read="duckdb")
    if parameters is not None:
        tree = bind(tree, parameters)
    return to_spark(tree)


def test_epoch_functions_keep_the_fraction_of_a_second() -> None:
    out = spark("SELECT epoch_us(ts), epoch(ts) FROM t")
    assert out == ("SELECT UNIX_MICROS(ts), UNIX_MICROS(ts) / 1000000.0 FROM t")


def test_named_parameters_become_literals_lists_and_instants_included() -> None:
    out = spark(
        "SELECT * FROM t WHERE list_contains($names, a) AND ts <= $until AND d = $day",
        {
            "names": ["x", "it's"],
            "until": datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC),
            "day": date(2025, 1, 2),
        },
    )
    assert "ARRAY_CONTAINS(ARRAY('x', 'it\\'s'), a)" in out
    assert "CAST('2025-01-02 03:04:05' AS TIMESTAMP)" in out
    assert "CAST('2025-01-02' AS DATE)" in out


def test_positional_parameters_too() -> None:
    assert spark("SELECT ? + ?", [1, 2.5]) == "SELECT 1 + CAST(2.5 AS DOUBLE)"


def test_local_time_strftime_and_quantiles() -> None:
    out = spark(
        "SELECT strftime(timezone('Europe/Paris', ts), '%Y-%m-%dT%H:%M:%SZ'), "
        "quantile_cont(x, 0.9) FROM t"
    )
    assert "DATE_FORMAT(FROM_UTC_TIMESTAMP(ts, 'Europe/Paris')" in out
    assert "PERCENTILE(x, CAST(0.9 AS DOUBLE))" in out
    assert _java_pattern("%Y-%m-%dT%H:%M:%SZ") == "yyyy-MM-dd'T'HH:mm:ss'Z'"


def test_ordered_lists_and_slices() -> None:
    out = spark("SELECT list(v ORDER BY ts DESC, seq DESC)[1:3] FROM t")
    assert out == (
        "SELECT SLICE(TRANSFORM(SORT_ARRAY(COLLECT_LIST(STRUCT(ts AS __k0, seq AS __k1, "
        "v AS __v)), FALSE), __e -> __e.__v), 1, 3 - 1 + 1) FROM t"
    )
    with pytest.raises(NotImplementedError):
        spark("SELECT list(v ORDER BY a, b DESC) FROM t")


def test_grouping_masks_hugeint_keys_and_json_paths() -> None:
    assert spark("SELECT grouping(a, b) FROM t") == (
        "SELECT (GROUPING(a) * 2 + GROUPING(b) * 1) FROM t"
    )
    assert "AS DECIMAL(38, 0)" in spark("SELECT CAST(x AS HUGEINT) FROM t")
    assert _json_path('$."my \\"key\\""') == "$['my \"key\"']"
    assert _json_path("$.plain") == "$.plain"
    out = spark("SELECT json_extract_string(a, $p) FROM t", {"p": '$."prio"'})
    assert "GET_JSON_OBJECT(a, '$[\\'prio\\']')" in out


def test_materialized_hints_are_dropped() -> None:
    assert "MATERIALIZED" not in spark("WITH x AS MATERIALIZED (SELECT 1 AS a) SELECT a FROM x")


def test_a_window_in_arithmetic_is_parenthesised() -> None:
    out = spark("SELECT lead(x) OVER w - x FROM t WINDOW w AS (ORDER BY x)")
    assert out.startswith("SELECT (LEAD(x) OVER w) - x")


def test_decimal_literals_are_doubles_as_in_duckdb() -> None:
    assert spark("SELECT 100.0 * a / n, 2 FROM t") == (
        "SELECT CAST(100.0 AS DOUBLE) * a / n, 2 FROM t"
    )


def test_ibis_json_attribute_as_text_becomes_get_json_object() -> None:
    import ibis

    from cojourney.analytics.engines.duckdb import canonical_ibis_schema
    from cojourney.analytics.filters import attribute_text

    events = ibis.table(canonical_ibis_schema(), name="ev")
    duck = str(ibis.to_sql(events.select(x=attribute_text(events, "plan")), dialect="duckdb"))
    assert "JSON_TYPE" in duck  # what Spark does not know
    out = spark(duck)
    assert "JSON_TYPE" not in out.upper()
    assert (
        out == "SELECT GET_JSON_OBJECT(`t0`.`attributes`, '$[\\'plan\\']') AS `x` FROM `ev` AS `t0`"
    )


def test_renaming_a_temporary_table_is_not_transpiled_but_handled() -> None:
    # SparkSqlConnection.execute re-registers the view (the parity suite runs it on Spark)
    tree = sqlglot.parse_one("ALTER TABLE a_grouped RENAME TO a", read="duckdb")
    assert isinstance(tree, sqlglot.exp.Alter)
    assert isinstance(tree.args["actions"][0], sqlglot.exp.AlterRename)

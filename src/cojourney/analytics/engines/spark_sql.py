"""DuckDB SQL on Spark: the SQL-written analyses run unchanged on a Spark session.

Experience, agreements, value indicators, leakage and improvements are written once, in
DuckDB's SQL dialect (:mod:`cojourney.events.sql`). :class:`SparkSqlConnection` accepts
the same statements and parameters as a DuckDB connection, parses them with sqlglot
(``read="duckdb"``), applies the few fixes that plain transpilation gets wrong
(:func:`to_spark`) and runs the result with ``session.sql``. Results come back as Arrow
tables; what the analyses fetch are per-journey or per-group summaries.

The dialect fixes, each with the reason:

* ``$name`` / ``?`` parameters are written in as literals (Spark's named parameters do
  not accept lists of strings, and they would not survive ``CREATE VIEW``);
* ``epoch_us(t)`` / ``epoch(t)`` become ``unix_micros(t)`` (divided for ``epoch``),
  because sqlglot maps ``epoch`` to ``unix_timestamp``, which drops the fraction;
* ``quantile_cont(x, q)`` becomes ``percentile(x, q)`` (Spark's exact, interpolating
  percentile, DuckDB's ``quantile_cont``);
* ``json_extract_string(j, '$."key"')`` (a parameter, so sqlglot cannot see the path)
  becomes ``get_json_object(j, '$['key']')``;
* ``grouping(a, b, ...)`` (DuckDB's bit mask of any grouped columns) becomes the sum of
  ``grouping(a) * 2 + grouping(b)`` (Spark's ``grouping_id`` needs every grouped column);
* Ibis's read of a JSON attribute as text (``coalesce(CASE WHEN json_type(j -> k) =
  'VARCHAR' THEN ... END, CAST(j -> k AS TEXT))``) becomes ``get_json_object(j, k)``,
  which is the same (a string unwrapped, anything else as JSON text);
* ``HUGEINT`` (ordering keys of timestamp and input order) becomes ``DECIMAL(38, 0)``;
* a window function inside arithmetic is parenthesised (Spark reads ``OVER w - x`` as
  the window name ``w-x``);
* numbers written with a decimal point are cast to ``DOUBLE``: Spark takes ``100.0``
  as a DECIMAL and rounds quotients to 6 digits, where DuckDB gives a double;
* ``AS MATERIALIZED`` on a common table expression is dropped (Spark has no such hint);
* ``CREATE TEMP TABLE t AS q`` becomes a cached temporary view; ``DROP TABLE t`` drops
  it; ``ALTER TABLE t RENAME TO u`` makes the view ``u`` and drops ``t``; ``SET`` statements (DuckDB settings) are ignored.
"""

from __future__ import annotations

import logging
import re
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    import pyarrow as pa
    from pyspark.sql import DataFrame, SparkSession
    from sqlglot import exp

log = logging.getLogger(__name__)

__all__ = ["SparkSqlConnection", "SparkSqlResult", "to_spark"]


class SparkSqlResult:
    """The rows of one statement, as Arrow (fetched once, like DuckDB's result)."""

    def __init__(self, table: pa.Table) -> None:
        self._table = table

    def fetch_arrow_table(self) -> pa.Table:
        return self._table

    def fetchall(self) -> list[Any]:
        columns = [c.to_pylist() for c in self._table.columns]
        return list(zip(*columns, strict=True)) if columns else []

    def fetchone(self) -> Any:
        rows = self.fetchall()
        return rows[0] if rows else None

    def fetchnumpy(self) -> dict[str, Any]:
        import numpy as np

        return {
            name: np.asarray(self._table.column(name).to_numpy(zero_copy_only=False))
            for name in self._table.column_names
        }


class SparkSqlConnection:
    """A DuckDB-connection look-alike that runs DuckDB SQL on a Spark session.

    Parameters
    ----------
    session
        The Spark session (its time zone must be UTC, as :class:`SparkEngine` sets it).
    """

    def __init__(self, session: SparkSession) -> None:
        self.session = session
        self._cached: set[str] = set()
        self._registered: set[str] = set()
        self.statements = 0  # how many statements ran (tests check the work is done here)

    def execute(self, query: str, parameters: Any = None) -> SparkSqlResult:
        """Run one DuckDB statement on Spark."""
        import sqlglot
        from sqlglot import exp

        tree = sqlglot.parse_one(query, read="duckdb")
        if parameters is not None:
            tree = bind(tree, parameters)
        self.statements += 1
        if isinstance(tree, exp.Set | exp.Command):
            return SparkSqlResult(_empty())
        if isinstance(tree, exp.Create) and tree.args.get("kind", "").upper() == "TABLE":
            name = tree.this.name if isinstance(tree.this, exp.Table) else tree.this.this.name
            frame = self.session.sql(to_spark(tree.expression))
            frame.createOrReplaceTempView(name)
            self.session.catalog.cacheTable(name)
            self._cached.add(name)
            return SparkSqlResult(_empty())
        if isinstance(tree, exp.Drop):
            self._drop(tree.this.name)
            return SparkSqlResult(_empty())
        actions = tree.args.get("actions") or [] if isinstance(tree, exp.Alter) else []
        if len(actions) == 1 and isinstance(actions[0], exp.AlterRename):
            old, new = tree.this.name, actions[0].this.name  # a temporary view: re-named
            self.session.table(old).createOrReplaceTempView(new)
            if old in self._cached:
                self.session.catalog.cacheTable(new)
                self._cached.add(new)
            else:
                self._registered.add(new)
            self._drop(old)
            return SparkSqlResult(_empty())
        return SparkSqlResult(_arrow(self.session.sql(to_spark(tree))))

    def register(self, view_name: str, python_object: Any) -> None:
        """Make an Arrow table (or pandas frame) a temporary view."""
        frame = self.session.createDataFrame(python_object)
        frame.createOrReplaceTempView(view_name)
        self._registered.add(view_name)

    def unregister(self, view_name: str) -> None:
        self._drop(view_name)

    def _drop(self, name: str) -> None:
        if name in self._cached:
            self.session.catalog.uncacheTable(name)
            self._cached.discard(name)
        self._registered.discard(name)
        self.session.catalog.dropTempView(name)

    def close(self) -> None:
        """Drop the views this connection made."""
        for name in list(self._cached | self._registered):
            self._drop(name)


def to_spark(tree: exp.Expression) -> str:
    """A parsed DuckDB statement as Spark SQL, with the fixes of this module."""
    return tree.copy().transform(_fix).sql(dialect="spark")


def _fix(node: exp.Expression) -> exp.Expression:
    """One DuckDB construct rewritten for Spark (children of a rewrite are fixed too)."""
    from sqlglot import exp

    def fixed(child: exp.Expression) -> exp.Expression:
        return child.transform(_fix)

    if isinstance(node, exp.CTE) and node.args.get("materialized") is not None:
        node.set("materialized", None)
        return node
    if isinstance(node, exp.Literal) and not node.is_string and "." in str(node.this):
        return exp.cast(node.copy(), "DOUBLE")  # Spark: a DECIMAL, and x / 100.0 keeps 6 digits
    if isinstance(node, exp.Window) and isinstance(node.parent, exp.Binary):
        return exp.Paren(this=fixed(node.copy()))  # Spark misreads "OVER w - x"
    if isinstance(node, exp.Anonymous):
        name, args = str(node.this).lower(), [fixed(a) for a in node.expressions]
        if name in _EPOCH_DIVISORS:
            micros = exp.Anonymous(this="unix_micros", expressions=args[:1])
            divisor = _EPOCH_DIVISORS[name]
            if divisor == 1:
                return micros
            return exp.Div(this=micros, expression=exp.Literal.number(divisor))
        if name == "timezone" and len(args) == 2:  # of a TIMESTAMPTZ: the local wall time
            return exp.Anonymous(this="from_utc_timestamp", expressions=[args[1], args[0]])
    if isinstance(node, exp.TimeToUnix):
        micros = exp.Anonymous(this="unix_micros", expressions=[fixed(node.this)])
        return exp.Div(this=micros, expression=exp.Literal.number(1_000_000.0))
    if isinstance(node, exp.TimeToStr) and isinstance(node.args.get("format"), exp.Literal):
        pattern = _java_pattern(str(node.args["format"].this))
        return exp.Anonymous(
            this="date_format", expressions=[fixed(node.this), exp.Literal.string(pattern)]
        )
    if isinstance(node, exp.PercentileCont) and node.args.get("expression") is not None:
        return exp.Anonymous(
            this="percentile", expressions=[fixed(node.this), fixed(node.args["expression"])]
        )
    if isinstance(node, exp.DataType) and node.this in (exp.DataType.Type.INT128,):
        return exp.DataType.build("DECIMAL(38, 0)")
    unwrapped = _json_text(node)
    if unwrapped is not None:  # Ibis's "a JSON string unwrapped, else the JSON as text"
        json, key = unwrapped
        return exp.Anonymous(
            this="get_json_object", expressions=[fixed(json), exp.Literal.string(key)]
        )
    if isinstance(node, exp.JSONExtractScalar) and isinstance(node.expression, exp.Literal):
        path = _json_path(str(node.expression.this))
        return exp.Anonymous(
            this="get_json_object", expressions=[fixed(node.this), exp.Literal.string(path)]
        )
    if isinstance(node, exp.Grouping) and len(node.expressions) > 1:  # DuckDB: a bit mask
        n = len(node.expressions)
        bits: list[exp.Expression] = [
            exp.Mul(
                this=exp.Grouping(expressions=[fixed(e)]),
                expression=exp.Literal.number(1 << (n - 1 - i)),
            )
            for i, e in enumerate(node.expressions)
        ]
        total = bits[0]
        for bit in bits[1:]:
            total = exp.Add(this=total, expression=bit)
        return exp.Paren(this=total)
    if isinstance(node, exp.List) and len(node.expressions) == 1:
        return _ordered_list(node.expressions[0], fixed)
    if isinstance(node, exp.Bracket) and len(node.expressions) == 1:
        index = node.expressions[0]
        if isinstance(index, exp.Slice):  # DuckDB: 1-based, both ends included
            first, last = fixed(index.this), fixed(index.expression)
            length = exp.Add(
                this=exp.Sub(this=last, expression=first), expression=exp.Literal.number(1)
            )
            return exp.Anonymous(this="slice", expressions=[fixed(node.this), first, length])
    return node


def _ordered_list(item: exp.Expression, fixed: Any) -> exp.Expression:
    """DuckDB's ``list(x ORDER BY k ...)``: Spark collects structs of the keys and the
    value, sorts them (every key in one direction) and keeps the values."""
    from sqlglot import exp

    if not isinstance(item, exp.Order):
        return exp.Anonymous(this="collect_list", expressions=[fixed(item)])
    keys = item.expressions
    directions = {bool(k.args.get("desc")) for k in keys}
    if len(directions) != 1:
        raise NotImplementedError("list(... ORDER BY ...) with mixed directions on Spark")
    fields = [exp.alias_(fixed(k.this), f"__k{i}") for i, k in enumerate(keys)] + [
        exp.alias_(fixed(item.this), "__v")
    ]
    collected = exp.Anonymous(
        this="collect_list", expressions=[exp.Anonymous(this="struct", expressions=fields)]
    )
    ascending = exp.Boolean(this=not directions.pop())
    ordered = exp.Anonymous(this="sort_array", expressions=[collected, ascending])
    lam = exp.Lambda(
        this=exp.Dot(this=exp.to_identifier("__e"), expression=exp.to_identifier("__v")),
        expressions=[exp.to_identifier("__e")],
    )
    return exp.Anonymous(this="transform", expressions=[ordered, lam])


def _json_text(node: exp.Expression) -> tuple[exp.Expression, str] | None:
    """``(json, Spark path)`` when ``node`` is ``coalesce(CASE WHEN json_type(j -> k) =
    'VARCHAR' THEN (j -> k) ->> '$' END, CAST(j -> k AS TEXT))`` (what Ibis compiles a
    JSON attribute read as text to): Spark's ``get_json_object`` is that whole
    expression (a string unwrapped, anything else as its JSON text)."""
    from sqlglot import exp

    if not isinstance(node, exp.Coalesce) or not isinstance(node.this, exp.Case):
        return None
    ifs = node.this.args.get("ifs") or []
    if len(ifs) != 1 or not isinstance(ifs[0].this, exp.EQ):
        return None
    test = ifs[0].this
    if not isinstance(test.this, exp.JSONType) or not isinstance(test.this.this, exp.JSONExtract):
        return None
    extract = test.this.this
    path = extract.expression
    if not isinstance(path, exp.JSONPath):
        return None
    keys = path.expressions[1:]
    if not all(isinstance(k, exp.JSONPathKey) for k in keys) or len(keys) != 1:
        return None
    json = extract.this.this if isinstance(extract.this, exp.Cast) else extract.this
    key = str(keys[0].this)
    return json, "$['" + key.replace("'", "\\'") + "']"


def _json_path(path: str) -> str:
    """DuckDB's ``$."key"`` as Spark's ``$['key']`` (other paths unchanged)."""
    match = re.fullmatch(r'\$\."((?:[^"\\]|\\.)*)"', path)
    if match is None:
        return path
    key = re.sub(r"\\(.)", r"\1", match.group(1))
    return "$['" + key.replace("'", "\\'") + "']"


#: strftime directives -> Java date-time patterns (others are quoted as text).
_DIRECTIVES = {
    "%Y": "yyyy",
    "%m": "MM",
    "%d": "dd",
    "%H": "HH",
    "%M": "mm",
    "%S": "ss",
    "%j": "DDD",
    "%y": "yy",
    "%b": "MMM",
    "%B": "MMMM",
    "%a": "EEE",
    "%A": "EEEE",
}


def _java_pattern(strftime: str) -> str:
    """A strftime format as a Spark ``date_format`` pattern (literal text quoted)."""
    out: list[str] = []
    text = ""
    i = 0
    while i < len(strftime):
        piece = strftime[i : i + 2]
        if piece in _DIRECTIVES:
            if text:
                out.append("'" + text.replace("'", "''") + "'")
                text = ""
            out.append(_DIRECTIVES[piece])
            i += 2
        elif strftime[i].isalpha() or strftime[i] == "'":
            text += strftime[i]
            i += 1
        else:
            if text:
                out.append("'" + text.replace("'", "''") + "'")
                text = ""
            out.append(strftime[i])
            i += 1
    if text:
        out.append("'" + text.replace("'", "''") + "'")
    return "".join(out)


#: DuckDB epoch functions -> divisor of Spark's ``unix_micros``.
_EPOCH_DIVISORS = {"epoch_us": 1, "epoch": 1_000_000.0}


def bind(tree: exp.Expression, parameters: Any) -> exp.Expression:
    """``tree`` with its ``$name`` (a dict) or ``?`` (a sequence) placeholders replaced
    by literals."""
    from sqlglot import exp

    positional = iter([] if isinstance(parameters, dict) else list(parameters))

    def fill(node: exp.Expression) -> exp.Expression:
        if isinstance(node, exp.Placeholder | exp.Parameter):
            key = node.name
            value = parameters[key] if isinstance(parameters, dict) and key else next(positional)
            return literal(value)
        return node

    return tree.transform(fill)


def literal(value: Any) -> exp.Expression:
    """A Python value as a Spark SQL literal (instants as UTC timestamps)."""
    from sqlglot import exp

    if value is None:
        return exp.Null()
    if isinstance(value, bool):
        return exp.Boolean(this=value)
    if isinstance(value, int | float):
        return exp.Literal.number(value)
    if isinstance(value, datetime):
        utc = value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo else value
        return exp.cast(exp.Literal.string(utc.isoformat(sep=" ")), "TIMESTAMP")
    if isinstance(value, date):
        return exp.cast(exp.Literal.string(value.isoformat()), "DATE")
    if isinstance(value, list | tuple):
        return exp.Array(expressions=[literal(v) for v in value])
    return exp.Literal.string(str(value))


def _arrow(frame: DataFrame) -> pa.Table:
    table: pa.Table = frame.toArrow()
    return table


def _empty() -> pa.Table:
    import pyarrow as pa

    return pa.table({})

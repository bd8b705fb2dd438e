"""``cojourney analyze FILE``: through the real entry point (``main``), in process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from cojourney.cli.main import main

# pandas 3 deprecation noise from inside pyspark's and Ibis's result conversion.
pytestmark = [
    pytest.mark.filterwarnings("ignore::DeprecationWarning:pyspark.sql.pandas.types"),
    pytest.mark.filterwarnings("ignore::DeprecationWarning:ibis.formats.pandas"),
]

SHARED_LOGS = Path(
    os.environ.get("COJOURNEY_SHARED_DATA")
    or Path(__file__).resolve().parents[2].parent / "shared" / "data"
)
REFERENCE_KEYS = {
    "log",
    "computed_with",
    "conventions",
    "cases",
    "events",
    "activities",
    "directly_follows",
    "start_activities",
    "end_activities",
    "variant_count",
    "top_variants",
    "case_duration_seconds",
}

XES_STYLE = (
    "case:concept:name,concept:name,time:timestamp\n"
    "c1,register,2024-01-01 09:00:00+01:00\nc1,decide,2024-01-01 10:00:00+01:00\n"
    "c1,pay,2024-01-02 09:00:00+01:00\nc2,register,2024-01-01 08:00:00Z\n"
    "c2,decide,2024-01-01 08:30:00Z\nc3,register,2024-01-03 08:00:00Z\n"
)


@pytest.fixture
def xes_csv(tmp_path: Path) -> Path:
    path = tmp_path / "small.csv"
    path.write_text(XES_STYLE, encoding="utf-8")
    return path


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["analyze", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_json_to_stdout_has_the_reference_layout(capsys: Any, xes_csv: Path) -> None:
    code, out, _ = run(capsys, str(xes_csv), "--json", "-")
    assert code == 0
    result = json.loads(out)
    assert set(result) == REFERENCE_KEYS
    assert (result["cases"], result["events"], result["activities"]) == (3, 6, 3)
    assert result["directly_follows"] == [
        ["register", "decide", 2, 2700.0],
        ["decide", "pay", 1, 82800.0],
    ]
    assert result["start_activities"] == {"register": 3}
    assert result["end_activities"] == {"decide": 1, "pay": 1, "register": 1}
    assert result["top_variants"][0] == {"activities": ["register"], "cases": 1}
    assert result["case_duration_seconds"] == {
        "mean": 29400.0,
        "median": 1800.0,
        "min": 0.0,
        "max": 86400.0,
    }
    assert result["log"] == "small.csv" and result["computed_with"].endswith("(duckdb)")


def test_json_file_and_tables(capsys: Any, xes_csv: Path, tmp_path: Path) -> None:
    out_file = tmp_path / "out.json"
    assert run(capsys, str(xes_csv), "--json", str(out_file))[0] == 0
    assert json.loads(out_file.read_text(encoding="utf-8"))["variant_count"] == 3
    code, out, _ = run(capsys, str(xes_csv), "--top", "2")
    assert code == 0
    assert "3 journeys, 6 events, 3 activities, 3 variants" in out
    assert "Top 2 variants" in out and "register → decide" in out
    assert "Directly-follows (2 of 2)" in out and "Start activities" in out


def test_named_columns_separator_and_format(capsys: Any, tmp_path: Path) -> None:
    path = tmp_path / "sepsis-like.csv"
    path.write_text(
        "Case ID;Activity;Complete Timestamp\n"
        "A;ER Registration;2014/10/22 11:15:41.000\n"
        "A;ER Triage;2014/10/22 11:27:00.500\n",
        encoding="utf-8",
    )
    code, out, _ = run(
        capsys,
        str(path),
        "--sep",
        ";",
        "--case",
        "Case ID",
        "--activity",
        "Activity",
        "--timestamp",
        "Complete Timestamp",
        "--timestamp-format",
        "%Y/%m/%d %H:%M:%S.%f",
        "--json",
        "-",
    )
    assert code == 0
    assert json.loads(out)["directly_follows"] == [["ER Registration", "ER Triage", 1, 679.5]]


def test_missing_columns_are_listed_with_the_flags(capsys: Any, tmp_path: Path) -> None:
    path = tmp_path / "plain.csv"
    path.write_text("id,what,when\n1,a,2024-01-01\n", encoding="utf-8")
    code, _, err = run(capsys, str(path))
    assert code == 2
    assert "columns: id, what, when" in err
    assert all(flag in err for flag in ("as --case", "as --activity", "as --timestamp"))
    assert "Traceback" not in err


def test_bad_rows_exit_2_with_line_numbers(capsys: Any, tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(
        "case:concept:name,concept:name,time:timestamp\nc,a,yesterday\n", encoding="utf-8"
    )
    code, _, err = run(capsys, str(path))
    assert code == 2 and f"{path}:2 [time:timestamp]" in err and "'yesterday'" in err


# ----------------------------------------------------------------------------- WORKSPACE form


def _events(journeys: dict[str, tuple[str, str, list[str]]]) -> Any:
    """Canonical events: ``{journey: (segment, start date, activities an hour apart)}``."""
    import datetime as dt

    import pyarrow as pa

    from cojourney.events.schema import canonical_arrow_schema

    rows = []
    for journey, (segment, day, activities) in journeys.items():
        start = dt.datetime.fromisoformat(day).replace(tzinfo=dt.UTC)
        rows += [
            {
                "journey_id": journey,
                "activity": a,
                "segment": segment,
                "channel": "app",
                "timestamp": start + dt.timedelta(hours=n),
                "event_seq": len(rows) + n,
            }
            for n, a in enumerate(activities)
        ]
    return pa.Table.from_pylist(rows, schema=canonical_arrow_schema())


DESIGNED = ["search", "sign-up", "identity-check", "first-use", "survey"]
JOURNEYS = {
    "j1": ("students", "2024-01-10", DESIGNED),
    "j2": ("students", "2024-02-10", DESIGNED),
    "j3": ("commuters", "2024-02-20", ["sign-up", "first-use", "survey"]),  # gate bypassed
}


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """The DSV template with three journeys imported into its event store."""
    from cojourney.events.store import EventStore
    from cojourney.services.workspaces import init_workspace

    folder = tmp_path / "ws"
    init_workspace(folder)
    with EventStore.open(folder) as store:
        store.import_batches(
            _events(JOURNEYS).to_batches(), source_name="test.parquet", source_sha256="0" * 64
        )
    return folder


def test_workspace_json(capsys: Any, workspace: Path) -> None:
    code, out, _ = run(capsys, str(workspace), "--json", "-")
    assert code == 0
    result = json.loads(out)
    assert result["workspace"] == str(workspace) and result["journey_id"] == "main-journey"
    assert result["source"].endswith("events.duckdb") and result["engine"] == "duckdb"
    assert result["counts"] == {"journeys": 3, "events": 13, "activities": 5}
    assert result["gates"][0]["bypassed"] == 1 and result["conformance"]["perfect"] == 2
    assert [b["dimension"] for b in result["breakdowns"]] == ["segment", "channel", "month"]
    funnel = {
        s["step"]: (s["reached"], s["moved_on"], s["left"]) for s in result["funnel"]["steps"]
    }
    assert funnel["onboard"] == (2, 2, 0) and funnel["realize"] == (3, 0, 3)


def test_workspace_tables(capsys: Any, workspace: Path) -> None:
    code, out, _ = run(capsys, str(workspace), "--by", "week")
    assert code == 0
    assert "journey main-journey: 3 journeys, 13 events" in out
    for title in (
        "Step funnel",
        "Onboarding (onboard): 2 of 2 got on board",
        "Gates",
        "Conformance to the designed path",
        "Top 2 of 2 variants",
        "Rework: repeated touchpoints",
        "By week",
    ):
        assert title in out


def test_workspace_filters(capsys: Any, workspace: Path) -> None:
    code, out, _ = run(
        capsys, str(workspace), "--from", "2024-02-01", "--to", "2024-02-10", "--json", "-"
    )
    assert code == 0
    result = json.loads(out)  # j2 starts on the 10th: --to names a whole day
    assert result["counts"]["journeys"] == 1
    assert result["filters"] == {
        "start": "2024-02-01T00:00:00+00:00",
        "end": "2024-02-11T00:00:00+00:00",
    }
    code, out, _ = run(
        capsys, str(workspace), "--segment", "students", "--variant", "1", "--json", "-"
    )
    assert code == 0 and json.loads(out)["counts"]["journeys"] == 2


def test_workspace_with_a_parquet_dataset(capsys: Any, tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    from cojourney.services.workspaces import init_workspace

    init_workspace(tmp_path / "ws")
    (tmp_path / "data").mkdir()
    pq.write_table(_events({"a": JOURNEYS["j1"]}), tmp_path / "data" / "part-1.parquet")
    pq.write_table(_events({"b": JOURNEYS["j3"]}), tmp_path / "data" / "part-2.parquet")
    code, out, _ = run(
        capsys, str(tmp_path / "ws"), "--events", str(tmp_path / "data"), "--json", "-"
    )
    assert code == 0
    result = json.loads(out)
    assert result["counts"]["journeys"] == 2 and result["source"] == str(tmp_path / "data")


def test_workspace_errors(capsys: Any, workspace: Path, tmp_path: Path, xes_csv: Path) -> None:
    from cojourney.services.workspaces import init_workspace

    code, _, err = run(capsys, str(workspace), "--journey", "nope")
    assert code == 3 and "no journey 'nope'" in err and "main-journey" in err
    init_workspace(tmp_path / "empty")
    code, _, err = run(capsys, str(tmp_path / "empty"))
    assert code == 3 and "no events imported yet" in err and "(--events)" in err
    code, _, err = run(capsys, str(workspace), "--case", "id")
    assert code == 2 and "--case applies to an event log FILE" in err
    code, _, err = run(capsys, str(xes_csv), "--journey", "main-journey")
    assert code == 2 and "--journey applies to a WORKSPACE" in err
    code, _, err = run(capsys, str(workspace), "--from", "yesterday")
    assert code == 2 and "not a date" in err
    code, _, err = run(capsys, str(workspace), "--variant", "9")
    assert code == 2 and "there are only 2 variants" in err
    assert "Traceback" not in err


@pytest.mark.spark
@pytest.mark.xdist_group("spark")
def test_workspace_on_spark(capsys: Any, workspace: Path) -> None:
    pytest.importorskip("pyspark")
    code, out, _ = run(capsys, str(workspace), "--engine", "spark", "--json", "-")
    assert code == 0
    result = json.loads(out)
    assert result["engine"] == "spark" and result["counts"]["journeys"] == 3
    assert result["gates"][0]["bypassed"] == 1


@pytest.mark.parametrize(
    "args, message",
    [
        (["--spark-master", "local[1]"], "--spark-master needs --engine spark"),
        (["--classifier", "concept:name+lifecycle:transition"], "[--classifier]"),
        (["--sep", ";;"], "not one character"),
        (["--object-type", "order"], "[--object-type]"),
        (["--null-value", 'say "none"'], """'say "none"' holds the quote character"""),
    ],
)
def test_usage_errors(capsys: Any, xes_csv: Path, args: list[str], message: str) -> None:
    code, _, err = run(capsys, str(xes_csv), *args)
    assert code == 2 and message in err


def test_help_names_every_option(capsys: Any) -> None:
    code, out, _ = run(capsys, "--help")
    assert code == 0
    for option in (
        "--case",
        "--activity",
        "--timestamp",
        "--timestamp-format",
        "--timezone",
        "--sep",
        "--encoding",
        "--classifier",
        "--engine",
        "--spark-master",
        "--json",
        "--journey",
        "--events",
        "--from",
        "--to",
        "--segment",
        "--variant",
        "--by",
    ):
        assert option in out


def test_the_command_module_imports_nothing_heavy() -> None:
    code = (
        "import sys, cojourney.cli.analyze_cmd; "
        "heavy = [m for m in ('ibis', 'duckdb', 'pyarrow', 'pyspark', 'pandas', 'rich') "
        "if m in sys.modules]; print(heavy)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


@pytest.mark.skipif(not (SHARED_LOGS / "logs").is_dir(), reason="../shared/data is absent")
def test_running_example_equals_the_reference(capsys: Any) -> None:
    code, out, _ = run(capsys, str(SHARED_LOGS / "logs" / "running-example.csv"), "--json", "-")
    assert code == 0
    result = json.loads(out)
    reference = json.loads((SHARED_LOGS / "reference" / "running-example.json").read_text())
    for key in REFERENCE_KEYS - {"log", "computed_with", "directly_follows"}:
        assert result[key] == reference[key], key
    assert sorted(result["directly_follows"]) == sorted(reference["directly_follows"])


@pytest.mark.spark
@pytest.mark.xdist_group("spark")
def test_spark_engine(capsys: Any, xes_csv: Path) -> None:
    pytest.importorskip("pyspark")
    code, out, _ = run(capsys, str(xes_csv), "--engine", "spark", "--json", "-")
    assert code == 0
    result = json.loads(out)
    assert result["computed_with"].endswith("(spark)")
    assert result["directly_follows"] == [
        ["register", "decide", 2, 2700.0],
        ["decide", "pay", 1, 82800.0],
    ]


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_a_log_is_analysed_without_pandas_or_pyarrow(
    xes_csv: Path, tmp_path: Path, fmt: str
) -> None:
    """Start-up guard: the DuckDB path of the ad-hoc command loads none of these (Ibis, pandas
    and pyarrow are about a second of start-up together; numpy.ma, which np.median
    imports, 0.05 s)."""
    log = xes_csv
    if fmt == "parquet":  # a typed timestamp column: the file is read in place
        import duckdb

        log = tmp_path / "log.parquet"
        duckdb.sql(
            f'COPY (SELECT * REPLACE (CAST("time:timestamp" AS TIMESTAMPTZ) AS '
            f'"time:timestamp") FROM read_csv({str(xes_csv)!r}, all_varchar = true)) '
            f"TO '{log}' (FORMAT parquet)"
        )
    code = (
        "import sys; from cojourney.cli.main import main; "
        f"assert main(['analyze', {str(log)!r}, '--json', '-']) == 0; "
        "print([m for m in ('pandas', 'pyarrow', 'pyspark', 'ibis', 'numpy.ma') "
        "if m in sys.modules])"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip().splitlines()[-1] == "[]"

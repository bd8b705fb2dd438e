"""Import mappings: the YAML file round trip, its messages, flags, fingerprints, choice."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cojourney.errors import InputError, NotFound
from cojourney.events.mappings import (
    CsvOptions,
    ImportMapping,
    MappingFlags,
    MappingLibrary,
    mapping_name_for,
)
from cojourney.events.schema import ColumnMapping

ORDERS = ImportMapping(
    "orders",
    format="csv",
    time_zone="Europe/Amsterdam",
    columns=ColumnMapping(
        journey_id="order id",
        activity="step",
        timestamp="at",
        channel="via",
        timestamp_format="%d/%m/%Y %H:%M",
        activity_renames={"Visit web": "search", "yes": "no: really #1"},
    ),
    csv=CsvOptions(sep=";", encoding="latin-1", null_values=("", "NA")),
)


def test_yaml_round_trip_and_comments() -> None:
    text = ORDERS.to_yaml()
    assert ImportMapping.from_yaml(text, name="orders") == ORDERS
    assert "# required: the journey (case) id" in text
    assert "journey_id: order id" in text
    assert '"Visit web": search' in text or "Visit web: search" in text
    assert '"yes": "no: really #1"' in text  # YAML booleans and ': ' are quoted


texts = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=12)


@given(
    journey=texts,
    renames=st.dictionaries(texts, texts, max_size=3),
    sep=st.sampled_from([None, ",", ";", "\t", "|"]),
    fmt=st.one_of(st.none(), texts),
)
def test_yaml_round_trip_of_any_values(
    journey: str, renames: dict[str, str], sep: str | None, fmt: str | None
) -> None:
    m = ImportMapping(
        "m",
        columns=ColumnMapping(journey_id=journey, activity_renames=renames, timestamp_format=fmt),
        csv=CsvOptions(sep=sep),
    )
    assert ImportMapping.from_yaml(m.to_yaml(), name="m") == m


def test_every_problem_of_a_file_is_reported_with_its_line() -> None:
    text = (
        "mapping_version: 1\nformat: excel\ncolumns:\n  journey_id: [a, b]\n  colour: x\n"
        "activity_renames: {a: null}\nsurprise: 1\n"
    )
    with pytest.raises(InputError) as exc:
        ImportMapping.from_yaml(text, name="bad", source="bad.yaml")
    where = {(p.location.line, p.location.field) for p in exc.value.problems}
    assert where == {
        (2, "format"),
        (4, "columns.journey_id"),
        (5, "columns.colour"),
        (6, "activity_renames.a"),
        (7, "surprise"),
    }
    assert "bad.yaml:2" in str(exc.value)


def test_yaml_syntax_error_has_a_position() -> None:
    with pytest.raises(InputError, match=r"bad.yaml:\d+:\d+: YAML syntax error"):
        ImportMapping.from_yaml("columns:\n  journey_id: 'x\n", name="bad", source="bad.yaml")


def test_flags_override_and_renames_merge() -> None:
    m = ORDERS.with_flags(
        MappingFlags(timestamp="when", time_zone="UTC", sep=",", renames={"Call": "support-call"})
    )
    assert m.columns.timestamp == "when" and m.columns.journey_id == "order id"
    assert m.time_zone == "UTC" and m.csv.sep == "," and m.csv.encoding == "latin-1"
    assert dict(m.columns.activity_renames) == {
        "Visit web": "search",
        "yes": "no: really #1",
        "Call": "support-call",
    }
    assert MappingFlags().is_empty() and not MappingFlags(renames={"a": "b"}).is_empty()


def test_fingerprint_ignores_the_name_and_uses_the_effective_time_zone() -> None:
    plain = ImportMapping("a", columns=ColumnMapping(journey_id="c"))
    assert plain.fingerprint("UTC") == ImportMapping("b", columns=plain.columns).fingerprint("UTC")
    assert plain.fingerprint("UTC") != plain.fingerprint("Europe/Paris")
    explicit = ImportMapping("a", columns=plain.columns, time_zone="Europe/Paris")
    assert explicit.fingerprint("UTC") == plain.fingerprint("Europe/Paris")
    assert plain.column_mapping("Asia/Tokyo").timezone == "Asia/Tokyo"
    assert explicit.column_mapping("Asia/Tokyo").timezone == "Europe/Paris"


def test_source_columns_default_to_the_xes_names() -> None:
    assert ImportMapping("x").source_columns() == [
        "case:concept:name",
        "concept:name",
        "time:timestamp",
    ]
    assert ORDERS.source_columns() == ["order id", "step", "at", "via"]


@pytest.mark.parametrize(
    ("path", "name"),
    [
        ("a/Orders 2024.csv", "orders-2024"),
        ("helpdesk.xes.gz", "helpdesk"),
        ("BPIC14_incident_log.csv", "bpic14_incident_log"),
        ("---.csv", "events"),
    ],
)
def test_default_names(path: str, name: str) -> None:
    assert mapping_name_for(path) == name


def test_library_save_load_and_choose(tmp_path: Path) -> None:
    library = MappingLibrary(tmp_path / "mappings")
    assert library.names() == [] and library.all() == []
    path = library.save(ORDERS)
    assert path == tmp_path / "mappings" / "orders.yaml"
    library.save(
        ImportMapping(
            "visits",
            format="csv",
            columns=ColumnMapping(journey_id="visitor", activity="page", timestamp="at"),
        )
    )
    library.save(ImportMapping("log", format="xes"))
    assert library.names() == ["log", "orders", "visits"]
    assert library.load("orders") == ORDERS

    def columns(m: ImportMapping) -> list[str]:
        return ["order id", "step", "at", "via", "extra"]

    fitting, missing = library.candidates("csv", columns)
    assert [m.name for m in fitting] == ["orders"]
    assert missing == {"visits": ["visitor", "page"]}
    fitting, _ = library.candidates("xes", lambda m: None)
    assert [m.name for m in fitting] == ["log"]


def test_library_errors(tmp_path: Path) -> None:
    library = MappingLibrary(tmp_path)
    with pytest.raises(NotFound, match=r"no mapping named 'nope'.*none yet"):
        library.load("nope")
    with pytest.raises(InputError, match=r"invalid mapping name"):
        library.path_of("../escape")
    (tmp_path / "broken.yaml").write_text("format: [\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"broken.yaml"):
        library.all()

"""Hostile YAML: alias bombs, deep nesting, huge files and syntax errors get one located answer.

Every YAML file of the product (workspace files, saved import mappings) is read
through :mod:`cojourney.yamlio`; these tests feed it what an attacker or an
accident would, through the library, the services and the command line.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cojourney.cli.main import main
from cojourney.demo import example_names, example_path
from cojourney.errors import InputError
from cojourney.events.mappings import MappingLibrary
from cojourney.services.workspaces import init_workspace
from cojourney.settings import Settings, current_settings, use_settings
from cojourney.spec import validate_workspace
from cojourney.spec.loader import workspace_files
from cojourney.yamlio import YamlLimits, parse_yaml, read_yaml_file

#: Generous: the machine running the tests may be busy; a bomb that expanded would take hours.
FAST = 20.0


def billion_laughs(levels: int = 9, width: int = 9) -> str:
    """The classic bomb: each level aliases the previous one ``width`` times."""
    text = "lol: &l0 [" + ", ".join(['"lol"'] * width) + "]\n"
    for level in range(1, levels):
        text += f"l{level}: &l{level} [" + ", ".join([f"*l{level - 1}"] * width) + "]\n"
    return text


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    folder = tmp_path / "ws"
    init_workspace(folder)
    assert validate_workspace(folder).ok
    return folder


def only_problem(folder: Path):
    report = validate_workspace(folder)
    assert len(report.problems) == 1, [p.render() for p in report.problems]
    return report.problems[0]


# --------------------------------------------------------------------------- aliases


def test_billion_laughs_in_a_workspace_is_refused_fast_with_its_place(ws: Path) -> None:
    bomb = ws / "bomb.yaml"
    bomb.write_text(billion_laughs(), encoding="utf-8")
    started = time.perf_counter()
    problem = only_problem(ws)
    assert time.perf_counter() - started < FAST
    assert problem.location.file == str(bomb)
    # the bomb passes 100 expanded aliases on line 4 (9 + 9*(1+9) = 99 before it)
    assert (problem.location.line, problem.location.column) == (4, 1 + len("l3: &l3 ["))
    assert "too many aliases" in problem.message
    assert "yaml_max_aliases" in (problem.expected or "")
    assert "COJOURNEY_YAML_MAX_ALIASES" in (problem.hint or "")


def test_the_cli_answers_a_bomb_with_exit_code_2_and_the_place(
    ws: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (ws / "personas.yaml").write_text(billion_laughs(), encoding="utf-8")
    started = time.perf_counter()
    code = main(["validate", str(ws)])
    assert time.perf_counter() - started < FAST
    err = capsys.readouterr()
    text = err.out + err.err
    assert code == 2
    assert f"{ws / 'personas.yaml'}:4:" in text
    assert "Traceback" not in text


def test_aliases_count_as_expanded_not_as_written() -> None:
    # 3 aliases inside &inner; 3 aliases to it: written 6, expanded 3 + 3 * (1 + 3) = 15
    text = "a: &inner [1, 2]\nb: &outer [*inner, *inner, *inner]\nc: [*outer, *outer, *outer]\n"
    assert text.count("*") == 6
    assert parse_yaml(text, "x.yaml", limits=YamlLimits(10_000, 15, 64))["c"][2][0] == [1, 2]
    with pytest.raises(InputError, match="too many aliases") as caught:
        parse_yaml(text, "x.yaml", limits=YamlLimits(10_000, 14, 64))
    assert caught.value.problems[0].location.line == 3


def test_a_few_honest_aliases_are_fine_in_a_workspace(ws: Path) -> None:
    personas = ws / "personas.yaml"
    text = personas.read_text(encoding="utf-8")
    text = text.replace(
        "looks_for: [Speed, Clear prices]", "looks_for: &wants [Speed, Clear prices]"
    )
    text = text.replace("hopes_and_goals: [Spend less time on admin]", "hopes_and_goals: *wants")
    assert "*wants" in text
    personas.write_text(text, encoding="utf-8")
    report = validate_workspace(ws)
    assert report.ok, [p.render() for p in report.problems]
    assert report.workspace is not None
    first = report.workspace.personas[0]
    assert first.hopes_and_goals == first.looks_for == ["Speed", "Clear prices"]


def test_an_alias_inside_its_own_anchor_is_refused(ws: Path) -> None:
    (ws / "loop.yaml").write_text("personas: &me\n  - *me\n", encoding="utf-8")
    problem = only_problem(ws)
    assert "refers to a collection that contains it" in problem.message
    assert (problem.location.line, problem.location.column) == (2, 5)


# --------------------------------------------------------------------------- depth


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("x: " + "[" * 5000 + "]" * 5000 + "\n", id="flow-lists"),
        pytest.param("x: " + "{a: " * 5000 + "1" + "}" * 5000 + "\n", id="flow-mappings"),
        pytest.param(
            "".join("  " * i + "a:\n" for i in range(200)) + "  " * 200 + "b: 1\n", id="block"
        ),
    ],
)
def test_deep_nesting_is_refused_at_the_level_that_passes_the_limit(ws: Path, text: str) -> None:
    deep = ws / "deep.yaml"
    deep.write_text(text, encoding="utf-8")
    started = time.perf_counter()
    problem = only_problem(ws)  # no RecursionError, no hang
    assert time.perf_counter() - started < FAST
    assert "nested too deep" in problem.message
    assert problem.location.file == str(deep)
    assert problem.location.line is not None and problem.location.column is not None
    assert "yaml_max_depth" in (problem.expected or "")


def test_depth_counts_what_an_alias_brings_along() -> None:
    text = "a: &deep [[[1]]]\nb: [[*deep]]\n"  # a: 4 levels, b: 3 + 3 = 6 (the root counts)
    assert parse_yaml(text, "x.yaml", limits=YamlLimits(10_000, 10, 6))["b"] == [[[[[1]]]]]
    with pytest.raises(InputError, match="nested too deep") as caught:
        parse_yaml(text, "x.yaml", limits=YamlLimits(10_000, 10, 5))
    assert (caught.value.problems[0].location.line, caught.value.problems[0].location.column) == (
        2,
        6,
    )


def test_the_depth_limit_is_exact() -> None:
    limits = YamlLimits(10_000, 10, 3)
    assert parse_yaml("a: [[1]]", "x.yaml", limits=limits) == {"a": [[1]]}
    with pytest.raises(InputError, match="nested too deep"):
        parse_yaml("a: [[[1]]]", "x.yaml", limits=limits)


# --------------------------------------------------------------------------- size


def test_a_file_over_the_size_limit_is_refused_before_it_is_parsed(ws: Path) -> None:
    big = ws / "big.yaml"
    limit = current_settings().yaml_max_bytes
    # not even YAML: refused on its size alone, before any parsing
    big.write_bytes(b"[" * (limit + 1))
    started = time.perf_counter()
    problem = only_problem(ws)
    assert time.perf_counter() - started < FAST
    assert problem.location.file == str(big)
    assert "too big" in problem.message
    assert f"{limit:,}" in (problem.expected or "") and "yaml_max_bytes" in (problem.expected or "")


def test_the_size_limit_comes_from_the_settings(ws: Path) -> None:
    biggest = max(workspace_files(ws), key=lambda f: f.stat().st_size)
    size = biggest.stat().st_size
    with use_settings(Settings(yaml_max_bytes=size)):
        assert validate_workspace(ws).ok
    with use_settings(Settings(yaml_max_bytes=size - 1)):
        problem = only_problem(ws)
    assert problem.location.file == str(biggest)
    assert "too big" in problem.message


def test_the_flagship_workspaces_fit_well_within_the_default_limits() -> None:
    limits = YamlLimits.current()
    for name in example_names():
        for file in workspace_files(example_path(name)):
            assert file.stat().st_size * 10 < limits.max_bytes, file
            read_yaml_file(file, limits=YamlLimits(limits.max_bytes, 0, limits.max_depth // 4))


# --------------------------------------------------------------------------- syntax first


def test_a_syntax_error_is_shown_first_and_alone(ws: Path) -> None:
    personas = ws / "personas.yaml"
    text = personas.read_text(encoding="utf-8")
    # the personas (referenced by journeys and scenarios) are lost to a syntax error ...
    personas.write_text(text.replace("  - id: first-persona", "  - id: [first-persona"), "utf-8")
    # ... and another file has a schema problem of its own
    workspace = ws / "workspace.yaml"
    workspace.write_text(workspace.read_text(encoding="utf-8") + "colour: blue\n", "utf-8")
    problem = only_problem(ws)
    assert problem.location.file == str(personas)
    assert problem.message.startswith("YAML syntax error")
    assert problem.location.line is not None and problem.location.line > 2
    assert problem.location.column is not None
    # fixed, the other file's problem shows
    personas.write_text(text, encoding="utf-8")
    assert "unknown section 'colour'" in only_problem(ws).message


def test_every_broken_file_is_listed_when_several_are(ws: Path) -> None:
    (ws / "a.yaml").write_text("personas: [\n", encoding="utf-8")
    (ws / "b.yaml").write_text(billion_laughs(), encoding="utf-8")
    report = validate_workspace(ws)
    assert [Path(p.location.file or "").name for p in report.problems] == ["a.yaml", "b.yaml"]


def test_text_that_is_not_utf8_is_located(ws: Path) -> None:
    (ws / "latin.yaml").write_bytes(b"# ok\n# caf\xe9\n")
    problem = only_problem(ws)
    assert "not UTF-8" in problem.message
    assert problem.location.line == 2


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.text(alphabet="[]{}&*ab:,- \n'\"!#|>", max_size=300))
def test_no_yaml_text_gets_anything_but_a_value_or_a_located_input_error(text: str) -> None:
    limits = YamlLimits(10_000, 20, 8)
    try:
        parse_yaml(text, "fuzz.yaml", limits=limits)
    except InputError as exc:
        assert len(exc.problems) == 1
        assert exc.problems[0].location.file == "fuzz.yaml"


# --------------------------------------------------------------------------- mappings


def mapping_library(ws: Path) -> MappingLibrary:
    folder = ws / "data" / "mappings"
    folder.mkdir(parents=True)
    return MappingLibrary(folder)


def test_a_saved_mapping_bomb_is_refused_with_its_place(ws: Path) -> None:
    library = mapping_library(ws)
    bomb = library.path_of("shop")
    bomb.write_text("mapping_version: 1\n" + billion_laughs(), encoding="utf-8")
    started = time.perf_counter()
    with pytest.raises(InputError) as caught:
        library.load("shop")
    assert time.perf_counter() - started < FAST
    (problem,) = caught.value.problems
    assert problem.location.file == str(bomb)
    assert problem.location.line == 5
    assert "too many aliases" in problem.message


def test_saved_mappings_get_the_depth_and_size_limits_too(ws: Path) -> None:
    library = mapping_library(ws)
    library.path_of("deep").write_text("columns: " + "[" * 5000 + "]" * 5000, encoding="utf-8")
    with pytest.raises(InputError, match="nested too deep"):
        library.load("deep")
    library.path_of("big").write_text("#" * 2000, encoding="utf-8")
    with use_settings(Settings(yaml_max_bytes=1000)), pytest.raises(InputError, match="too big"):
        library.load("big")


def test_a_mapping_given_as_text_gets_the_limits(ws: Path) -> None:
    from cojourney.events.mappings import ImportMapping

    with pytest.raises(InputError, match="too many aliases"):
        ImportMapping.from_yaml(billion_laughs(), name="shop")


def test_the_docstring_examples_run() -> None:
    import doctest

    import cojourney.yamlio

    failures, tried = doctest.testmod(cojourney.yamlio)
    assert tried > 0 and failures == 0

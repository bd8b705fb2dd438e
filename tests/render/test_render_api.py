"""The dispatcher and the public API the CLI calls."""

from __future__ import annotations

import pytest

from cojourney.errors import InputError, NotFound
from cojourney.render import SUPPORTED, render


@pytest.mark.parametrize(("kind", "fmt"), [(k, f) for k, fmts in SUPPORTED.items() for f in fmts])
def test_every_supported_combination(workspace, kind, fmt, check):
    text = render(workspace, kind, fmt)
    if fmt == "svg":
        check.svg(text)
    elif fmt == "html":
        check.html(text)
    else:
        assert text.startswith("journey\n")
    assert check.urls(text) == []


@pytest.mark.parametrize(
    ("kind", "fmt"),
    [
        ("stakeholders", "mermaid"),
        ("blueprint", "mermaid"),
        ("journey", "png"),
        ("persona", "html"),
    ],
)
def test_unsupported_combination_says_what_is_supported(workspace, kind, fmt):
    with pytest.raises(InputError) as caught:
        render(workspace, kind, fmt)
    message = str(caught.value)
    assert "journey: html, svg, mermaid" in message and "stakeholders: html, svg" in message
    assert f"map.kind={kind}, map.format={fmt}" in message


def test_journey_id_is_passed_on(workspace):
    assert "Commuting" in render(workspace, "blueprint", "svg", "commute")
    with pytest.raises(NotFound):
        render(workspace, "journey", "mermaid", "nope")


def test_workspace_without_journeys(workspace):
    empty = workspace.model_copy(update={"journeys": []})
    with pytest.raises(InputError, match="no journey"):
        render(empty, "journey", "html")
    assert "MANAGE CLOSELY" in render(empty, "stakeholders", "svg")


def test_no_external_url_detector_catches_them(check):
    assert check.urls('<svg xmlns="http://www.w3.org/2000/svg"/>') == []
    assert check.urls('<img src="https://cdn.example.org/x.png">')
    assert check.urls("<style>@import 'x.css'</style>")
    assert check.urls('<rect fill="url(http://x/y#g)"/>')
    assert check.urls('<rect fill="url(#grad)"/>') == []


def test_overlap_detector_sees_overlaps(check):
    card = '<g class="cj-touchpoint"><rect x="0" y="0" width="100" height="50"/></g>'
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 300 100">'
        f'<g transform="translate(10,10)">{card}</g><g transform="translate(60,30)">{card}</g>'
        f'<g transform="translate(170,10)">{card}</g></svg>'
    )
    assert len(check.overlaps(check.svg(svg))) == 1

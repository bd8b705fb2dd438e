"""The report's journey map carries the same design comparisons as ``map --measured``."""

from __future__ import annotations

import re
from pathlib import Path

from cojourney.domain import Visibility
from cojourney.render.measured_lane import leak_text
from cojourney.services.agreements import leakage
from cojourney.services.handle import WorkspaceHandle
from cojourney.services.maps import measured_overlay


def test_the_report_map_marks_the_worst_leaks_as_the_leakage_command(built, measured: Path) -> None:
    _, html = built
    assert "AGAINST DESIGN" in html
    assert "against the design" in html  # the caption says what is drawn
    marks = re.findall(r'<g class="cj-mark [^"]*"><title>([^<]*)</title>', html)
    overlay = measured_overlay(measured)
    top = leakage(measured).to_dict()["leaks"][:5]
    assert top, "the measured template leaks somewhere"
    assert [leak["rank"] for leak in overlay["leaks"]] == [leak["rank"] for leak in top]
    backstage = {
        tp.id
        for tp in WorkspaceHandle(measured).model().journey().touchpoints
        if tp.visibility == Visibility.PROVIDER_ONLY
    }
    drawn = {
        leak_text(leak)
        for leak in overlay["leaks"]
        if (leak.get("touchpoint") and leak["touchpoint"] not in backstage)
        or (leak.get("step") and not leak.get("touchpoint"))
    }
    assert drawn
    assert {m for m in marks if m.startswith("leak #")} == drawn

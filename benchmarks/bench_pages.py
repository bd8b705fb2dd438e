"""Page latency of the web workspace on the demo workspace: overview, journey map, editor save.

Builds the eCampus demo (``cojourney demo build DIR --no-serve --journeys N``), creates
the app in-process (``cojourney.web.create_app`` on a fresh SQLite web-state database,
driven by Starlette's TestClient: no network, so the numbers are the server's own
time), signs in as an editor and, after ``--warmup`` requests of each kind (warm: the
model is cached by the workspace handle), times ``--requests`` requests of:

- ``GET /`` (the overview),
- ``GET /journeys/{id}`` (the journey map with its editor),
- ``POST /journeys/{id}/touchpoints/{tp}`` (the editor's save: validation, YAML
  write-back, a version in the database; each from a fresh base version, renaming a
  touchpoint back and forth), excluding the GET that fetches the base version;
- ``GET /`` right after each save (the workspace handle keeps the model the save
  validated, so this is warm too; shown apart to prove it).

p50/p95 in milliseconds go to ``benchmarks/results/pages-demo.json`` and BENCHMARKS.md
(the target: p95 under 300 ms warm). This is a benchmark, not a timed test.

Usage::

    .venv/bin/python benchmarks/bench_pages.py                  # 300 simulated journeys
    .venv/bin/python benchmarks/bench_pages.py --journeys 3000 --requests 100
"""

from __future__ import annotations

import argparse
import logging
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _harness import COJOURNEY, cpu_busy, loadavg, setup_logging, versions, write_result

log = logging.getLogger("bench.pages")
TARGET_P95_MS = 300.0
PASSWORD = "bench-pages-password-1"


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
    return ordered[index]


def timed(samples: list[float], call: Any) -> Any:
    start = time.perf_counter()
    answer = call()
    samples.append((time.perf_counter() - start) * 1000)
    return answer


def run(folder: Path, journeys: int, requests: int, warmup: int) -> dict[str, Any]:
    import re

    from fastapi.testclient import TestClient

    from cojourney.settings import Settings
    from cojourney.storage import add_user, make_engine, upgrade
    from cojourney.web import create_app

    subprocess.run(
        [str(COJOURNEY), "demo", "build", str(folder), "--no-serve", "--journeys", str(journeys)],
        check=True,
        capture_output=True,
    )
    workspace = folder / "workspace"
    engine = make_engine(f"sqlite:///{folder / 'web.sqlite'}")
    upgrade(engine)
    app = create_app(Settings(), workspace, engine=engine)
    with app.state.web.sessions.begin() as db:
        add_user(db, "bench@example.org", PASSWORD, "editor")
    client = TestClient(app)
    html = {"Accept": "text/html"}
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text)
    assert token
    signed = client.post(
        "/login",
        data={"email": "bench@example.org", "password": PASSWORD, "csrf_token": token.group(1)},
        follow_redirects=False,
    )
    assert signed.status_code == 303, signed.text
    journey = app.state.web.reader.workspace().journeys[0]
    touchpoint = journey.touchpoints[0]
    page = f"/journeys/{journey.id}"
    save = f"{page}/touchpoints/{touchpoint.id}"
    samples: dict[str, list[float]] = {
        "overview": [],
        "journey_map": [],
        "editor_save": [],
        "overview_after_save": [],
    }

    def one_save(i: int, into: list[float]) -> None:
        form = client.get(f"{page}?edit={touchpoint.id}", headers=html).text
        hidden = dict(re.findall(r'type="hidden" name="([^"]+)" value="([^"]*)"', form))
        name = f"{touchpoint.name} ({i % 2})"
        answer = timed(
            into,
            lambda: client.post(
                save, data={**hidden, "name": name}, headers=html, follow_redirects=False
            ),
        )
        assert answer.status_code == 303, answer.text

    for i in range(warmup):
        assert client.get("/", headers=html).status_code == 200
        assert client.get(page, headers=html).status_code == 200
        one_save(i, [])
    load = loadavg()
    busy = cpu_busy()
    for _ in range(requests):  # warm reads: the model is cached
        assert timed(samples["overview"], lambda: client.get("/", headers=html)).status_code == 200
        answer = timed(samples["journey_map"], lambda: client.get(page, headers=html))
        assert answer.status_code == 200
    for i in range(requests):  # saves, and the first read after each (the saved model is kept)
        one_save(warmup + i, samples["editor_save"])
        answer = timed(samples["overview_after_save"], lambda: client.get("/", headers=html))
        assert answer.status_code == 200
    return {
        "journeys": journeys,
        "requests": requests,
        "warmup": warmup,
        "mode": "in-process (TestClient), SQLite web state, signed in as an editor",
        "loadavg_before": load,
        "cpu_busy_before": busy,
        "target_p95_ms": TARGET_P95_MS,
        "pages": {
            name: {
                "p50_ms": round(statistics.median(values), 1),
                "p95_ms": round(percentile(values, 0.95), 1),
                "max_ms": round(max(values), 1),
                "met": percentile(values, 0.95) < TARGET_P95_MS,
            }
            for name, values in samples.items()
        },
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--journeys", type=int, default=300)
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--no-write", action="store_true", help="print, do not write results")
    args = parser.parse_args()
    setup_logging()
    with tempfile.TemporaryDirectory(prefix="bench-pages-") as tmp:
        result = run(Path(tmp) / "demo", args.journeys, args.requests, args.warmup)
    result["versions"] = versions()
    for name, numbers in result["pages"].items():
        log.info("%s: p50 %.1f ms, p95 %.1f ms", name, numbers["p50_ms"], numbers["p95_ms"])
    if not args.no_write:
        write_result("pages-demo", result)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

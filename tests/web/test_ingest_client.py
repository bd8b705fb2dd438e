"""cojourney.client: batching, retries on unanswered batches, refusals with their problems."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from test_ingest import answers, events, stored
from web_helpers import Site

from cojourney.client import BatchRefused, BatchResult, Client, ServerUnavailable
from cojourney.services.workspaces import init_workspace


def test_the_client_posts_in_batches_to_the_real_app(
    make_site: Callable[..., Site], tmp_path: Path
) -> None:
    folder = tmp_path / "ws"
    init_workspace(folder, example="ecampus-car-share")
    site = make_site(folder)
    transport = site.client()._transport  # the in-process app, no port
    with Client("http://testserver", site.tokens["ingest"], batch_size=7, transport=transport) as c:
        assert c.post_events(events(20)) == BatchResult(20, 20, 0)
        assert c.post_events(events(25)) == BatchResult(25, 5, 20)
        assert c.post_feedback(answers(4)) == BatchResult(4, 4, 0)
        bad = events(3)
        bad[1]["timestamp"] = "yesterday"
        with pytest.raises(BatchRefused) as refused:
            c.post_events(bad)
    assert refused.value.status == 422
    assert [p["field"] for p in refused.value.problems] == ["[1].timestamp"]
    assert "[1].timestamp" in str(refused.value)
    assert len(stored(folder, site=site)) == 25 and len(stored(folder, "feedback", site)) == 4


def test_a_batch_is_sent_again_until_the_server_answers() -> None:
    calls: list[list[dict[str, object]]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(json.loads(request.content))
        if len(calls) == 1:
            raise httpx.ConnectError("refused", request=request)
        if len(calls) == 2:
            return httpx.Response(503, headers={"Retry-After": "0"}, json={"detail": "busy"})
        return httpx.Response(200, json={"received": 2, "new": 1, "known": 1})

    client = Client("http://x", "t", backoff=0.001, transport=httpx.MockTransport(handler))
    assert client.post_events(events(2)) == BatchResult(2, 1, 1)
    assert len(calls) == 3 and calls[0] == calls[2]


def test_the_client_gives_up_after_its_retries_and_does_not_retry_refusals() -> None:
    count = {"n": 0}

    def busy(request: httpx.Request) -> httpx.Response:
        count["n"] += 1
        return httpx.Response(503, json={"detail": "busy"})

    client = Client("http://x", "t", retries=2, backoff=0.001, transport=httpx.MockTransport(busy))
    with pytest.raises(ServerUnavailable, match="sent again safely"):
        client.post_events(events(1))
    assert count["n"] == 3

    def forbidden(request: httpx.Request) -> httpx.Response:
        count["n"] += 1
        return httpx.Response(403, json={"detail": "this needs the ingest role; you are viewer"})

    count["n"] = 0
    client = Client("http://x", "t", backoff=0.001, transport=httpx.MockTransport(forbidden))
    with pytest.raises(BatchRefused, match="ingest role"):
        client.post_events(events(1))
    assert count["n"] == 1


def test_the_client_imports_nothing_heavy() -> None:
    code = (
        "import sys, cojourney.client\n"
        "heavy = {'duckdb', 'pyarrow', 'fastapi', 'sqlalchemy', 'pydantic'} & set(sys.modules)\n"
        "print(sorted(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"

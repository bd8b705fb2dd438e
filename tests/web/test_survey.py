"""Surveys at the touchpoints: public links, answers recorded into the feedback log."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest
from fastapi.testclient import TestClient
from web_helpers import Site

from cojourney.errors import InputError, NotFound
from cojourney.events.store import EventStore
from cojourney.services.experience import experience_report
from cojourney.services.survey_links import create_link, question_for, survey_url
from cojourney.services.workspaces import init_workspace, open_workspace
from cojourney.storage.survey_links import disable_survey_link, list_survey_links

TOUCHPOINT = "post-trip-csat"


@pytest.fixture
def own_workspace(tmp_path: Path) -> Path:
    """A workspace of this test alone: answers are written into its event store."""
    folder = tmp_path / "ws"
    init_workspace(folder, example="ecampus-car-share")
    return folder


@pytest.fixture
def survey_site(make_site: Callable[..., Site], own_workspace: Path) -> Site:
    return make_site(own_workspace)


def new_link(site: Site, touchpoint: str = TOUCHPOINT, **kwargs: str) -> str:
    """Create a link through the service; return its path (with the signed journey)."""
    state = site.app.state.web
    with state.sessions.begin() as db:
        created = create_link(
            db,
            open_workspace(state.workspace),
            touchpoint,
            secret_key=state.secret_key(),
            base_url="",
            **kwargs,
        )
    return created.url


def form_of(client: TestClient, path: str) -> tuple[str, str]:
    """The form's action and its one-time form token."""
    page = client.get(path)
    assert page.status_code == 200, page.text
    action = re.search(r'<form method="post" action="([^"]+)"', page.text)
    token = re.search(r'name="form_token" value="([^"]+)"', page.text)
    assert action and token
    return action.group(1), token.group(1)


def answers(workspace: Path) -> list[tuple[object, ...]]:
    with EventStore.open(workspace, read_only=True) as store:
        return store.connection.execute(
            "SELECT journey_id, question, score, touchpoint, step, comment, respondent, "
            "channel, attributes FROM feedback ORDER BY answer_seq"
        ).fetchall()


def test_link_page_asks_the_touchpoints_question_accessibly(survey_site: Site) -> None:
    path = new_link(survey_site)
    page = survey_site.client().get(path)
    assert page.status_code == 200
    html = page.text
    assert "<fieldset" in html and "<legend>" in html
    assert "How satisfied are you with" in html  # csat: the default question
    assert len(re.findall(r'type="radio" name="score" value="\d+"', html)) == 5
    assert "<script" not in html and "style=" not in html
    csp = page.headers["Content-Security-Policy"]
    assert "script-src" not in csp and "default-src 'none'" in csp
    assert "form-action 'self'" in csp
    assert "set-cookie" not in page.headers
    assert page.headers["Referrer-Policy"] == "no-referrer"


def test_declared_question_of_the_touchpoint_is_asked(own_workspace: Path) -> None:
    workspace = open_workspace(own_workspace)
    view = question_for(workspace, "late-return-alert")
    assert view.id == "late-car" and view.choices == [1, 2, 3, 4, 5]
    assert question_for(workspace, TOUCHPOINT, "nps").choices == list(range(11))
    with pytest.raises(InputError) as caught:
        question_for(workspace, TOUCHPOINT, "happiness")
    assert caught.value.problems[0].location.field == "survey_link.question"
    with pytest.raises(NotFound):
        question_for(workspace, "no-such-touchpoint")


def test_answer_is_recorded_and_seen_in_the_experience_service(
    survey_site: Site, own_workspace: Path
) -> None:
    client = survey_site.client()
    action, token = form_of(client, new_link(survey_site))
    done = client.post(action, data={"form_token": token, "score": "2", "comment": "slow card"})
    assert done.status_code == 200 and "Your answer was recorded" in done.text
    rows = answers(own_workspace)
    assert len(rows) == 1
    journey, question, score, touchpoint, step, comment, respondent, channel, attrs = rows[0]
    assert (question, score, touchpoint, comment) == ("csat", 2.0, TOUCHPOINT, "slow card")
    assert str(journey).startswith("survey-") and respondent is None
    assert step  # filled from the workspace's touchpoint
    assert channel == "survey-link" and "survey_answer" in str(attrs)
    report = experience_report(own_workspace)
    rows_by_tp = [r for r in report.breakdown("touchpoint").rows if r.key == TOUCHPOINT]
    assert [(r.question, r.n) for r in rows_by_tp] == [("csat", 1)]


def test_replayed_post_is_not_counted_twice(survey_site: Site, own_workspace: Path) -> None:
    client = survey_site.client()
    action, token = form_of(client, new_link(survey_site))
    first = client.post(action, data={"form_token": token, "score": "5"})
    again = client.post(action, data={"form_token": token, "score": "5"})
    other = client.post(action, data={"form_token": token, "score": "1"})
    assert first.status_code == again.status_code == other.status_code == 200
    assert "already recorded" in again.text and "already recorded" in other.text
    assert [r[2] for r in answers(own_workspace)] == [5.0]
    # A fresh form of the same link is a new answer.
    action, token = form_of(client, action)
    client.post(action, data={"form_token": token, "score": "4"})
    assert sorted(r[2] for r in answers(own_workspace)) == [4.0, 5.0]


@pytest.mark.parametrize(
    ("score", "comment", "field"),
    [
        ("9", "", "score"),
        ("abc", "", "score"),
        ("", "", "score"),
        ("3", "x" * 1001, "comment"),
        ("3", "y" * 5000, "comment"),
    ],
)
def test_bad_answer_is_400_with_the_field_named(
    survey_site: Site, own_workspace: Path, score: str, comment: str, field: str
) -> None:
    client = survey_site.client()
    action, token = form_of(client, new_link(survey_site))
    done = client.post(action, data={"form_token": token, "score": score, "comment": comment})
    assert done.status_code == 400
    assert 'role="alert"' in done.text
    target = "#comment" if field == "comment" else "#score-first"
    assert f'href="{target}"' in done.text
    assert token in done.text  # the same form can be corrected and sent
    assert not EventStore.path_for(own_workspace).exists() or answers(own_workspace) == []
    fixed = client.post(action, data={"form_token": token, "score": "3"})
    assert fixed.status_code == 200 and len(answers(own_workspace)) == 1


def test_forged_form_token_is_refused(survey_site: Site) -> None:
    client = survey_site.client()
    action, token = form_of(client, new_link(survey_site))
    done = client.post(action, data={"form_token": token[:-3] + "xyz", "score": "3"})
    assert done.status_code == 400 and "not made by this server" in done.text
    huge = client.post(action, data={"form_token": "a" * 100_000, "score": "3"})
    assert huge.status_code == 400


def test_disabled_and_unknown_links_are_404(survey_site: Site) -> None:
    client = survey_site.client()
    path = new_link(survey_site)
    action, token = form_of(client, path)
    with survey_site.app.state.web.sessions.begin() as db:
        (link,) = list_survey_links(db)
        disable_survey_link(db, link.id)
    assert client.get(path).status_code == 404
    gone = client.post(action, data={"form_token": token, "score": "3"})
    assert gone.status_code == 404 and "not available" in gone.text
    assert client.get("/survey/not-a-token").status_code == 404


def test_journey_id_is_signed_into_the_link(survey_site: Site, own_workspace: Path) -> None:
    client = survey_site.client()
    path = new_link(survey_site, journey_id="J-42")
    assert "j=J-42" in path and "&s=" in path
    forged = path.replace("j=J-42", "j=J-43")
    assert client.get(forged).status_code == 404
    assert client.get(path.split("?")[0]).status_code == 404  # the journey is required
    action, token = form_of(client, path)
    client.post(action, data={"form_token": token, "score": "4"})
    assert [r[0] for r in answers(own_workspace)] == ["J-42"]


def test_unsigned_journey_is_refused_on_an_anonymous_link(survey_site: Site) -> None:
    client = survey_site.client()
    path = new_link(survey_site)
    assert client.get(path + "?j=J-1").status_code == 404
    assert client.get(path + "?j=J-1&s=00").status_code == 404


def test_answers_are_rate_limited_per_client(
    make_site: Callable[..., Site], own_workspace: Path
) -> None:
    survey_site = make_site(own_workspace, survey_answers_per_window=2)
    client = survey_site.client()
    path = new_link(survey_site)
    for score in ("1", "2"):
        action, token = form_of(client, path)
        assert client.post(action, data={"form_token": token, "score": score}).status_code == 200
    refused = client.get(path)
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
    other = survey_site.client(client=("203.0.113.9", 5000))
    assert other.get(path).status_code == 200
    assert len(answers(own_workspace)) == 2


def test_no_ip_address_is_stored(survey_site: Site, own_workspace: Path) -> None:
    client = survey_site.client(client=("198.51.100.77", 4000))
    action, token = form_of(client, new_link(survey_site))
    client.post(action, data={"form_token": token, "score": "3", "comment": "fine"})
    assert len(answers(own_workspace)) == 1
    store = EventStore.path_for(own_workspace)
    con = duckdb.connect(str(store), read_only=True)
    try:
        tables = [
            t for (t,) in con.execute("SELECT table_name FROM information_schema.tables").fetchall()
        ]
        for table in tables:
            dump = str(con.execute(f'SELECT CAST(COLUMNS(*) AS VARCHAR) FROM "{table}"').fetchall())
            assert "198.51.100.77" not in dump, table
    finally:
        con.close()
    engine = survey_site.app.state.web.engine
    database = Path(str(engine.url.database))
    assert b"198.51.100.77" not in database.read_bytes()


def test_survey_url_quotes_and_signs() -> None:
    url = survey_url("https://x.example/", "tok", "secret", "a b")
    assert url.startswith("https://x.example/survey/tok?j=a+b&s=")


def test_access_log_never_shows_the_token(
    survey_site: Site, caplog: pytest.LogCaptureFixture
) -> None:
    path = new_link(survey_site)
    token = path.split("/survey/")[1]
    with caplog.at_level("INFO", logger="cojourney.web.access"):
        survey_site.client().get(path)
    assert "/survey/<token>" in caplog.text and token not in caplog.text


def test_survey_answers_count_like_imported_ones(
    survey_site: Site, own_workspace: Path, tmp_path: Path
) -> None:
    """The same answers, once through survey links and once from an export file, give
    the same experience scores: both are rows of the one feedback log."""
    from cojourney.services.imports import import_feedback

    given = [("J-1", "4"), ("J-2", "2"), ("J-3", "5")]
    client = survey_site.client()
    for journey, score in given:
        action, token = form_of(client, new_link(survey_site, journey_id=journey))
        assert client.post(action, data={"form_token": token, "score": score}).status_code == 200
    other = tmp_path / "imported"
    init_workspace(other, example="ecampus-car-share")
    export = tmp_path / "answers.csv"
    export.write_text(
        "journey_id,timestamp,question,score,touchpoint\n"
        + "".join(f"{j},2026-12-01T10:00:00Z,csat,{s},{TOUCHPOINT}\n" for j, s in given),
        encoding="utf-8",
    )
    assert import_feedback(other, export).rows_imported == 3

    def scores(folder: Path) -> list[object]:
        report = experience_report(folder)
        return [
            (b.dimension, r.question, r.key, r.n, r.value, r.mean)
            for b in report.breakdowns
            if b.dimension in ("touchpoint", "step")
            for r in b.rows
        ]

    assert scores(own_workspace) == scores(other)
    assert [r[3] for r in scores(own_workspace)] == [3, 3]


def test_a_failed_write_consumes_nothing_and_can_be_retried(
    survey_site: Site, own_workspace: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The event store busy (another process writing): 503, and the same form works later."""
    import cojourney.services.survey_links as survey_links
    from cojourney.errors import CojourneyError

    def busy(*args: object) -> None:
        raise CojourneyError("the event store is locked by another process")

    client = survey_site.client()
    action, token = form_of(client, new_link(survey_site))
    with monkeypatch.context() as patched:
        patched.setattr(survey_links, "_write", busy)
        refused = client.post(action, data={"form_token": token, "score": "3"})
    assert refused.status_code == 503 and "locked" not in refused.text
    done = client.post(action, data={"form_token": token, "score": "3"})
    assert done.status_code == 200 and "Your answer was recorded" in done.text
    assert len(answers(own_workspace)) == 1

"""Mapping presets: each shipped preset imports its vendor sample through the service.

The samples in ``tests/data/presets`` were written for these tests, each after the
vendor documentation page its preset cites (``docs/presets.md``):

* ``servicenow-incident.csv``, ``servicenow-task.csv``: ServiceNow list export to CSV
  (field names as header, date-times "2024-03-05 09:14:22", state labels);
* ``jira-sm-issues.csv``: Jira issue navigator "Export CSV" (display names,
  "05/Mar/24 9:14 AM"); ``jira-sm-changelog.json``: Jira Cloud REST API v3 issue
  search with ``expand=changelog``;
* ``glpi-tickets.json``: GLPI REST API "Get all items" of Ticket, ``expand_dropdowns``;
* ``zammad-tickets.json``: Zammad REST API ticket list with ``expand=true``;
* ``zendesk-ticket-events.json``: Zendesk incremental ticket event export;
* ``posthog-events.jsonl``: PostHog batch export of the events model (JSON Lines);
* ``formbricks-responses.csv``: Formbricks "Download responses" CSV;
* ``qualtrics-responses.csv``: Qualtrics CSV export with its 3 header rows.

Every expected value below was read off the sample by hand. The example workspace's
time zone is Europe/Amsterdam (UTC+1 in early March 2024), which applies to the
exports whose date-times carry no offset.
"""

from __future__ import annotations

import csv
import json
from datetime import datetime, timedelta
from importlib import resources
from pathlib import Path

import pytest

from cojourney.errors import ImportRejected, InputError, NotFound
from cojourney.events.mappings import ImportMapping, MappingFlags
from cojourney.events.presets import get_preset, list_presets, load_preset
from cojourney.events.store import EventStore
from cojourney.services.imports import import_events, import_feedback
from cojourney.services.workspaces import init_workspace

DATA = Path(__file__).resolve().parents[1] / "data" / "presets"
PRESETS = {
    "servicenow-incident",
    "servicenow-task",
    "jira-sm-issues",
    "jira-sm-changelog",
    "glpi-tickets",
    "zammad-tickets",
    "zendesk-ticket-events",
    "formbricks-responses",
    "qualtrics-responses",
    "posthog-events",
}


def local(text: str) -> str:
    """A naive Europe/Amsterdam time of early March 2024, in UTC (hand conversion: -1 h)."""
    moment = datetime.strptime(text, "%Y-%m-%d %H:%M:%S") - timedelta(hours=1)
    return moment.strftime("%Y-%m-%d %H:%M:%S")


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    init_workspace(tmp_path / "ws", example="incident-resolution")
    return tmp_path / "ws"


def events(ws: Path) -> list[tuple[str | None, ...]]:
    with EventStore.open(ws, read_only=True) as store:
        return store.connection.execute(
            "SELECT journey_id, activity, strftime(timestamp, '%Y-%m-%d %H:%M:%S'), "
            "channel, actor, role, segment FROM events ORDER BY event_seq"
        ).fetchall()


def attributes(ws: Path, journey: str) -> list[dict[str, str]]:
    with EventStore.open(ws, read_only=True) as store:
        rows = store.connection.execute(
            "SELECT attributes FROM events WHERE journey_id = ? ORDER BY event_seq", [journey]
        ).fetchall()
    return [json.loads(r[0]) for r in rows]


def answers(ws: Path) -> list[tuple[object, ...]]:
    with EventStore.open(ws, read_only=True) as store:
        return store.connection.execute(
            "SELECT journey_id, strftime(timestamp, '%Y-%m-%d %H:%M:%S'), question, score, "
            "comment, respondent, channel FROM feedback ORDER BY answer_seq"
        ).fetchall()


# --------------------------------------------------------------------------- registry


def test_the_registry_lists_every_preset_and_loads_each() -> None:
    assert set(list_presets()) >= PRESETS
    for name in list_presets():
        mapping = load_preset(name)
        assert isinstance(mapping, ImportMapping)
        assert mapping.name == name
        preset = get_preset(name)
        assert preset.documentation, f"{name} cites no documentation page"
        assert all(url.startswith("https://") for url in preset.documentation)


def test_an_unknown_preset_is_not_found_and_the_message_lists_the_presets() -> None:
    with pytest.raises(NotFound) as caught:
        load_preset("servicenow-incidents")
    assert "servicenow-incident," in str(caught.value)
    assert "qualtrics-responses" in str(caught.value)


def test_every_preset_file_cites_its_documentation_in_its_header() -> None:
    folder = resources.files("cojourney.events.presets")
    for name in PRESETS:
        header = folder.joinpath(f"{name}.yaml").read_text(encoding="utf-8").split("\n---\n")[0]
        comments = "\n".join(line for line in header.splitlines() if line.startswith("#"))
        assert "Follows:" in comments, name
        for url in get_preset(name).documentation:
            assert url in comments, (name, url)


def test_the_docs_list_every_preset_with_its_documentation(repo_root: Path) -> None:
    text = (repo_root / "docs" / "presets.md").read_text(encoding="utf-8")
    for name in list_presets():
        assert f"| `{name}` |" in text, f"docs/presets.md does not list {name}"
        for url in get_preset(name).documentation:
            assert url in text, (name, url)
    assert "(presets.md)" in (repo_root / "docs" / "importing.md").read_text(encoding="utf-8")


# --------------------------------------------------------------------------- events


def test_servicenow_incidents_become_opened_resolved_closed_events(ws: Path) -> None:
    result = import_events(ws, DATA / "servicenow-incident.csv", preset="servicenow-incident")
    assert result.source == DATA / "servicenow-incident.csv"
    assert result.mapping_name == "servicenow-incident"
    assert result.mapping_path == ws / "data" / "mappings" / "servicenow-incident.yaml"
    assert (ws / "data" / "presets" / "servicenow-incident.servicenow-incident.csv").is_file()
    assert (result.rows_imported, result.rows_rejected, result.journeys) == (21, 0, 10)
    got = events(ws)
    assert got[:3] == [
        ("INC0010001", "incident opened", local("2024-03-05 09:14:22"), "Phone", "Beth Anglin", "Service Desk", None),
        ("INC0010001", "incident resolved", local("2024-03-05 11:02:10"), "Phone", "Beth Anglin", "Service Desk", None),
        ("INC0010001", "incident closed", local("2024-03-08 11:05:00"), "Phone", "Beth Anglin", "Service Desk", None),
    ]  # fmt: skip
    assert [(j, a, t) for j, a, t, *_ in got[3:]] == [
        ("INC0010002", "incident opened", local("2024-03-05 10:01:45")),
        ("INC0010002", "incident resolved", local("2024-03-06 16:40:00")),
        ("INC0010003", "incident opened", local("2024-03-06 08:30:00")),
        ("INC0010004", "incident opened", local("2024-03-06 13:45:12")),
        ("INC0010004", "incident closed", local("2024-03-06 14:00:00")),
        ("INC0010005", "incident opened", local("2024-03-07 07:59:59")),
        ("INC0010005", "incident resolved", local("2024-03-07 09:30:30")),
        ("INC0010005", "incident closed", local("2024-03-10 09:31:00")),
        ("INC0010006", "incident opened", local("2024-03-07 10:20:00")),
        ("INC0010006", "incident resolved", local("2024-03-07 10:50:00")),
        ("INC0010006", "incident closed", local("2024-03-10 11:00:00")),
        ("INC0010007", "incident opened", local("2024-03-07 15:45:30")),
        ("INC0010008", "incident opened", local("2024-03-08 08:05:00")),
        ("INC0010008", "incident resolved", local("2024-03-08 12:00:00")),
        ("INC0010009", "incident opened", local("2024-03-08 09:00:00")),
        ("INC0010009", "incident resolved", local("2024-03-11 17:30:00")),
        ("INC0010009", "incident closed", local("2024-03-14 17:31:00")),
        ("INC0010010", "incident opened", local("2024-03-08 18:22:07")),
    ]
    # the last incident is new: nobody assigned, no group
    assert got[-1][3:] == ("Phone", None, None, None)
    assert got[6][4] is None  # INC0010004 has no assignee
    kept = attributes(ws, "INC0010001")[0]
    assert kept["state"] == "Closed"
    assert kept["sys_id"] == "9d385017c611228701d22104cc95c371"
    assert kept["priority"] == "3 - Moderate"


def test_servicenow_tasks_follow_their_requested_item(ws: Path) -> None:
    result = import_events(ws, DATA / "servicenow-task.csv", preset="servicenow-task")
    assert (result.rows_imported, result.journeys) == (24, 5)
    assert [(j, a, t, actor, role) for j, a, t, _, actor, role, _ in events(ws)] == [
        ("RITM0010001", "Prepare laptop opened", local("2024-03-04 10:00:00"), "Don Goodliffe", "Hardware"),
        ("RITM0010001", "Prepare laptop started", local("2024-03-04 13:15:00"), "Don Goodliffe", "Hardware"),
        ("RITM0010001", "Prepare laptop closed", local("2024-03-04 16:20:00"), "Don Goodliffe", "Hardware"),
        ("RITM0010001", "Ship laptop opened", local("2024-03-04 16:20:01"), "Fred Luddy", "Logistics"),
        ("RITM0010001", "Ship laptop started", local("2024-03-05 09:00:00"), "Fred Luddy", "Logistics"),
        ("RITM0010001", "Ship laptop closed", local("2024-03-05 12:00:00"), "Fred Luddy", "Logistics"),
        ("RITM0010002", "Create mailbox opened", local("2024-03-05 08:00:00"), "Beth Anglin", "Messaging"),
        ("RITM0010002", "Create mailbox started", local("2024-03-05 08:30:00"), "Beth Anglin", "Messaging"),
        ("RITM0010003", "Grant ERP access opened", local("2024-03-06 11:11:11"), None, "Service Desk"),
        ("RITM0010002", "Assign licence opened", local("2024-03-05 09:00:00"), "Beth Anglin", "Messaging"),
        ("RITM0010002", "Assign licence started", local("2024-03-05 09:05:00"), "Beth Anglin", "Messaging"),
        ("RITM0010002", "Assign licence closed", local("2024-03-05 09:20:00"), "Beth Anglin", "Messaging"),
        ("RITM0010003", "Approve ERP access opened", local("2024-03-06 11:11:12"), "Fred Luddy", "Finance"),
        ("RITM0010003", "Approve ERP access started", local("2024-03-06 14:00:00"), "Fred Luddy", "Finance"),
        ("RITM0010003", "Approve ERP access closed", local("2024-03-06 14:02:00"), "Fred Luddy", "Finance"),
        ("RITM0010004", "Order monitor opened", local("2024-03-07 08:00:00"), "Luke Wilson", "Procurement"),
        ("RITM0010004", "Order monitor started", local("2024-03-07 08:10:00"), "Luke Wilson", "Procurement"),
        ("RITM0010004", "Order monitor closed", local("2024-03-08 16:00:00"), "Luke Wilson", "Procurement"),
        ("RITM0010004", "Deliver monitor opened", local("2024-03-08 16:00:01"), "Fred Luddy", "Logistics"),
        ("RITM0010004", "Deliver monitor started", local("2024-03-11 09:00:00"), "Fred Luddy", "Logistics"),
        ("RITM0010004", "Deliver monitor closed", local("2024-03-11 09:30:00"), "Fred Luddy", "Logistics"),
        ("RITM0010005", "Reset MFA opened", local("2024-03-08 10:00:00"), None, "Service Desk"),
        ("RITM0010005", "Reset MFA closed", local("2024-03-08 10:01:00"), None, "Service Desk"),
        ("RITM0010005", "Verify identity opened", local("2024-03-08 10:02:00"), "David Loo", "Service Desk"),
    ]  # fmt: skip


def test_given_mapping_fields_win_over_the_preset(ws: Path) -> None:
    flags = MappingFlags(journey_id="number")
    result = import_events(ws, DATA / "servicenow-task.csv", preset="servicenow-task", flags=flags)
    assert result.journeys == 10
    assert sorted({e[0] for e in events(ws)}) == [f"SCTASK00100{n:02d}" for n in range(1, 11)]


def test_jira_sm_issues_read_the_jira_date_format(ws: Path) -> None:
    result = import_events(ws, DATA / "jira-sm-issues.csv", preset="jira-sm-issues")
    assert (result.rows_imported, result.journeys) == (15, 10)
    assert [(j, a, t, actor) for j, a, t, _, actor, _, _ in events(ws)] == [
        ("SUP-101", "request created", local("2024-03-05 09:14:00"), "Alana Grant"),
        ("SUP-101", "request resolved", local("2024-03-05 14:45:00"), "Alana Grant"),
        ("SUP-102", "request created", local("2024-03-05 11:30:00"), "Bob Kent"),
        ("SUP-103", "request created", local("2024-03-06 12:00:00"), None),
        ("SUP-103", "request resolved", local("2024-03-07 10:00:00"), None),
        ("SUP-104", "request created", local("2024-03-07 17:59:00"), "Alana Grant"),
        ("SUP-105", "request created", local("2024-03-08 08:00:00"), "Bob Kent"),
        ("SUP-105", "request resolved", local("2024-03-08 08:30:00"), "Bob Kent"),
        ("SUP-106", "request created", local("2024-03-08 12:15:00"), "Alana Grant"),
        ("SUP-107", "request created", local("2024-03-08 00:45:00"), "Bob Kent"),  # 12:45 AM
        ("SUP-107", "request resolved", local("2024-03-11 16:05:00"), "Bob Kent"),
        ("SUP-108", "request created", local("2024-03-11 10:10:00"), None),
        ("SUP-109", "request created", local("2024-03-11 13:00:00"), "Alana Grant"),
        ("SUP-109", "request resolved", local("2024-03-12 09:00:00"), "Alana Grant"),
        ("SUP-110", "request created", local("2024-03-12 23:59:00"), None),
    ]
    assert attributes(ws, "SUP-104")[0]["Summary"] == "Password reset, urgent"
    assert (
        attributes(ws, "SUP-104")[0]["Description"]
        == "Locked out after 3 tries.\n\nPlease call me back."
    )
    # Jira repeats a column per label: the repeats are kept as Labels_1, ...
    kept = attributes(ws, "SUP-101")[0]
    assert (kept["Labels"], kept["Labels_1"]) == ("portal", "login")


def test_jira_sm_changelog_status_transitions_become_events(ws: Path) -> None:
    result = import_events(ws, DATA / "jira-sm-changelog.json", preset="jira-sm-changelog")
    assert result.source == DATA / "jira-sm-changelog.json"
    assert (result.rows_imported, result.journeys) == (12, 4)
    # +0100 offsets: one hour earlier in UTC; the label change of SUP-101 is no event
    assert [(j, a, t, actor) for j, a, t, _, actor, _, _ in events(ws)] == [
        ("SUP-101", "assigned", "2024-03-05 09:02:00", "Alana Grant"),
        ("SUP-101", "status changed to In Progress", "2024-03-05 09:02:00", "Alana Grant"),
        ("SUP-101", "resolution set to Done", "2024-03-05 13:45:10", "Alana Grant"),
        ("SUP-101", "status changed to Resolved", "2024-03-05 13:45:10", "Alana Grant"),
        ("SUP-102", "status changed to In Progress", "2024-03-06 07:05:00", "Bob Kent"),
        ("SUP-102", "status changed to Waiting for customer", "2024-03-06 08:40:00", "Bob Kent"),
        ("SUP-103", "status changed to Waiting for approval", "2024-03-06 11:05:00", "Kim Lee"),
        ("SUP-103", "resolution set to Won't Do", "2024-03-07 08:59:00", "Ana Ruiz"),
        ("SUP-103", "status changed to Closed", "2024-03-07 08:59:00", "Ana Ruiz"),
        (
            "SUP-105",
            "assigned",
            "2024-03-08 07:05:00",
            "Bob Kent",
        ),  # the priority change is no event
        ("SUP-105", "status changed to Resolved", "2024-03-08 07:30:00", "Bob Kent"),
        ("SUP-105", "resolution set to Done", "2024-03-08 07:30:00", "Bob Kent"),
    ]
    kept = attributes(ws, "SUP-102")[1]
    assert kept["item.fromString"] == "In Progress"
    assert kept["issue.fields.summary"] == "Printer on floor 3 jams"


def test_an_api_read_page_by_page_imports_as_one_export(ws: Path, tmp_path: Path) -> None:
    doc = json.loads((DATA / "jira-sm-changelog.json").read_text(encoding="utf-8"))
    pages = [{**doc, "startAt": i, "issues": [issue]} for i, issue in enumerate(doc["issues"])]
    paged = tmp_path / "changelog-pages.jsonl"
    paged.write_text("\n".join(json.dumps(p) for p in pages) + "\n", encoding="utf-8")
    as_array = tmp_path / "changelog-pages.json"
    as_array.write_text(json.dumps(pages), encoding="utf-8")
    import_events(ws, DATA / "jira-sm-changelog.json", preset="jira-sm-changelog")
    whole = events(ws)
    for i, file in enumerate((paged, as_array), start=2):
        other = tmp_path / f"ws{i}"
        init_workspace(other, example="incident-resolution")
        result = import_events(other, file, preset="jira-sm-changelog")
        assert result.rows_imported == 12
        assert events(other) == whole


def test_json_lines_of_records_import_like_a_json_list(ws: Path, tmp_path: Path) -> None:
    records = json.loads((DATA / "zammad-tickets.json").read_text(encoding="utf-8"))
    lines = tmp_path / "zammad.jsonl"
    lines.write_text("\n".join(json.dumps(r) for r in records) + "\n", encoding="utf-8")
    result = import_events(ws, lines, preset="zammad-tickets")
    assert (result.rows_imported, result.journeys) == (11, 5)
    assert [e[:2] for e in events(ws)][:4] == [
        ("31001", "ticket created"),
        ("31001", "first response"),
        ("31001", "ticket closed"),
        ("31002", "ticket created"),
    ]


def test_an_export_without_records_says_so(ws: Path, tmp_path: Path) -> None:
    empty = tmp_path / "events.json"
    empty.write_text('{"ticket_events": [], "end_of_stream": true}', encoding="utf-8")
    with pytest.raises(ImportRejected, match="no records"):
        import_events(ws, empty, preset="zendesk-ticket-events")


def test_glpi_tickets_become_milestone_events(ws: Path) -> None:
    result = import_events(ws, DATA / "glpi-tickets.json", preset="glpi-tickets")
    assert (result.rows_imported, result.journeys) == (16, 6)
    assert [(j, a, t, ch) for j, a, t, ch, *_ in events(ws)] == [
        ("101", "ticket opened", local("2024-03-05 09:14:22"), "Helpdesk"),
        ("101", "ticket taken into account", local("2024-03-05 09:40:00"), "Helpdesk"),
        ("101", "ticket solved", local("2024-03-06 10:20:00"), "Helpdesk"),
        ("101", "ticket closed", local("2024-03-08 17:00:00"), "Helpdesk"),
        ("102", "ticket opened", local("2024-03-05 13:05:00"), "E-Mail"),
        ("102", "ticket solved", local("2024-03-05 15:45:30"), "E-Mail"),
        ("103", "ticket opened", local("2024-03-06 08:00:00"), "Phone"),
        ("103", "ticket taken into account", local("2024-03-06 08:30:00"), "Phone"),
        ("104", "ticket opened", local("2024-03-07 07:30:00"), "Helpdesk"),
        ("104", "ticket taken into account", local("2024-03-07 07:31:10"), "Helpdesk"),
        ("104", "ticket solved", local("2024-03-07 11:00:00"), "Helpdesk"),
        ("104", "ticket closed", local("2024-03-07 11:00:00"), "Helpdesk"),
        ("105", "ticket opened", local("2024-03-08 16:45:00"), "Direct"),
        ("106", "ticket opened", local("2024-03-11 09:00:00"), "E-Mail"),
        ("106", "ticket taken into account", local("2024-03-11 09:15:00"), "E-Mail"),
        ("106", "ticket solved", local("2024-03-12 10:00:00"), "E-Mail"),
    ]
    assert attributes(ws, "103")[0]["itilcategories_id"] == "Access"


def test_zammad_tickets_become_milestone_events(ws: Path) -> None:
    result = import_events(ws, DATA / "zammad-tickets.json", preset="zammad-tickets")
    assert (result.rows_imported, result.journeys) == (11, 5)
    assert events(ws) == [
        ("31001", "ticket created", "2024-03-05 08:14:22", "email", "Agent Smith", None, "Zammad Foundation"),
        ("31001", "first response", "2024-03-05 09:30:00", "email", "Agent Smith", None, "Zammad Foundation"),
        ("31001", "ticket closed", "2024-03-06 15:00:00", "email", "Agent Smith", None, "Zammad Foundation"),
        ("31002", "ticket created", "2024-03-06 10:00:00", "phone", "Agent Jones", None, None),
        ("31003", "ticket created", "2024-03-07 07:00:00", "web", "Agent Smith", None, "Example Corp"),
        ("31003", "first response", "2024-03-07 07:20:00", "web", "Agent Smith", None, "Example Corp"),
        ("31004", "ticket created", "2024-03-07 12:00:00", "chat", "Agent Jones", None, None),
        ("31004", "first response", "2024-03-07 12:05:30", "chat", "Agent Jones", None, None),
        ("31004", "ticket closed", "2024-03-07 12:30:00", "chat", "Agent Jones", None, None),
        ("31005", "ticket created", "2024-03-08 09:45:00", "email", "-", None, "Zammad Foundation"),
        ("31005", "ticket closed", "2024-03-08 10:00:00", "email", "-", None, "Zammad Foundation"),
    ]  # fmt: skip
    assert attributes(ws, "31001")[0]["tags"] == "welcome, email"


def test_zendesk_ticket_events_become_journey_events(ws: Path) -> None:
    result = import_events(ws, DATA / "zendesk-ticket-events.json", preset="zendesk-ticket-events")
    assert (result.rows_imported, result.journeys) == (14, 3)
    # the tag change of ticket 35436 is no event; the last audit writes via as an object
    assert [(j, a, t, ch, actor) for j, a, t, ch, actor, _, _ in events(ws)] == [
        ("35436", "ticket created", "2024-03-05 09:14:22", "Mail", "20001"),
        ("35436", "public comment", "2024-03-05 09:14:22", "Mail", "20001"),
        ("35436", "status changed to open", "2024-03-05 10:10:00", "Web form", "30001"),
        ("35436", "internal note", "2024-03-05 10:10:00", "Web form", "30001"),
        ("35437", "ticket created", "2024-03-06 09:00:00", "Web form", "20002"),
        ("35436", "status changed to solved", "2024-03-06 10:00:00", "web", "30001"),
        ("35436", "public comment", "2024-03-06 10:00:00", "web", "30001"),
        ("35437", "status changed to open", "2024-03-06 09:30:00", "Web form", "30002"),
        ("35437", "public comment", "2024-03-06 09:30:00", "Web form", "30002"),
        ("35438", "ticket created", "2024-03-06 11:00:00", "voice", "20003"),
        ("35437", "status changed to pending", "2024-03-07 08:15:00", "Web form", "30002"),
        ("35437", "internal note", "2024-03-07 08:15:00", "Web form", "30002"),
        ("35437", "status changed to open", "2024-03-07 16:00:00", "Mail", "20002"),
        ("35437", "public comment", "2024-03-07 16:00:00", "Mail", "20002"),
    ]


def test_posthog_events_import_without_reshaping(ws: Path) -> None:
    result = import_events(ws, DATA / "posthog-events.jsonl", preset="posthog-events")
    assert (result.rows_imported, result.journeys) == (10, 3)
    assert [(j, a, t) for j, a, t, *_ in events(ws)] == [
        ("user-41", "$pageview", "2024-03-05 09:14:22"),
        ("user-41", "checkout started", "2024-03-05 09:16:00"),
        ("anon-7f3a", "$pageview", "2024-03-05 10:00:00"),
        ("user-41", "order placed", "2024-03-05 09:20:30"),
        ("anon-7f3a", "$pageview", "2024-03-05 10:01:10"),
        ("anon-7f3a", "support chat opened", "2024-03-05 10:02:00"),
        ("user-42", "$pageview", "2024-03-06 18:30:00"),
        ("user-42", "checkout started", "2024-03-06 18:33:15"),
        ("user-42", "payment failed", "2024-03-06 18:34:00"),
        ("user-42", "order placed", "2024-03-06 18:36:45"),
    ]
    assert json.loads(attributes(ws, "user-42")[2]["properties"]) == {"reason": "card_declined"}
    assert not (ws / "data" / "presets").exists()  # nothing to reshape


def test_the_same_export_with_the_same_preset_is_imported_once(ws: Path) -> None:
    first = import_events(ws, DATA / "zendesk-ticket-events.json", preset="zendesk-ticket-events")
    again = import_events(ws, DATA / "zendesk-ticket-events.json", preset="zendesk-ticket-events")
    assert again.already_imported and again.import_id == first.import_id
    assert again.source == DATA / "zendesk-ticket-events.json"
    assert len(events(ws)) == 14


# --------------------------------------------------------------------------- feedback

QUALTRICS = MappingFlags(score_columns={"csat": "Q1", "nps": "Q7"}, text_columns={"better": "Q8"})
FORMBRICKS = MappingFlags(
    score_columns={
        "nps": "1. How likely are you to recommend us to a friend or colleague?",
        "csat": "2. How satisfied are you with the support you received?",
    }
)


def test_qualtrics_responses_skip_the_two_extra_header_rows(ws: Path) -> None:
    result = import_feedback(
        ws, DATA / "qualtrics-responses.csv", preset="qualtrics-responses", flags=QUALTRICS
    )
    assert result.source == DATA / "qualtrics-responses.csv"
    assert (result.rows_read, result.rows_imported, result.rows_rejected) == (10, 22, 0)
    # Row 3 says the dates are America/New_York: EST (UTC-5) until 10 March 2024 2:00,
    # EDT (UTC-4) after; converted by hand.
    r1, r2, r3, r4, r5 = (
        "R_1a2B3c4D5e6F7g8",
        "R_2b3C4d5E6f7G8h9",
        "R_3c4D5e6F7g8H9i0",
        "R_4d5E6f7G8h9I0j1",
        "R_5e6F7g8H9i0J1k2",
    )
    r6, r7, r8, r9, r10 = (
        "R_6f7G8h9I0j1K2l3",
        "R_7g8H9i0J1k2L3m4",
        "R_8h9I0j1K2l3M4n5",
        "R_9i0J1k2L3m4N5o6",
        "R_0j1K2l3M4n5O6p7",
    )
    assert answers(ws) == [
        ("INC0010001", "2024-03-08 15:01:31", "csat", 4.0, None, r1, "email"),
        ("INC0010001", "2024-03-08 15:01:31", "nps", 9.0, None, r1, "email"),
        ("INC0010001", "2024-03-08 15:01:31", "better", None, "Quick and friendly", r1, "email"),
        ("INC0010002", "2024-03-08 17:32:11", "csat", 2.0, None, r2, "email"),
        ("INC0010002", "2024-03-08 17:32:11", "nps", 3.0, None, r2, "email"),
        ("INC0010005", "2024-03-09 14:00:41", "nps", 10.0, None, r3, "anonymous"),
        ("INC0010006", "2024-03-09 16:20:05", "csat", 5.0, None, r4, "email"),
        ("INC0010006", "2024-03-09 16:20:05", "nps", 10.0, None, r4, "email"),
        ("INC0010006", "2024-03-09 16:20:05", "better", None, "Solved in minutes", r4, "email"),
        ("INC0010008", "2024-03-09 19:02:59", "csat", 3.0, None, r5, "email"),
        ("INC0010008", "2024-03-09 19:02:59", "nps", 7.0, None, r5, "email"),
        ("INC0010009", "2024-03-10 12:45:00", "csat", 1.0, None, r6, "anonymous"),
        ("INC0010009", "2024-03-10 12:45:00", "nps", 0.0, None, r6, "anonymous"),
        ("INC0010009", "2024-03-10 12:45:00", "better", None, "Took a week", r6, "anonymous"),
        ("INC0010003", "2024-03-10 13:10:10", "better", None, "Still waiting", r7, "email"),
        ("INC0010004", "2024-03-10 13:30:00", "csat", 4.0, None, r8, "email"),
        ("INC0010004", "2024-03-10 13:30:00", "nps", 8.0, None, r8, "email"),
        ("INC0010002", "2024-03-11 20:00:00", "csat", 2.0, None, r9, "email"),
        ("INC0010002", "2024-03-11 20:00:00", "nps", 4.0, None, r9, "email"),
        ("INC0010002", "2024-03-11 20:00:00", "better", None, "Had to call twice", r9, "email"),
        ("INC0010007", "2024-03-12 11:05:30", "csat", 4.0, None, r10, "anonymous"),
        ("INC0010007", "2024-03-12 11:05:30", "nps", 9.0, None, r10, "anonymous"),
    ]  # fmt: skip


def test_qualtrics_time_zone_comes_from_the_import_id_row_unless_given(ws: Path) -> None:
    flags = MappingFlags(
        score_columns={"nps": "Q7"}, time_zone="Europe/Amsterdam"
    )  # the workspace's zone, given explicitly: it wins over the file's America/New_York
    import_feedback(ws, DATA / "qualtrics-responses.csv", preset="qualtrics-responses", flags=flags)
    assert [(j, t) for j, t, *_ in answers(ws)][:3] == [
        ("INC0010001", local("2024-03-08 10:01:31")),
        ("INC0010002", local("2024-03-08 12:32:11")),
        ("INC0010005", local("2024-03-09 09:00:41")),
    ]


def test_formbricks_responses_with_the_survey_questions_given(ws: Path) -> None:
    # Formbricks writes its Timestamp in UTC: the workspace's zone does not apply
    result = import_feedback(
        ws, DATA / "formbricks-responses.csv", preset="formbricks-responses", flags=FORMBRICKS
    )
    assert (result.rows_read, result.rows_imported) == (10, 18)
    assert answers(ws) == [
        ("user-41", "2024-03-08 10:00:00", "nps", 8.0, None, "cm0cont0001aaa", None),
        ("user-41", "2024-03-08 10:00:00", "csat", 5.0, None, "cm0cont0001aaa", None),
        ("user-42", "2024-03-08 11:30:00", "nps", 6.0, None, "cm0cont0002bbb", None),
        ("user-42", "2024-03-08 11:30:00", "csat", 3.0, None, "cm0cont0002bbb", None),
        ("user-43", "2024-03-09 09:15:00", "csat", 2.0, None, "cm0cont0003ccc", None),
        ("user-44", "2024-03-09 10:00:00", "nps", 10.0, None, "cm0cont0004ddd", None),
        ("user-44", "2024-03-09 10:00:00", "csat", 5.0, None, "cm0cont0004ddd", None),
        ("user-45", "2024-03-09 12:30:45", "nps", 2.0, None, "cm0cont0005eee", None),
        ("user-45", "2024-03-09 12:30:45", "csat", 1.0, None, "cm0cont0005eee", None),
        ("user-46", "2024-03-10 08:00:00", "nps", 9.0, None, "cm0cont0006fff", None),
        ("user-46", "2024-03-10 08:00:00", "csat", 4.0, None, "cm0cont0006fff", None),
        ("user-47", "2024-03-10 16:20:00", "nps", 7.0, None, "cm0cont0007ggg", None),
        ("user-48", "2024-03-11 09:05:05", "nps", 0.0, None, "cm0cont0008hhh", None),
        ("user-48", "2024-03-11 09:05:05", "csat", 2.0, None, "cm0cont0008hhh", None),
        ("user-49", "2024-03-11 11:11:11", "nps", 8.0, None, "cm0cont0009iii", None),
        ("user-49", "2024-03-11 11:11:11", "csat", 4.0, None, "cm0cont0009iii", None),
        ("user-41", "2024-03-12 17:45:00", "nps", 9.0, None, "cm0cont0010jjj", None),
        ("user-41", "2024-03-12 17:45:00", "csat", 5.0, None, "cm0cont0010jjj", None),
    ]


def test_formbricks_journey_id_from_a_hidden_field(ws: Path) -> None:
    flags = MappingFlags(journey_id="journey", score_columns=FORMBRICKS.score_columns)
    import_feedback(
        ws, DATA / "formbricks-responses.csv", preset="formbricks-responses", flags=flags
    )
    assert sorted({a[0] for a in answers(ws)}) == [f"INC00100{n:02d}" for n in range(1, 11)]


# --------------------------------------------------------------------------- problems


def drop_column(source: Path, target: Path, column: str) -> Path:
    with source.open(encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    index = rows[0].index(column)
    with target.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows([r[:index] + r[index + 1 :] for r in rows])
    return target


def test_a_reshaped_export_without_the_journey_column_names_the_field(
    ws: Path, tmp_path: Path
) -> None:
    broken = drop_column(DATA / "servicenow-incident.csv", tmp_path / "incidents.csv", "number")
    with pytest.raises(ImportRejected) as caught:
        import_events(ws, broken, preset="servicenow-incident")
    [problem] = caught.value.problems
    assert problem.location is not None
    assert problem.location.file == str(broken)
    assert problem.location.field == "mapping.columns.journey_id"
    assert "'number'" in problem.message and "journey_id" in problem.message
    assert "mapping.columns.journey_id" in (problem.hint or "")
    assert "--" not in (problem.hint or "")  # concepts, not command-line flags
    assert not (ws / "data" / "events.duckdb").exists()  # nothing was written


def test_a_ticket_export_without_its_first_milestone_names_the_timestamp(
    ws: Path, tmp_path: Path
) -> None:
    broken = drop_column(DATA / "jira-sm-issues.csv", tmp_path / "jira.csv", "Created")
    with pytest.raises(ImportRejected) as caught:
        import_events(ws, broken, preset="jira-sm-issues")
    [problem] = caught.value.problems
    assert problem.location is not None and problem.location.field == "mapping.columns.timestamp"
    assert "'Created'" in problem.message
    assert "Created" in (problem.hint or "")


def test_a_plain_export_without_a_required_column_names_the_field(ws: Path, tmp_path: Path) -> None:
    lines = (DATA / "posthog-events.jsonl").read_text(encoding="utf-8").splitlines()
    rows = [json.loads(line) for line in lines]
    for row in rows:
        del row["distinct_id"]
    broken = tmp_path / "posthog.jsonl"
    broken.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    with pytest.raises(ImportRejected) as caught:
        import_events(ws, broken, preset="posthog-events")
    [problem] = caught.value.problems
    assert problem.location is not None and problem.location.field == "mapping.columns.journey_id"
    assert "person_id" in (problem.hint or "")  # the preset says how to provide it


def test_a_survey_preset_without_questions_says_which_field_and_how(ws: Path) -> None:
    with pytest.raises(InputError) as caught:
        import_feedback(ws, DATA / "qualtrics-responses.csv", preset="qualtrics-responses")
    [problem] = caught.value.problems
    assert problem.location is not None and problem.location.field == "mapping.score_columns"
    assert "qualtrics-responses" in problem.message
    assert "nps=Q7" in (problem.hint or "")


def test_a_preset_and_a_mapping_together_are_refused(ws: Path) -> None:
    with pytest.raises(InputError) as caught:
        import_events(
            ws, DATA / "posthog-events.jsonl", preset="posthog-events", mapping="my-mapping"
        )
    [problem] = caught.value.problems
    assert problem.location is not None and problem.location.field == "preset"
    assert "my-mapping" in (problem.found or "")


def test_a_preset_of_the_other_kind_is_refused(ws: Path) -> None:
    with pytest.raises(InputError, match="for feedback, not for events"):
        import_events(ws, DATA / "qualtrics-responses.csv", preset="qualtrics-responses")
    with pytest.raises(InputError, match="for events, not for feedback"):
        import_feedback(ws, DATA / "posthog-events.jsonl", preset="posthog-events")


def test_an_unknown_preset_through_the_service_is_not_found(ws: Path) -> None:
    with pytest.raises(NotFound, match="presets: "):
        import_events(ws, DATA / "posthog-events.jsonl", preset="posthog")


def test_a_json_preset_given_a_csv_file_says_the_file_is_not_json(ws: Path) -> None:
    with pytest.raises(ImportRejected, match="not JSON"):
        import_events(ws, DATA / "servicenow-incident.csv", preset="zammad-tickets")

"""Workspaces for the report tests: the DSV template with measures, an SLA clock and a trial.

:func:`measured_template` writes the template workspace (``cojourney init``) and adds
what the report's later sections read: a ``measure`` on each template indicator, an SLA
clock (sign-up to first use within 24 hours), an XLA target with a baseline, and an
improvement with a before/after comparison.
"""

from __future__ import annotations

from pathlib import Path

from ruamel.yaml import YAML

from cojourney.services.workspaces import init_workspace

_yaml = YAML()


def _edit(path: Path, change) -> None:
    data = _yaml.load(path.read_text(encoding="utf-8"))
    change(data)
    with path.open("w", encoding="utf-8") as stream:
        _yaml.dump(data, stream)


def measured_template(folder: Path) -> Path:
    """The template workspace with measures, a clock and a comparison (see the module doc)."""
    init_workspace(folder)

    def value(data):
        for ind in data["indicators"]:
            if ind["id"] == "time-to-first-use":
                ind["measure"] = {
                    "kind": "duration",
                    "start": "sign-up",
                    "end": "first-use",
                    "statistic": "median",
                    "time_unit": "hours",
                }
            elif ind["id"] == "csat":
                ind["measure"] = {
                    "kind": "feedback",
                    "question": "csat",
                    "statistic": "csat",
                    "touchpoints": ["survey"],
                }
        data["indicators"].append(
            {
                "id": "onboarding-rate",
                "name": "Onboarding completion",
                "unit": "%",
                "definition": "Journeys that reach first use among those that signed up.",
                "direction": "higher_is_better",
                "target": 90,
                "warning": 80,
                "aspect": "outcome",
                "stakeholder": "customers-group",
                "measure": {
                    "kind": "journey_share",
                    "touchpoints": ["first-use"],
                    "among": ["sign-up"],
                },
            }
        )

    def agreements(data):
        agreement = data["agreements"][0]
        agreement["targets"] = [t for t in agreement["targets"] if t["indicator"] != "csat"]
        agreement["clocks"] = [
            {
                "id": "sign-up-to-use",
                "name": "Sign-up to first use",
                "start": ["sign-up"],
                "stop": ["first-use"],
                "targets": [{"within": "24h", "attainment": 50}],
            }
        ]
        data["agreements"].append(
            {
                "id": "experience-agreement",
                "name": "Experience agreement",
                "kind": "xla",
                "basis": "promise",
                "provider": "my-company",
                "services": ["main-service"],
                "targets": [
                    {
                        "indicator": "csat",
                        "comparator": ">=",
                        "value": 85,
                        "period": "month",
                        "baseline": 70,
                    }
                ],
            }
        )

    def improvements(data):
        imp = data["improvements"][0]
        imp["status"] = "done"
        imp["started"] = "2024-01-15"
        imp["comparison"] = {"kind": "before_after"}

    _edit(folder / "value.yaml", value)
    _edit(folder / "agreements.yaml", agreements)
    _edit(folder / "improvements.yaml", improvements)
    return folder


# --------------------------------------------------------------------------- survey answers

#: Hand-made answers about MAIN_LOG's journeys: (journey, seconds after its start, question,
#: score, touchpoint). CSAT at the survey: 5, 4, 2, 5 -> 3 of 4 are 4-5 = 75%. NPS (journey
#: level): 10, 9, 3, 7 -> 2 promoters, 1 detractor of 4 = +25. Emotion at sign-up: -1, -2
#: (mean -1.5); at first-use: 3, 2, 1 (mean 2).
ANSWERS = [
    ("A", 1000, "csat", 5.0, "survey"),
    ("D", 180, "csat", 4.0, "survey"),
    ("G", 50, "csat", 2.0, "survey"),
    ("H", 60, "csat", 5.0, "survey"),
    ("A", 1000, "nps", 10.0, None),
    ("D", 180, "nps", 9.0, None),
    ("G", 50, "nps", 3.0, None),
    ("H", 60, "nps", 7.0, None),
    ("A", 100, "emotion", -1.0, "sign-up"),
    ("D", 60, "emotion", -2.0, "sign-up"),
    ("A", 400, "emotion", 3.0, "first-use"),
    ("B", 100, "emotion", 2.0, "first-use"),
    ("H", 40, "emotion", 1.0, "first-use"),
]


def answers_table(log: list, answers: list = ANSWERS):
    """The canonical feedback table of ``answers`` (times relative to each journey's start)."""
    import datetime as dt

    import pyarrow as pa

    from cojourney.events.feedback_schema import feedback_arrow_schema

    t0 = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    starts = {journey: start for journey, start, *_ in log}
    records = [
        {
            "journey_id": j,
            "timestamp": t0 + dt.timedelta(seconds=starts[j] + s),
            "answer_seq": n,
            "question": q,
            "score": score,
            "touchpoint": tp,
        }
        for n, (j, s, q, score, tp) in enumerate(answers)
    ]
    return pa.Table.from_pylist(records, schema=feedback_arrow_schema())


def import_logs(folder: Path, events, answers=None) -> None:
    """Import canonical events (and answers) into the workspace's store."""
    from cojourney.events.store import EventStore

    with EventStore.open(folder) as store:
        store.import_batches(
            events.to_batches(), source_name="events.parquet", source_sha256="1" * 64
        )
        if answers is not None:
            store.import_batches(
                answers.to_batches(),
                source_name="answers.parquet",
                source_sha256="2" * 64,
                kind="feedback",
            )

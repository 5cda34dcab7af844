"""Downloads of an event's votes: results and anonymised ballots, as CSV and JSON."""

from __future__ import annotations

import json
from typing import Any

from facilitation.core.formats import localise
from facilitation.exports.ballot_files import ballots_csv, ballots_json
from facilitation.exports.tables import csv_text
from facilitation.services.events import Events
from facilitation.services.interaction import Interaction
from facilitation.services.live_event import LiveEvent


def vote_results(events: Events, live: LiveEvent) -> list[dict[str, Any]]:
    """Per vote: question, method, status, options with places and scores, the full result."""
    lang = live.row.lang
    out = []
    for vote_id, step in live.format.vote_steps().items():
        state = live.state.vote(vote_id)
        result = events.results(live, vote_id)
        labels = {oid: localise(label, lang) for oid, label in live.plan.vote_options(vote_id)}
        data = result.to_json()
        counts = data.get("counts") or data.get("totals") or {}
        place = {option: position for position, option in enumerate(result.ranking, start=1)}
        paper = sum(1 for b in events.storage.ballots(live.id, vote_id) if b.paper)
        out.append(
            {
                "vote": vote_id,
                "question": localise(step.question, lang),
                "method": step.method,
                "status": state.status,
                "revealed": state.revealed,
                "ballots": result.n_ballots,
                "paper_ballots": paper,
                "abstentions": result.n_abstentions,
                "ranking": list(result.ranking),
                "winners": list(result.winners),
                "options": [
                    {
                        "id": oid,
                        "label": labels.get(oid, oid),
                        "rank": place[oid],
                        "score": result.scores[oid],
                        **({"count": counts[oid]} if oid in counts else {}),
                        **({"share": round(data["shares"][oid], 4)} if "shares" in data else {}),
                    }
                    for oid in result.ranking
                ],
                "result": data,
            }
        )
    return out


def results_json(events: Events, live: LiveEvent) -> str:
    document = {
        "event": {
            "code": live.code,
            "format": live.format.id,
            "format_version": live.format.version,
            "title": localise(live.format.title, live.row.lang),
            "created_at_ms": live.row.created_at,
        },
        "votes": vote_results(events, live),
    }
    return json.dumps(document, ensure_ascii=False, indent=2)


def results_csv(events: Events, live: LiveEvent) -> str:
    header = ["vote", "question", "method", "rank", "option", "label", "score", "count", "ballots"]
    return csv_text(
        [
            header,
            *(
                [
                    vote["vote"],
                    vote["question"],
                    vote["method"],
                    option["rank"],
                    option["id"],
                    option["label"],
                    option["score"],
                    option.get("count", ""),
                    vote["ballots"],
                ]
                for vote in vote_results(events, live)
                for option in vote["options"]
            ),
        ]
    )


def _ballot_rows(events: Events, live: LiveEvent, vote_id: str) -> list[tuple[Any, bool, str]]:
    # the ballots the result counted, so that `facilitation tally` of the file gives it again
    return [
        (b.ballot, b.paper, b.name)
        for b in events.storage.ballots(live.id, vote_id)
        if not b.set_aside
    ]


def vote_ballots_csv(events: Events, live: LiveEvent, vote_id: str) -> str:
    """Anonymised ballots in the layout `facilitation tally` reads (names only for votes the
    format declares attributed)."""
    attributed = live.format.vote_steps()[vote_id].ballots == "attributed"
    return ballots_csv(
        live.vote_spec(vote_id), _ballot_rows(events, live, vote_id), names=attributed
    )


def vote_ballots_json(events: Events, live: LiveEvent, vote_id: str) -> str:
    attributed = live.format.vote_steps()[vote_id].ballots == "attributed"
    spec = live.vote_spec(vote_id)
    document = {
        "vote": vote_id,
        "method": spec.method,
        "options": list(spec.options),
        "ballots": ballots_json(spec, _ballot_rows(events, live, vote_id), names=attributed),
        "result": events.results(live, vote_id).to_json(),
    }
    return json.dumps(document, ensure_ascii=False, indent=2)


# --- the after-event report ----------------------------------------------------------------


def report_data(
    events: Events, live: LiveEvent, now: int, interaction: Interaction | None = None
) -> dict[str, Any]:
    """Everything the event produced, for the report page and its downloads."""
    from facilitation.core.inputs import item_label, summarise
    from facilitation.core.timeline import stage_runs
    from facilitation.presenters.views import stage_label

    storage = events.storage
    lang = live.row.lang
    runs = stage_runs(
        [s.seconds for s in live.plan.stages],
        storage.log_entries(live.id),
        live.row.created_at,
        now,
    )
    agenda = [
        {
            "stage": run.index + 1,
            "step": stage.step_id,
            "kind": stage.kind,
            "label": stage_label(live.plan, live.state, stage, lang, "console"),
            "planned_minutes": None
            if run.planned_seconds is None
            else round(run.planned_seconds / 60, 2),
            "real_minutes": round(run.seconds / 60, 2),
            "overtime_minutes": round(run.overtime_seconds / 60, 2),
            "visits": run.visits,
        }
        for run, stage in zip(runs, live.plan.stages, strict=True)
    ]
    items = []
    for step_id, step in live.format.input_steps().items():
        rows = storage.items(live.id, step_id)
        shown = [i for i in rows if not i.hidden and i.merged_into is None]
        items.append(
            {
                "step": step_id,
                "prompt": localise(step.prompt, lang),
                "count": len(shown),
                "hidden": sum(1 for i in rows if i.hidden),
                "merged": sum(1 for i in rows if i.merged_into is not None),
                "items": [
                    {
                        "text": item_label(step.fields, i.fields, 1000),
                        "fields": i.fields,
                        "similar": sum(1 for j in rows if j.merged_into == i.id),
                        **(
                            {"author": i.author}
                            if step.authorship == "attributed" and i.author
                            else {}
                        ),
                    }
                    for i in shown
                ],
            }
        )
    feedback = []
    for project in live.plan.projects:
        spec = live.feedback_spec(project.id)
        if spec is None:
            continue
        given = [r.fields for r in storage.feedback(live.id, project.id)]
        ratings = {s.id: s.mean for s in summarise(spec.fields, given) if s.type == "rating"}
        feedback.append(
            {
                "project": project.id,
                "title": project.title,
                "count": len(given),
                "rating_means": ratings,
            }
        )
    groups = [
        {
            "step": step_id,
            "round": round_,
            "tables": len(plan),
            "sizes": sorted((len(t["members"]) for t in plan), reverse=True),
        }
        for (step_id, round_), plan in sorted(storage.seatings(live.id).items())
        if round_ >= 0 and isinstance(plan, list)
    ]
    people = storage.participants(live.id)
    return {
        "event": {
            "code": live.code,
            "format": live.format.id,
            "format_version": live.format.version,
            "title": localise(live.format.title, lang),
            "created_at_ms": live.row.created_at,
            "participants": sum(1 for p in people if not p.invited),
            "invited": sum(1 for p in people if p.invited),
            "named_participants": sum(1 for p in people if p.name and not p.invited),
        },
        "agenda": agenda,
        "votes": vote_results(events, live),
        "items": items,
        "feedback": feedback,
        "groups": groups,
        "questions": interaction.every_question(live) if interaction else [],
        "reactions": interaction.reactions(live) if interaction else {},
    }


QUESTION_COLUMNS = [
    "step",
    "project",
    "project_title",
    "question",
    "name",
    "upvotes",
    "merged",
    "answered",
    "state",
    "asked_at",
]


def questions_csv(questions: list[dict[str, Any]]) -> str:
    """Every question, most upvoted first (a question typed as "=cmd" stays text)."""
    return csv_text([QUESTION_COLUMNS, *([q[c] for c in QUESTION_COLUMNS] for q in questions)])


def report_csv(report: dict[str, Any]) -> str:
    """The agenda as run, one row per stage."""
    columns = [
        "stage",
        "step",
        "kind",
        "label",
        "planned_minutes",
        "real_minutes",
        "overtime_minutes",
        "visits",
    ]
    return csv_text([columns, *([row[c] for c in columns] for row in report["agenda"])])

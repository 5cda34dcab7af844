"""Downloads of an event's results: CSV and JSON, open formats, no personal data."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from facilitation.formats import localise
from facilitation.live import Events, LiveEvent


def vote_results(events: Events, live: LiveEvent) -> list[dict[str, Any]]:
    """Per vote: question, status, options with counts and ranks, in the event's language."""
    lang = live.row.lang
    out = []
    for vote_id, step in live.format.vote_steps().items():
        state = live.state.vote(vote_id)
        result = events.results(live, vote_id)
        labels = {oid: localise(label, lang) for oid, label in live.plan.vote_options(vote_id)}
        data = result.to_json()
        counts: dict[str, int] = data.get("counts", {})
        voters = max(1, result.n_ballots - result.n_abstentions)
        rank_of = {option: position for position, option in enumerate(result.ranking, start=1)}
        out.append(
            {
                "vote": vote_id,
                "question": localise(step.question, lang),
                "method": step.method,
                "status": state.status,
                "revealed": state.revealed,
                "ballots": result.n_ballots,
                "abstentions": result.n_abstentions,
                "ranking": list(result.ranking),
                "winners": list(result.winners),
                "options": [
                    {
                        "id": oid,
                        "label": labels.get(oid, oid),
                        "count": counts.get(oid, 0),
                        "share": round(counts.get(oid, 0) / voters, 4),
                        "rank": rank_of.get(oid),
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
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["vote", "question", "rank", "option", "label", "count", "share", "ballots"])
    for vote in vote_results(events, live):
        for option in vote["options"]:
            writer.writerow(
                [
                    vote["vote"],
                    vote["question"],
                    option["rank"],
                    option["id"],
                    option["label"],
                    option["count"],
                    option["share"],
                    vote["ballots"],
                ]
            )
    return out.getvalue()

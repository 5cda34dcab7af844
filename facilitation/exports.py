"""Downloads of an event's votes: results and anonymised ballots, as CSV and JSON."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from facilitation.ballot_files import ballots_csv, ballots_json
from facilitation.formats import localise
from facilitation.live import Events, LiveEvent


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
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        ["vote", "question", "method", "rank", "option", "label", "score", "count", "ballots"]
    )
    for vote in vote_results(events, live):
        for option in vote["options"]:
            writer.writerow([
                vote["vote"], vote["question"], vote["method"], option["rank"], option["id"],
                option["label"], option["score"], option.get("count", ""), vote["ballots"],
            ])
    return out.getvalue()


def _ballot_rows(events: Events, live: LiveEvent, vote_id: str) -> list[tuple[Any, bool, str]]:
    return [(b.ballot, b.paper, b.name) for b in events.storage.ballots(live.id, vote_id)]


def vote_ballots_csv(events: Events, live: LiveEvent, vote_id: str) -> str:
    """Anonymised ballots in the layout `facilitation tally` reads (names only for votes the
    format declares attributed)."""
    attributed = live.format.vote_steps()[vote_id].ballots == "attributed"
    return ballots_csv(live.vote_spec(vote_id), _ballot_rows(events, live, vote_id),
                       names=attributed)


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

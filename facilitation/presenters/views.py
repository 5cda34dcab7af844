"""What each audience sees of an event, as plain data for the templates.

Rules live here, not in templates: which projects the audience may know about, whether results
may be shown, what the screen reader announces when the step changes.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from facilitation.core.engine import (
    EventState,
    Plan,
    Stage,
    results_visible,
    reveal_progress,
    revealed_later,
    visible_projects,
)
from facilitation.core.formats import (
    GroupsStep,
    InputStep,
    PitchStep,
    RevealStep,
    RotateStep,
    VoteStep,
    localise,
)
from facilitation.core.inputs import fields_view, item_label
from facilitation.core.voting import CombinedResult, VoteResult
from facilitation.i18n import translations
from facilitation.presenters.charts import chart_rows, combined_rows, pairwise_table
from facilitation.presenters.scores import score_rows
from facilitation.presenters.slots import slot_clock
from facilitation.services.live_event import LiveEvent
from facilitation.services.seating import ScoreTotals
from facilitation.storage import ItemRow

Shown = VoteResult | CombinedResult

Audience = Literal["participant", "screen", "console"]


@dataclass(frozen=True)
class Counts:
    connected: int  # participants with an open connection now
    ballots: int  # ballots in the current vote that count (not set aside)
    head_count: int | None = None  # people the facilitator counted in the room

    @property
    def over_connected(self) -> bool:
        """More ballots than phones connected: phones that voted by form and left, or
        identities that never connected (a script)."""
        return self.ballots > self.connected

    @property
    def over_head_count(self) -> bool:
        return self.head_count is not None and self.ballots > self.head_count


def N_(message: str) -> str:
    """Marks a message for extraction; it is translated where it is shown."""
    return message


ROLE_NAMES = {
    "participant": N_("participants"),
    "holder": N_("project holders"),
    "partner": N_("partners"),
    "jury": N_("the jury"),
    "decider": N_("the decider"),
    "observer": N_("observers"),
    "facilitator": N_("the facilitator"),
}

# Titles for steps the format left untitled.
KIND_TITLES = {
    "info": N_("Information"),
    "break": N_("Break"),
    "talk": N_("Discussion"),
    "pitch": N_("Pitches"),
    "vote": N_("Vote"),
    "reveal": N_("Results"),
}


def untitled(kind: str, lang: str) -> str:
    return tr(lang, KIND_TITLES.get(kind, kind))


def tr(lang: str, message: str) -> str:
    return translations(lang).gettext(message)


def stage_label(plan: Plan, state: EventState, stage: Stage, lang: str, audience: Audience) -> str:
    """One line for the agenda: the step title, and for a pitch the project when it may be
    known; rounds say which round."""
    step = plan.step(stage)
    title = localise(step.title, lang, plan.format.lang) or untitled(stage.kind, lang)
    if stage.round is not None:
        return f"{title} · " + tr(lang, "round %(n)d") % {"n": stage.round}
    if stage.project is None:
        return title
    shown = audience == "console" or stage.project in visible_projects(plan, state)
    name = (
        plan.project(stage.project).title
        if shown
        else tr(lang, "Project %(n)d") % {"n": stage.project_number}
    )
    phase = tr(lang, "pitch") if stage.phase == "pitch" else tr(lang, "questions")
    return f"{name} · {phase}"


def agenda(live: LiveEvent, lang: str, audience: Audience) -> list[dict[str, Any]]:
    cursor = live.state.cursor
    return [
        {
            "index": s.index,
            "label": stage_label(live.plan, live.state, s, lang, audience),
            "minutes": None if s.seconds is None else round(s.seconds / 60, 1),
            "current": s.index == cursor,
            "vote": s.step_id if s.kind == "vote" else None,
            "done": s.index < cursor,
        }
        for s in live.plan.stages
    ]


def option_labels(live: LiveEvent, vote_id: str, lang: str) -> dict[str, str]:
    return {
        option_id: localise(label, lang, live.format.lang)
        for option_id, label in live.plan.vote_options(vote_id)
    }


def result_rows(
    live: LiveEvent, vote_id: str, result: VoteResult, lang: str, audience: Audience
) -> list[dict[str, Any]]:
    """Chart rows of a vote, best first. Projects not yet presented never appear outside the
    console (they have no votes anyway, but their names would give the lineup away)."""
    labels = option_labels(live, vote_id, lang)
    rows = chart_rows(result, labels, translations(lang).gettext, translations(lang).ngettext)
    if audience != "console":
        hidden = live.hidden_options(vote_id)
        # options nobody voted for would only pad the list in front of the room
        supported = set(result.supported()) or {r["id"] for r in rows}
        rows = [r for r in rows if r["id"] not in hidden and r["id"] in supported]
    return rows


def vote_view(
    live: LiveEvent,
    vote_id: str,
    lang: str,
    audience: Audience,
    result: Shown | None,
    counts: Counts,
) -> dict[str, Any]:
    step = live.format.vote_steps()[vote_id]
    spec = live.vote_spec(vote_id)
    state = live.state.vote(vote_id)
    hidden = live.hidden_options(vote_id)
    options = [
        {"id": oid, "label": label}
        for oid, label in option_labels(live, vote_id, lang).items()
        if oid not in hidden
    ]
    show_results = audience == "console" or results_visible(live.plan, live.state, vote_id)
    later = revealed_later(live.plan, vote_id)
    rows = None
    pairwise = None
    if isinstance(result, VoteResult) and show_results:
        rows = result_rows(live, vote_id, result, lang, audience)
        if audience == "console":
            pairwise = pairwise_table(result, option_labels(live, vote_id, lang))
    return {
        "id": vote_id,
        "method": step.method,
        "hint": vote_hint(live, vote_id, lang),
        "budget": spec.budget if step.method == "dots" else None,
        "cap": spec.cap if step.method == "dots" else None,
        "scale": spec.scale,
        "grades": [localise(g, lang, live.format.lang) for g in step.grade_labels()],
        "criteria": [
            {
                "id": c.id,
                "title": localise(c.title, lang, live.format.lang),
                "weight": c.weight,
                "scale": c.scale,
            }
            for c in step.criteria or []
        ],
        "question": localise(step.question, lang, live.format.lang),
        "status": state.status,
        "revealed": state.revealed,
        "reopened": state.reopened,
        "options": options,
        "allow_abstain": step.allow_abstain,
        "own_project": step.own_project,
        "ticketed": step.voters == "ticketed",
        "who": list(step.who),
        "who_label": ", ".join(tr(lang, ROLE_NAMES.get(r, r)) for r in step.who),
        "show_results": show_results and rows is not None,
        "rows": rows,
        "pairwise": pairwise,
        "n_ballots": counts.ballots,
        "live_results": step.results == "live",
        "revealed_at": None if later is None else later.index + 1,
        "revealed_at_label": None
        if later is None
        else stage_label(live.plan, live.state, later, lang, audience),
    }


def vote_hint(live: LiveEvent, vote_id: str, lang: str) -> str:
    """The rule of the ballot in one sentence, for the phone."""
    step = live.format.vote_steps()[vote_id]
    spec = live.vote_spec(vote_id)
    n = len(spec.options)
    match step.method:
        case "single":
            return tr(lang, "Choose one option.")
        case "approval":
            low, high = spec.min_choices, spec.max_choices or n
            return tr(lang, "Choose between %(low)d and %(high)d options.") % {
                "low": low,
                "high": high,
            }
        case "dots":
            text = tr(lang, "Spread %(budget)d points over the options.") % {"budget": spec.budget}
            if spec.cap:
                text += " " + tr(lang, "At most %(cap)d on one option.") % {"cap": spec.cap}
            return text
        case "rating":
            return tr(lang, "Give each option a score from %(low)d to %(high)d.") % {
                "low": spec.scale[0],
                "high": spec.scale[1],
            }
        case "ranking":
            return tr(
                lang,
                "Put the options in your order of preference (1 = first); "
                "use the arrows to move them.",
            )
        case "majority_judgment":
            return tr(lang, "Give each option a grade.")
        case _:
            return tr(lang, "Score each project on each criterion.")


def stage_view(
    live: LiveEvent,
    lang: str,
    audience: Audience,
    counts: Counts,
    result: Shown | None,
    now: int,
    items: Sequence[ItemRow] | None = None,
) -> dict[str, Any]:
    """The current step as the audience sees it; `result` is the shown vote's tally, if any."""
    stage = live.stage
    step = live.plan.step(stage)
    fallback = live.format.lang
    view: dict[str, Any] = {
        "kind": stage.kind,
        "phase": stage.phase,
        "title": localise(step.title, lang, fallback) or untitled(stage.kind, lang),
        "body": localise(step.body, lang, fallback),
        "project": None,
        "vote": None,
        "position": stage.index + 1,
        "total": len(live.plan.stages),
        "revision": live.state.revision,
        "timer": live.state.timer.to_json(now),
        "match": match_view(live, lang),
        "event_title": localise(live.format.title, lang, fallback),
    }
    if isinstance(step, PitchStep) and stage.project is not None:
        project = live.plan.project(stage.project)
        view["project"] = {
            "id": project.id,
            "title": project.title,
            "holder": project.holder,
            "pitch": project.pitch,
            "usage_scenario": project.usage_scenario,
            "city": project.city,
            "number": stage.project_number,
            "count": len(live.plan.lineup),
            "needs": [{"id": n, "label": tag_labels(live, lang).get(n, n)} for n in project.needs],
        }
    view["input"] = None
    view["feedback"] = None
    view["tables"] = []
    view["round"] = stage.round
    view["rounds"] = stage.rounds
    view["round_question"] = None
    view["choices"] = None
    if isinstance(step, RotateStep) and step.questions and stage.round:
        questions = step.questions
        view["round_question"] = localise(
            questions[(stage.round - 1) % len(questions)], lang, fallback
        )
    if isinstance(step, GroupsStep) and step.mode == "self" and step.choices:
        view["choices"] = [
            {"id": o.id, "label": localise(o.label, lang, fallback)} for o in step.choices
        ]
    view["scheme"] = step.scheme if isinstance(step, RotateStep) else None
    if isinstance(step, InputStep):
        view["input"] = input_view(live, stage.step_id, lang, audience, items or [])
    if isinstance(step, PitchStep) and step.feedback and stage.project is not None:
        view["feedback"] = {
            "project": stage.project,
            "fields": fields_view(step.feedback.fields, lang, fallback),
        }
    if isinstance(step, VoteStep):
        view["vote"] = vote_view(live, stage.step_id, lang, audience, result, counts)
    view["reveal"] = None
    if isinstance(step, RevealStep):
        view["reveal"] = reveal_view(live, step, lang, audience, result, counts)
    view["slot_clock"] = slot_clock(live, now) if audience == "screen" else None
    view["timer"]["alert"] = live.state.sound
    view["announce"] = announcement(view, lang, step)
    view["page_title"] = view["project"]["title"] if view["project"] else view["title"]
    return view


def input_view(
    live: LiveEvent,
    step_id: str,
    lang: str,
    audience: Audience,
    items: Sequence[ItemRow],
    group: Collection[int] | None = None,
) -> dict[str, Any]:
    """An input step: the form, and the items this audience may see (`group`: the
    participants whose items a phone sees in a step shared by group)."""
    step = live.format.input_steps()[step_id]
    fallback = live.format.lang
    shown = [i for i in items if i.merged_into is None]
    merged = {i.id: sum(1 for j in items if j.merged_into == i.id) for i in shown}
    if audience == "console":
        visible = shown
    elif step.visibility == "all":
        visible = [i for i in shown if not i.hidden]
    elif step.visibility == "group" and group is not None and audience == "participant":
        visible = [i for i in shown if not i.hidden and i.participant_id in group]
    else:
        visible = []
    return {
        "id": step_id,
        "prompt": localise(step.prompt, lang, fallback),
        "fields": fields_view(step.fields, lang, fallback),
        "per_person": step.per_person,
        "visibility": step.visibility,
        # a phone's own group's list (the shared fragment has none: it is sent to each group)
        "group": group is not None,
        "who": list(step.who),
        "who_label": ", ".join(tr(lang, ROLE_NAMES.get(r, r)) for r in step.who),
        "count": len(visible) if group is not None else len([i for i in shown if not i.hidden]),
        "items": [
            {
                "id": i.id,
                "values": [i.fields.get(f.id) for f in step.fields],
                "label": item_label(step.fields, i.fields),
                "hidden": i.hidden,
                "merged": merged.get(i.id, 0),
                "author": i.author
                if step.authorship == "attributed" or audience == "console"
                else "",
            }
            for i in visible
        ],
    }


def tag_labels(live: LiveEvent, lang: str) -> dict[str, str]:
    step = live.format.match_step()
    tags = step.vocabulary() if step else ()
    return {t.id: localise(t.label, lang, live.format.lang) for t in tags}


def match_view(live: LiveEvent, lang: str) -> dict[str, Any] | None:
    """The event's matchmaking as phones and screen present it (None without a match step)."""
    step = live.format.match_step()
    if step is None:
        return None
    reached = any(s.kind == "match" for s in live.plan.stages[: live.stage.index + 1])
    return {
        # phones list "your meetings" once the evening gets there, not during the pitches
        "reached": reached,
        "slots": step.slots,
        "slot_minutes": step.slot_minutes,
        "start": step.start,
        "tags": [
            {"id": t.id, "label": localise(t.label, lang, live.format.lang)}
            for t in step.vocabulary()
        ],
    }


def reveal_view(
    live: LiveEvent,
    step: RevealStep,
    lang: str,
    audience: Audience,
    result: Shown | ScoreTotals | None,
    counts: Counts,
) -> dict[str, Any]:
    """A reveal step: the places shown so far (a countdown shows the last places first, the
    options tied at a place together); options nobody voted for are not listed."""
    fallback = live.format.lang
    votes = live.format.vote_steps()
    first = step.votes()[0] if step.votes() else None
    rows: list[dict[str, Any]] = []
    method = "combined"
    if isinstance(result, VoteResult) and first is not None:
        rows = result_rows(live, first, result, lang, audience)
        method = result.method
    elif isinstance(result, CombinedResult) and first is not None:
        titles = {
            part.vote: localise(part.title, lang, fallback)
            or localise(votes[part.vote].title, lang, fallback)
            or part.vote
            for part in step.combine or []
        }
        rows = combined_rows(
            result, option_labels(live, first, lang), titles, translations(lang).gettext
        )
    elif isinstance(result, ScoreTotals) and step.scores is not None:
        rows = score_rows(live, step.scores, result, lang)
        method = "scores"
    if isinstance(result, VoteResult | CombinedResult):
        supported = set(result.supported())
        rows = [r for r in rows if r["id"] in supported] or rows
    ranks = [r["place"] for r in rows] if isinstance(result, VoteResult | CombinedResult) else None
    shown, places = reveal_progress(live.plan, live.state, live.stage, ranks) or (0, 0)
    rows = rows[:places]
    hidden = places - shown  # a countdown reveals from the last place up
    latest = rows[hidden]["place"] if shown and hidden < len(rows) else None
    for index, row in enumerate(rows):
        row["revealed"] = index >= hidden
        row["latest"] = row["revealed"] and row["place"] == latest  # tied rows come together
    visible = rows if audience == "console" else [r for r in rows if r["revealed"]]
    tied_first = [r["label"] for r in visible if r["place"] == 1 and r.get("tied")]
    question = (
        localise(votes[step.vote].question, lang, fallback)
        if step.vote
        else localise(step.title, lang, fallback)
    )
    return {
        "question": question,
        "rows": visible,
        "shown": shown,
        "places": places,
        "complete": shown >= places,
        "countdown": step.order == "countdown",
        "statuses": [live.state.vote(v).status for v in step.votes()],
        "pending": any(live.state.vote(v).status == "pending" for v in step.votes()),
        "n_ballots": counts.ballots,
        "method": method,
        "grades": [localise(g, lang, fallback) for g in votes[first].grade_labels()]
        if first
        else [],
        "next_place": rows[hidden - 1]["place"] if 0 < hidden <= len(rows) else 0,
        "tied_first": tied_first if shown >= places else [],
    }


def announcement(view: dict[str, Any], lang: str, step: object) -> str:
    """What a screen reader says when the step changes (the page's aria-live region)."""
    parts = [view["title"]]
    if view["project"]:
        project = view["project"]
        phase = tr(lang, "Pitch") if view["phase"] == "pitch" else tr(lang, "Questions")
        parts = [f"{phase} {project['number']}/{project['count']}: {project['title']}"]
    if view["round"] and view["rounds"]:
        # rounds of rotate and pass steps change nothing else a screen reader would say
        parts.append(
            tr(lang, "Round %(n)d of %(total)d") % {"n": view["round"], "total": view["rounds"]}
        )
    if isinstance(step, VoteStep) and view["vote"] and view["vote"]["status"] == "open":
        parts.append(tr(lang, "The vote is open."))
    if isinstance(step, VoteStep) and view["vote"] and view["vote"]["status"] == "closed":
        parts.append(tr(lang, "The vote is closed."))
    reveal = view.get("reveal")
    if reveal and reveal["rows"]:
        best = reveal["rows"][0]
        parts.append(
            tr(lang, "Place %(place)d: %(label)s.")
            % {"place": best["place"], "label": best["label"]}
        )
    return " ".join(parts)

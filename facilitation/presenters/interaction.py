"""What phones, the console and the projector show of audience questions, reactions and
word clouds. The step fragments include these views; `questions_payload` is the list pushed
to phones (once per language, the same for everyone: each phone marks its own upvotes)."""

from __future__ import annotations

from typing import Any

from facilitation.i18n import translations
from facilitation.presenters.clouds import cloud
from facilitation.presenters.pages import Pages
from facilitation.presenters.views import N_, Audience
from facilitation.services.interaction import Board, Interaction
from facilitation.services.live_event import LiveEvent

# Reactions a format may declare, with the sign shown and the words a screen reader says.
REACTIONS: dict[str, tuple[str, str]] = {
    "applause": ("👏", N_("Applause")),
    "heart": ("❤️", N_("Love it")),
    "plus_one": ("+1", N_("Agree")),
    "laugh": ("😄", N_("Funny")),
    "wow": ("😮", N_("Wow")),
}
# The projector lists this many questions when none is in focus.
SCREEN_TOP = 5


def board_view(board: Board, audience: Audience) -> dict[str, Any]:
    def entry(q: Any) -> dict[str, Any]:
        return {
            "id": q.id,
            "text": q.text,
            "name": q.name,
            "votes": board.counts.get(q.id, 0),
            "answered": q.answered,
            "hidden": q.state == "hidden",
            "at": int(q.asked_at * 1000),
            "focus": board.focus is not None and board.focus.id == q.id,
        }

    listed = [entry(q) for q in board.listed]
    return {
        "step": board.step_id,
        "moderation": board.moderation,
        "order": board.spec.order,
        "names": board.spec.names,
        "max_length": board.spec.max_length,
        "questions": listed if audience != "screen" else listed[:SCREEN_TOP],
        "count": len(listed),
        "queue": [entry(q) for q in board.queue],
        "focus": entry(board.focus) if board.focus is not None else None,
    }


class InteractionViews:
    def __init__(self, interaction: Interaction, pages: Pages) -> None:
        self.interaction = interaction
        self.pages = pages

    def extend(self, view: dict[str, Any], live: LiveEvent, audience: Audience, lang: str) -> None:
        """Add the step's questions, reactions and word cloud to a stage view."""
        board = self.interaction.board(live, for_audience=audience != "console")
        view["qa"] = board_view(board, audience) if board is not None else None
        kinds = self.interaction.reaction_kinds(live)
        t = translations(lang)
        view["reactions"] = [
            {"kind": k, "sign": REACTIONS[k][0], "label": t.gettext(REACTIONS[k][1])} for k in kinds
        ]
        step_id = live.stage.step_id
        view["reactions_total"] = None  # phones show no totals: no read at every join
        if audience != "participant":
            totals = self.interaction.reactions(live).get(step_id, {})
            view["reactions_total"] = [
                {**r, "count": totals.get(r["kind"], 0)} for r in view["reactions"]
            ]
        step = live.format.input_steps().get(step_id)
        view["cloud"] = None
        if step is not None and step.cloud and audience != "participant":
            title = t.gettext("Word cloud of the answers")
            drawn = cloud(
                self.interaction.cloud_answers(live, step_id),
                self.interaction.hidden_words(live, step_id),
                title,
                t.ngettext,
            )
            view["cloud"] = {"svg": drawn.svg, "words": drawn.words, "answers": drawn.answers}

    def questions_payload(self, live: LiveEvent, lang: str) -> dict[str, Any] | None:
        """The list pushed to every phone of a language, or None if the step takes none."""
        board = self.interaction.board(live, for_audience=True)
        if board is None:
            return None
        view = board_view(board, "participant")
        html = self.pages.fragment("_questions_list.html", lang, {"qa": view, "live": live})
        return {"step": board.step_id, "html": html, "count": len(view["questions"])}

    def own(self, live: LiveEvent, participant: Any) -> dict[str, Any]:
        """What a phone shows again after a reload: its upvotes and its questions."""
        board = self.interaction.board(live, for_audience=True, participant=participant)
        if board is None:
            return {"upvoted": [], "asked": []}
        return {"upvoted": sorted(board.upvoted), "asked": sorted(board.mine)}

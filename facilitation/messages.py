"""Messages for refusals, by code, in the reader's language.

The core raises errors with a code and an English sentence for logs and the CLI; people on
phones get the translated sentence for that code.
"""

from __future__ import annotations

from facilitation.i18n import mark as _
from facilitation.i18n import translations

REFUSALS: dict[str, str] = {
    "unknown_event": _("This event does not exist (check the code)."),
    "malformed": _("Your phone sent something we could not read. Please try again."),
    "too_large": _("That is too long to send."),
    "not_participant": _("Only participants can do that. Reload the page to join."),
    "unknown_message": _("This action is not available."),
    "server_error": _("Something went wrong on the server; your last action was not saved."),
    "disk_full": _("The server's disk is full: ask the facilitator."),
    "database_busy": _("The server is busy saving: try again in a moment."),
    "database_unavailable": _(
        "The server cannot reach its database right now: try again in a moment."
    ),
    "no_vote": _("There is no such vote."),
    "not_a_voter": _("Your role does not vote in this vote."),
    "vote_not_current": _("This vote is not on right now."),
    "vote_closed": _("This vote is closed: your ballot was not recorded."),
    "unknown_option": _("That choice is not one of the options."),
    "forbidden_option": _("You cannot vote for that option."),
    "too_many_choices": _("Too many choices selected."),
    "too_few_choices": _("Not enough choices selected."),
    "over_budget": _("You spent more points than you have."),
    "over_cap": _("Too many points on one option."),
    "out_of_scale": _("A score is outside the scale."),
    "duplicate_rank": _("An option is ranked twice."),
    "missing_score": _("Please give every option a mark."),
    "missing_criteria": _(
        "This vote needs every criterion of every project scored: fill in the empty ones."
    ),
    "no_points": _("Give at least one point."),
    "nothing_marked": _("Give at least one option a mark."),
    "nothing_ranked": _("Rank at least one option (1 = your favourite), or use ↑ and ↓."),
    "nothing_scored": _("Score at least one project."),
    "abstain_not_allowed": _("Abstaining is not possible in this vote."),
    "csrf": _("This form has expired. Reload the page and try again."),
    "not_facilitator": _("Only the facilitator can do that."),
    "at_end": _("This is the last step."),
    "at_start": _("This is the first step."),
    "no_such_stage": _("There is no such step."),
    "unknown_action": _("Unknown action."),
    "vote_not_pending": _("This vote was already opened; closing is final unless you reopen it."),
    "vote_not_open": _("This vote is not open."),
    "vote_not_closed": _("Only a closed vote can be reopened."),
    "vote_not_started": _("This vote has not been opened yet."),
    "already_revealed": _("Everything is already revealed."),
    "revealed_later": _(
        "A later step reveals this vote: go on to it to reveal the results place by place."
    ),
    "no_input": _("There is no such step."),
    "input_not_current": _("This step is not on right now."),
    "not_allowed": _("Your role does not take part in this step."),
    "missing_field": _("Please fill in the required fields."),
    "too_long": _("That text is too long."),
    "item_limit": _("You have already sent as many contributions as this step allows."),
    "no_project": _("There is no such project (or it has not presented yet)."),
    "no_feedback": _("This event does not collect feedback."),
    "own_project": _("You cannot give feedback on your own project."),
    "nothing_selected": _("Select at least one contribution (two to merge)."),
    "not_your_card": _("This card is not yours this round."),
    "no_matchmaking": _("This event has no meetings to arrange."),
    "no_person": _("There is no such person."),
    "no_draft": _("Make a draft first."),
    "no_choice": _("There is nothing to choose at this step."),
    "groups_formed": _("The groups are already formed."),
    "too_many_connections": _("Too many connections right now. Try again in a moment."),
    "no_questions": _("Questions are not open at this step."),
    "question_limit": _("You have asked as many questions as this step allows."),
    "unknown_question": _("There is no such question (or it was merged into another)."),
    "question_closed": _("This question takes no upvotes (hidden or awaiting approval)."),
    "merge_into_itself": _("Choose two different questions to merge."),
    "nothing_to_merge": _("Select the question to keep first, then its duplicates."),
    "no_reaction": _("This reaction is not open at this step."),
    "too_fast": _("A little slower: your reactions are on their way."),
    "too_many_words": _("One to three words, please: this answer goes into a word cloud."),
    "ticket_needed": _(
        "This vote is for ticket holders: scan the QR code of your voting ticket, then vote."
    ),
}


def refusal_message(lang: str, code: str) -> str:
    message = REFUSALS.get(code, REFUSALS["malformed"])
    return translations(lang).gettext(message)

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from facilitation.core.engine import (
    Action,
    EngineError,
    Plan,
    Timer,
    apply_action,
    build_plan,
    initial_state,
    may_vote,
    results_visible,
    visible_projects,
)
from facilitation.core.formats import parse_format
from facilitation.readers.formats import load_format_file
from facilitation.readers.rosters import load_roster_file
from tests.conftest import CARREFOUR, DEMO_ROSTER

T0 = 1_700_000_000_000


def carrefour_plan(**params: object) -> Plan:
    fmt = load_format_file(CARREFOUR, params or None)
    return build_plan(fmt, load_roster_file(DEMO_ROSTER))


def go(plan: Plan, *names: str, now: int = T0):  # type: ignore[no-untyped-def]
    state = initial_state(plan, now)
    for name in names:
        state = apply_action(plan, state, Action(name), now)  # type: ignore[arg-type]
    return state


def test_pitches_expand_to_pitch_and_questions_per_project() -> None:
    plan = carrefour_plan()
    pitch = [s for s in plan.stages if s.kind == "pitch"]
    assert len(pitch) == 20
    assert [s.phase for s in pitch[:4]] == ["pitch", "qa", "pitch", "qa"]
    assert pitch[0].seconds == 6 * 60 and pitch[1].seconds == 2 * 60
    assert [s.project_number for s in pitch[::2]] == list(range(1, 11))
    assert len(plan.stages) == 1 + 20 + 3


def test_no_questions_stage_when_qa_is_zero() -> None:
    plan = carrefour_plan(qa_minutes=0)
    assert all(s.phase != "qa" for s in plan.stages)
    assert len([s for s in plan.stages if s.kind == "pitch"]) == 10


def test_random_order_is_a_seeded_permutation() -> None:
    text = CARREFOUR.read_text().replace("lineup: hidden", "lineup: hidden\n    order: random")
    roster = load_roster_file(DEMO_ROSTER)
    fmt = parse_format(text)
    a, b = build_plan(fmt, roster, seed=1), build_plan(fmt, roster, seed=1)
    assert a.lineup == b.lineup
    assert sorted(a.lineup) == sorted(p.id for p in roster)
    assert any(build_plan(fmt, roster, seed=s).lineup != a.lineup for s in range(2, 6))


def test_lineup_stays_hidden_until_each_project_starts() -> None:
    plan = carrefour_plan()
    state = go(plan)
    assert visible_projects(plan, state) == ()
    state = go(plan, "next")  # first pitch
    assert visible_projects(plan, state) == (plan.lineup[0],)
    state = go(plan, "next", "next", "next")  # second project's pitch
    assert visible_projects(plan, state) == plan.lineup[:2]
    back = apply_action(plan, state, Action("back"), T0)
    back = apply_action(plan, back, Action("back"), T0)
    assert visible_projects(plan, back) == plan.lineup[:2], "going back must not hide a project"


def test_vote_opens_on_entry_closes_on_leave_and_reveal_needs_no_reopen() -> None:
    plan = carrefour_plan()
    vote_stage = next(s.index for s in plan.stages if s.kind == "vote")
    state = apply_action(plan, go(plan), Action("jump", stage=vote_stage), T0)
    assert state.vote("favourite").status == "open"
    assert state.timer.running, "the vote step autostarts its timer"
    assert may_vote(plan, state, "favourite", "participant") is None
    assert not results_visible(plan, state, "favourite")
    state = apply_action(plan, state, Action("next"), T0)  # to the reveal step
    assert state.vote("favourite").status == "closed"
    assert may_vote(plan, state, "favourite", "participant") is not None
    assert not results_visible(plan, state, "favourite")
    state = apply_action(plan, state, Action("reveal"), T0)
    assert state.vote("favourite").revealed and results_visible(plan, state, "favourite")
    with pytest.raises(EngineError) as caught:
        apply_action(plan, state, Action("vote_reopen"), T0)
    assert caught.value.code == "vote_not_current"


def test_closing_is_final_until_an_explicit_reopen() -> None:
    plan = carrefour_plan()
    vote_stage = next(s.index for s in plan.stages if s.kind == "vote")
    state = apply_action(plan, go(plan), Action("jump", stage=vote_stage), T0)
    state = apply_action(plan, state, Action("vote_close"), T0)
    with pytest.raises(EngineError):
        apply_action(plan, state, Action("vote_open"), T0)
    assert may_vote(plan, state, "favourite", "participant").code == "vote_closed"  # type: ignore[union-attr]
    state = apply_action(plan, state, Action("vote_reopen"), T0)
    assert state.vote("favourite").status == "open" and state.vote("favourite").reopened == 1


def test_roles_outside_the_vote_cannot_vote() -> None:
    plan = carrefour_plan()
    vote_stage = next(s.index for s in plan.stages if s.kind == "vote")
    state = apply_action(plan, go(plan), Action("jump", stage=vote_stage), T0)
    assert may_vote(plan, state, "favourite", "observer").code == "not_a_voter"  # type: ignore[union-attr]
    assert may_vote(plan, state, "nope", "participant").code == "no_vote"  # type: ignore[union-attr]


def test_timer_start_pause_extend_and_overtime() -> None:
    plan = carrefour_plan()
    state = go(plan, "next")  # first pitch, 6 minutes, not started
    assert not state.timer.running and state.timer.remaining_at(T0) == 360_000
    state = apply_action(plan, state, Action("timer_start"), T0)
    assert state.timer.remaining_at(T0 + 60_000) == 300_000
    state = apply_action(plan, state, Action("timer_pause"), T0 + 60_000)
    assert state.timer.remaining_at(T0 + 999_999) == 300_000, "a paused timer does not run"
    state = apply_action(plan, state, Action("timer_extend", seconds=60), T0)
    state = apply_action(plan, state, Action("timer_toggle"), T0 + 100_000)
    assert state.timer.remaining_at(T0 + 100_000 + 400_000) == -40_000, "overtime is negative"
    state = apply_action(plan, state, Action("next"), T0 + 500_000)  # questions autostart
    assert state.timer.running and state.timer.remaining_at(T0 + 500_000) == 120_000


def test_moving_past_either_end_is_refused() -> None:
    plan = carrefour_plan()
    with pytest.raises(EngineError) as caught:
        apply_action(plan, go(plan), Action("back"), T0)
    assert caught.value.code == "at_start"
    with pytest.raises(EngineError):
        apply_action(plan, go(plan), Action("jump", stage=len(plan.stages)), T0)


ACTIONS = st.one_of(
    st.sampled_from(
        [
            "next",
            "back",
            "timer_start",
            "timer_pause",
            "timer_toggle",
            "timer_reset",
            "vote_open",
            "vote_close",
            "vote_reopen",
            "reveal",
        ]
    ).map(lambda n: Action(n)),  # type: ignore[arg-type]
    st.integers(min_value=-2, max_value=30).map(lambda i: Action("jump", stage=i)),
    st.integers(min_value=-120, max_value=600).map(lambda s: Action("timer_extend", seconds=s)),
)


@settings(max_examples=300)
@given(st.lists(st.tuples(ACTIONS, st.integers(min_value=0, max_value=10_000)), max_size=40))
def test_any_sequence_of_actions_keeps_the_state_consistent(
    steps: list[tuple[Action, int]],
) -> None:
    plan = carrefour_plan()
    state = initial_state(plan, T0)
    now = T0
    for action, delay in steps:
        now += delay
        before = state
        try:
            state = apply_action(plan, state, action, now)
        except EngineError:
            assert state is before
            continue
        assert state.revision == before.revision + 1
        assert 0 <= state.cursor < len(plan.stages)
        assert state.reached >= state.cursor and state.reached >= before.reached
        for vote_id, vote in state.votes.items():
            old = before.vote(vote_id)
            # status only moves forward, except an explicit reopen
            order = {"pending": 0, "open": 1, "closed": 2}
            if action.name != "vote_reopen":
                assert order[vote.status] >= order[old.status]
            if vote.revealed:
                assert vote.status == "closed"
        # a vote can only be open while its own step is on
        for vote_id, vote in state.votes.items():
            if vote.status == "open":
                assert plan.stages[state.cursor].step_id == vote_id
        stage = plan.stages[state.cursor]
        if stage.seconds is None:
            assert state.timer.duration_ms is None


@given(st.integers(min_value=0, max_value=10**6), st.integers(min_value=0, max_value=10**7))
def test_pausing_freezes_the_remaining_time(duration: int, elapsed: int) -> None:
    timer = Timer(duration_ms=duration, remaining_ms=duration).start(T0)
    paused = timer.pause(T0 + elapsed)
    assert paused.remaining_at(T0 + 10**9) == duration - elapsed
    assert paused.start(T0 + 5).remaining_at(T0 + 5) == duration - elapsed


def test_troika_rounds_follow_the_largest_group_its_groups_step_allows() -> None:
    """Regression: groups of "3, else 4" ran 3 rounds, so a 4th member was never the client."""
    from facilitation.core.engine import build_plan
    from tests.conftest import FORMATS

    fmt = load_format_file(FORMATS / "troika-consulting.yaml")
    rounds = [s for s in build_plan(fmt, ()).stages if s.kind == "rotate"]
    assert [s.round for s in rounds] == [1, 2, 3, 4]
    trios = (FORMATS / "troika-consulting.yaml").read_text().replace("    else_size: 4\n", "")
    only_threes = parse_format(trios, "troika.yaml")
    assert [s.round for s in build_plan(only_threes, ()).stages if s.kind == "rotate"] == [1, 2, 3]

"""The limit on new identities per client address (core.admission), as properties."""

from __future__ import annotations

import math

from hypothesis import given
from hypothesis import strategies as st

from facilitation.core.admission import Allowance, Bucket, admit, wait_seconds
from facilitation.core.inputs import count_in_range

allowances = st.builds(
    Allowance,
    per_minute=st.floats(min_value=0.1, max_value=600, allow_nan=False),
    burst=st.integers(min_value=1, max_value=50),
)
instants = st.lists(st.floats(min_value=0, max_value=3600, allow_nan=False), max_size=200)


def run(allowance: Allowance, times: list[float]) -> list[bool]:
    bucket: Bucket | None = None
    answers = []
    for now in times:
        ok, bucket = admit(bucket, allowance, now)
        answers.append(ok)
    return answers


@given(allowances, instants)
def test_never_more_than_the_burst_and_the_rate_allow(
    allowance: Allowance, times: list[float]
) -> None:
    times = sorted(times)
    answers = run(allowance, times)
    # in every window of the sequence, what was admitted fits the burst plus the refill
    for i in range(len(times)):
        for j in range(i, len(times)):
            admitted = sum(answers[i : j + 1])
            refill = (times[j] - times[i]) * allowance.per_minute / 60
            assert admitted <= allowance.burst + refill + 1e-9


@given(allowances, st.floats(min_value=0, max_value=1e6, allow_nan=False))
def test_a_new_address_gets_the_whole_burst_at_once(allowance: Allowance, now: float) -> None:
    assert run(allowance, [now] * (allowance.burst + 3)) == [True] * allowance.burst + [False] * 3


@given(allowances, st.floats(min_value=0, max_value=1e6, allow_nan=False))
def test_the_wait_it_announces_is_enough(allowance: Allowance, now: float) -> None:
    bucket: Bucket | None = None
    for _ in range(allowance.burst):
        _, bucket = admit(bucket, allowance, now)
    ok, bucket = admit(bucket, allowance, now)
    assert not ok
    wait = wait_seconds(bucket, allowance, now)
    assert 0 < wait <= 60 / allowance.per_minute + 1e-9
    assert admit(bucket, allowance, now + wait * (1 + 1e-9) + 1e-9)[0]


@given(allowances, st.floats(min_value=1, max_value=1e6, allow_nan=False), st.floats(0, 1e6))
def test_a_clock_going_back_grants_nothing(allowance: Allowance, now: float, back: float) -> None:
    answers = run(allowance, [now] * allowance.burst + [now - back, now - back / 2, now])
    assert answers[-3:] == [False, False, False]


@given(st.lists(st.floats(min_value=0, max_value=1e6, allow_nan=False), max_size=50))
def test_no_limit_admits_everyone(times: list[float]) -> None:
    assert all(run(Allowance(per_minute=0, burst=1), times))


def test_the_default_holds_a_loop_to_five_a_minute() -> None:
    allowance = Allowance(per_minute=5, burst=5)
    one_loop = [k * 0.03 for k in range(300)]  # a curl loop: 300 in 9 s
    assert sum(run(allowance, one_loop)) == 5
    assert math.isclose(wait_seconds(Bucket(0, 0), allowance, 0), 12)


@given(st.one_of(st.text(max_size=12), st.integers().map(str)), st.integers(1, 10**6))
def test_counts_typed_in_forms_are_whole_numbers_in_range(raw: str, top: int) -> None:
    found = count_in_range(raw, top)
    if found is not None:
        assert 0 <= found <= top and found == int(raw.strip())
    elif raw.strip().isascii() and raw.strip().isdigit():
        assert int(raw.strip()) > top

"""Small inputs that once gave a 500: each now gets a clear refusal (issue 11, point 7)."""

from __future__ import annotations

import math

import pytest
from starlette.testclient import TestClient

from facilitation.core.voting import BallotError, VoteSpec, validate_ballot
from facilitation.services.live_event import LiveEvent
from tests.test_web import act, app_and_event, csrf_of, facilitator, vote_stage

__all__ = ["app_and_event"]


def test_one_rule_for_typed_numbers() -> None:
    from facilitation.core.inputs import whole_number

    assert whole_number("42") == 42
    assert whole_number("-3", signed=True) == -3
    for text in ("²", "١٢", " 4", "4_0", "-3", "", "9" * 5000, None, 4):
        assert whole_number(text) is None, text


@pytest.mark.parametrize("mark", [math.inf, -math.inf, math.nan, 1e400])
def test_infinite_marks_are_malformed_ballots(mark: float) -> None:
    spec = VoteSpec(method="dots", options=("a", "b"), budget=5)
    with pytest.raises(BallotError) as refused:
        validate_ballot(spec, {"points": {"a": mark}})
    assert refused.value.code == "malformed"


def _plain(client: TestClient) -> TestClient:
    return TestClient(client.app, base_url="http://testserver", raise_server_exceptions=False)


def test_non_ascii_csrf_tokens_are_refused_not_errors(
    app_and_event: tuple[TestClient, LiveEvent],
) -> None:
    client, live = app_and_event
    facilitator(client, live)
    console = _plain(client)
    console.cookies = client.cookies
    answer = console.post(f"/e/{live.code}/console/act", data={"csrf": "é" * 32, "action": "next"})
    assert answer.status_code < 500
    phone = _plain(client)
    phone.get(f"/e/{live.code}")
    sent = phone.post(f"/e/{live.code}/vote", data={"csrf": "ü²"}, follow_redirects=False)
    assert sent.status_code == 303 and sent.headers["location"].endswith("flash=csrf")


def test_superscript_digits_are_refused_in_forms(
    app_and_event: tuple[TestClient, LiveEvent],
) -> None:
    client, live = app_and_event
    csrf = facilitator(client, live)
    console = _plain(client)
    console.cookies = client.cookies
    for path, data in [
        ("console/act", {"action": "jump", "stage": "²"}),
        ("console/act", {"action": "timer", "seconds": "²"}),
        ("console/items", {"action": "hide", "item": "²"}),
        ("console/match", {"action": "run", "slots": "²"}),
    ]:
        answer = console.post(f"/e/{live.code}/{path}", data={"csrf": csrf, **data})
        assert answer.status_code < 500, (path, answer.status_code)
        assert "Traceback" not in answer.text
    phone = _plain(client)
    token = csrf_of(phone.get(f"/e/{live.code}").text)
    for path, data in [
        ("wish", {"target": "²", "level": "want"}),
        ("profile", {"slots": "²"}),
        ("score", {"card": "²", "score": "1"}),
    ]:
        sent = phone.post(
            f"/e/{live.code}/{path}", data={"csrf": token, **data}, follow_redirects=False
        )
        assert sent.status_code == 303, (path, sent.status_code)
    act(client, live, csrf, "jump", stage=vote_stage(live))

"""Format files the organiser brings cannot make the server build without bound (issue 11,
point 8): aliases, depth and size are limited, with a problem at a line and column."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from facilitation.core.formats import FormatError, parse_format
from tests.test_organiser import csrf_of, organiser

__all__ = ["organiser"]

# 9 levels of 9 aliases: a few hundred bytes that expand to 9^9 values once built.
BOMB = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + "".join(
    f"{n}: &{n} [{', '.join([f'*{p}'] * 9)}]\n" for p, n in zip("abcdefgh", "bcdefghi", strict=True)
)


def problems(text: str) -> list[str]:
    with pytest.raises(FormatError) as refused:
        parse_format(text, "mine.yaml", None, None)
    return [p.render() for p in refused.value.problems]


def test_an_alias_bomb_is_refused_at_its_place() -> None:
    assert len(BOMB.encode()) < 500
    found = problems(BOMB)
    assert len(found) == 1 and found[0].startswith("mine.yaml:1:")
    assert "too many uses of aliases (*): at most 1000" in found[0]


def test_depth_and_size_are_bounded() -> None:
    deep = "".join("  " * level + "k:\n" for level in range(80)) + "  " * 80 + "v\n"
    (found,) = problems(deep)
    assert found.startswith("mine.yaml:66:") and "nested too deeply: at most 64 levels" in found
    (found,) = problems("# " + "x" * (1024 * 1024) + "\n")
    assert found == "mine.yaml:1:1: the file is over 1048576 characters"
    flat = "[" + "1, " * 100_001 + "]"
    (found,) = problems(flat)
    assert "too many values: at most 100000" in found


def test_the_editor_answers_a_bomb_with_its_problem(organiser: tuple[TestClient, object]) -> None:
    client, _ = organiser
    csrf = csrf_of(client.get("/organiser").text)
    client.post("/organiser/formats/triz/copy", data={"csrf": csrf})
    editor = client.get("/organiser/formats/triz-copy/edit").text
    answer = client.post(
        "/organiser/formats/triz-copy/edit",
        data={"csrf": csrf_of(editor), "source": BOMB, "action": "check"},
    )
    assert answer.status_code == 400
    assert "triz-copy.yaml:1:" in answer.text and "too many uses of aliases" in answer.text
    assert client.get("/organiser").status_code == 200

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from facilitation.cli import main
from facilitation.core.formats import (
    FormatError,
    Parameter,
    PitchStep,
    VoteStep,
    coerce_parameter,
    format_json_schema,
    localise,
    parse_format,
)
from facilitation.readers.formats import load_format_file
from tests.conftest import CARREFOUR, FORMATS

MINIMAL = """\
format: 1
id: tiny
version: 1.0.0
title: Tiny
steps:
  - kind: info
    title: Hello
"""


def problems_of(text: str, **params: object) -> list[tuple[int, int, str, str]]:
    with pytest.raises(FormatError) as caught:
        parse_format(text, "f.yaml", params or None)
    return [(p.line, p.column, p.message, p.render()) for p in caught.value.problems]


def test_every_shipped_format_is_valid() -> None:
    files = sorted(FORMATS.glob("*.yaml"))
    assert files, "no shipped formats"
    for path in files:
        fmt = load_format_file(path)
        assert fmt.steps


def test_carrefour_has_the_evening_shape() -> None:
    fmt = load_format_file(CARREFOUR)
    kinds = [s.kind for s in fmt.steps]
    assert kinds == ["info", "pitch", "vote", "reveal", "match"]
    pitch = fmt.steps[1]
    assert isinstance(pitch, PitchStep)
    assert (pitch.pitch_minutes, pitch.qa_minutes, pitch.lineup) == (6, 2, "hidden")
    vote = fmt.steps[2]
    assert isinstance(vote, VoteStep) and vote.options == "projects"
    assert localise(fmt.title, "en") == "Carrefour des Possibles evening"


def test_parameters_flow_into_steps() -> None:
    fmt = parse_format(CARREFOUR.read_text(), "c.yaml", {"pitch_minutes": "4"})
    pitch = fmt.steps[1]
    assert isinstance(pitch, PitchStep) and pitch.pitch_minutes == 4


def test_parameter_out_of_range_is_named() -> None:
    found = problems_of(CARREFOUR.read_text(), pitch_minutes=99)
    assert any("pitch_minutes" in message and "maximum" in message for _, _, message, _ in found)


def test_unknown_key_points_at_its_line_and_column() -> None:
    text = MINIMAL + "    tittle: oops\n"
    [(line, column, message, rendered)] = problems_of(text)
    assert (line, column) == (8, 5)
    assert message == "unknown key 'tittle'"
    assert rendered == "f.yaml:8:5: unknown key 'tittle' (steps[0].tittle)"


def test_several_errors_are_all_reported_with_positions() -> None:
    text = """\
format: 1
id: Bad Id
version: 1.0
title: x
parameters:
  rounds: {type: integer, default: 3}
steps:
  - kind: info
    minutes: $round
  - kind: vote
    question: q
    metod: single
  - kind: dance
"""
    found = {(line, column): message for line, column, message, _ in problems_of(text)}
    assert "use lowercase letters" in found[(2, 1)]
    assert "version like 1.0.0" in found[(3, 1)]
    assert found[(9, 14)].startswith("unknown parameter $round")
    assert found[(12, 5)] == "unknown key 'metod'"
    assert "unknown step kind 'dance'" in found[(13, 5)]


def test_missing_required_key_names_it() -> None:
    text = MINIMAL.replace("title: Tiny\n", "")
    [(line, _, message, rendered)] = problems_of(text)
    assert message == "missing required key 'title'"
    assert rendered.endswith("(title)")


def test_yaml_syntax_error_has_position() -> None:
    [(line, column, message, _)] = problems_of("id: x\nsteps: [\n")
    assert message.startswith("YAML syntax error")
    assert line == 3


# What YAML refuses or cannot build, in a step's title (line 7, after "    title: ").
UNREADABLE = {
    "tag": (
        MINIMAL.replace("title: Hello", "title: !foo Hello"),
        (7, 12, "unknown YAML tag '!foo'"),
    ),
    "control character": (
        MINIMAL.replace("title: Hello", "title: Hel\x07lo"),
        (7, 15, "control character U+0007 is not allowed in YAML"),
    ),
    "NUL": (
        MINIMAL.replace("title: Hello", "title: Hel\x00lo"),
        (7, 15, "a NUL character (U+0000) is not allowed in YAML"),
    ),
}


@pytest.mark.parametrize("kind", UNREADABLE)
def test_what_yaml_refuses_is_a_problem_at_its_place_and_key(kind: str) -> None:
    text, (line, column, message) = UNREADABLE[kind]
    [(found_line, found_column, found, rendered)] = problems_of(text)
    assert (found_line, found_column) == (line, column)
    assert found.startswith(message)
    assert rendered.startswith(f"f.yaml:{line}:{column}: {message}")
    assert rendered.endswith(" (steps[0].title)")


def test_a_character_yaml_refuses_in_a_key_points_at_the_mapping() -> None:
    [(line, column, message, rendered)] = problems_of(MINIMAL.replace("kind:", "ki\x07nd:"))
    assert (line, column) == (6, 7) and message.startswith("control character U+0007")
    assert rendered.endswith("delete it (steps[0])")


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("!!int many", "YAML cannot read 'many' as !!int"),
        ("2026-13-45", "YAML cannot read '2026-13-45' as !!timestamp (month must be in 1..12)"),
        ("!!python/object:os.system x", "unknown YAML tag '!!python/object:os.system'"),
    ],
)
def test_values_yaml_cannot_build_are_problems(value: str, message: str) -> None:
    [(line, column, found, rendered)] = problems_of(MINIMAL.replace("Hello", value))
    assert (line, column) == (7, 12) and found.startswith(message)
    assert rendered.endswith("(steps[0].title)")


def test_merge_keys_and_recursive_anchors_are_problems() -> None:
    [(line, column, message, _)] = problems_of(MINIMAL + "  - &s {kind: info}\n  - {<<: *s}\n")
    assert (line, column, message) == (9, 6, "YAML merge keys (<<) are not supported")
    [(line, column, message, _)] = problems_of(MINIMAL + "  - &s {kind: info, body: [*s]}\n")
    assert (line, message) == (8, "an alias (*) is inside its anchor")


def test_duplicate_keys_are_errors() -> None:
    [(line, column, message, _)] = problems_of(MINIMAL + "id: again\n")
    assert (line, column, message) == (8, 1, "duplicate key 'id'")


def test_reveal_must_name_a_vote_and_step_ids_must_differ() -> None:
    text = MINIMAL + "  - kind: reveal\n    vote: nope\n"
    [(_, _, message, _)] = problems_of(text)
    assert "reveal step refers to vote 'nope'" in message
    text = MINIMAL.replace("  - kind: info\n", "  - kind: info\n    id: a\n") + (
        "  - kind: break\n    id: a\n"
    )
    [(_, _, message, _)] = problems_of(text)
    assert "same id 'a'" in message


def test_vote_options_must_be_distinct() -> None:
    text = MINIMAL + (
        "  - kind: vote\n    question: q\n    options:\n"
        "      - {id: a, label: A}\n      - {id: a, label: B}\n"
    )
    [(line, _, message, _)] = problems_of(text)
    assert "distinct" in message and line == 10


@given(st.integers(min_value=-1000, max_value=1000))
def test_integer_parameters_accept_exactly_their_range(value: int) -> None:
    param = Parameter(type="integer", default=5, min=1, max=20)
    if 1 <= value <= 20:
        assert coerce_parameter(param, value) == value
        assert coerce_parameter(param, str(value)) == value
    else:
        with pytest.raises(ValueError):
            coerce_parameter(param, value)


@given(st.text(max_size=20))
def test_choice_parameters_accept_only_their_choices(value: str) -> None:
    param = Parameter(type="choice", default="a", choices=["a", "b"])
    if value in ("a", "b"):
        assert coerce_parameter(param, value) == value
    else:
        with pytest.raises(ValueError):
            coerce_parameter(param, value)


def test_json_schema_accepts_shipped_formats_and_rejects_typos() -> None:
    schema = format_json_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    for path in FORMATS.glob("*.yaml"):
        data = yaml.safe_load(path.read_text())
        errors = list(validator.iter_errors(data))
        assert not errors, (path, errors[:1])
    broken = yaml.safe_load(MINIMAL + "    tittle: oops\n")
    assert list(validator.iter_errors(broken))


def test_check_command_prints_positions_and_fails(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(MINIMAL + "    tittle: oops\n")
    assert main(["check", str(CARREFOUR), str(bad)]) == 1
    out = capsys.readouterr()
    assert f"{bad}:8:5: unknown key 'tittle' (steps[0].tittle)" in out.err
    assert "carrefour-des-possibles.yaml: ok" in out.out
    assert main(["check", str(CARREFOUR)]) == 0


def test_check_runs_as_a_module_without_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_bytes(b"\xff\xfe not utf-8")
    run = subprocess.run(
        [sys.executable, "-m", "facilitation", "check", str(bad), str(tmp_path / "missing.yaml")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 1
    assert "Traceback" not in run.stderr
    assert f"{bad}:1:1: not UTF-8 text" in run.stderr
    assert "missing.yaml:1:1:" in run.stderr


def test_check_reports_what_yaml_refuses_without_traceback(tmp_path: Path) -> None:
    files = {}
    for kind, (text, _) in UNREADABLE.items():
        files[kind] = tmp_path / f"{kind.replace(' ', '-')}.yaml"
        files[kind].write_text(text, encoding="utf-8")
    run = subprocess.run(
        [sys.executable, "-m", "facilitation", "check", *map(str, files.values())],
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 1
    assert "Traceback" not in run.stderr and run.stdout == ""
    for kind, (_, (line, column, message)) in UNREADABLE.items():
        expected = f"{files[kind]}:{line}:{column}: {message}"
        [reported] = [row for row in run.stderr.splitlines() if row.startswith(expected)]
        assert reported.endswith(" (steps[0].title)")


def test_schema_command_prints_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema"]) == 0
    schema = json.loads(capsys.readouterr().out)
    assert schema["$schema"].endswith("2020-12/schema")
    assert "steps" in schema["properties"]


GROUP_NOTES = """\
  - kind: input
    id: notes
    prompt: Notes
    fields: [{id: note, label: Note}]
    visibility: group
"""


def test_group_visibility_needs_groups_and_errors_point_at_the_key() -> None:
    [(line, column, message, _)] = problems_of(MINIMAL + GROUP_NOTES)
    assert (line, column) == (12, 5)
    assert "visibility 'group' needs a groups step" in message
    [(line, column, message, rendered)] = problems_of(
        MINIMAL + GROUP_NOTES + "    groups: step-1\n"
    )
    assert (line, column) == (13, 5) and rendered.endswith("(steps[1].groups)")
    assert "'groups' refers to 'step-1', which is not a groups step id" in message
    grouped = MINIMAL + "  - {kind: groups, id: tables, size: 3}\n" + GROUP_NOTES
    fmt = parse_format(grouped, "f.yaml")
    notes = fmt.input_steps()["notes"]
    assert fmt.group_source(notes) == "tables"


def test_group_visibility_follows_a_nested_format_with_prefixed_ids() -> None:
    inner = MINIMAL.replace("id: tiny", "id: inner") + "  - {kind: groups, id: tables, size: 3}\n"
    inner += GROUP_NOTES + "    groups: tables\n"
    outer = MINIMAL + "  - {kind: use, id: round, format: inner}\n"
    fmt = parse_format(outer, "outer.yaml", None, lambda ref: (inner, f"{ref}.yaml"))
    notes = fmt.input_steps()["round-notes"]
    assert fmt.group_source(notes) == "round-tables"

from __future__ import annotations

import pytest

from facilitation.core.rosters import RosterError
from facilitation.readers.rosters import load_roster_file, parse_roster
from tests.conftest import DEMO_ROSTER, SHARED


def test_demo_and_shared_rosters_load() -> None:
    demo = load_roster_file(DEMO_ROSTER)
    assert len(demo) == 10 and len({p.id for p in demo}) == 10
    shared = load_roster_file(SHARED / "projects.yaml")
    assert shared[0].id == "glaneuse" and "funding" in shared[0].needs


def test_csv_roster_with_semicolons_bom_and_extra_columns() -> None:
    text = (
        "\ufeffid;title;holder;needs;email\na;Alpha;Ann;funding, premises;a@x\n\nb;Beta;Bob;;b@x\n"
    )
    roster = parse_roster(text, "r.csv")
    assert [p.id for p in roster] == ["a", "b"]
    assert roster[0].needs == ("funding", "premises")


def test_csv_errors_name_line_and_column() -> None:
    text = "id,title\nok,Fine\nBad Id,Nope\n"
    with pytest.raises(RosterError) as caught:
        parse_roster(text, "r.csv")
    [problem] = caught.value.problems
    assert (problem.line, problem.column) == (3, 1)
    assert problem.render().startswith("r.csv:3:1: 'Bad Id' is not a valid id")


def test_yaml_errors_and_duplicate_ids() -> None:
    with pytest.raises(RosterError) as caught:
        parse_roster("- id: a\n  title: A\n- id: a\n  title: B\n- id: c\n", "r.yaml")
    messages = [p.render() for p in caught.value.problems]
    assert messages == ["r.yaml:5:3: missing required key 'title' ([2].title)"]
    with pytest.raises(RosterError) as caught:
        parse_roster("- id: a\n  title: A\n- id: a\n  title: B\n", "r.yaml")
    assert "already used on line 1" in caught.value.problems[0].message


def test_missing_column_is_named() -> None:
    with pytest.raises(RosterError) as caught:
        parse_roster("id,name\na,b\n", "r.csv")
    assert "missing column 'title'" in caught.value.problems[0].message

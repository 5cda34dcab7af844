"""New steps for the builder's "add a step" menu: each kind with defaults that pass the checks
as they are (a reveal names the last vote before it, a pass-around the last input), so that
adding a step never leaves the file invalid."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from facilitation.core.formats.schema import STEP_KINDS


class StarterError(ValueError):
    """This kind of step needs an earlier step that the format does not have."""


_STARTERS: dict[str, dict[str, Any]] = {
    "info": {"minutes": 5, "title": {"fr": "Nouvelle diapositive", "en": "New slide"}},
    "break": {"minutes": 10, "title": {"fr": "Pause", "en": "Break"}},
    "talk": {"minutes": 10, "title": {"fr": "Échanges", "en": "Conversation"}},
    "pitch": {
        "pitch_minutes": 6,
        "qa_minutes": 2,
        "title": {"fr": "Les pitchs", "en": "The pitches"},
    },
    "input": {
        "minutes": 5,
        "title": {"fr": "Vos idées", "en": "Your ideas"},
        "prompt": {"fr": "Quelle est votre idée ?", "en": "What is your idea?"},
        "fields": [{"id": "idea", "label": {"fr": "Idée", "en": "Idea"}}],
    },
    "vote": {
        "minutes": 5,
        "title": {"fr": "Vote", "en": "Vote"},
        "question": {"fr": "Quel projet préférez-vous ?", "en": "Which project do you prefer?"},
        "method": "single",
        "options": "projects",
    },
    "qa": {"minutes": 10, "title": {"fr": "Vos questions", "en": "Your questions"}},
    "reveal": {"title": {"fr": "Résultats", "en": "Results"}},
    "groups": {"size": 4, "title": {"fr": "Groupes", "en": "Groups"}},
    "rotate": {
        "scheme": "pairs",
        "rounds": 3,
        "round_minutes": 5,
        "title": {"fr": "Rencontres en binômes", "en": "Meetings in pairs"},
    },
    "pass": {"rounds": 5, "round_minutes": 1, "title": {"fr": "Cartes", "en": "Cards"}},
    "match": {"slots": 4, "slot_minutes": 10, "title": {"fr": "Rencontres", "en": "Meetings"}},
    "use": {"format": "one-two-four-all", "title": {"fr": "1-2-4-Tous", "en": "1-2-4-All"}},
}
assert set(_STARTERS) == set(STEP_KINDS)

# A step that builds on an earlier one: (its key, the kind it names, why it cannot be added).
_NEEDS = {
    "reveal": ("vote", "vote", "add a vote step before a reveal"),
    "pass": ("items", "input", "add an input step before a pass-around"),
}


def implicit_ids(steps: Sequence[Any]) -> list[str]:
    """Each step's id as the format language gives it (`<kind>-<position>` when unnamed)."""
    out = []
    for index, step in enumerate(steps):
        data = step if isinstance(step, Mapping) else {}
        given = data.get("id")
        out.append(str(given) if isinstance(given, str) else f"{data.get('kind')}-{index + 1}")
    return out


def free_step_id(base: str, taken: set[str]) -> str:
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


def new_step(kind: str, steps: Sequence[Any], index: int) -> dict[str, Any]:
    """A step of `kind` to insert at `index` among `steps` (the file's step mappings)."""
    if kind not in _STARTERS:
        raise StarterError(f"unknown step kind {kind!r}")
    ids = implicit_ids(steps)
    step: dict[str, Any] = {"id": free_step_id(kind, set(ids)), "kind": kind}
    step.update(_STARTERS[kind])
    if kind in _NEEDS:
        key, needed, why = _NEEDS[kind]
        earlier = [
            ids[i]
            for i, s in enumerate(steps[:index])
            if isinstance(s, Mapping) and s.get("kind") == needed
        ]
        if not earlier:
            raise StarterError(why)
        step[key] = earlier[-1]
    return step

"""The builder page's view: the agenda of a format file with each step's start time and
length (for ten projects from 19:00, as the preview computes them), and the fields of the
open panel (a step, the header or the parameters) with the problems found at them."""

from __future__ import annotations

import hashlib
import re
from typing import Any

from facilitation.core.engine import agenda_timings, build_plan
from facilitation.core.formats import STEP_KINDS, FormatError, Problem, localise, parse_format
from facilitation.core.formats.errors import render_path
from facilitation.core.formats.votes import METHOD_KEYS
from facilitation.core.rosters import Project
from facilitation.presenters.builder import (
    CHOICE_LABELS,
    HELPS,
    KIND_LABELS,
    Field,
    Path_,
    field_views,
    header_fields,
    parameter_fields,
    problem_spots,
    step_fields,
)

METHODS_KEYS: dict[str, frozenset[str]] = {str(m): keys for m, keys in METHOD_KEYS.items()}
METHOD_ONLY: frozenset[str] = frozenset().union(*METHOD_KEYS.values())
START_MINUTE = 19 * 60
PROJECTS = 10


def panel_of(raw: object, steps: int) -> str:
    value = raw if isinstance(raw, str) else ""
    if value in ("header", "parameters"):
        return value
    found = re.fullmatch(r"step-(\d{1,4})", value)
    if found and int(found.group(1)) < steps:
        return value
    return "header" if steps == 0 else "step-0"


def step_index(panel: str) -> int | None:
    return int(panel[5:]) if panel.startswith("step-") else None


def panel_fields(data: dict[str, Any], panel: str) -> list[tuple[Path_, tuple[Field, ...]]]:
    """The (place in the file, fields) groups the panel shows."""
    if panel == "header":
        return [((), header_fields())]
    if panel == "parameters":
        params = data.get("parameters") or {}
        return [(("parameters", name), parameter_fields()) for name in params]
    index = step_index(panel)
    assert index is not None
    steps = data.get("steps") or []
    step = steps[index] if index < len(steps) else None
    kind = step.get("kind") if isinstance(step, dict) else None
    if kind not in STEP_KINDS:
        return []
    fields = step_fields(kind)
    if kind == "vote":
        # only the keys of the vote's method (the others appear when the method changes)
        method = step.get("method", "single") if isinstance(step, dict) else "single"
        allowed = METHODS_KEYS.get(str(method), frozenset())
        fields = tuple(f for f in fields if f.key not in METHOD_ONLY or f.key in allowed)
    return [(("steps", index), fields)]


def agenda_rows(text: str, steps: list[Any], lang: str) -> list[dict[str, Any]]:
    """Each step of the file with its start time and length (10 projects, from 19:00)."""
    times: dict[int, tuple[int, int]] = {}
    try:
        fmt = parse_format(text, "<builder>")
    except FormatError:
        fmt = None
    if fmt is not None and len(fmt.steps) == len(steps):
        projects = [Project(id=f"project-{i}", title=f"#{i}") for i in range(1, PROJECTS + 1)]
        plan = build_plan(fmt, projects)
        for stage, begins, length in agenda_timings(plan):
            start, total = times.get(stage.step_index, (begins, 0))
            times[stage.step_index] = (start, total + length)
    fallback = "fr"
    rows = []
    for index, step in enumerate(steps):
        data = step if isinstance(step, dict) else {}
        kind = str(data.get("kind", ""))
        timed = times.get(index)
        minute = START_MINUTE + timed[0] // 60 if timed else None
        length = timed[1] if timed else 0
        rows.append(
            {
                "index": index,
                "kind": kind,
                "kind_label": KIND_LABELS.get(kind, kind),
                "title": localise(_text(data.get("title")), lang, fallback),
                "start": f"{(minute // 60) % 24:02d}:{minute % 60:02d}" if minute else None,
                "minutes": round(length / 60, 1) if length else None,
            }
        )
    return rows


def _text(value: Any) -> Any:
    return value if isinstance(value, str | dict) else None


def builder_context(
    data: dict[str, Any],
    text: str,
    panel: str,
    problems: list[Problem],
    posted: dict[str, str],
    lang: str,
    *,
    saved: bool = False,
) -> dict[str, Any]:
    """What `_builder.html` shows: the agenda of `data` (the file as edited, maybe refused) with
    the timings of `text` (the file as saved), and the open panel's fields with their problems."""
    groups = []
    flang = str(data.get("lang", "fr"))
    shown: list[Problem] = list(problems)
    for base, fields in panel_fields(data, panel):
        spots, shown = problem_spots(shown, base, fields)
        values = _at(data, base)
        groups.append(
            {
                "name": base[-1] if base and base[0] == "parameters" else None,
                "fields": field_views(fields, base, values, flang, spots),
            }
        )
    index = step_index(panel)
    steps = data.get("steps") or []
    return {
        "title": localise(_text(data.get("title")), lang, flang),
        "rev": revision(text),
        "panel": panel,
        "step_index": index,
        "step_kind": steps[index].get("kind") if index is not None else None,
        "agenda": agenda_rows(text, steps, lang),
        "groups": groups,
        "problems": [p.message + (f" ({render_path(p.path)})" if p.path else "") for p in shown],
        "refused": bool(problems),
        "posted": posted,
        "saved": saved,
        "kinds": [(k, KIND_LABELS[k]) for k in STEP_KINDS],
        "kinds_by_name": KIND_LABELS,
        "choice_labels": CHOICE_LABELS,
        "helps": HELPS,
        "tab": "builder",
    }


def _at(data: Any, path: Path_) -> Any:
    for part in path:
        if isinstance(data, dict):
            data = data.get(part)
        elif isinstance(data, list) and isinstance(part, int) and part < len(data):
            data = data[part]
        else:
            return None
    return data


def revision(text: str) -> str:
    """What a form says it was made from, so a save over a file changed meanwhile is caught."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]

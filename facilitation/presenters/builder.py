"""The builder's forms, generated from the format language's JSON Schema: for each step kind
(and the header, and a parameter) the fields to show, in the schema's order, each with the
widget its type calls for. A key the schema gains later appears here without more code; a
shape no widget fits is edited as a small YAML snippet.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any, Literal, get_args

import yaml
from pydantic import BaseModel

from facilitation.core.formats import STEP_KINDS, Format, Parameter, Step, format_json_schema
from facilitation.i18n import mark as _

# Widgets: text (French and English), long_text, number (or a $parameter), boolean, choice,
# string, pair ([min, max]), roles (several choices), texts (a list of texts), strings, rows
# (a list of small records), record (an optional record: feedback, head count), scalar (any
# value: a parameter's default) and yaml (any other shape).
SIMPLE = frozenset({"text", "long_text", "number", "boolean", "choice", "string", "pair", "scalar"})
LONG_TEXTS = frozenset({"body", "description", "prompt", "question"})


@dataclass(frozen=True)
class Field:
    key: str
    widget: str
    label: str
    help: str | None = None
    required: bool = False
    default: Any = None
    choices: tuple[str, ...] = ()
    columns: tuple[Field, ...] = ()


LABELS: dict[str, str] = {
    "id": _("Identifier"),
    "title": _("Title"),
    "body": _("Instructions"),
    "minutes": _("Duration (minutes)"),
    "autostart": _("Start the timer when the step begins"),
    "question": _("Question"),
    "method": _("Voting method"),
    "options": _("Options"),
    "min_choices": _("Fewest choices"),
    "max_choices": _("Most choices"),
    "budget": _("Points to spend"),
    "cap": _("Most points on one option"),
    "scale": _("Scale (lowest, highest)"),
    "grades": _("Grades, best first"),
    "count": _("How rankings are counted"),
    "criteria": _("Criteria"),
    "require_all": _("Every option must get a mark"),
    "tie_break": _("Tie-break"),
    "ballots": _("Ballots"),
    "who": _("Who takes part"),
    "results": _("Results on the screen"),
    "open": _("The vote opens"),
    "allow_abstain": _("Allow abstaining"),
    "voters": _("Who may vote"),
    "own_project": _("Holders may vote for their own project"),
    "feedback": _("Anonymous feedback to each holder"),
    "fields": _("Fields"),
    "pitch_minutes": _("Pitch length (minutes)"),
    "qa_minutes": _("Questions (minutes)"),
    "lineup": _("Lineup"),
    "order": _("Order"),
    "prompt": _("Prompt"),
    "per_person": _("Contributions per person"),
    "visibility": _("Who sees the contributions"),
    "groups": _("Groups step"),
    "authorship": _("Authorship"),
    "size": _("People per group"),
    "else_size": _("Other size allowed"),
    "mode": _("How groups are formed"),
    "balance_by": _("Balance by"),
    "choices": _("Choices"),
    "merge": _("Merge the groups of"),
    "factor": _("Groups merged together"),
    "scheme": _("Rotation"),
    "rounds": _("Rounds"),
    "round_minutes": _("Round length (minutes)"),
    "stations": _("Stations"),
    "questions": _("One question per round"),
    "items": _("Input step"),
    "slots": _("Meeting slots"),
    "slot_minutes": _("Meeting length (minutes)"),
    "start": _("First slot at (HH:MM)"),
    "tables": _("Tables per slot"),
    "min_meetings": _("Fewest meetings per person"),
    "max_meetings": _("Most meetings per person"),
    "tags": _("Offers and needs"),
    "format": _("Format to run here"),
    "with": _("Its parameters"),
    "vote": _("Vote"),
    "combine": _("Votes combined"),
    "top": _("Show only the first places"),
    "scores": _("Pass-around step"),
    "label": _("Label"),
    "type": _("Type"),
    "max_length": _("Most characters"),
    "required": _("Required"),
    "weight": _("Weight"),
    "version": _("Version"),
    "description": _("Description"),
    "lang": _("Language of plain texts"),
    "licence": _("Licence"),
    "attribution": _("Attribution"),
    "participants": _("Expected participants"),
    "roles": _("Roles"),
    "min": _("Minimum"),
    "max": _("Maximum"),
    "default": _("Default value"),
    "qa": _("Audience questions"),
    "moderation": _("Moderation"),
    "names": _("Askers may sign with a name"),
    "reactions": _("Reactions"),
    "cloud": _("Show the answers as a word cloud"),
}

# Words of the format language shown in menus, in the reader's language.
CHOICE_LABELS: dict[str, str] = {
    "facilitator": _("facilitator"),
    "participant": _("participant"),
    "holder": _("project holder"),
    "partner": _("partner"),
    "jury": _("jury"),
    "decider": _("decider"),
    "observer": _("observer"),
    "single": _("one choice"),
    "approval": _("approval (several choices)"),
    "dots": _("dots (points to spread)"),
    "rating": _("rating (a mark per option)"),
    "ranking": _("ranking"),
    "majority_judgment": _("majority judgment"),
    "rubric": _("jury rubric (weighted criteria)"),
    "hidden": _("hidden"),
    "visible": _("visible"),
    "live": _("live"),
    "roster": _("roster order"),
    "random": _("random"),
    "own": _("their author"),
    "group": _("their group"),
    "all": _("all"),
    "anonymous": _("anonymous"),
    "attributed": _("attributed"),
    "secret": _("secret"),
    "none": _("none"),
    "order": _("listed first"),
    "on_enter": _("when the step begins"),
    "manual": _("when the facilitator opens it"),
    "open": _("every phone that joins"),
    "ticketed": _("voting tickets only"),
    "countdown": _("countdown, last place first"),
    "balanced": _("balanced"),
    "self": _("people choose"),
    "pairs": _("new pairs each round"),
    "tables": _("new tables each round"),
    "world_cafe": _("World Café (hosts stay)"),
    "troika": _("Troika (each one is the client once)"),
    "stations": _("groups visit stations"),
    "text": _("short text"),
    "long_text": _("long text"),
    "integer": _("whole number"),
    "number": _("number"),
    "string": _("text"),
    "boolean": _("yes or no"),
    "choice": _("choice"),
    "borda": _("Borda count (points by place)"),
    "copeland": _("Copeland (head-to-head wins)"),
    "role": _("role"),
    "organisation": _("organisation"),
    "fr": _("French"),
    "en": _("English"),
    "post": _("shown at once"),
    "pre": _("approved first"),
    "votes": _("most upvoted first"),
    "recent": _("most recent first"),
    "applause": _("Applause"),
    "heart": _("Love it"),
    "plus_one": _("Agree"),
    "laugh": _("Funny"),
    "wow": _("Wow"),
}

HELPS: dict[str, str] = {
    "lineup": _("Hidden: a project appears only when its pitch starts."),
    "results": _("Hidden: the screen shows results only when revealed."),
    "id": _("Lowercase letters, digits and '-'; other steps refer to this one by it."),
    "options": _("projects: the roster's projects; or a list of '- id: … label: …'."),
    "feedback": _("An anonymous rating and comment per project, read only by its holder."),
}

KIND_LABELS: dict[str, str] = {
    "info": _("Slide"),
    "break": _("Break"),
    "talk": _("Conversation"),
    "pitch": _("Pitches"),
    "input": _("Contributions (input)"),
    "vote": _("Voting"),
    "reveal": _("Reveal results"),
    "groups": _("Groups"),
    "rotate": _("Rotation"),
    "pass": _("Pass-around"),
    "match": _("Matchmaking"),
    "qa": _("Audience questions"),
    "use": _("Another format"),
}
assert set(KIND_LABELS) == set(STEP_KINDS)


def resolve_ref(prop: dict[str, Any], defs: dict[str, Any]) -> dict[str, Any]:
    ref = prop.get("$ref")
    if isinstance(ref, str):
        resolved: dict[str, Any] = defs[ref.rsplit("/", 1)[-1]]
        return resolved
    return prop


def _is_text(branches: list[dict[str, Any]]) -> bool:
    kinds = sorted(str(b.get("type")) for b in branches)
    return kinds == ["object", "string"] and any("propertyNames" in b for b in branches)


def value_shapes(prop: dict[str, Any]) -> tuple[list[dict[str, Any]], bool]:
    """The value's shapes, less `null` and the `$parameter` string; whether null is allowed."""
    raw = prop.get("anyOf", [prop])
    kept = [b for b in raw if b.get("type") != "null" and not is_parameter_reference(b)]
    return kept, len(kept) < len([b for b in raw if not is_parameter_reference(b)])


def is_parameter_reference(branch: dict[str, Any]) -> bool:
    return branch.get("type") == "string" and str(branch.get("pattern", "")).startswith("^\\$")


def _widget(key: str, prop: dict[str, Any], defs: dict[str, Any]) -> tuple[str, Any, Any]:
    """(widget, choices, columns) for a property of the schema."""
    branches, _nullable = value_shapes(prop)
    if _is_text(branches):
        return ("long_text" if key in LONG_TEXTS else "text"), (), ()
    if len(branches) != 1:
        types = {b.get("type") for b in branches}
        return ("scalar" if types <= {"integer", "number", "string", "boolean"} else "yaml"), (), ()
    shape = resolve_ref(branches[0], defs)
    kind = shape.get("type")
    if "enum" in shape:
        return "choice", tuple(shape["enum"]), ()
    if kind in ("integer", "number"):
        return "number", (), ()
    if kind == "boolean":
        return "boolean", (), ()
    if kind == "string":
        return "string", (), ()
    if kind == "array" and "prefixItems" in shape:
        return "pair", (), ()
    if kind == "array":
        items, _ = value_shapes(resolve_ref(shape.get("items", {}), defs))
        if _is_text(items):
            return "texts", (), ()
        item = resolve_ref(items[0], defs) if len(items) == 1 else {}
        if "enum" in item:
            return "roles", tuple(item["enum"]), ()
        if item.get("type") == "string":
            return "strings", (), ()
        columns = _fields_of(item, defs)
        if item.get("type") == "object" and columns and all(c.widget in SIMPLE for c in columns):
            return "rows", (), columns
        return "yaml", (), ()
    if kind == "object" and "properties" in shape:
        return "record", (), _fields_of(shape, defs)
    return "yaml", (), ()


def _fields_of(
    model: dict[str, Any],
    defs: dict[str, Any],
    skip: frozenset[str] = frozenset(),
    typed: type[BaseModel] | None = None,
) -> tuple[Field, ...]:
    required = set(model.get("required", ()))
    out = []
    for key, prop in model.get("properties", {}).items():
        if key in skip or key == "kind":
            continue
        widget, choices, columns = _widget(key, prop, defs)
        branches, _ = value_shapes(prop)
        described = prop.get("description") or next(
            (b.get("description") for b in branches if b.get("description")), None
        )
        default = (
            _default(typed, key)
            if typed
            else prop.get("default", next((b["default"] for b in branches if "default" in b), None))
        )
        out.append(
            Field(
                key=key,
                widget=widget,
                label=LABELS.get(key, key.replace("_", " ").capitalize()),
                help=described,
                required=key in required,
                default=default,
                choices=choices,
                columns=columns,
            )
        )
    return tuple(out)


def _default(typed: type[BaseModel], key: str) -> Any:
    """The value a key takes when it is left out (lists made by a factory too)."""
    info = next(f for name, f in typed.model_fields.items() if (f.alias or name) == key)
    if info.is_required():
        return None
    value = info.get_default(call_default_factory=True)
    if isinstance(value, BaseModel):
        return value.model_dump(by_alias=True, exclude_none=True)
    return list(value) if isinstance(value, tuple | list) else value


@cache
def _schema() -> dict[str, Any]:
    return format_json_schema()


@cache
def step_fields(kind: str) -> tuple[Field, ...]:
    defs = _schema()["$defs"]
    models = get_args(get_args(Step)[0])
    typed = next(m for m in models if m.model_fields["kind"].annotation == Literal[kind])
    return _fields_of(defs[typed.__name__], defs, typed=typed)


@cache
def header_fields() -> tuple[Field, ...]:
    skip = frozenset({"format", "parameters", "steps"})
    return _fields_of(_schema(), _schema()["$defs"], skip, Format)


@cache
def parameter_fields() -> tuple[Field, ...]:
    return _fields_of(_schema()["$defs"]["Parameter"], _schema()["$defs"], typed=Parameter)


Path_ = tuple[str | int, ...]


def field_name(path: Path_) -> str:
    """A form field's name for a place in the file: `v.steps.3.title`."""
    return "v." + ".".join(str(p) for p in path)


def dump_snippet(value: Any) -> str:
    """A value as the few lines of YAML a snippet field shows."""
    if value is None:
        return ""
    text = yaml.safe_dump(value, allow_unicode=True, sort_keys=False, default_flow_style=False)
    return text.removesuffix("...\n").rstrip("\n")  # a lone scalar ends with "..."


def _text_of(value: Any, lang: str) -> dict[str, str]:
    if isinstance(value, dict):
        return {"fr": str(value.get("fr", "")), "en": str(value.get("en", ""))}
    if isinstance(value, str):
        return {"fr": "", "en": "", lang: value}
    return {"fr": "", "en": ""}


def _scalar(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def field_views(
    fields: tuple[Field, ...],
    base: Path_,
    data: Any,
    lang: str,
    problems: dict[Path_, str],
) -> list[dict[str, Any]]:
    """What the template shows of each field: its name, its value in the file, and the problem
    found at it (or inside it), if any."""
    values = data if isinstance(data, dict) else {}
    return [_view(f, (*base, f.key), values.get(f.key), lang, problems) for f in fields]


def _view(
    field: Field, path: Path_, value: Any, lang: str, problems: dict[Path_, str]
) -> dict[str, Any]:
    name = field_name(path)
    message = next((m for p, m in problems.items() if p[: len(path)] == path), None)
    view: dict[str, Any] = {
        "field": field,
        "name": name,
        "id": "f-" + name[2:].replace(".", "-"),
        "message": message,
        "value": _scalar(value),
    }
    widget = field.widget
    if widget in ("text", "long_text"):
        view["text"] = _text_of(value, lang)
    elif widget == "boolean":
        view["checked"] = value if isinstance(value, bool) else field.default is True
    elif widget == "pair":
        pair = value if isinstance(value, list) and len(value) == 2 else ["", ""]
        view["pair"] = [_scalar(v) for v in pair]
    elif widget == "roles":
        view["selected"] = value if isinstance(value, list) else (field.default or [])
    elif widget == "texts":
        rows = value if isinstance(value, list) else []
        view["rows"] = [_text_of(v, lang) for v in rows] + [_text_of(None, lang)]
    elif widget == "strings":
        rows = value if isinstance(value, list) else []
        view["rows"] = [_scalar(v) for v in rows] + [""]
    elif widget == "rows":
        rows = value if isinstance(value, list) else []
        view["rows"] = [
            field_views(field.columns, (*path, i), row, lang, problems)
            for i, row in enumerate([*rows, {}])
        ]
    elif widget == "record":
        view["on"] = isinstance(value, dict)
        view["columns"] = field_views(field.columns, path, value or {}, lang, problems)
    elif widget == "yaml":
        view["value"] = dump_snippet(value)
    return view


def problem_spots(
    problems: list[Any], base: Path_, fields: tuple[Field, ...]
) -> tuple[dict[Path_, str], list[Any]]:
    """Problems at a field of the panel (by its place in the file), and the others."""
    keys = {f.key for f in fields}
    at: dict[Path_, str] = {}
    rest = []
    for problem in problems:
        path = tuple(problem.path)
        if path[: len(base)] == base and len(path) > len(base) and path[len(base)] in keys:
            at.setdefault(path, problem.message)
        else:
            rest.append(problem)
    return at, rest

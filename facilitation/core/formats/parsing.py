"""`parse_format`: YAML text -> a validated `Format`, with its parameters set and the formats it
nests (`use` steps) expanded; every problem found is raised at once, as a `FormatError`."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from pydantic import ValidationError

from facilitation.core.formats.errors import FormatError, Path_, Problem
from facilitation.core.formats.parameters import Parameter, coerce_parameter, substitute
from facilitation.core.formats.positions import Located, load_located_yaml
from facilitation.core.formats.schema import Format, Step
from facilitation.core.formats.steps import UseStep, step_id
from facilitation.core.formats.validation import dedupe, problems_from_validation
from facilitation.core.formats.votes import ItemsRef, RevealStep, VoteStep

# Finds a nested format's text by the name a `use` step gives: (text, name for messages).
Resolver = Callable[[str], tuple[str, str]]
MAX_NESTING = 3


def parse_format(
    text: str,
    name: str = "<format>",
    params: Mapping[str, object] | None = None,
    resolve: Resolver | None = None,
    _depth: int = 0,
) -> Format:
    """Validate a format; `params` overrides parameter defaults; `use` steps are expanded with
    `resolve`. Raises FormatError."""
    located = load_located_yaml(text, name)
    data = located.data
    if not isinstance(data, dict):
        raise FormatError(
            [Problem(name, 1, 1, "a format is a mapping of keys (id, title, steps…)")]
        )
    problems: list[Problem] = []
    declared: dict[str, Parameter] = {}
    raw_params = data.get("parameters", {})
    if isinstance(raw_params, dict):
        for pname, raw in raw_params.items():
            try:
                declared[pname] = Parameter.model_validate(raw)
            except ValidationError as error:
                problems += problems_from_validation(error, located, name, ("parameters", pname))
    values: dict[str, int | float | str | bool] = {
        k: coerce_parameter(p, p.default) for k, p in declared.items()
    }
    for pname, value in (params or {}).items():
        if pname not in declared:
            known = ", ".join(sorted(declared)) or "none"
            problems.append(
                Problem(name, 1, 1, f"unknown parameter {pname!r} (parameters: {known})")
            )
            continue
        try:
            values[pname] = coerce_parameter(declared[pname], value)
        except ValueError as error:
            pos = located.position(("parameters", pname))
            problems.append(
                Problem(
                    name,
                    pos.line,
                    pos.column,
                    f"parameter {pname!r}: {error}",
                    ("parameters", pname),
                )
            )
    unknown: list[tuple[Path_, str]] = []
    body = {k: v for k, v in data.items() if k != "parameters"}
    substituted = substitute(body, values, (), unknown)
    for path, ref in unknown:
        pos = located.values.get(path, located.position(path))
        known = ", ".join(f"${k}" for k in sorted(declared)) or "none declared"
        problems.append(
            Problem(
                name, pos.line, pos.column, f"unknown parameter ${ref} (parameters: {known})", path
            )
        )
    substituted["parameters"] = raw_params
    try:
        fmt = Format.model_validate(substituted)
    except ValidationError as error:
        problems += problems_from_validation(error, located, name)
    if problems:
        raise FormatError(dedupe(problems))
    if any(isinstance(s, UseStep) for s in fmt.steps):
        fmt = _expand_uses(fmt, located, name, resolve, _depth)
    return fmt


# References between steps, by step kind: these get the nesting prefix too.
_REFERENCES = {
    "groups": ("merge",),
    "rotate": ("groups",),
    "pass": ("items",),
    "input": ("groups",),
    "reveal": ("vote", "scores"),
}


def _prefixed(step: Step, index: int, prefix: str) -> dict[str, Any]:
    data: dict[str, Any] = step.model_dump(by_alias=True, exclude_none=True)
    data["id"] = prefix + step_id(step, index)
    for key in _REFERENCES.get(step.kind, ()):
        if data.get(key):
            data[key] = prefix + data[key]
    if isinstance(step, VoteStep) and isinstance(step.options, ItemsRef):
        data["options"] = {"items": prefix + step.options.items}
    if isinstance(step, RevealStep) and step.combine:
        data["combine"] = [{**c, "vote": prefix + c["vote"]} for c in data["combine"]]
    return data


def _expand_uses(
    fmt: Format, located: Located, name: str, resolve: Resolver | None, depth: int
) -> Format:
    steps: list[Any] = []
    for index, step in enumerate(fmt.steps):
        if not isinstance(step, UseStep):
            steps.append(step.model_dump(by_alias=True, exclude_none=True))
            continue
        pos = located.position(("steps", index, "format"))
        if resolve is None or depth >= MAX_NESTING:
            why = (
                "nested too deep (a format using itself?)"
                if resolve
                else "nested formats cannot be read here"
            )
            raise FormatError(
                [
                    Problem(
                        name,
                        pos.line,
                        pos.column,
                        f"format {step.format!r}: {why}",
                        ("steps", index, "format"),
                    )
                ]
            )
        try:
            nested_text, nested_name = resolve(step.format)
        except FormatError as error:
            raise FormatError(
                [
                    Problem(
                        name,
                        pos.line,
                        pos.column,
                        f"format {step.format!r}: {p.message}",
                        ("steps", index, "format"),
                    )
                    for p in error.problems
                ]
            ) from None
        nested = parse_format(nested_text, nested_name, step.with_, resolve, depth + 1)
        prefix = f"{step_id(step, index)}-"
        for nested_index, nested_step in enumerate(nested.steps):
            steps.append(_prefixed(nested_step, nested_index, prefix))
    data = fmt.model_dump(by_alias=True, exclude_none=True)
    data["steps"] = steps
    try:
        return Format.model_validate(data)
    except ValidationError as error:
        raise FormatError(problems_from_validation(error, located, name)) from None

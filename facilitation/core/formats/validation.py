"""pydantic's validation errors in the words of the format language, each at the line and
column of the key it is about."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from facilitation.core.formats.errors import At, Path_, Problem
from facilitation.core.formats.model import SEMVER, SLUG
from facilitation.core.formats.parameters import PARAMETER_NAME
from facilitation.core.formats.positions import Located
from facilitation.core.formats.schema import STEP_KINDS


def problems_from_validation(
    error: ValidationError, located: Located, name: str, base: Path_ = ()
) -> list[Problem]:
    """One problem per error, at the key it is about; `base` is where the data validated
    sits in the file (a parameter is validated on its own)."""
    problems = []
    for item in error.errors():
        cause = item.get("ctx", {}).get("error")
        loc = tuple(item["loc"]) + cause.path if isinstance(cause, At) else tuple(item["loc"])
        path = _data_path(located.data, base, loc)
        pos = located.position(path)
        message = _humanise(item)
        problems.append(Problem(name, pos.line, pos.column, message, path))
    return dedupe(problems)


def _data_path(data: Any, base: Path_, loc: Path_) -> Path_:
    """pydantic's error location, minus the union tags that are not keys in the YAML."""
    node = data
    for part in base:
        node = node[part] if isinstance(node, dict | list) else None  # type: ignore[index]
    path: list[str | int] = list(base)
    for part in loc:
        in_dict = isinstance(node, dict) and part in node
        in_list = isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
        if in_dict or in_list:
            node = node[part]
            path.append(part)
        elif isinstance(node, dict) and not _is_tag(part):
            # a missing or unknown key: point at it, through its parent mapping
            path.append(part)
            break
    return tuple(path)


def _is_tag(part: str | int) -> bool:
    # union discriminator values and pydantic's "str"/"dict[...]" branch labels
    return isinstance(part, str) and (
        part in STEP_KINDS or part in {"str", "list[VoteOption]", "ItemsRef"} or "[" in part
    )


def _humanise(item: Any) -> str:
    kind = item["type"]
    loc = item["loc"]
    key = next((p for p in reversed(loc) if isinstance(p, str) and not _is_tag(p)), None)
    if kind == "missing":
        return f"missing required key {key!r}"
    if kind == "extra_forbidden":
        return f"unknown key {key!r}"
    if kind == "union_tag_invalid":
        kinds = ", ".join(STEP_KINDS)
        return f"unknown step kind {item['input'].get('kind')!r}; expected one of {kinds}"
    if kind == "union_tag_not_found":
        return f"a step needs a 'kind' (one of {', '.join(STEP_KINDS)})"
    if kind == "string_pattern_mismatch":
        pattern = item.get("ctx", {}).get("pattern")
        return (
            f"{item['input']!r} is not valid: {_PATTERN_HELP.get(pattern, f'must match {pattern}')}"
        )
    if kind == "string_type" and key == "version":
        got = item["input"]
        return f"expected a version like 1.0.0 (quote it if YAML reads a number), got {got!r}"
    message = str(item["msg"])
    if message.startswith("Value error, "):
        message = message[len("Value error, ") :]
    if kind == "literal_error" and "input" in item:
        return f"{message[0].lower()}{message[1:]}, got {item['input']!r}"
    return message[0].lower() + message[1:] if message else kind


_PATTERN_HELP = {
    SLUG: "use lowercase letters, digits, '-' or '_' (for example my-step)",
    SEMVER: "use a version like 1.0.0",
    PARAMETER_NAME: "use lowercase letters, digits or '_' (for example pitch_minutes)",
}


def dedupe(problems: list[Problem]) -> list[Problem]:
    """A value fitting no branch of a union gives an error per branch: keep one per key."""
    seen: set[Path_ | tuple[int, int]] = set()
    out = []
    for problem in problems:
        spot = problem.path or (problem.line, problem.column)
        if spot not in seen:
            seen.add(spot)
            out.append(problem)
    return out

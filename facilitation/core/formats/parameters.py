"""Parameters: values an organiser sets when creating an event, that steps refer to as `$name`
(a whole value) or `${name}` (inside a text)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal

from pydantic import model_validator

from facilitation.core.formats.errors import Path_
from facilitation.core.formats.model import Model
from facilitation.core.formats.texts import Text

if TYPE_CHECKING:
    from facilitation.core.formats.schema import Format

# A parameter's name, as declared and as referred to.
_NAME = r"[a-z][a-z0-9_]*"
PARAMETER_NAME = rf"^{_NAME}$"
REFERENCE = rf"^\${_NAME}$"
_WHOLE_REF = re.compile(rf"^\$({_NAME})$")
_INLINE_REF = re.compile(rf"\$\{{({_NAME})\}}")


class Parameter(Model):
    """A value an organiser may set when creating an event; steps refer to it as `$name`."""

    type: Literal["integer", "number", "string", "boolean", "choice"]
    default: int | float | str | bool
    title: Text | None = None
    min: float | None = None
    max: float | None = None
    choices: list[str] | None = None

    @model_validator(mode="after")
    def _default_fits(self) -> Parameter:
        coerce_parameter(self, self.default)
        return self


def coerce_parameter(param: Parameter, value: object) -> int | float | str | bool:
    """The value converted to the parameter's type; ValueError says why it does not fit."""
    result: int | float | str | bool
    if param.type == "boolean":
        if isinstance(value, bool):
            result = value
        elif isinstance(value, str) and value.lower() in {"true", "yes", "1", "false", "no", "0"}:
            result = value.lower() in {"true", "yes", "1"}
        else:
            raise ValueError(f"expected true or false, got {value!r}")
    elif param.type in {"integer", "number"}:
        if isinstance(value, bool):
            raise ValueError(f"expected a number, got {value!r}")
        try:
            number = float(value) if isinstance(value, str | int | float) else None
        except ValueError:
            number = None
        if number is None:
            raise ValueError(f"expected a number, got {value!r}")
        if param.type == "integer":
            if not number.is_integer():
                raise ValueError(f"expected a whole number, got {value!r}")
            result = int(number)
        else:
            result = number
        if param.min is not None and number < param.min:
            raise ValueError(f"{value!r} is below the minimum {param.min:g}")
        if param.max is not None and number > param.max:
            raise ValueError(f"{value!r} is above the maximum {param.max:g}")
    else:
        if not isinstance(value, str | int | float) or isinstance(value, bool):
            raise ValueError(f"expected a text, got {value!r}")
        result = str(value)
        if param.type == "choice" and result not in (param.choices or []):
            raise ValueError(f"{result!r} is not one of {', '.join(param.choices or [])}")
    return result


def substitute(
    data: Any,
    values: Mapping[str, int | float | str | bool],
    path: Path_,
    unknown: list[tuple[Path_, str]],
) -> Any:
    """`data` with its references replaced by their values; a reference to a parameter that is
    not declared is kept as it is, and added to `unknown` with where it was found."""
    if isinstance(data, dict):
        return {k: substitute(v, values, (*path, k), unknown) for k, v in data.items()}
    if isinstance(data, list):
        return [substitute(v, values, (*path, i), unknown) for i, v in enumerate(data)]
    if isinstance(data, str):
        whole = _WHOLE_REF.match(data)
        if whole:
            if whole.group(1) in values:
                return values[whole.group(1)]
            unknown.append((path, whole.group(1)))
            return data

        def inline(match: re.Match[str]) -> str:
            if match.group(1) in values:
                return str(values[match.group(1)])
            unknown.append((path, match.group(1)))
            return match.group(0)

        return _INLINE_REF.sub(inline, data)
    return data


def parameter_values(
    fmt: Format, overrides: Mapping[str, object]
) -> dict[str, int | float | str | bool]:
    """The parameters an event runs with: defaults, then valid overrides."""
    values = {k: coerce_parameter(p, p.default) for k, p in fmt.parameters.items()}
    for key, value in overrides.items():
        values[key] = coerce_parameter(fmt.parameters[key], value)
    return values

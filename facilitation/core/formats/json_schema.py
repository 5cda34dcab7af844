"""The JSON Schema of the format language, for editors that check YAML as it is typed."""

from __future__ import annotations

from typing import Any

from facilitation.core.formats.parameters import REFERENCE
from facilitation.core.formats.schema import LANGUAGE_VERSION, Format


def format_json_schema() -> dict[str, Any]:
    schema = Format.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = f"https://facilitation.invalid/schema/format-v{LANGUAGE_VERSION}.json"
    _allow_parameter_refs(schema)
    return schema


_REF_SCHEMA = {"type": "string", "pattern": REFERENCE}


def _allow_parameter_refs(node: Any) -> None:
    """Editors must not flag `minutes: $pitch_minutes`: typed values also accept a reference."""
    if isinstance(node, dict):
        for key, value in list(node.items()):
            if key == "properties" and isinstance(value, dict):
                for name, prop in value.items():
                    value[name] = _with_ref(prop)
            _allow_parameter_refs(value)
    elif isinstance(node, list):
        for item in node:
            _allow_parameter_refs(item)


def _with_ref(prop: Any) -> Any:
    typed = {"integer", "number", "boolean"}
    if not isinstance(prop, dict):
        return prop

    def takes_value(branch: Any) -> bool:
        # numbers and booleans, and strings with a pattern (a time, an id) that `$x` breaks
        return isinstance(branch, dict) and (
            branch.get("type") in typed or (branch.get("type") == "string" and "pattern" in branch)
        )

    if takes_value(prop):
        return {"anyOf": [prop, _REF_SCHEMA]}
    branches = prop.get("anyOf")
    if isinstance(branches, list) and any(takes_value(b) for b in branches):
        return {**prop, "anyOf": [*branches, _REF_SCHEMA]}
    return prop

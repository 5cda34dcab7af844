"""What participants type in (ideas, questions, feedback), checked against the format's fields,
and feedback summed up for the holder. Pure: no I/O."""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from statistics import mean
from typing import Any

from facilitation.core.formats import InputField, localise


class InputError(ValueError):
    """A submission that cannot be stored; `code` selects the translated message."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


MAX_NAME = 40
# Longer digit strings are not counts anyone types, and Python refuses to parse very long ones.
MAX_DIGITS = 18


def whole_number(text: object, *, signed: bool = False, top: int | None = None) -> int | None:
    """A whole number typed as ASCII digits (a leading minus if `signed`), at most `top` if
    given, else None.

    The one rule for numbers in forms and files: `str.isdigit()` also accepts "²" and other
    digits `int()` refuses, and `int()` accepts "١٢", spaces and underscores. Leading zeros are
    dropped before `int()`, which refuses (and takes quadratic time on) very long strings.
    """
    if not isinstance(text, str):
        return None
    negative = signed and text.startswith("-")
    digits = text[1:] if negative else text
    if not (digits.isascii() and digits.isdecimal()):
        return None
    significant = digits.lstrip("0") or "0"
    if len(significant) > (MAX_DIGITS if top is None else len(str(top))):
        return None
    value = -int(significant) if negative else int(significant)
    return value if top is None or value <= top else None


def count_in_range(raw: object, top: int) -> int | None:
    """A count typed into a facilitator form (tickets, heads in the room), from 0 to `top`;
    spaces around it are forgiven."""
    return whole_number(raw.strip(), top=top) if isinstance(raw, str) else None


def clean_name(raw: object) -> str | None:
    """A display name as typed, minus control characters; None if it is not text."""
    if not isinstance(raw, str):
        return None
    text = "".join(ch for ch in raw if unicodedata.category(ch)[0] != "C")
    return " ".join(text.split())[:MAX_NAME]


def clean_text(text: str) -> str:
    """Text as typed, minus control characters (newlines kept) and surrounding spaces."""
    kept = "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch)[0] != "C")
    return kept.strip()


def clean_submission(fields: Sequence[InputField], raw: object) -> dict[str, str | int]:
    """The submission as stored, or InputError saying which field is wrong."""
    if not isinstance(raw, Mapping):
        raise InputError("malformed", "a submission maps field ids to values")
    known = {f.id for f in fields}
    unknown = [k for k in raw if k not in known]
    if unknown:
        raise InputError("malformed", f"unknown field {unknown[0]!r}")
    out: dict[str, str | int] = {}
    for spec in fields:
        value = raw.get(spec.id)
        if value in (None, ""):
            if spec.required:
                raise InputError("missing_field", f"{spec.id!r} is required")
            continue
        if spec.type == "rating":
            number = value if type(value) is int else whole_number(value, signed=True)
            if number is None:
                raise InputError("malformed", f"{spec.id!r} must be a whole number")
            if not spec.scale[0] <= number <= spec.scale[1]:
                raise InputError(
                    "out_of_scale", f"{spec.id!r} must be within {spec.scale[0]}–{spec.scale[1]}"
                )
            out[spec.id] = number
        else:
            if not isinstance(value, str):
                raise InputError("malformed", f"{spec.id!r} must be text")
            text = clean_text(value)
            if len(text) > spec.max_length:
                raise InputError("too_long", f"{spec.id!r} is longer than {spec.max_length}")
            if not text and spec.required:
                raise InputError("missing_field", f"{spec.id!r} is required")
            if text:
                out[spec.id] = text
    if not out:
        raise InputError("missing_field", "the submission is empty")
    return out


def item_label(fields: Sequence[InputField], values: Mapping[str, Any], limit: int = 90) -> str:
    """A one-line label for an item (its first text field), e.g. as a vote option."""
    for spec in fields:
        value = values.get(spec.id)
        if spec.type != "rating" and isinstance(value, str) and value:
            line = " ".join(value.split())
            return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"
    return ""


@dataclass(frozen=True)
class FieldSummary:
    id: str
    type: str
    count: int
    mean: float | None = None
    distribution: tuple[tuple[int, int], ...] = ()
    texts: tuple[str, ...] = ()


def summarise(
    fields: Sequence[InputField], rows: Sequence[Mapping[str, Any]]
) -> list[FieldSummary]:
    """Per field: ratings as mean and distribution, texts as a list (order says nothing)."""
    out = []
    for spec in fields:
        values = [r[spec.id] for r in rows if spec.id in r]
        if spec.type == "rating":
            numbers = [v for v in values if isinstance(v, int)]
            low, high = spec.scale
            out.append(
                FieldSummary(
                    spec.id,
                    spec.type,
                    len(numbers),
                    mean=round(mean(numbers), 2) if numbers else None,
                    distribution=tuple((n, numbers.count(n)) for n in range(low, high + 1)),
                )
            )
        else:
            texts = tuple(sorted(v for v in values if isinstance(v, str)))
            out.append(FieldSummary(spec.id, spec.type, len(texts), texts=texts))
    return out


def fields_view(fields: Sequence[InputField], lang: str, fallback: str) -> list[dict[str, Any]]:
    """The fields of a form as templates show them, labels in `lang`."""
    return [
        {
            "id": f.id,
            "label": localise(f.label, lang, fallback),
            "type": f.type,
            "max_length": f.max_length,
            "scale": f.scale,
            "required": f.required,
        }
        for f in fields
    ]

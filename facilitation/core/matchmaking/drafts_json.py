"""The organiser's draft as JSON: what storage keeps between edits, and what the download
starts from.

The shape is the dataclasses' own fields, read and written by one pydantic TypeAdapter, so a
field added to a dataclass needs no second list kept in step by hand. Drafts stored by earlier
versions have exactly these fields, so they load (a test keeps one as it was stored).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import TypeAdapter

from facilitation.core.matchmaking.drafts import Draft

_DRAFT: TypeAdapter[Draft] = TypeAdapter(Draft)
# A set has no order: sorted, the same draft always gives the same text.
_PROFILE_SETS = ("offers", "needs", "available_slots")


def draft_to_json(draft: Draft, *, with_published: bool = True) -> dict[str, Any]:
    """The draft as JSON values (dicts, lists, strings, numbers, booleans, None).

    Without `with_published` the snapshot phones see is left out: a download shows the draft
    itself, and on a large event that snapshot is half the work.
    """
    data: dict[str, Any] = _DRAFT.dump_python(
        draft, mode="json", exclude=None if with_published else {"published"}
    )
    # Bounds a draft has no claim about are left out: such drafts keep their earlier shape.
    for key in ("objective_bound", "musts_bound"):
        if data.get(key) is None:
            data.pop(key, None)
    for profile in data["profiles"]:
        for key in _PROFILE_SETS:
            profile[key].sort()
    return data


def draft_from_json(data: str | bytes | Mapping[str, Any]) -> Draft:
    """The draft back from `draft_to_json`'s values, or from their JSON text.

    Raises pydantic's ValidationError (a ValueError) when `data` is not a draft.
    """
    if isinstance(data, str | bytes):
        return _DRAFT.validate_json(data)
    return _DRAFT.validate_python(data)

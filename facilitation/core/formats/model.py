"""What every model of the format language is built from."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

SLUG = r"^[a-z0-9][a-z0-9_-]*$"
SEMVER = r"^\d+\.\d+\.\d+(?:[-+][0-9A-Za-z.-]+)?$"


class Model(BaseModel):
    """Strict, so that a misspelt key is an error rather than ignored; frozen, so that a parsed
    format cannot change under a running event."""

    model_config = ConfigDict(extra="forbid", frozen=True)

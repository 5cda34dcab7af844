"""The languages pages are shown in, and that formats may give their texts in."""

from __future__ import annotations

from typing import Literal, get_args

Lang = Literal["fr", "en"]
LANGUAGES: tuple[Lang, ...] = get_args(Lang)

"""A pass-around's best cards as chart rows, for the reveal step that shows them."""

from __future__ import annotations

from typing import Any

from facilitation.core.grouping import top_k
from facilitation.i18n import translations
from facilitation.services.live_event import LiveEvent
from facilitation.services.seating import ScoreTotals


def score_rows(
    live: LiveEvent, pass_step: str, totals: ScoreTotals, lang: str
) -> list[dict[str, Any]]:
    """A pass-around's best cards, best first (ties: more scores, then the older card)."""
    passing = live.plan.step(next(s for s in live.plan.stages if s.step_id == pass_step))
    items = getattr(passing, "items", "")
    labels = dict(live.plan.item_options.get(items, ()))
    every = {oid.removeprefix("i"): 0 for oid in labels}
    ranked = top_k({**every, **totals.totals}, len(every), counts=totals.counts)
    top = max((t for _, _, t in ranked), default=0) or 1
    ngettext = translations(lang).ngettext
    return [
        {
            "id": item,
            "label": labels.get(f"i{item}", item),
            "width": round(100 * total / top, 1),
            "text": ngettext("%(num)d point", "%(num)d points", int(total)) % {"num": total},
            "place": place,
            "winner": place == 1,
        }
        for place, item, total in ranked
    ]

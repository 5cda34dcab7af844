"""A seating plan made ahead of the day, as CSV (round, table, person) and as a printable page:
a page per round, then a card per person listing their table in each round."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Any

import jinja2
from markupsafe import Markup

from facilitation.core.grouping.plans import SeatingPlan
from facilitation.exports.tables import csv_text
from facilitation.i18n import mark as _
from facilitation.i18n import translations
from facilitation.presenters.pages import template_environment
from facilitation.settings import resource_dir

# the words the page shows for a role, in the catalogue
ROLE_WORDS = {
    "host": _("host"),
    "client": _("client"),
    "consultant": _("consultant"),
    "break": _("break"),
}


def plan_csv(plan: SeatingPlan, names: Mapping[str, str]) -> str:
    """round,table,person: one row per person per round, names where `names` has them."""
    rows: list[list[object]] = [["round", "table", "person"]]
    for number, groups in enumerate(plan.rounds, start=1):
        for group in groups:
            rows.extend([number, group.table, names.get(m, m)] for m in group.members)
    return csv_text(rows)


@cache
def _environment(lang: str) -> jinja2.Environment:
    return template_environment(resource_dir("templates"), lang)


def plan_html(
    plan: SeatingPlan,
    names: Mapping[str, str],
    *,
    title: str,
    lang: str = "en",
    stylesheet: str = "",
    style: str = "",
) -> str:
    """The printable plan. Styled by `stylesheet` (an address of static/css/print.css) where a
    server sends it, as the CSP allows no inline style; a file written to disk carries the same
    rules in `style` instead, as `facilitation match --html` does."""
    tr = translations(lang)

    def who(person: str, roles: Mapping[str, str]) -> dict[str, str]:
        role = roles.get(person)
        return {
            "name": names.get(person, person),
            "role": tr.gettext(ROLE_WORDS[role]) if role in ROLE_WORDS else "",
        }

    rounds: list[dict[str, Any]] = []
    seats: dict[str, list[dict[str, Any]]] = {}
    for number, groups in enumerate(plan.rounds, start=1):
        tables = []
        for group in groups:
            tables.append(
                {"table": group.table, "people": [who(m, group.roles) for m in group.members]}
            )
            for m in group.members:
                seats.setdefault(m, []).append(
                    {"round": number, "table": group.table, **who(m, group.roles)}
                )
        rounds.append({"number": number, "tables": tables})
    cards = [
        {"name": names.get(person, person), "seats": seats[person]}
        for person in sorted(seats, key=lambda p: (names.get(p, p).casefold(), p))
    ]
    template = _environment(lang).get_template("seating_plan.html")
    return template.render(
        lang=lang,
        title=title,
        rounds=rounds,
        cards=cards,
        plan=plan,
        stylesheet=stylesheet,
        # our own stylesheet, read from static/css, never what people typed
        style=Markup(style),  # noqa: S704
    )

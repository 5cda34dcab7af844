"""Results as chart rows: one bar (or stacked bar) per option, with the words that say the same.

Templates draw the bars in SVG; the text of each row is the chart's text alternative, so what
a screen reader hears is what the bars show. Translation happens here through `tr`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from typing import Any

from facilitation.core.voting import CombinedResult, VoteResult

Translate = Callable[[str], str]


def _number(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".") if value != int(value) else str(int(value))


def mark_ties(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """`tied` on each row that shares its place, so that the tie is said in words."""
    shared = Counter(row["place"] for row in rows)
    for row in rows:
        row["tied"] = shared[row["place"]] > 1
    return rows


def chart_rows(
    result: VoteResult,
    labels: Mapping[str, str],
    gettext: Translate,
    ngettext: Callable[[str, str, int], str],
) -> list[dict[str, Any]]:
    """Rows best first: label, bar width (0–100), text, place, winner; `segments` for majority
    judgment's merit profiles."""
    data = result.to_json()
    places = result.places()
    rows = []
    method = result.method
    if method in ("single", "approval"):
        counts: dict[str, int] = data["counts"]
        top = max(counts.values(), default=0) or 1
        for option in result.ranking:
            n = counts[option]
            text = ngettext("%(num)d vote", "%(num)d votes", n) % {"num": n}
            rows.append(
                _row(
                    option,
                    labels,
                    100 * n / top,
                    f"{text} · {round(100 * data['shares'][option])} %",
                )
            )
    elif method == "dots":
        totals: dict[str, int] = data["totals"]
        top = max(totals.values(), default=0) or 1
        for option in result.ranking:
            n = totals[option]
            rows.append(
                _row(
                    option,
                    labels,
                    100 * n / top,
                    ngettext("%(num)d point", "%(num)d points", n) % {"num": n},
                )
            )
    elif method == "rating":
        low, high = data["scale"]
        for option in result.ranking:
            raters = data["raters"][option]
            mean = data["means"][option]
            width = 100 * (mean - low) / (high - low) if raters else 0
            text = (
                gettext("mean %(mean)s / %(high)d · median %(median)s · %(n)d ratings")
                % {
                    "mean": _number(mean),
                    "high": high,
                    "median": _number(data["medians"][option] or 0),
                    "n": raters,
                }
                if raters
                else gettext("not rated")
            )
            rows.append(_row(option, labels, width, text))
    elif method == "ranking":
        if data["count"] == "copeland":
            n = max(1, len(result.options) - 1)
            for option in result.ranking:
                score = data["copeland"][option]
                text = gettext("%(wins)d wins, %(losses)d defeats in duels") % {
                    "wins": data["wins"][option],
                    "losses": data["losses"][option],
                }
                rows.append(_row(option, labels, 100 * (score + n) / (2 * n), text))
        else:
            top = max(data["borda"].values(), default=0) or 1
            for option in result.ranking:
                score = data["borda"][option]
                rows.append(
                    _row(
                        option,
                        labels,
                        100 * score / top,
                        gettext("%(points)d Borda points") % {"points": score},
                    )
                )
    elif method == "majority_judgment":
        grades: list[str] = data["grades"]
        for option in result.ranking:
            profile: list[int] = data["profiles"][option]
            total = sum(profile) or 1
            segments, start = [], 0.0
            for grade, count in enumerate(profile):
                width = 100 * count / total
                if count:
                    segments.append(
                        {
                            "grade": grade,
                            "x": round(start, 2),
                            "width": round(width, 2),
                            "label": grades[grade],
                            "share": round(width),
                        }
                    )
                start += width
            median = data["median_labels"][option]
            profile_text = ", ".join(f"{s['label']} {s['share']} %" for s in segments)
            text = gettext("majority grade: %(grade)s") % {"grade": median} if median else ""
            row = _row(option, labels, 100, text)
            row["segments"] = segments
            row["profile_text"] = profile_text
            rows.append(row)
    elif method == "rubric":
        criteria = data["criteria"]
        high = max((c["scale"][1] for c in criteria), default=5)
        for option in result.ranking:
            mean = data["weighted_means"][option]
            jurors = data["jurors"][option]
            text = gettext("%(mean)s / %(high)d weighted · %(n)d jurors") % {
                "mean": _number(round(mean, 2)),
                "high": high,
                "n": jurors,
            }
            row = _row(option, labels, 100 * mean / high if jurors else 0, text)
            row["criteria"] = [
                {
                    "id": c["id"],
                    "mean": None
                    if (m := data["criterion_means"][option][c["id"]]) is None
                    else _number(round(m, 2)),
                }
                for c in criteria
            ]
            rows.append(row)
    for row in rows:
        row["place"] = places[row["id"]]
        row["winner"] = row["id"] in result.winners
    return mark_ties(rows)


def combined_rows(
    result: CombinedResult,
    labels: Mapping[str, str],
    part_titles: Mapping[str, str],
    gettext: Translate,
) -> list[dict[str, Any]]:
    places = result.places()
    top = max(result.scores.values(), default=0) or 1
    rows = []
    for option in result.ranking:
        parts = ", ".join(
            gettext("%(part)s: place %(place)d")
            % {"part": part_titles.get(p["vote"], p["vote"]), "place": p["places"][option]}
            for p in result.parts
        )
        row = _row(
            option,
            labels,
            100 * result.scores[option] / top,
            gettext("%(points)s points") % {"points": _number(round(result.scores[option], 2))},
        )
        row["parts"] = parts
        row["place"] = places[option]
        row["winner"] = option in result.winners
        rows.append(row)
    return mark_ties(rows)


def _row(option: str, labels: Mapping[str, str], width: float, text: str) -> dict[str, Any]:
    return {
        "id": option,
        "label": labels.get(option, option),
        "width": round(max(0, width), 1),
        "text": text,
    }


def pairwise_table(result: VoteResult, labels: Mapping[str, str]) -> dict[str, Any] | None:
    """The duels of a ranking vote (who beats whom, by how many voters), for the console."""
    if result.method != "ranking":
        return None
    data = result.to_json()
    order = list(result.ranking)
    return {
        "options": [{"id": o, "label": labels.get(o, o)} for o in order],
        "cells": [[None if a == b else data["pairwise"][a][b] for b in order] for a in order],
        "condorcet": labels.get(data["condorcet_winner"], data["condorcet_winner"])
        if data["condorcet_winner"]
        else None,
    }

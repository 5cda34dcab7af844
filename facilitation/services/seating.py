"""Who sits where during a live event: groups, rounds of a rotation, cards of a pass-around.

The pure work is done by `grouping`; this module picks who takes part (the people connected
now, else everyone who joined), keeps the result in storage so that a restart or a reconnect
shows the same tables, and says what each person's phone shows.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from facilitation.core import grouping
from facilitation.core.engine import Stage
from facilitation.core.formats import VOTERS, GroupsStep, PassStep, RotateStep, localise
from facilitation.core.inputs import fields_view, item_label
from facilitation.services.announcements import Announcer, TallyChanged
from facilitation.services.events import now_ms
from facilitation.services.live_event import LiveEvent
from facilitation.services.serial import EventLocks, one_at_a_time
from facilitation.storage import ParticipantRow, Store

SEATED_KINDS = ("groups", "rotate", "pass")
# A live rotation is seated inside the event loop, while phones wait: the tabu search gets a
# tenth of the work a plan printed ahead of the day gets (a tenth of a second at most).
LIVE_SEARCH_WORK = grouping.SEARCH_WORK // 10


def _round_of(stage: Stage) -> int:
    return stage.round or 0


def _groups_json(
    groups: Sequence[grouping.Group], extra: dict[int, dict[str, Any]] | None = None
) -> list[dict[str, Any]]:
    return [
        {
            "table": g.table,
            "members": [int(m) for m in g.members],
            "roles": dict(g.roles),
            **(extra or {}).get(g.table, {}),
        }
        for g in groups
    ]


def _groups_from(plan: list[dict[str, Any]]) -> tuple[grouping.Group, ...]:
    return tuple(
        grouping.Group(
            p["table"],
            tuple(str(m) for m in p["members"]),
            {str(k): v for k, v in p.get("roles", {}).items()},
        )
        for p in plan
    )


class Seating:
    def __init__(self, storage: Store, announcer: Announcer | None = None) -> None:
        self.storage = storage
        self.announcer = announcer or Announcer()
        # Every phone fetches its place after a push: compute everyone's once per change. The
        # change is told by the database's seating version, so that a seating made by another
        # process sharing the file is seen here too.
        self._cache: dict[tuple[str, str], tuple[tuple[int, ...], dict[int, dict[str, Any]]]] = {}
        self._tables: dict[tuple[str, str], tuple[int, dict[int, tuple[int, frozenset[int]]]]] = {}
        self.locks = EventLocks()

    def _rng(self, live: LiveEvent, step_id: str, salt: int = 0) -> random.Random:
        return random.Random(f"{live.row.seed}:{step_id}:{salt}")

    def _people(
        self, live: LiveEvent, present: Sequence[int], who: Sequence[str]
    ) -> list[ParticipantRow]:
        """Those the step places: connected now (else everyone who joined), in its roles."""
        everyone = self.storage.participants(live.id)
        here = set(present)
        chosen = [p for p in everyone if p.id in here] if here else everyone
        return [p for p in chosen if p.role in who]

    @one_at_a_time
    async def ensure(self, live: LiveEvent, present: Sequence[int]) -> bool:
        """Seat people for the current stage if nobody is seated there yet; True if done now."""
        stage = live.stage
        if stage.kind not in SEATED_KINDS:
            return False
        step = live.plan.step(stage)
        if isinstance(step, GroupsStep) and step.mode == "self":
            return False  # people choose first; the facilitator forms the groups when ready
        if self.storage.seating(live.id, stage.step_id, _round_of(stage)) is not None:
            return False
        await self._seat(live, stage, present, salt=0)
        return True

    @one_at_a_time
    async def regroup(self, live: LiveEvent, present: Sequence[int], salt: int) -> None:
        """Form the current step's groups again (e.g. after many people arrived)."""
        await self._seat(live, live.stage, present, salt=salt, replace=True)

    async def _seat(
        self,
        live: LiveEvent,
        stage: Stage,
        present: Sequence[int],
        salt: int,
        replace: bool = False,
    ) -> None:
        step = live.plan.step(stage)
        who = step.who if isinstance(step, GroupsStep | RotateStep) else VOTERS
        people = self._people(live, present, who)
        ids = [str(p.id) for p in people]
        rng = self._rng(live, stage.step_id, salt)
        plans: dict[int, Any] = {}
        if isinstance(step, GroupsStep):
            plans[0] = _groups_json(self._form(live, step, people, rng))
        elif isinstance(step, RotateStep):
            plans = self._rotation(live, step, ids, rng, stage.rounds or 1)
        elif isinstance(step, PassStep):
            items = {
                str(item.id): (str(item.participant_id) if item.participant_id else None)
                for item in self.storage.items(live.id, step.items)
                if not item.hidden and item.merged_into is None
            }
            try:
                rounds = grouping.pass_around(items, ids, stage.rounds or 1, rng)
            except grouping.GroupingError:
                rounds = []
            plans = {r: {k: int(v) for k, v in a.items()} for r, a in enumerate(rounds, 1)}
            if not plans:
                plans = {r: {} for r in range(1, (stage.rounds or 1) + 1)}
        await self.storage.save_seatings(live.id, stage.step_id, plans, now_ms(), replace=replace)

    def _form(
        self, live: LiveEvent, step: GroupsStep, people: list[ParticipantRow], rng: random.Random
    ) -> tuple[grouping.Group, ...]:
        ids = [str(p.id) for p in people]
        if step.merge:
            previous = self.storage.seating(live.id, step.merge, 0) or []
            merged = grouping.merge_groups(_groups_from(previous), step.factor)
            seated = {m for g in merged for m in g.members}
            late = [i for i in ids if i not in seated]
            return self._add(merged, late)
        attribute = None
        if step.balance_by == "role":
            attribute = {str(p.id): p.role for p in people}
        elif step.balance_by == "organisation":
            attribute = {str(p.id): str(p.profile.get("organisation", "")) for p in people}
        # self-selected groups: people's choices wait under round -1 of the groups step
        chosen = self.storage.seating(live.id, live.stage.step_id, -1) or {}
        choices = {str(k): v for k, v in chosen.items()}
        return grouping.form_groups(
            ids,
            rng=rng,
            size=step.size,
            else_size=step.else_size,
            count=step.count,
            mode=step.mode,
            attribute=attribute,
            choices=choices,
        )

    @staticmethod
    def _add(groups: tuple[grouping.Group, ...], late: Sequence[str]) -> tuple[grouping.Group, ...]:
        tables = [list(g.members) for g in groups] or [[]]
        for person in late:
            min(tables, key=len).append(person)
        return tuple(grouping.Group(t, tuple(m)) for t, m in enumerate(tables, start=1) if m)

    @one_at_a_time
    async def add_late(self, live: LiveEvent, present: Sequence[int]) -> int:
        """Seat people who arrived after the groups were made, in the smallest groups."""
        stage = live.stage
        plan = self.storage.seating(live.id, stage.step_id, _round_of(stage))
        if plan is None or not isinstance(live.plan.step(stage), GroupsStep):
            return 0
        groups = _groups_from(plan)
        seated = {m for g in groups for m in g.members}
        step = live.plan.step(stage)
        who = step.who if isinstance(step, GroupsStep) else VOTERS
        late = [str(p.id) for p in self._people(live, present, who) if str(p.id) not in seated]
        if late:
            await self.storage.save_seatings(
                live.id, stage.step_id, {0: _groups_json(self._add(groups, late))}, now_ms()
            )
        return len(late)

    def _rotation(
        self, live: LiveEvent, step: RotateStep, ids: list[str], rng: random.Random, rounds: int
    ) -> dict[int, Any]:
        base = (
            _groups_from(self.storage.seating(live.id, step.groups, 0) or []) if step.groups else ()
        )
        if step.scheme == "stations":
            stations = self._stations(live, step)
            if not stations or not base:
                return {r + 1: [] for r in range(rounds)}
            visits = grouping.station_rotation(len(base), len(stations), rounds)
            return {
                r + 1: _groups_json(
                    base,
                    {
                        g.table: {
                            "station": stations[s - 1][0],
                            "station_label": stations[s - 1][1],
                        }
                        for g, s in zip(base, visits[r], strict=True)
                    },
                )
                for r in range(rounds)
            }
        if step.scheme == "troika":
            per_round = grouping.troika_rounds(base, rounds)
            return {r + 1: _groups_json(groups) for r, groups in enumerate(per_round)}
        if step.scheme == "pairs":
            schedule = grouping.pair_rounds(ids, rounds, rng)
        else:
            hosts: list[str] = []
            if step.scheme == "world_cafe":
                hosts = grouping.world_cafe_hosts(ids, step.size, rng)
            schedule = grouping.mixing_rounds(
                ids, rounds, rng, size=step.size, hosts=hosts, work=LIVE_SEARCH_WORK
            )
        return {r + 1: _groups_json(groups) for r, groups in enumerate(schedule)}

    @staticmethod
    def _stations(live: LiveEvent, step: RotateStep) -> list[tuple[str, Any]]:
        if step.stations == "projects":
            return [(p.id, p.title) for p in live.plan.projects]
        return [(o.id, o.label) for o in step.stations or []]

    # --- what people see ---------------------------------------------------------------------

    @one_at_a_time
    async def choose(self, live: LiveEvent, participant: ParticipantRow, choice: object) -> str:
        """A participant picks a table or topic before self-selected groups are formed."""
        step = live.plan.step(live.stage)
        if not isinstance(step, GroupsStep) or step.mode != "self" or not step.choices:
            raise ValueError("no_choice")
        if self.storage.seating(live.id, live.stage.step_id, 0) is not None:
            raise ValueError("groups_formed")
        if choice not in {o.id for o in step.choices}:
            raise ValueError("unknown_option")
        chosen = self.storage.seating(live.id, live.stage.step_id, -1) or {}
        chosen[str(participant.id)] = choice
        await self.storage.save_seatings(live.id, live.stage.step_id, {-1: chosen}, now_ms())
        await self.announcer.announce(TallyChanged(live.code))
        return str(choice)

    async def score(
        self, live: LiveEvent, participant: ParticipantRow, card: object, value: object
    ) -> int:
        """A pass-around score for the card this participant holds this round."""
        stage = live.stage
        step = live.plan.step(stage)
        if not isinstance(step, PassStep) or stage.round is None:
            raise ValueError("input_not_current")
        plan = self.storage.seating(live.id, stage.step_id, stage.round) or {}
        if not isinstance(card, int) or plan.get(str(card)) != participant.id:
            raise ValueError("not_your_card")
        if (
            isinstance(value, bool)
            or not isinstance(value, int)
            or not (step.scale[0] <= value <= step.scale[1])
        ):
            raise ValueError("out_of_scale")
        await self.storage.put_score(
            live.id, stage.step_id, stage.round, card, participant.id, value
        )
        await self.announcer.announce(TallyChanged(live.code))
        return value

    def cards_problem(self, live: LiveEvent) -> dict[str, int] | None:
        """At a pass-around round where no card could be dealt (too few readers who did not
        write them), what the console says: how many cards, how many rounds."""
        stage = live.stage
        step = live.plan.step(stage)
        if not isinstance(step, PassStep) or stage.round is None:
            return None
        if self.storage.seating(live.id, stage.step_id, stage.round) != {}:
            return None  # dealt, or not yet seated
        cards = [
            i
            for i in self.storage.items(live.id, step.items)
            if not i.hidden and i.merged_into is None
        ]
        return {"cards": len(cards), "rounds": stage.rounds or 1} if cards else None

    def totals(self, live: LiveEvent, pass_step: str) -> ScoreTotals:
        """Total score and number of scores per card of a pass-around."""
        rows = self.storage.scores(live.id, pass_step)
        totals = grouping.sum_scores([(str(item), score) for _, item, _, score in rows])
        counts: dict[str, int] = {}
        for _, item, _, _ in rows:
            counts[str(item)] = counts.get(str(item), 0) + 1
        return ScoreTotals(totals, counts)

    def tables(self, live: LiveEvent, lang: str) -> list[dict[str, Any]]:
        """The current stage's tables with names, for the screen and the console."""
        stage = live.stage
        if stage.kind not in ("groups", "rotate"):
            return []
        plan = self.storage.seating(live.id, stage.step_id, _round_of(stage)) or []
        names = {p.id: p.name for p in self.storage.participants(live.id)}
        fallback = live.format.lang
        return [
            {
                "table": t["table"],
                "names": [names[m] for m in t["members"] if names.get(m)],
                "size": len(t["members"]),
                "roles": {names.get(int(k)) or "·": v for k, v in t.get("roles", {}).items()},
                "station": localise(t.get("station_label"), lang, fallback) or None,
            }
            for t in plan
        ]

    def seats(self, live: LiveEvent, lang: str) -> dict[int, dict[str, Any]]:
        """What every phone shows at the current stage, by participant id, computed in one go
        and kept until the stage or the seating version (plans, scores, people, names)
        changes."""
        if live.stage.kind not in SEATED_KINDS:
            # nobody sits anywhere: no read (every page of a joining phone asks)
            return {}
        # the version is read before the seats: a commit in between costs a recomputation
        key = (live.state.revision, self.storage.seating_version(live.id))
        cached = self._cache.get((live.code, lang))
        if cached is not None and cached[0] == key:
            return cached[1]
        seats = self._seats(live, lang)
        self._cache[(live.code, lang)] = (key, seats)
        return seats

    def _seats(self, live: LiveEvent, lang: str) -> dict[int, dict[str, Any]]:
        stage = live.stage
        base: dict[str, Any] = {"step": stage.step_id, "round": stage.round}
        plan = self.storage.seating(live.id, stage.step_id, _round_of(stage))
        people = self.storage.participants(live.id)
        if plan is None:
            return {p.id: {**base, "waiting": True} for p in people}
        step = live.plan.step(stage)
        out: dict[int, dict[str, Any]] = {}
        if isinstance(step, PassStep):
            fields = live.format.input_steps()[step.items].fields
            texts = {
                i.id: item_label(fields, i.fields, 400)
                for i in self.storage.items(live.id, step.items)
            }
            given = {
                (p, i): s
                for r, i, p, s in self.storage.scores(live.id, stage.step_id)
                if r == stage.round
            }
            for item, reader in plan.items():
                card = int(item)
                out[reader] = {
                    **base,
                    "card": {
                        "id": card,
                        "text": texts.get(card, ""),
                        "score": given.get((reader, card)),
                    },
                    "scale": list(step.scale),
                }
            return {p.id: out.get(p.id, {**base, "card": None}) for p in people}
        names = {p.id: p.name for p in people}
        fallback = live.format.lang
        feedback = step.feedback if isinstance(step, RotateStep) else None
        for table in plan:
            station = localise(table.get("station_label"), lang, fallback) or None
            asked = None
            if feedback and table.get("station") in live.plan.lineup:
                asked = {
                    "project": table["station"],
                    "fields": fields_view(feedback.fields, lang, fallback),
                }
            for member in table["members"]:
                others = [names.get(m) or "" for m in table["members"] if m != member]
                out[member] = {
                    **base,
                    "table": table["table"],
                    "with": [n for n in others if n],
                    "unnamed": sum(1 for n in others if not n),
                    "role": table.get("roles", {}).get(str(member)),
                    "station": station,
                    "feedback": asked,
                }
        # holders of a demo fair stay at their stand: tell them which group comes now
        visiting = {t.get("station"): t["table"] for t in plan if t.get("station")}
        for person in people:
            if person.project_id in visiting and person.id not in out:
                out[person.id] = {**base, "stand": True, "visitors": visiting[person.project_id]}
        return {p.id: out.get(p.id, {**base, "table": None}) for p in people}

    def tables_of(self, live: LiveEvent, groups_step: str) -> dict[int, tuple[int, frozenset[int]]]:
        """Who sat with whom at a groups step: person id -> (table, the table's members)."""
        key = (live.code, groups_step)
        version = self.storage.seating_version(live.id)
        cached = self._tables.get(key)
        if cached is not None and cached[0] == version:
            return cached[1]
        out: dict[int, tuple[int, frozenset[int]]] = {}
        for table in self.storage.seating(live.id, groups_step, 0) or []:
            members = frozenset(int(m) for m in table["members"])
            for member in members:
                out[member] = (int(table["table"]), members)
        self._tables[key] = (version, out)
        return out

    def seat_of(
        self, live: LiveEvent, participant: ParticipantRow, lang: str
    ) -> dict[str, Any] | None:
        return self.seats(live, lang).get(participant.id)


@dataclass(frozen=True)
class ScoreTotals:
    """A pass-around's outcome: total score and number of scores per card id."""

    totals: dict[str, int]
    counts: dict[str, int]

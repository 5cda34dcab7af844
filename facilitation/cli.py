"""The `facilitation` command: serve, check, schema, tally, match, rounds, loadtest.

Each command is a pair: `_add_<name>(subparsers)` declares its flags and `_run_<name>(args)`
does the work and returns the exit status. Imports are done inside the runners so that
`facilitation check` does not pay for starting the web stack.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from facilitation.core.languages import LANGUAGES
from facilitation.settings import Settings, resource_dir

if TYPE_CHECKING:
    from facilitation.core.voting import Count, Method

Runner = Callable[[argparse.Namespace], int]


def _add_serve(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("serve", help="run the live server (organiser home, or the event of FORMAT)")
    p.add_argument("format", nargs="?", help="a format file, or the id of a shipped format")
    p.add_argument("--roster", help="projects roster (YAML or CSV); default: a demo roster")
    p.add_argument(
        "--param",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="set a format parameter (repeatable)",
    )
    p.add_argument(
        "--db",
        default=os.environ.get("FACILITATION_DB") or "facilitation.sqlite3",
        help="a SQLite file, or postgresql://user:password@host:port/name "
        "(default: $FACILITATION_DB, else %(default)s)",
    )
    p.add_argument(
        "--redis",
        default=os.environ.get("FACILITATION_REDIS") or None,
        help="redis://host:port/0 shared by several server processes of one PostgreSQL "
        "database (default: $FACILITATION_REDIS, else one process on its own)",
    )
    p.add_argument("--host", default="0.0.0.0", help="address to listen on (default: %(default)s)")  # noqa: S104
    p.add_argument("--port", type=int, default=8000, help="port (default: %(default)s)")
    p.add_argument(
        "--public-url",
        help="base URL phones use to reach this machine (default: http://<LAN address>:<port>)",
    )
    p.add_argument(
        "--max-sockets-per-event",
        type=int,
        default=Settings.max_sockets_per_event,
        help="anonymous sockets (phones, projectors) per event; 0: no cap (%(default)s)",
    )
    p.add_argument(
        "--max-screens-per-event",
        type=int,
        default=Settings.max_screens_per_event,
        help="projectors without the facilitator's cookie per event (%(default)s)",
    )
    p.add_argument(
        "--max-sockets-per-address",
        type=int,
        default=Settings.max_sockets_per_address,
        help="anonymous sockets from one address; raise it when phones share a NAT (%(default)s)",
    )
    p.add_argument(
        "--header-timeout",
        type=float,
        default=Settings.header_timeout_s,
        help="seconds a client has to send a request's headers (%(default)s)",
    )
    p.add_argument(
        "--max-connections",
        type=int,
        default=Settings.max_connections,
        help="connections held at once before answering 503 (%(default)s)",
    )
    p.add_argument("--new", action="store_true", help="start a new event, do not resume")
    p.add_argument("--lang", choices=LANGUAGES, help="default language of the pages")
    p.add_argument(
        "--formats-dir",
        help="where the organiser's own formats are kept (default: facilitation-formats/ "
        "next to the database)",
    )
    p.add_argument(
        "--new-phones-per-minute",
        type=float,
        default=5,
        metavar="N",
        help="new identities one client address may make a minute, N at once (default: "
        "%(default)s; 0: no limit, e.g. for a load test from one machine)",
    )
    p.add_argument(
        "--trust-forwarded-for",
        action="store_true",
        help="behind a reverse proxy: take the client address from X-Forwarded-For",
    )
    # for tests: a phone that stops answering pings is dropped in seconds, not a minute
    p.add_argument("--ping-interval", type=float, default=None, help=argparse.SUPPRESS)
    p.add_argument(
        "--session-hours",
        type=float,
        default=12.0,
        help="how long a facilitator or organiser stays signed in (default: %(default)s)",
    )
    p.add_argument(
        "--trust-proxy",
        action="store_true",
        help="an HTTPS reverse proxy is in front: believe its X-Forwarded-Proto",
    )
    p.set_defaults(run=_run_serve)


def _run_serve(args: argparse.Namespace) -> int:
    from facilitation.serving import serve_command

    return serve_command(args)


def _add_check(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("check", help="validate format files; prints file:line:column: message")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.set_defaults(run=_run_check)


def _run_check(args: argparse.Namespace) -> int:
    from facilitation.core.formats import FormatError
    from facilitation.readers.formats import load_format_file
    from facilitation.settings import resource_dir

    status = 0
    for name in args.files:
        try:
            fmt = load_format_file(name, None, resource_dir("formats"))
        except FormatError as error:
            status = 1
            for problem in error.problems:
                print(problem.render(), file=sys.stderr)
        else:
            print(f"{name}: ok ({fmt.id} {fmt.version}, {len(fmt.steps)} steps)")
    return status


def _add_schema(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("schema", help="print the JSON Schema of the format language")
    p.set_defaults(run=_run_schema)


def _run_schema(args: argparse.Namespace) -> int:
    import json

    from facilitation.core.formats import format_json_schema

    print(json.dumps(format_json_schema(), indent=2, ensure_ascii=False))
    return 0


def _add_loadtest(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "loadtest", help="simulate N phones against a running server and print latency figures"
    )
    p.add_argument("console_url", help="the facilitator console URL printed by `serve` (with key)")
    p.add_argument("--phones", type=int, default=500, help="simulated phones (%(default)s)")
    p.add_argument("--steps", type=int, default=5, help="step changes to time (%(default)s)")
    p.add_argument(
        "--generators",
        "--processes",
        type=int,
        default=1,
        help="load-generator processes sharing the phones (default: %(default)s)",
    )
    p.add_argument(
        "--db",
        help="the server's database (SQLite file or postgresql://…): stored ballots are counted "
        "there, read-only",
    )
    p.add_argument(
        "--timeout",
        type=float,
        default=60.0,
        help="seconds any one wait may take before the run stops saying so (%(default)s)",
    )
    p.add_argument(
        "--reconnect-storm",
        action="store_true",
        help="at the end, every phone drops its socket and comes back at once",
    )
    p.add_argument(
        "--hold",
        type=float,
        default=0.0,
        help="seconds the phones stay idle after joining, across the server's pings (0)",
    )
    p.add_argument("--json", help="also write the figures to this JSON file")
    p.set_defaults(run=_run_loadtest)


def _run_loadtest(args: argparse.Namespace) -> int:
    from facilitation.loadtest import loadtest_command

    return loadtest_command(args)


def _add_match(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "match",
        help="matchmaking from spreadsheets: roster + wishes -> meetings in slots and tables",
    )
    p.add_argument("participants", metavar="PARTICIPANTS.csv", help="roster (role partner offers)")
    p.add_argument("--wishes", metavar="WISHES.csv", help="wishes: from,to,level (must|want|no)")
    p.add_argument("--partners", action="append", default=[], metavar="YAML", help="more partners")
    p.add_argument("--projects", action="append", default=[], metavar="YAML", help="more projects")
    p.add_argument("--tags", metavar="YAML", help="tag vocabulary: unknown tags become errors")
    p.add_argument("--slots", type=int, required=True, help="number of time slots")
    p.add_argument("--tables", type=int, help="tables per slot (default: as many as needed)")
    p.add_argument("--min-meetings", type=int, default=0, help="soft minimum per person")
    p.add_argument("--max-meetings", type=int, help="maximum per person (default: one per slot)")
    p.add_argument("--seed", type=int, default=0, help="breaks ties (default: %(default)s)")
    p.add_argument(
        "--time-limit",
        type=float,
        default=60.0,
        metavar="SECONDS",
        help="for the exact model, when needed; reaching it prints the gap (default: %(default)s)",
    )
    p.add_argument("-o", "--output", required=True, metavar="MEETINGS.csv", help="'-' for stdout")
    p.add_argument("--xlsx", metavar="FILE", help="also write meetings, people and statistics")
    p.add_argument("--json", metavar="FILE", help="also write the whole result as JSON")
    p.add_argument("--html", metavar="FILE", help="also write printable agendas, one page each")
    p.add_argument("--ics-dir", metavar="DIR", help="also write one calendar per person")
    p.add_argument("--start", help="first slot's start, e.g. 2026-06-12T18:00 (needed for ICS)")
    p.add_argument("--slot-minutes", type=int, default=15, help="(default: %(default)s)")
    p.add_argument("--event-id", help="keeps calendar UIDs stable between downloads")
    p.add_argument("--title", default="Meetings", help="title of agendas and calendars")
    p.set_defaults(run=_run_match)


def _run_match(args: argparse.Namespace) -> int:
    from datetime import datetime, timedelta
    from pathlib import Path

    from facilitation.core.matchmaking import MatchConfig, MatchError, run_draft
    from facilitation.exports import schedules
    from facilitation.exports.match_files import MatchFiles, write_match_files
    from facilitation.readers.matchmaking import (
        MatchFileError,
        merge_profiles,
        read_participants_csv,
        read_profiles_yaml,
        read_tags_yaml,
        read_wishes_csv,
    )

    def fail(message: str) -> int:
        print(f"facilitation match: error: {message}", file=sys.stderr)
        return 1

    try:
        start = datetime.fromisoformat(args.start) if args.start else None
    except ValueError:
        return fail(f"--start {args.start!r} is not a date and time like 2026-06-12T18:00")
    if args.ics_dir and start is None:
        return fail("--ics-dir needs --start (calendars need dates)")
    if args.slot_minutes < 1:
        return fail("--slot-minutes must be at least 1")
    if not args.time_limit > 0:
        return fail("--time-limit must be a positive number of seconds")
    slot_length = timedelta(minutes=args.slot_minutes)
    try:
        config = MatchConfig(
            slots=args.slots,
            tables=args.tables,
            min_meetings=args.min_meetings,
            max_meetings=args.max_meetings,
            seed=args.seed,
        )
        tags = read_tags_yaml(args.tags) if args.tags else None
        roster = read_participants_csv(args.participants, slots=args.slots, tags=tags)
        groups = [(args.participants, roster)]
        for f in args.partners:
            groups.append((f, read_profiles_yaml(f, "offer", slots=args.slots, tags=tags)))
        for f in args.projects:
            groups.append((f, read_profiles_yaml(f, "need", slots=args.slots, tags=tags)))
        profiles = merge_profiles(groups)
        known = {p.id for p in profiles}
        wishes = read_wishes_csv(args.wishes, known) if args.wishes else []
        draft = run_draft(profiles, wishes, config, time_limit=args.time_limit)
    except MatchFileError as error:
        for problem in error.problems:
            print(problem, file=sys.stderr)
        return 1
    except MatchError as error:
        return fail(str(error))

    report = sys.stderr if args.output == "-" else sys.stdout
    try:
        if args.output == "-":
            sys.stdout.write(schedules.meetings_csv(draft, start, slot_length))
        event_id = args.event_id or (
            f"{Path(args.participants).stem}-{start:%Y%m%d}" if start is not None else ""
        )
        write_match_files(
            draft,
            MatchFiles(
                csv=None if args.output == "-" else Path(args.output),
                xlsx=Path(args.xlsx) if args.xlsx else None,
                json=Path(args.json) if args.json else None,
                html=Path(args.html) if args.html else None,
                calendars=Path(args.ics_dir) if args.ics_dir else None,
            ),
            start,
            slot_length,
            title=args.title,
            event_id=event_id,
            style=(resource_dir("static") / "css" / "print.css").read_text(encoding="utf-8")
            if args.html
            else "",
        )
    except OSError as error:
        return fail(f"cannot write {error.filename or 'output'}: {error.strerror or error}")

    print(schedules.statistics_text(draft), end="", file=report)
    for item in draft.unplaced[:20]:
        c = item.candidate
        print(f"not placed: {c.a}–{c.b}: {item.problem}", file=report)
    if len(draft.unplaced) > 20:
        print(f"not placed: {len(draft.unplaced) - 20} more (see --json)", file=report)
    return 0


def _tally_methods() -> dict[str, tuple[Method, Count]]:
    """The methods a ballots file can be counted by, as the command line names them: dashed, and
    a ranking by how it is counted. A rubric needs its criteria, which the file does not give."""
    from facilitation.core.voting import COUNTS, METHODS

    names: dict[str, tuple[Method, Count]] = {}
    for method in METHODS:
        if method == "ranking":
            names.update({count: (method, count) for count in COUNTS})
        elif method != "rubric":
            names[method.replace("_", "-")] = (method, "borda")
    return names


def _add_tally(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from facilitation.core.voting import TIE_BREAKS

    p = sub.add_parser("tally", help="count a ballots CSV (one row per ballot) and print JSON")
    p.add_argument("--method", required=True, choices=list(_tally_methods()))
    p.add_argument("ballots", metavar="BALLOTS.csv")
    p.add_argument("--budget", type=int, default=None, help="dots: points per voter")
    p.add_argument("--cap", type=int, default=None, help="dots: most points on one option")
    p.add_argument("--scale", default="1-5", help="rating: LOW-HIGH (default: %(default)s)")
    p.add_argument("--grades", default=None, help="majority judgment: labels, best first")
    p.add_argument("--min-choices", type=int, default=None, help="approval: fewest options")
    p.add_argument("--max-choices", type=int, default=None, help="approval/ranking: most")
    p.add_argument("--tie-break", choices=TIE_BREAKS, default="none")
    p.add_argument("--seed", type=int, default=0, help="for --tie-break random")
    p.set_defaults(run=_run_tally)


def _run_tally(args: argparse.Namespace) -> int:
    import json

    from facilitation.core.voting import DEFAULT_GRADES, VoteSpec, tally
    from facilitation.readers.ballots import BallotFileError, read_ballots_csv
    from facilitation.readers.tables import read_text

    method, count = _tally_methods()[args.method]
    try:
        low, high = (int(x) for x in args.scale.split("-", 1))
    except ValueError:
        print(
            f"facilitation: --scale expects LOW-HIGH like 1-5, got {args.scale!r}", file=sys.stderr
        )
        return 1
    grades = tuple(g.strip() for g in args.grades.split(",")) if args.grades else DEFAULT_GRADES

    def spec_for(options: tuple[str, ...]) -> VoteSpec:
        return VoteSpec(
            method=method,
            options=options,
            min_choices=args.min_choices if args.min_choices is not None else 0,
            max_choices=args.max_choices,
            budget=args.budget if args.budget is not None else 10**9,
            cap=args.cap,
            scale=(low, high),
            grades=grades,
            count=count,
            allow_abstain=True,
            tie_break=args.tie_break,
        )

    try:
        text = read_text(args.ballots)
        spec, ballots = read_ballots_csv(text, args.ballots, method, spec_for)
    except OSError as error:
        print(f"facilitation: {args.ballots}: {error.strerror}", file=sys.stderr)
        return 1
    except UnicodeDecodeError:
        print(f"facilitation: {args.ballots}: not UTF-8 text", file=sys.stderr)
        return 1
    except BallotFileError as error:
        print(f"facilitation: {error}", file=sys.stderr)
        return 1
    result = tally(spec, ballots, seed=args.seed)
    print(
        json.dumps(
            {"options": list(spec.options), **result.to_json()}, ensure_ascii=False, indent=2
        )
    )
    return 0


def _add_rounds(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from facilitation.core.grouping.plans import SCHEMES

    p = sub.add_parser("rounds", help="seating plan for rounds ahead of the day -> PLAN.csv")
    p.add_argument(
        "--people", required=True, metavar="N|PARTICIPANTS.csv", help="how many, or names"
    )
    p.add_argument("--scheme", required=True, choices=SCHEMES)
    p.add_argument("--size", type=int, help="people per table (pairs: 2)")
    p.add_argument("--rounds", type=int, help="(default: 3, pairs 5; troika and stations: theirs)")
    p.add_argument("--seed", type=int, default=0, help="same seed, same plan (%(default)s)")
    p.add_argument("-o", "--output", required=True, metavar="PLAN.csv", help="'-' for stdout")
    p.add_argument("--format", choices=("csv", "html"), default="csv", help="(%(default)s)")
    p.add_argument("--title", help="title of the printed plan")
    p.add_argument("--lang", choices=LANGUAGES, default="en", help="(%(default)s)")
    p.set_defaults(run=_run_rounds)


def _run_rounds(args: argparse.Namespace) -> int:
    from facilitation.rounds import rounds_command

    return rounds_command(args)


# Commands owned by the voting and matchmaking modules register below.

COMMANDS: list[Callable[[argparse._SubParsersAction[argparse.ArgumentParser]], None]] = [
    _add_serve,
    _add_check,
    _add_schema,
    _add_loadtest,
    _add_tally,
    _add_match,
    _add_rounds,
]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="facilitation",
        description="Live events and workshops from reusable YAML formats.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for add in COMMANDS:
        add(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    run: Runner = args.run
    try:
        return run(args)
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

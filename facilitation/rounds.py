"""`facilitation rounds`: a seating plan printed before the day, from a number of people or a
list of names, with how good it is (repeat encounters, the fewest possible, the best known)."""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

from facilitation.i18n import mark as _
from facilitation.i18n import translations


def rounds_command(args: argparse.Namespace) -> int:
    from facilitation.core.grouping import GroupingError
    from facilitation.core.grouping.plans import seating_plan
    from facilitation.exports.seating_plans import plan_csv, plan_html
    from facilitation.readers.people import PeopleFileError, read_people_csv
    from facilitation.settings import resource_dir

    tr = translations(args.lang)

    def say(msgid: str, **params: object) -> str:
        return tr.gettext(msgid) % params if params else tr.gettext(msgid)

    def fail(text: str, **params: object) -> int:
        print(
            say(_("facilitation rounds: error: %(message)s"), message=say(text, **params)),
            file=sys.stderr,
        )
        return 1

    if args.people.isdigit():
        count = int(args.people)
        ids = [str(i) for i in range(1, count + 1)]
        names = {i: i for i in ids}
    else:
        try:
            listed = read_people_csv(args.people)
        except PeopleFileError as error:
            return fail(error.message, **error.params)
        # people are told apart by their row: two people may share a name
        ids = [str(i) for i in range(1, len(listed) + 1)]
        names = dict(zip(ids, listed, strict=True))
    if len(ids) < 2:
        return fail(_("--people: at least 2 people are needed, got %(n)d"), n=len(ids))
    size = 2 if args.scheme == "pairs" and args.size is None else args.size
    if size is None:
        return fail(_("--size is needed for the %(scheme)s scheme"), scheme=args.scheme)
    if size < 2:
        return fail(_("--size must be at least 2"))
    if args.rounds is not None and args.rounds < 1:
        return fail(_("--rounds must be at least 1"))
    if args.rounds is not None and args.rounds > 1000:
        return fail(_("--rounds must be at most 1000"))
    try:
        plan = seating_plan(ids, args.scheme, size, random.Random(args.seed), args.rounds)
    except GroupingError as error:
        return fail(str(error))
    title = args.title or say(_("Seating plan"))
    if args.format == "html":
        rules = (resource_dir("static") / "css" / "print.css").read_text(encoding="utf-8")
        document = plan_html(plan, names, title=title, lang=args.lang, style=rules)
    else:
        document = plan_csv(plan, names)
    report = sys.stderr if args.output == "-" else sys.stdout
    try:
        if args.output == "-":
            sys.stdout.write(document)
        else:
            Path(args.output).write_text(document, encoding="utf-8", newline="")
    except OSError as error:
        return fail(
            _("cannot write %(file)s: %(reason)s"),
            file=args.output,
            reason=error.strerror or str(error),
        )
    known = say(_("unknown")) if plan.best_known is None else str(plan.best_known)
    print(
        say(
            _("%(people)d people, %(rounds)d rounds (%(scheme)s, tables of %(size)d)"),
            people=len(ids),
            rounds=len(plan.rounds),
            scheme=args.scheme,
            size=size,
        ),
        file=report,
    )
    print(say(_("repeat encounters: %(n)d"), n=plan.repeats), file=report)
    print(say(_("lower bound: %(n)d"), n=plan.lower_bound), file=report)
    print(say(_("best known: %(value)s"), value=known), file=report)
    return 0

"""The exports of a fixed seeded event stay byte for byte what they were before they were made
faster (caches of reasons, times and names; rows shared between files; meetings built
directly): a change of output here is a change of behaviour, not of speed.

The digests were taken from the code before those changes. When an export is meant to change,
recompute them with `digests()` and say why in the commit.
"""

from __future__ import annotations

import hashlib
import importlib.util
import io
import zipfile
from collections.abc import Callable
from dataclasses import fields
from datetime import UTC, datetime, timedelta
from pathlib import Path

from facilitation.core.matchmaking import (
    Candidate,
    MatchConfig,
    Profile,
    Wish,
    publish_draft,
    remove_meeting,
    run_draft,
)
from facilitation.core.matchmaking.scheduling import Meeting, meeting_at
from facilitation.exports import calendars, printed, schedules

_BENCH = Path(__file__).parent / "bench" / "bench_matchmaking.py"

EXPECTED = {
    "en-no-start.csv": "be4ffda1f9dc9ca74a596058c1e015bd2e9606136d2db9234c3eb70a0f31a67a",
    "en-no-start.html": "d1cb367c9ba41c068656928b26cc96e624c1fbe68d9ee4c9cea1b27bbd6de727",
    "en.csv": "c72fff0f83b65ce97abfc7e87aaa7786e88777378562d65d206ecf06fe5e923e",
    "en.html": "a96bbb61231a722c494b3ec1ce7badfc5afe5ce72d99a880fb968907ca62bd4f",
    "en.ics": "77716b7794936446fb57c2d6c009a0a5bbd30e36f09079f5458ff0497d4a1e17",
    "en.json": "2a6341f04cd028b36d8f15ea80f97cfcbfd98712eafd771e55a6d273a636fcd7",
    "en.xlsx/[Content_Types].xml": "93b1a041fd728e5573ba1bdcd5756c290caaa0ef266f48157893b5b72524390a",
    "en.xlsx/_rels/.rels": "9f96bb683e71c45171c7ae310bf6c37fb5a834bb9738497ac7084c42ac9c2d9a",
    "en.xlsx/xl/_rels/workbook.xml.rels": "5c0a06c976deebaa9dacfb2e86d1e8e96734fa58e4563b1ea5cf648cadd4409f",
    "en.xlsx/xl/styles.xml": "a508f2716281d76bd9e0a21bb3281309ca5bc60c5a504a391c60afc3d4ca514a",
    "en.xlsx/xl/workbook.xml": "976a5077b41791a2365a6d1e9baa4fb1689137eda026a8e19eec5a013519e7f6",
    "en.xlsx/xl/worksheets/sheet1.xml": "22df3a3946d2c4096239019c82049e0d7f5d6a34a0c4dc9bc6b5df9eb5b5788e",
    "en.xlsx/xl/worksheets/sheet2.xml": "40fe28262f2f8b3418c46640dac04503fb6a901c9c6f583b37c824e78547f35e",
    "en.xlsx/xl/worksheets/sheet3.xml": "0c753f65e58bb737cb7d93381dd08076dc013dcc2132ff59a42a223fc806d6de",
    "en.xlsx/xl/worksheets/sheet4.xml": "ba7c2ab8c970dc4f6f43df4643e6401a336c25e72f72ce77d6d6d73ebec72054",
    "fr-no-start.csv": "c912682905b6981f5dbe7ebef516b3b5f204d2e14c576b5ec7168c25a5e627a5",
    "fr-no-start.html": "333381bf6b338b05df0401239c0167aa71012de045fcb1e88aa75018a6c9f86f",
    "fr.csv": "b05aaaf966df266fac0e77a364ec16e767316a672c16d4f19e5b36dd42103692",
    "fr.html": "1831c3f611af6653d65417a3c9b315db4a3c43e90daaab4a7b1699aa328ff79b",
    "fr.ics": "032e8823b8ebf1c7471d90f6d54c2a903b41fe24319f703fe852aa533f6ddb7e",
    "fr.json": "c062f1c9d1ad0f34c01b1ff58a8357eb95732e9196a5041772bcfd0c80b7019c",
    "fr.xlsx/[Content_Types].xml": "93b1a041fd728e5573ba1bdcd5756c290caaa0ef266f48157893b5b72524390a",
    "fr.xlsx/_rels/.rels": "9f96bb683e71c45171c7ae310bf6c37fb5a834bb9738497ac7084c42ac9c2d9a",
    "fr.xlsx/xl/_rels/workbook.xml.rels": "5c0a06c976deebaa9dacfb2e86d1e8e96734fa58e4563b1ea5cf648cadd4409f",
    "fr.xlsx/xl/styles.xml": "a508f2716281d76bd9e0a21bb3281309ca5bc60c5a504a391c60afc3d4ca514a",
    "fr.xlsx/xl/workbook.xml": "976a5077b41791a2365a6d1e9baa4fb1689137eda026a8e19eec5a013519e7f6",
    "fr.xlsx/xl/worksheets/sheet1.xml": "b3fb91a99d5979d307826f92a14e8ab05ac5493c620e2e1002f5c904388a39b9",
    "fr.xlsx/xl/worksheets/sheet2.xml": "40fe28262f2f8b3418c46640dac04503fb6a901c9c6f583b37c824e78547f35e",
    "fr.xlsx/xl/worksheets/sheet3.xml": "0c753f65e58bb737cb7d93381dd08076dc013dcc2132ff59a42a223fc806d6de",
    "fr.xlsx/xl/worksheets/sheet4.xml": "0b89c211b6aee1ed0b53f5e42ddd81dfe532b6ec7a8a9e5369ae1b856b6ee845",
}


def _generator() -> Callable[[int, float, int], tuple[list[Profile], list[Wish], MatchConfig]]:
    spec = importlib.util.spec_from_file_location("bench_matchmaking", _BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    generate: Callable[[int, float, int], tuple[list[Profile], list[Wish], MatchConfig]]
    generate = module.generate
    return generate


def digests() -> dict[str, str]:
    """sha256 of every export of one seeded event (some people with gaps in their slots,
    published then one meeting removed, so calendars carry a cancellation), in English and in
    French with labels that need escaping in every format."""
    profiles, wishes, config = _generator()(300, 0.4, 2)
    draft = publish_draft(run_draft(profiles, wishes, config))
    draft = remove_meeting(draft, draft.meetings[3].pair)
    start, slot = datetime(2026, 6, 12, 18, 0), timedelta(minutes=15)
    stamp = datetime(2026, 6, 1, tzinfo=UTC)
    found: dict[str, bytes] = {}
    for lang, labels in (("en", None), ("fr", {"funding": "Fonds; <100%>", "mentoring": "=m"})):
        found[f"{lang}.csv"] = schedules.meetings_csv(
            draft, start, slot, lang=lang, labels=labels
        ).encode()
        found[f"{lang}-no-start.csv"] = schedules.meetings_csv(
            draft, None, slot, lang=lang, labels=labels
        ).encode()
        xlsx = schedules.meetings_xlsx(draft, start, slot, lang=lang, labels=labels)
        with zipfile.ZipFile(
            io.BytesIO(xlsx)
        ) as archive:  # entries carry the time they were written
            for name in archive.namelist():
                found[f"{lang}.xlsx/{name}"] = archive.read(name)
        by_person = calendars.schedules_ics(
            draft,
            start,
            slot,
            event_id="e",
            stamp=stamp,
            lang=lang,
            labels=labels,
            title="Forum, 2026",
            location="Hall; B",
        )
        found[f"{lang}.ics"] = b"".join(
            k.encode() + b"\0" + by_person[k] for k in sorted(by_person)
        )
        found[f"{lang}.json"] = schedules.draft_json(
            draft, start, slot, lang=lang, labels=labels
        ).encode()
        found[f"{lang}.html"] = printed.schedules_html(
            draft, start, slot, lang=lang, labels=labels
        ).encode()
        found[f"{lang}-no-start.html"] = printed.schedules_html(
            draft, None, slot, lang=lang, labels=labels
        ).encode()
    return {name: hashlib.sha256(data).hexdigest() for name, data in sorted(found.items())}


def test_exports_of_a_seeded_event_are_unchanged() -> None:
    assert digests() == EXPECTED


def test_a_meeting_has_its_candidate_fields_and_place() -> None:
    candidate = Candidate("o1", "n1", 70, "why", "want", None, ("funding",), ())
    meeting = meeting_at(candidate, 3, 2)
    values = {f.name: getattr(candidate, f.name) for f in fields(Candidate)}
    assert meeting == Meeting(**values, slot=3, table=2)
    assert type(meeting) is Meeting and not meeting.locked and not meeting.published

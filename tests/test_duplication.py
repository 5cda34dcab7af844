"""No block of code is written twice inside the package: one place for each rule.

Six or more consecutive meaningful lines (blank lines, comments, imports and lone
punctuation left out, white space folded) standing in two places fail the test, which names
both places so the copy can be made to use the first.
"""

from __future__ import annotations

import itertools
import re
from collections import defaultdict
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "facilitation"
WINDOW = 6
THIN = re.compile(r"^[\s()\[\]{},:]*$")


def meaningful_lines(path: Path) -> list[tuple[int, str]]:
    """The lines that say something: imports (lists of names) and function signatures (a
    protocol and its implementation must repeat them) are left out with the thin lines."""
    kept = []
    skipping = False  # inside a multi-line import or a def's parameter list
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = " ".join(raw.split())
        if skipping:
            skipping = not (line.startswith(")") or line.endswith(":"))
            continue
        if line.startswith(("import ", "from ")) or line.startswith(("def ", "async def ")):
            skipping = line.endswith("(")
            continue
        if (
            not line
            or line.startswith("#")
            or THIN.match(line)
            or line in ('"""', "else:", "try:", "return", "pass")
        ):
            continue
        kept.append((number, line))
    return kept


def repeated_blocks() -> list[str]:
    seen: dict[tuple[str, ...], list[str]] = defaultdict(list)
    for path in sorted(PACKAGE.rglob("*.py")):
        lines = meaningful_lines(path)
        for start in range(len(lines) - WINDOW + 1):
            window = tuple(text for _, text in lines[start : start + WINDOW])
            place = f"{path.relative_to(PACKAGE.parent)}:{lines[start][0]}"
            seen[window].append(place)
    found = []
    for window, places in seen.items():
        files = {p.rsplit(":", 1)[0] for p in places}
        if len(places) > 1 and (len(files) > 1 or _apart(places)):
            found.append(f"{' ~ '.join(places)}: {window[0]!r}")
    return found


def _apart(places: list[str]) -> bool:
    numbers = sorted(int(p.rsplit(":", 1)[1]) for p in places)
    return any(b - a >= WINDOW for a, b in itertools.pairwise(numbers))


def test_no_block_is_written_twice() -> None:
    found = repeated_blocks()
    assert not found, "\n".join(found[:20])

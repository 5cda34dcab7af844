"""The layout keeps its design: checked by reading the package's imports.

Data flows one way: web and realtime handlers call services, services call storage and
announce; presenters shape what each audience sees; the core is pure (no I/O, no clock, no
web), which covers what a core module reaches through other modules too.
"""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "facilitation"
MAX_LINES = 500

# What a pure module may not reach, directly or through the modules it imports.
IMPURE = {
    "starlette",
    "socketio",
    "engineio",
    "jinja2",
    "sqlite3",
    "psycopg",
    "asyncpg",
    "redis",
    "uvicorn",
    "httpx",
    "aiohttp",
    "os",
    "io",
    "socket",
    "subprocess",
    "threading",
    "time",
    "datetime",
    "pathlib",
    "shutil",
    "tempfile",
    "asyncio",
    "requests",
    "secrets",
}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


@cache
def imports_of(name: str) -> frozenset[str]:
    """Modules that `name` imports, with `from facilitation.x import y` resolved to the
    module `facilitation.x.y` when y is one."""
    tree = ast.parse(MODULES[name].read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            for alias in node.names:
                if f"{node.module}.{alias.name}" in MODULES:
                    found.add(f"{node.module}.{alias.name}")
    return frozenset(found)


def reached(name: str) -> dict[str, str]:
    """Everything `name` imports, directly or not: module -> the project module importing it."""
    seen: dict[str, str] = {}
    todo = [name]
    while todo:
        current = todo.pop()
        for imported in imports_of(current):
            if imported in seen:
                continue
            seen[imported] = current
            # importing a.b.c runs a/__init__ and a/b/__init__ too
            parts = imported.split(".")
            for i in range(1, len(parts) + 1):
                parent = ".".join(parts[:i])
                if parent in MODULES and parent != name:
                    seen.setdefault(parent, current)
                    todo.append(parent)
    return seen


def in_package(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


CORE = [m for m in MODULES if in_package(m, "facilitation.core")]


def test_the_core_holds_the_pure_modules() -> None:
    expected = {"engine", "voting", "matchmaking", "grouping", "formats", "rosters", "inputs"}
    assert expected <= {m.split(".")[2] for m in CORE if m.count(".") >= 2}


@pytest.mark.parametrize("module", CORE)
def test_core_modules_reach_no_io_even_indirectly(module: str) -> None:
    bad = {
        f"{name} (via {via})"
        for name, via in reached(module).items()
        if any(in_package(name, f) for f in IMPURE)
        or (
            in_package(name, "facilitation")
            and not in_package(name, "facilitation.core")
            and name != "facilitation"  # the top package's __init__, checked below
        )
    }
    assert not bad, f"{module} reaches {sorted(bad)}"


def test_the_top_package_imports_nothing() -> None:
    """Importing any core module runs facilitation/__init__.py: it must stay empty of imports."""
    assert not imports_of("facilitation")


@pytest.mark.parametrize("module", CORE)
def test_core_modules_open_no_files(module: str) -> None:
    tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
    calls = {
        node.func.id
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
    }
    assert not calls & {"open", "print", "input"}


def test_core_modules_do_not_reach_readers() -> None:
    """Reading formats and rosters from disk is for `facilitation.readers`."""
    assert not [m for m in CORE if any(in_package(n, "facilitation.readers") for n in reached(m))]


@pytest.mark.parametrize(
    ("layer", "forbidden"),
    [
        ("facilitation.web", "facilitation.storage"),
        ("facilitation.realtime", "facilitation.storage"),
        ("facilitation.services", "facilitation.realtime"),
        ("facilitation.services", "facilitation.web"),
        ("facilitation.services", "facilitation.presenters"),
        ("facilitation.presenters", "facilitation.realtime"),
        ("facilitation.presenters", "facilitation.web"),
        ("facilitation.storage", "facilitation.services"),
        ("facilitation.storage", "facilitation.web"),
        ("facilitation.storage", "facilitation.realtime"),
        ("facilitation.exports", "facilitation.web"),
        ("facilitation.readers", "facilitation.web"),
    ],
)
def test_layers_import_only_downwards(layer: str, forbidden: str) -> None:
    bad = {
        f"{module} imports {name}"
        for module in MODULES
        if in_package(module, layer)
        for name in imports_of(module)
        if in_package(name, forbidden)
    }
    assert not bad, sorted(bad)


def test_only_storage_touches_the_database() -> None:
    users = sorted(m for m in MODULES if imports_of(m) & {"sqlite3", "psycopg", "asyncpg"})
    assert users and all(in_package(m, "facilitation.storage") for m in users), users


@pytest.mark.parametrize("module", sorted(MODULES))
def test_no_module_is_too_long_to_hold_in_one_head(module: str) -> None:
    lines = MODULES[module].read_text(encoding="utf-8").count("\n")
    assert lines <= MAX_LINES, f"{module}: {lines} lines"


def test_the_storage_interface_knows_no_database() -> None:
    """Rows and the protocol are what the rest of the code imports: no SQLite behind them."""
    storage = PACKAGE / "storage"
    for path in [storage / "__init__.py", storage / "rows.py", storage / "protocol.py"]:
        names = imports_of(module_name(path))
        assert not names & {"sqlite3", "psycopg"}, path.name
        assert not any(
            n.startswith(("facilitation.storage.sqlite", "facilitation.storage.postgres"))
            for n in names
        ), path.name


def test_only_the_place_that_opens_the_database_knows_which_one_it_is() -> None:
    """Everything else types its dependency on the `Store` protocol; `storage.opening`
    picks SQLite or PostgreSQL from `--db`, and only app.py and serving.py call it."""
    databases = ("facilitation.storage.sqlite", "facilitation.storage.postgres")
    outside = [p for p in PACKAGE.rglob("*.py") if p.relative_to(PACKAGE).parts[0] != "storage"]
    knowing = sorted(
        str(p.relative_to(PACKAGE))
        for p in outside
        if any(n.startswith(databases) for n in imports_of(module_name(p)))
    )
    assert knowing == []
    opening = sorted(
        str(p.relative_to(PACKAGE))
        for p in outside
        if "facilitation.storage.opening" in imports_of(module_name(p))
    )
    assert opening == ["app.py", "serving.py"]


def test_no_catch_all_modules() -> None:
    names = {p.stem for p in PACKAGE.rglob("*.py")}
    assert not names & {"utils", "helpers", "misc", "common"}

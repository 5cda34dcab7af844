"""The pure core does no I/O and knows nothing of the web: checked by reading its imports."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "facilitation"
PURE = ["engine", "voting", "matchmaking", "grouping"]
FORBIDDEN = {
    "starlette",
    "socketio",
    "engineio",
    "jinja2",
    "sqlite3",
    "uvicorn",
    "httpx",
    "aiohttp",
    "os",
    "socket",
    "subprocess",
    "time",
    "datetime",
    "pathlib",
    "asyncio",
    "requests",
    "facilitation.readers",
    "facilitation.storage.sqlite",
    "facilitation.realtime.hub",
    "facilitation.web",
    "facilitation.app",
    "facilitation.services.events",
    "facilitation.presenters.pages",
}


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def forbidden_imports(path: Path) -> set[str]:
    return {
        name
        for name in imported_modules(path)
        if any(name == f or name.startswith(f + ".") for f in FORBIDDEN)
    }


@pytest.mark.parametrize("module", PURE)
def test_pure_core_modules_import_no_io(module: str) -> None:
    path = PACKAGE / "core" / f"{module}.py"
    files = [path] if path.exists() else sorted((PACKAGE / "core" / module).glob("*.py"))
    assert files, f"{module} is missing"
    bad = set().union(*map(forbidden_imports, files))
    assert not bad, f"{module}.py imports {sorted(bad)}"


def test_no_core_module_reads_files() -> None:
    """Reading formats and rosters from disk is for `facilitation.readers`."""
    core = PACKAGE / "core"
    found = {
        str(path.relative_to(core)): sorted(bad)
        for path in sorted(core.rglob("*.py"))
        if (bad := forbidden_imports(path))
    }
    assert not found
    opened = [
        path.name
        for path in core.rglob("*.py")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "open"
    ]
    assert not opened


def test_formats_parsing_does_not_touch_the_web() -> None:
    names = set().union(*(imported_modules(p) for p in (PACKAGE / "core" / "formats").glob("*.py")))
    assert not {
        n for n in names if n.split(".")[0] in {"starlette", "socketio", "jinja2", "sqlite3"}
    }


def test_only_storage_touches_the_database() -> None:
    users = [p for p in PACKAGE.rglob("*.py") if "sqlite3" in imported_modules(p)]
    assert users, "nothing imports sqlite3: has the check gone blind?"
    outside = sorted(
        str(p.relative_to(PACKAGE)) for p in users if p.relative_to(PACKAGE).parts[0] != "storage"
    )
    assert not outside, f"only facilitation/storage/ may import sqlite3, not {outside}"


def test_the_storage_interface_knows_no_database() -> None:
    """Rows and the protocol are what the rest of the code imports: no SQLite behind them."""
    storage = PACKAGE / "storage"
    for path in [storage / "__init__.py", storage / "rows.py", storage / "protocol.py"]:
        names = imported_modules(path)
        assert "sqlite3" not in names, path.name
        assert not any(n.startswith("facilitation.storage.sqlite") for n in names), path.name


def test_only_the_place_that_opens_the_database_knows_sqlite_storage() -> None:
    """Everything else types its dependency on the `Store` protocol."""
    users = sorted(
        str(p.relative_to(PACKAGE))
        for p in PACKAGE.rglob("*.py")
        if p.relative_to(PACKAGE).parts[0] != "storage"
        and any(n.startswith("facilitation.storage.sqlite") for n in imported_modules(p))
    )
    assert users == ["app.py", "serving.py"]


def test_no_catch_all_modules() -> None:
    assert not list(PACKAGE.rglob("utils.py")) and not list(PACKAGE.rglob("helpers.py"))

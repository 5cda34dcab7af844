"""A non-editable install finds its templates, static files and formats wherever it lands, and
runs on the runtime dependencies pyproject.toml declares (the test extra is not installed)."""

from __future__ import annotations

import ast
import importlib.metadata
import json
import subprocess
import sys
import tomllib
from collections.abc import Iterable
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.conftest import ROOT

PROBE = """
import sys, pathlib
from starlette.testclient import TestClient
import facilitation
from facilitation.app import create_app
from facilitation.settings import Settings, resource_dir
here = pathlib.Path(facilitation.__file__).parent
for name in ("templates", "static", "formats"):
    assert resource_dir(name) == here / name, (name, resource_dir(name))
assert (here / "formats" / "carrefour-des-possibles.yaml").is_file()
assert (here / "formats" / "rosters" / "demo.yaml").is_file()
assert (here / "static" / "vendor" / "htmx-2.0.11.min.js").is_file()
assert (here / "locale" / "fr" / "LC_MESSAGES" / "messages.po").is_file()
from facilitation.storage.sqlite.schema import SCHEMA_VERSION, migrations
assert [m.version for m in migrations()] == list(range(1, SCHEMA_VERSION + 1))
assert [m.version for m in migrations("postgresql")] == list(range(1, SCHEMA_VERSION + 1))
assert (here / "storage" / "migrations" / "0001_initial.sql").is_file()
app = create_app(Settings(db_path=sys.argv[1]))
with TestClient(app) as client:
    page = client.get("/", headers={"Accept-Language": "fr"})
    assert page.status_code == 200 and "Rejoindre" in page.text, page.text[:300]
    assert client.get("/static/js/live.js").status_code == 200
import sqlite3
db = sqlite3.connect(sys.argv[1])
version = db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0]
assert version == str(SCHEMA_VERSION), version
print(here)
"""


def test_wheel_install_finds_its_resources(tmp_path: Path) -> None:
    wheels = tmp_path / "wheels"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(wheels),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
    )
    [wheel] = wheels.glob("facilitation-*.whl")
    target = tmp_path / "site"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--no-deps",
            "-q",
            "--target",
            str(target),
            str(wheel),
        ],
        check=True,
        capture_output=True,
    )
    run = subprocess.run(
        [sys.executable, "-c", PROBE, str(tmp_path / "db.sqlite3")],
        cwd=tmp_path,
        env={"PYTHONPATH": str(target), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == str(target / "facilitation")
    check = subprocess.run(
        [
            sys.executable,
            "-m",
            "facilitation",
            "check",
            str(target / "facilitation" / "formats" / "carrefour-des-possibles.yaml"),
        ],
        cwd=tmp_path,
        env={"PYTHONPATH": str(target), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert check.returncode == 0, check.stderr


def runtime_requirements() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return [Requirement(text) for text in project["dependencies"]]


def third_party_imports() -> dict[str, set[str]]:
    """Top-level names the package imports (at module level or inside functions), with the
    modules that import them, stdlib and the package itself left out."""
    found: dict[str, set[str]] = {}
    for path in sorted((ROOT / "facilitation").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                if top != "facilitation" and top not in sys.stdlib_module_names:
                    found.setdefault(top, set()).add(str(path.relative_to(ROOT)))
    return found


def test_every_third_party_import_is_a_declared_runtime_dependency() -> None:
    declared = {canonicalize_name(r.name) for r in runtime_requirements()}
    # import names differ from distribution names: yaml is PyYAML, socketio python-socketio
    providers = importlib.metadata.packages_distributions()
    imports = third_party_imports()
    assert {"starlette", "yaml", "socketio", "aiohttp"} <= set(imports)
    undeclared = {
        name: (sorted(providers.get(name, ["not installed"])), sorted(users))
        for name, users in imports.items()
        if not declared & {canonicalize_name(d) for d in providers.get(name, [])}
    }
    assert not undeclared, f"imported but not in [project].dependencies: {undeclared}"


def runtime_closure(requirements: Iterable[Requirement]) -> set[str]:
    """Distributions a plain `pip install .` brings: the declared ones, with their extras, and
    what they require in turn on this interpreter."""
    todo = [
        (r.name, extra)
        for r in requirements
        if r.marker is None or r.marker.evaluate()
        for extra in ("", *r.extras)
    ]
    seen: set[tuple[str, str]] = set()
    while todo:
        name, extra = todo.pop()
        if (canonicalize_name(name), extra) in seen:
            continue
        seen.add((canonicalize_name(name), extra))
        try:
            needs = importlib.metadata.requires(name) or []
        except importlib.metadata.PackageNotFoundError:
            continue
        for text in needs:
            need = Requirement(text)
            if need.marker is None or need.marker.evaluate({"extra": extra}):
                todo += [(need.name, e) for e in ("", *need.extras)]
    return {name for name, _ in seen}


ONLY_RUNTIME = """
import importlib, importlib.abc, importlib.metadata, json, pkgutil, re, sys
allowed = set(json.loads(sys.argv[1]))
def canonical(name):
    return re.sub(r"[-_.]+", "-", name).lower()
absent = {
    top
    for top, dists in importlib.metadata.packages_distributions().items()
    if not {canonical(d) for d in dists} & allowed
}
class Uninstalled(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] in absent:
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None
sys.meta_path.insert(0, Uninstalled())
import facilitation
modules = [m.name for m in pkgutil.walk_packages(facilitation.__path__, "facilitation.")]
for name in modules:
    if name != "facilitation.__main__":
        importlib.import_module(name)
print(len(modules))
"""


def test_every_module_imports_with_only_the_runtime_dependencies(tmp_path: Path) -> None:
    """The test extra (openpyxl, icalendar, httpx, pytest...) is here, but hidden: an import
    of anything a plain install lacks fails as it would there."""
    allowed = runtime_closure(runtime_requirements()) | {"facilitation"}
    assert {"aiohttp", "python-engineio", "uvicorn", "httptools"} <= allowed
    assert not {"openpyxl", "icalendar", "httpx", "pytest"} & allowed
    run = subprocess.run(
        [sys.executable, "-c", ONLY_RUNTIME, json.dumps(sorted(allowed))],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    assert int(run.stdout) > 40, "every module of the package was imported"

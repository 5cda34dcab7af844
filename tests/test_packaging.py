"""A non-editable install finds its templates, static files and formats wherever it lands."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

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

"""The code base stays typed and linted (mypy strict, ruff), as the developers' guide asks."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import ROOT


def test_ruff_finds_nothing() -> None:
    run = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "facilitation", "tests"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr


def test_mypy_strict_passes() -> None:
    run = subprocess.run(
        [sys.executable, "-m", "mypy", "facilitation"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr


def test_code_is_formatted_by_ruff() -> None:
    run = subprocess.run(
        [sys.executable, "-m", "ruff", "format", "--check", "facilitation", "tests"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr

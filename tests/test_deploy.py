"""The README's large-event section as written, as far as a machine without a running systemd
allows: its environment file, its first `serve` that creates the event, then two processes
started with deploy/facilitation@.service's ExecStart expanded as systemd expands it (%i,
${VAR}, $VAR), behind nginx with deploy/nginx.conf; and the unit itself read by systemd's own
checker. Only what points at this machine's own servers changes: the database and Redis
addresses, the public address, the state folder."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import httpx

from tests.cluster import Nginx
from tests.conftest import ROOT, free_port
from tests.databases import PostgresServer
from tests.redis_server import RedisServer

README = (ROOT / "README.md").read_text(encoding="utf-8")
UNIT = (ROOT / "deploy" / "facilitation@.service").read_text(encoding="utf-8")
SECTION = README.split("## A large event, or one server for many events", 1)[1].split("\n## ")[0]


def readme_env() -> dict[str, str]:
    """The environment file the README writes (its `cat >/etc/facilitation/env` block)."""
    found = re.search(r"cat >/etc/facilitation/env <<'ENV'\n(.*?)\nENV\n", SECTION, re.S)
    assert found, "the README no longer writes /etc/facilitation/env"
    pairs = (line.split("=", 1) for line in found.group(1).splitlines() if "=" in line)
    return {key: value for key, value in pairs}


def unit_value(key: str) -> str:
    """One [Service] setting, its continuation lines joined."""
    found = re.search(rf"^{key}=((?:.*\\\n)*.*)$", UNIT, re.M)
    assert found, f"deploy/facilitation@.service has no {key}="
    return re.sub(r"\\\n\s*", " ", found.group(1))


def expand(command: str, instance: str, env: dict[str, str]) -> list[str]:
    """systemd's ExecStart rules: %i is the instance; ${VAR} is one word; $VAR alone is split
    on whitespace (and an empty one is no word at all)."""
    words: list[str] = []
    for word in shlex.split(command.replace("%i", instance)):
        whole = re.fullmatch(r"\$([A-Za-z_][A-Za-z0-9_]*)", word)
        if whole:
            words += env.get(whole.group(1), "").split()
        else:
            words.append(re.sub(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}", lambda m: env[m.group(1)], word))
    return words


class Started:
    def __init__(self, command: list[str], env: dict[str, str], cwd: Path) -> None:
        self.process = subprocess.Popen(
            command,
            cwd=cwd,
            env={**os.environ, **env, "PYTHONUNBUFFERED": "1"},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.lines: list[str] = []
        assert self.process.stdout is not None
        for line in self.process.stdout:  # start-up: read until it says it is ready
            self.lines.append(line)
            if line.startswith("Press Ctrl+C"):
                return
        raise AssertionError("exited:\n" + "".join(self.lines))

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


def test_the_readme_commands_and_the_unit_serve_an_event_behind_nginx(
    postgres_server: PostgresServer, redis_server: RedisServer, tmp_path: Path
) -> None:
    env = readme_env()
    assert set(env) >= {"FACILITATION_DB", "FACILITATION_REDIS", "FACILITATION_PUBLIC_URL"}
    ports = [free_port(), free_port()]
    nginx = Nginx(ports)
    env.update(
        FACILITATION_DB=postgres_server.new_database(),
        FACILITATION_REDIS=redis_server.url,
        FACILITATION_PUBLIC_URL=nginx.base,
    )
    facilitation = [sys.executable, "-m", "facilitation"]
    # "Create the event once": the README's own command line, from the checkout
    first = re.search(
        r"\.venv/bin/facilitation (serve formats/\S+ --port )\d+ \\\n\s*(.*)\n", SECTION
    )
    assert first, "the README no longer creates the event with `serve FORMAT`"
    words = expand(first.group(1) + str(ports[0]) + " " + first.group(2), "", env)
    creating = Started([*facilitation, *words], env, ROOT)
    console = re.search(r"Facilitator console: (\S+)", "".join(creating.lines))
    creating.stop()
    assert console and console.group(1).startswith(nginx.base + "/e/")
    # the units: the state folder systemd would make, the unit's working directory
    state = tmp_path / "var-lib-facilitation"
    state.mkdir()
    assert unit_value("WorkingDirectory") == "/var/lib/facilitation"
    start = unit_value("ExecStart").replace("/var/lib/facilitation", str(state))
    binary, _, rest = start.partition(" ")
    assert binary == "/srv/facilitation/.venv/bin/facilitation"
    units = [Started([*facilitation, *expand(rest, str(p), env)], env, state) for p in ports]
    nginx.start()
    try:
        with httpx.Client(base_url=nginx.base, timeout=30, follow_redirects=True) as client:
            page = client.get(console.group(1).removeprefix(nginx.base))
            assert page.status_code == 200 and "console" in page.text
            code = re.search(r"/e/([A-Z0-9]+)/console", console.group(1))
            assert code
            answered = {
                client.get(f"/e/{code.group(1)}").headers.get("X-Upstream") for _ in range(6)
            }
            assert answered == {f"127.0.0.1:{p}" for p in ports}  # both units serve it
            home = re.search(r"Organiser home:\s+(\S+)", "".join(units[0].lines))
            assert home and home.group(1).startswith(nginx.base)
            assert client.get(home.group(1).removeprefix(nginx.base)).status_code == 200
    finally:
        for unit in units:
            unit.stop()
        nginx.stop()


def test_the_readme_needs_no_sudo_on_a_fresh_debian() -> None:
    """Debian installs no sudo by default: the README's commands run as root without it."""
    commands = "\n".join(re.findall(r"```sh\n(.*?)```", SECTION, re.S))
    assert "sudo " not in commands


def _systemd_root(folder: Path, unit: str) -> Path:
    """A file-system root where the unit is installed as the README says: systemd's own units,
    the unit in /etc/systemd/system, the environment file, the program it starts."""
    shutil.copytree("/usr/lib/systemd/system", folder / "usr/lib/systemd/system", symlinks=True)
    (folder / "etc/systemd/system").mkdir(parents=True)
    (folder / "etc/systemd/system/facilitation@.service").write_text(unit, encoding="utf-8")
    (folder / "etc/facilitation").mkdir(parents=True)
    (folder / "etc/facilitation/env").write_text("", encoding="utf-8")
    program = folder / "srv/facilitation/.venv/bin/facilitation"
    program.parent.mkdir(parents=True)
    program.write_text("#!/bin/sh\n", encoding="utf-8")
    program.chmod(0o755)
    return folder


def _verify(root: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["systemd-analyze", f"--root={root}", "verify", "--man=no", "facilitation@8001.service"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_systemd_reads_the_unit_without_a_complaint(tmp_path: Path) -> None:
    """systemd's own checker (`systemd-analyze verify`, no running systemd needed) accepts the
    unit as the README installs it: no unknown key, no bad value, a program that exists."""
    found = _verify(_systemd_root(tmp_path / "ok", UNIT))
    assert (found.returncode, found.stderr.strip()) == (0, "")
    # the checker does read it: a misspelt key is reported
    broken = _verify(_systemd_root(tmp_path / "typo", UNIT.replace("\nUser=", "\nUsr=")))
    assert "Unknown key 'Usr'" in broken.stderr

"""Several `facilitation serve` processes of one PostgreSQL database and one Redis, behind a
real nginx started with the shipped deploy/nginx.conf (only its ports, paths and user are
changed, in a temporary folder)."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from tests.conftest import CARREFOUR, ROOT, Server, free_port

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


def _listening(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


def nginx_config(template: str, folder: Path, port: int, upstreams: list[int]) -> str:
    """deploy/nginx.conf for this folder: its listen port, the processes, static files from
    the checkout, logs and temporary files in the folder."""
    servers = "".join(
        f"        server 127.0.0.1:{p} max_fails=1 fail_timeout=5s;\n" for p in upstreams
    )
    text = re.sub(
        r"(# processes begin\n).*?(\s*# processes end)",
        lambda m: m.group(1) + servers + m.group(2).lstrip("\n"),
        template,
        flags=re.S,
    )
    user = "root" if os.geteuid() == 0 else None
    text = re.sub(r"^user .*;$", f"user {user};" if user else "", text, flags=re.M)
    text = re.sub(r"^pid .*;$", f"pid {folder}/nginx.pid;", text, flags=re.M)
    text = re.sub(r"^error_log .*;$", f"error_log {folder}/error.log;", text, flags=re.M)
    text = text.replace("access_log /var/log/nginx/access.log", f"access_log {folder}/access.log")
    text = re.sub(r"listen 80 default_server;", f"listen 127.0.0.1:{port};", text)
    text = re.sub(r"\s*listen \[::\]:80 default_server;", "", text)
    text = text.replace("alias /srv/facilitation/static/;", f"alias {ROOT}/static/;")
    temps = "".join(
        f"    {name}_temp_path {folder}/{name};\n"
        for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    # which process answered a proxied request (the last one nginx tried), for the tests;
    # /static/ has add_header lines of its own and does not inherit it: nginx answers there
    text = text.replace(
        "server_name _;\n",
        "server_name _;\n        add_header X-Upstream $upstream_addr always;\n",
        1,
    )
    return text.replace("http {\n", "http {\n" + temps, 1)


@dataclass
class Nginx:
    upstreams: list[int]
    port: int = field(default_factory=free_port)
    folder: Path = field(
        default_factory=lambda: Path(tempfile.mkdtemp(prefix="facilitation-nginx-"))
    )
    process: subprocess.Popen[bytes] | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> Nginx:
        template = (ROOT / "deploy" / "nginx.conf").read_text(encoding="utf-8")
        conf = self.folder / "nginx.conf"
        conf.write_text(nginx_config(template, self.folder, self.port, self.upstreams))
        self.process = subprocess.Popen(
            [
                NGINX,
                "-p",
                str(self.folder),
                "-c",
                str(conf),
                "-e",
                str(self.folder / "error.log"),
                "-g",
                "daemon off;",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 30
        while not _listening(self.port):  # start-up only: poll the port, with a limit
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"nginx exited: {self.process.stderr.read().decode() if self.process.stderr else ''}"
                )
            assert time.monotonic() < deadline, "nginx did not listen within 30 s"
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)
        shutil.rmtree(self.folder, ignore_errors=True)


@dataclass
class Cluster:
    """`count` processes; the first one is started with the Carrefour format (it creates the
    event), the others without a format, as an operator starts them."""

    db: str
    redis: str
    count: int = 2
    format: Path = CARREFOUR
    extra: tuple[str, ...] = ()
    ports: list[int] = field(default_factory=list)
    servers: list[Server] = field(default_factory=list)
    nginx: Nginx | None = None

    def __post_init__(self) -> None:
        self.ports = [free_port() for _ in range(self.count)]
        self.nginx = Nginx(self.ports)

    @property
    def base(self) -> str:
        assert self.nginx is not None
        return self.nginx.base

    def _server(self, i: int, with_format: bool) -> Server:
        assert self.nginx is not None
        server = Server(
            self.db,
            port=self.ports[i],
            format=self.format if with_format else None,
            public=self.nginx.base,
            extra=("--redis", self.redis, "--trust-forwarded-for", *self.extra),
        )
        return server.start()

    def start(self) -> Cluster:
        assert self.nginx is not None
        self.nginx.start()
        self.start_processes()
        return self

    def start_processes(self) -> None:
        self.servers = [self._server(i, i == 0) for i in range(self.count)]

    @property
    def console_url(self) -> str:
        return self.servers[0].console_url

    @property
    def code(self) -> str:
        return self.servers[0].code

    def direct(self, i: int) -> str:
        """Process i's own address, bypassing nginx."""
        return f"http://127.0.0.1:{self.ports[i]}"

    def kill(self, i: int) -> None:
        self.servers[i].kill()

    def restart(self, i: int) -> None:
        self.servers[i].stop()
        self.servers[i] = self._server(i, False)

    def stop(self) -> None:
        for server in self.servers:
            server.stop()
        if self.nginx is not None:
            self.nginx.stop()

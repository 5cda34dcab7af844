"""The baseline: a bare python-socketio ASGI server under uvicorn, doing the project's sends.

What a phone costs the project is judged against what it costs the stack underneath. This
server answers the load test exactly as the project does, with nothing of the project behind
it: no database, no templates, no rules. It
- serves a participant page of the project's size (set a cookie, link the same stylesheet and
  scripts, served gzipped from memory with the project's own static files);
- puts each socket in its event's room, sends it a "me" and the current step;
- broadcasts a step fragment of the project's size when the facilitator clicks;
- acknowledges a ballot at once and coalesces the projector's count (four updates a second).

    python tests/bench/bare_socketio.py --port 8100

prints a console URL in the project's format ("Facilitator console: …") and then
"Press Ctrl+C", like `facilitation serve`.
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import json
import secrets
import socket
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import socketio
import uvicorn

ROOT = Path(__file__).resolve().parents[2]
CODE = "BARE01"
STAGES = 12
VOTE_STAGE = 8
OPTIONS = [f"p{i}" for i in range(8)]
ASSETS = ["css/app.css", "vendor/socket.io-4.8.4.min.js", "js/live.js", "js/participant.js"]

Scope = dict[str, Any]
Receive = Any
Send = Any


class Bare:
    def __init__(self, page_bytes: int, step_bytes: int) -> None:
        self.sio = socketio.AsyncServer(async_mode="asgi", cors_allowed_origins="*")
        self.app = socketio.ASGIApp(self.sio, other_asgi_app=self.http)
        self.stage = 0
        self.revision = 1
        self.vote_open = False
        self.ballots = 0
        self.flush_pending = False
        self.sending: asyncio.Future[None] | None = None
        self.step_bytes = step_bytes
        self.csrf = secrets.token_urlsafe(16)
        self.assets = {
            f"/static/{name}": gzip.compress((ROOT / "static" / name).read_bytes(), 9, mtime=0)
            for name in ASSETS
        }
        links = [
            f'<link rel="stylesheet" href="/static/{ASSETS[0]}?v=1">',
            *(f'<script src="/static/{name}?v=1" defer></script>' for name in ASSETS[1:]),
        ]
        head = "<!doctype html><html><head>" + "".join(links) + "</head><body><main>"
        tail = "</main></body></html>"
        self.page = (head + "x" * max(0, page_bytes - len(head) - len(tail)) + tail).encode()
        self.sio.on("connect", self.on_connect)
        self.sio.on("vote", self.on_vote)

    # --- the step a phone shows ------------------------------------------------------

    def step(self) -> dict[str, Any]:
        vote = None
        html = f'<h1 class="step-title">Stage {self.stage}</h1>'
        if self.stage == VOTE_STAGE:
            vote = {"id": "v1", "status": "open" if self.vote_open else "pending"}
            html += "".join(
                f'<label class="choice"><input type="radio" name="choice" value="{o}"'
                f' data-option="{o}"><span>{o}</span></label>'
                for o in OPTIONS
            )
        html += "<p>" + "y" * max(0, self.step_bytes - len(html) - 7) + "</p>"
        return {
            "revision": self.revision,
            "html": html,
            "announce": f"Stage {self.stage}",
            "timer": None,
            "seated": False,
            "vote": vote,
        }

    def screen(self) -> dict[str, Any]:
        return {"revision": self.revision, "html": f"<p>{self.ballots} votes</p>"}

    # --- sockets -----------------------------------------------------------------------

    async def on_connect(self, sid: str, environ: dict[str, Any], auth: object = None) -> None:
        query = parse_qs(environ.get("QUERY_STRING", ""))
        role = (query.get("role") or ["participant"])[0]
        await self.sio.enter_room(sid, f"{CODE}:{role}")
        if role == "screen":
            await self.sio.emit("screen", self.screen(), to=sid)
            return
        await self.sio.emit("me", {"fields": {}, "items": {}}, to=sid)
        await self.sio.emit("step", self.step(), to=sid)

    async def on_vote(self, sid: str, data: object = None) -> dict[str, Any]:
        self.ballots += 1
        if not self.flush_pending:
            self.flush_pending = True
            asyncio.get_running_loop().call_later(0.25, self.flush)
        return {"ok": True, "vote": "v1", "ballot": {}, "fields": {}}

    def flush(self) -> None:
        self.flush_pending = False
        self.sending = asyncio.ensure_future(
            self.sio.emit("screen", self.screen(), room=f"{CODE}:screen")
        )

    async def broadcast(self) -> None:
        self.revision += 1
        await self.sio.emit("step", self.step(), room=f"{CODE}:participant")
        await self.sio.emit("screen", self.screen(), room=f"{CODE}:screen")

    # --- HTTP --------------------------------------------------------------------------

    def console(self) -> bytes:
        return (
            f'<form><input type="hidden" name="csrf" value="{self.csrf}"></form>'
            f'<section class="current" aria-labelledby="current-title" data-kind="talk">'
            f'<div data-revision="{self.revision}"></div></section>'
            f'<li data-vote-stage="{VOTE_STAGE}" data-vote-id="v1"></li>'
        ).encode()

    async def act(self, body: bytes) -> None:
        fields = {k: v[0] for k, v in parse_qs(body.decode()).items()}
        action = fields.get("action")
        before = (self.stage, self.vote_open)
        if action == "next" and self.stage < STAGES - 1:
            self.stage += 1
            self.vote_open = False
        elif action == "jump":
            self.stage = int(fields.get("stage", "0"))
            self.vote_open = False
        elif action == "vote_open" and self.stage == VOTE_STAGE:
            self.vote_open = True
        if (self.stage, self.vote_open) != before:
            await self.broadcast()

    async def http(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            while (await receive())["type"] != "lifespan.shutdown":
                await send({"type": "lifespan.startup.complete"})
            await send({"type": "lifespan.shutdown.complete"})
            return
        path: str = scope["path"]
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        headers: list[tuple[bytes, bytes]] = [(b"content-type", b"text/html; charset=utf-8")]
        if path in self.assets:
            content = self.assets[path]
            headers = [(b"content-encoding", b"gzip"), (b"cache-control", b"max-age=31536000")]
        elif path == f"/e/{CODE}":
            content = self.page
            headers.append(
                (b"set-cookie", f"p_{CODE}={secrets.token_urlsafe(24)}; Path=/".encode())
            )
        elif path == f"/e/{CODE}/console":
            content = self.console()
            headers.append((b"set-cookie", f"f_{CODE}=bare; Path=/".encode()))
        elif path == f"/e/{CODE}/console/act":
            await self.act(body)
            content = self.console()
        elif path == f"/e/{CODE}/results.json":
            content = json.dumps({"votes": [{"vote": "v1", "ballots": self.ballots}]}).encode()
        else:
            await send({"type": "http.response.start", "status": 404, "headers": []})
            await send({"type": "http.response.body", "body": b"not found"})
            return
        headers.append((b"content-length", str(len(content)).encode()))
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": content})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=8100)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--page-bytes", type=int, default=8000, help="participant page size")
    parser.add_argument("--step-bytes", type=int, default=3000, help="pushed step size")
    args = parser.parse_args()
    bare = Bare(args.page_bytes, args.step_bytes)
    listening = socket.socket()
    listening.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listening.bind((args.host, args.port))
    listening.listen(2048)
    print(f"Facilitator console: http://{args.host}:{args.port}/e/{CODE}/console?key=bare")
    print("Press Ctrl+C to stop.", flush=True)
    config = uvicorn.Config(bare.app, log_level="warning", timeout_graceful_shutdown=2)
    uvicorn.Server(config).run(sockets=[listening])


if __name__ == "__main__":
    main()

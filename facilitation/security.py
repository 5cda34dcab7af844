"""Secrets, event codes, CSRF tokens and the security headers of every response."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from functools import lru_cache

from starlette.types import ASGIApp, Message, Receive, Scope, Send

# No 0/O, 1/I/L: codes are read off a projector and typed on phones.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 6


def new_event_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(text: str) -> str:
    """What a person typed, as a code: case, spaces and dashes forgiven."""
    return "".join(ch for ch in text.upper() if ch.isalnum())[:32]


def new_secret() -> str:
    return secrets.token_urlsafe(18)


def new_participant_token() -> str:
    return secrets.token_urlsafe(24)


def csrf_token(key: str, subject: str) -> str:
    """A form token bound to who submits (a participant token or the facilitator secret)."""
    return hmac.new(key.encode(), f"csrf:{subject}".encode(), hashlib.sha256).hexdigest()[:32]


def facilitator_subject(code: str, secret: str) -> str:
    return f"facilitator:{code}:{secret}"


def check_csrf(key: str, subject: str, token: str | None) -> bool:
    # compared as bytes: compare_digest refuses a str with non-ASCII characters (a TypeError)
    return same_secret(csrf_token(key, subject), token)


def session_value(key: str, subject: str, epoch: int, issued_at: int) -> str:
    """What a session cookie holds: when it was issued and a MAC over who it is for, that
    time and the epoch of its scope (bumped by "sign out everywhere"), never the secret."""
    mac = hmac.new(
        key.encode(), f"session:{subject}:{epoch}:{issued_at}".encode(), hashlib.sha256
    ).hexdigest()
    return f"{issued_at}.{mac}"


def session_issued_at(key: str, subject: str, epoch: int, value: str | None) -> int | None:
    """When the session in `value` was issued, if this key signed it for `subject` in this
    epoch; None otherwise (forged, for another event, signed out, or not a session)."""
    issued = (value or "").partition(".")[0]
    if not (issued.isascii() and issued.isdecimal()) or len(issued) > 12:
        return None
    at = int(issued)
    return at if same_secret(session_value(key, subject, epoch, at), value) else None


def peer_address(scope: Scope, trust_forwarded_for: bool) -> str:
    """The address a request or socket came from ("" if unknown), as per-address limits count
    it. Behind a trusted proxy, the last X-Forwarded-For entry: the one the proxy added
    (earlier ones are whatever the client sent)."""
    if trust_forwarded_for:
        for name, value in scope.get("headers") or ():
            if name == b"x-forwarded-for":
                last = str(value.decode("latin-1")).split(",")[-1].strip()
                if last:
                    return last
    client = scope.get("client")
    return str(client[0]) if client else ""


def participant_cookie(code: str) -> str:
    """The cookie that carries a phone's participant token for one event."""
    return f"p_{code}"


def facilitator_cookie(code: str) -> str:
    """The cookie that carries the facilitator's session for one event."""
    return f"f_{code}"


def same_secret(expected: str, given: str | None) -> bool:
    # surrogatepass: a lone surrogate (from a hand-made request) is a wrong secret, not an error
    return given is not None and hmac.compare_digest(
        expected.encode(), given.encode("utf-8", "surrogatepass")
    )


def content_security_policy(host: str) -> str:
    # Everything comes from this machine: no CDN, no fonts, no analytics. Socket.io's websocket
    # is named explicitly because older Safari does not count ws: as 'self'.
    connect = "'self'"
    if host and all(ch.isalnum() or ch in ".-:[]" for ch in host):
        connect += f" ws://{host} wss://{host}"
    return (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        f"connect-src {connect}; font-src 'self'; object-src 'none'; base-uri 'none'; "
        "form-action 'self'; frame-ancestors 'none'"
    )


# the same for every response; the policy names the host a request came to
_FIXED_HEADERS = (
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
)


@lru_cache(maxsize=64)  # a Host header is whatever the client sent: the cache is bounded
def security_headers(host: str) -> tuple[tuple[bytes, bytes], ...]:
    """The headers every HTTP response carries, unless it sets one of them itself."""
    policy = content_security_policy(host).encode("latin-1")
    return ((b"content-security-policy", policy), *_FIXED_HEADERS)


def with_security_headers(
    headers: list[tuple[bytes, bytes]], host: str
) -> list[tuple[bytes, bytes]]:
    present = {name.lower() for name, _ in headers}
    return headers + [pair for pair in security_headers(host) if pair[0] not in present]


class SecurityHeadersMiddleware:
    """Adds CSP and friends to every HTTP response (pure ASGI, so streaming is untouched)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        host = request_host(scope)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers") or ())
                message = {**message, "headers": with_security_headers(headers, host)}
            await send(message)

        await self.app(scope, receive, send_with_headers)


def request_host(scope: Scope) -> str:
    host = ""
    for name, value in scope.get("headers", []):
        if name == b"host":
            host = value.decode("latin-1")
    return host

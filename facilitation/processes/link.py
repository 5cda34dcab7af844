"""The Redis server the processes share: reached once at start, so that a wrong URL or a
server not running is one line before anything listens."""

from __future__ import annotations

from urllib.parse import urlsplit

import redis
import redis.asyncio
from redis.exceptions import RedisError

# Every key and channel of ours starts so: a Redis server may hold other programs' data.
PREFIX = "facilitation"


class RedisUnavailableError(Exception):
    """Redis cannot be reached or refused us; the text says what to check."""


def describe(url: str) -> str:
    """The URL without its password, for messages."""
    parts = urlsplit(url)
    host = parts.hostname or "localhost"
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{host}{port}{parts.path}"


def check(url: str, timeout_s: float = 3.0) -> None:
    """Raise RedisUnavailableError unless the server at `url` answers a PING."""
    try:
        client = redis.Redis.from_url(
            url, socket_connect_timeout=timeout_s, socket_timeout=timeout_s
        )
    except ValueError as error:
        raise RedisUnavailableError(f"--redis {url!r} is not a Redis URL ({error})") from None
    try:
        client.ping()
    except RedisError as error:
        raise RedisUnavailableError(
            f"cannot reach Redis at {describe(url)} ({error}); is redis-server running "
            "there? Check --redis or FACILITATION_REDIS."
        ) from None
    finally:
        client.close()


def connect(url: str) -> redis.asyncio.Redis:
    """The client one process shares between presence, relay, pending pushes and admission.
    Short timeouts: a Redis that went away must not hold a phone's ballot ack for long."""
    return redis.asyncio.Redis.from_url(
        url,
        decode_responses=True,
        socket_connect_timeout=2,
        socket_timeout=2,
        health_check_interval=10,
    )

"""How many new identities one client address may make: a token bucket, pure (time is passed
in, in seconds).

A phone that joins takes a token; tokens come back at `per_minute`, up to `burst`. A room of
phones on a LAN has an address each, so each starts with a full bucket; one script looping
from one address is held to the refill rate.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Allowance:
    per_minute: float  # tokens regained per minute; 0 or less: no limit
    burst: int  # tokens a new address starts with, and the most it holds

    @property
    def unlimited(self) -> bool:
        return self.per_minute <= 0


@dataclass(frozen=True)
class Bucket:
    tokens: float
    at: float  # when `tokens` was counted


def refilled(bucket: Bucket | None, allowance: Allowance, now: float) -> Bucket:
    """The bucket as it stands at `now`. A clock that goes back grants nothing (and does not
    move the bucket back, so going forward again is not counted twice)."""
    if bucket is None:
        return Bucket(float(allowance.burst), now)
    elapsed = max(0.0, now - bucket.at)
    tokens = min(float(allowance.burst), bucket.tokens + elapsed * allowance.per_minute / 60)
    return Bucket(tokens, max(now, bucket.at))


def admit(bucket: Bucket | None, allowance: Allowance, now: float) -> tuple[bool, Bucket]:
    """Whether one more identity may be made at `now`, and the bucket after."""
    if allowance.unlimited:
        return True, Bucket(float(allowance.burst), now)
    current = refilled(bucket, allowance, now)
    if current.tokens >= 1:
        return True, Bucket(current.tokens - 1, current.at)
    return False, current


def wait_seconds(bucket: Bucket | None, allowance: Allowance, now: float) -> float:
    """How long until the next identity would be admitted (0 if now)."""
    if allowance.unlimited:
        return 0.0
    current = refilled(bucket, allowance, now)
    missing = max(0.0, 1 - current.tokens)
    return missing * 60 / allowance.per_minute


def is_full(bucket: Bucket, allowance: Allowance, now: float) -> bool:
    """A full bucket is the same as none: it can be forgotten."""
    return refilled(bucket, allowance, now).tokens >= allowance.burst

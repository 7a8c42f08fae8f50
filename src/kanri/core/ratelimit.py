"""Rate limits: a sliding-window counter in process memory, or `limits` on Redis when
`KANRI_REDIS_URL` is set.

The sliding-window counter approximates a moving window in O(1) per hit (a moving window
keeps one entry per request, which a busy project pays for). Without Redis the counter is
kept here, as `limits`' memory storage computes it but with no locks, timer task or
storage layers: the event loop runs one hit at a time, so a plain dict suffices.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, replace
from typing import Any

from limits import RateLimitItemPerMinute
from limits.aio.strategies import SlidingWindowCounterRateLimiter
from limits.storage import storage_from_string

from kanri.core.errors import RateLimited


@dataclass(frozen=True, kw_only=True)
class RateState:
    """What the IETF RateLimit fields report for one bucket after a hit."""

    policy: str
    limit: int
    window_seconds: int
    remaining: int
    reset_seconds: int

    def headers(self) -> dict[str, str]:
        return {
            "RateLimit-Policy": f'"{self.policy}";q={self.limit};w={self.window_seconds}',
            "RateLimit": f'"{self.policy}";r={self.remaining};t={self.reset_seconds}',
        }


WINDOW_SECONDS = 60


def refuse(state: RateState, detail: str | None = None, **problem: Any) -> RateLimited:
    """The 429 for a spent bucket, with Retry-After and the RateLimit fields."""
    retry = max(1, state.reset_seconds)
    return RateLimited(
        detail or f"rate limit of {state.limit} requests per minute reached; retry in {retry} s",
        headers=state.headers() | {"Retry-After": str(retry)},
        **problem,
    )


class MemoryWindows:
    """Sliding-window counters of one process: per bucket, the current fixed window's index
    and count and the previous window's count, weighted by how much of it still overlaps."""

    MAX_BUCKETS = 100_000

    def __init__(self) -> None:
        self._buckets: dict[str, list[int]] = {}

    def hit(self, bucket: str, limit: int, now: float) -> tuple[bool, int, int]:
        """(allowed, remaining, seconds until a request frees up) after one hit at `now`."""
        index = int(now // WINDOW_SECONDS)
        counts = self._buckets.get(bucket)
        if counts is None:
            if len(self._buckets) >= self.MAX_BUCKETS:
                self._forget_idle(index)
            counts = self._buckets[bucket] = [index, 0, 0]
        elif counts[0] != index:
            counts[2] = counts[1] if counts[0] == index - 1 else 0
            counts[0], counts[1] = index, 0
        into = now - index * WINDOW_SECONDS  # seconds into the current window
        overlap = (WINDOW_SECONDS - into) / WINDOW_SECONDS  # share of the previous one still in
        previous = counts[2]
        allowed = math.floor(previous * overlap + counts[1]) + 1 <= limit
        if allowed:
            counts[1] += 1
        current = counts[1]
        remaining = max(0, limit - math.floor(previous * overlap + current))
        # As `limits` reports it: the previous window's next request to slide out, or the
        # current window's end.
        reset = WINDOW_SECONDS - into
        if previous:
            reset = min(reset, (overlap * WINDOW_SECONDS) % (WINDOW_SECONDS / previous))
        return allowed, remaining, math.ceil(reset)

    def _forget_idle(self, index: int) -> None:
        for bucket in [b for b, counts in self._buckets.items() if counts[0] < index - 1]:
            del self._buckets[bucket]
        if len(self._buckets) >= self.MAX_BUCKETS:  # all active: start over rather than grow
            self._buckets.clear()


class RateLimiter:
    """Buckets named by what they limit (`project:<id>`, `org:<id>`, `ip:<addr>`)."""

    def __init__(self, redis_url: str | None = None) -> None:
        self._memory: MemoryWindows | None = None
        self._strategy: SlidingWindowCounterRateLimiter | None = None
        if redis_url:
            uri = "async+" + redis_url if not redis_url.startswith("async+") else redis_url
            self._strategy = SlidingWindowCounterRateLimiter(storage_from_string(uri))
        else:
            self._memory = MemoryWindows()
        self._items: dict[int, RateLimitItemPerMinute] = {}
        # Buckets that `strike` filled: (until when, their state). Checked in this process's
        # memory, so a refused request costs no storage round trip.
        self._full: dict[str, tuple[float, RateState]] = {}

    async def hit(self, policy: str, bucket: str, per_minute: int) -> RateState:
        """Spend one request from the bucket; raise RateLimited (with headers) when empty."""
        if self._memory is not None:
            allowed, remaining, reset = self._memory.hit(bucket, per_minute, time.time())
            state = RateState(
                policy=policy,
                limit=per_minute,
                window_seconds=WINDOW_SECONDS,
                remaining=remaining,
                reset_seconds=reset,
            )
        else:
            allowed, state = await self._shared_hit(policy, bucket, per_minute)
        if not allowed:
            raise refuse(state)
        return state

    async def strike(self, policy: str, bucket: str, per_minute: int) -> None:
        """Count one failure in the bucket; once it is full, `refusal(bucket)` answers until
        a slot frees up."""
        if self._memory is not None:
            allowed, remaining, reset = self._memory.hit(bucket, per_minute, time.time())
            state = RateState(
                policy=policy,
                limit=per_minute,
                window_seconds=WINDOW_SECONDS,
                remaining=remaining,
                reset_seconds=reset,
            )
        else:
            allowed, state = await self._shared_hit(policy, bucket, per_minute)
        if allowed and state.remaining > 0:
            return
        if len(self._full) >= MemoryWindows.MAX_BUCKETS:
            now = time.time()
            for name in [name for name, (until, _) in self._full.items() if until <= now]:
                del self._full[name]
            if len(self._full) >= MemoryWindows.MAX_BUCKETS:
                self._full.clear()
        self._full[bucket] = (time.time() + max(1, state.reset_seconds), state)

    def refusal(self, bucket: str) -> RateState | None:
        """The state of a bucket `strike` filled (no slot left, seconds until one frees up),
        or None when it takes requests."""
        if not self._full:
            return None
        found = self._full.get(bucket)
        if found is None:
            return None
        left = math.ceil(found[0] - time.time())
        if left <= 0:
            del self._full[bucket]
            return None
        return replace(found[1], remaining=0, reset_seconds=left)

    async def _shared_hit(
        self, policy: str, bucket: str, per_minute: int
    ) -> tuple[bool, RateState]:
        assert self._strategy is not None
        item = self._items.get(per_minute)
        if item is None:
            item = self._items[per_minute] = RateLimitItemPerMinute(per_minute)
        allowed = await self._strategy.hit(item, bucket)
        stats = await self._strategy.get_window_stats(item, bucket)
        reset = max(0, math.ceil(stats.reset_time - time.time()))
        remaining = max(0, stats.remaining)
        return allowed, RateState(
            policy=policy,
            limit=per_minute,
            window_seconds=WINDOW_SECONDS,
            remaining=remaining,
            reset_seconds=reset,
        )

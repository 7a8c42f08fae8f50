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
from dataclasses import dataclass

from limits import RateLimitItemPerMinute
from limits.aio.strategies import SlidingWindowCounterRateLimiter
from limits.storage import storage_from_string

from kanri.core.errors import RateLimited


@dataclass(frozen=True)
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


def _refuse(state: RateState) -> RateLimited:
    retry = max(1, state.reset_seconds)
    return RateLimited(
        f"rate limit of {state.limit} requests per minute reached; retry in {retry} s",
        headers=state.headers() | {"Retry-After": str(retry)},
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

    async def hit(self, policy: str, bucket: str, per_minute: int) -> RateState:
        """Spend one request from the bucket; raise RateLimited (with headers) when empty."""
        if self._memory is not None:
            allowed, remaining, reset = self._memory.hit(bucket, per_minute, time.time())
            state = RateState(policy, per_minute, WINDOW_SECONDS, remaining, reset)
            if not allowed:
                raise _refuse(state)
            return state
        assert self._strategy is not None
        item = self._items.get(per_minute)
        if item is None:
            item = self._items[per_minute] = RateLimitItemPerMinute(per_minute)
        allowed = await self._strategy.hit(item, bucket)
        stats = await self._strategy.get_window_stats(item, bucket)
        reset = max(0, math.ceil(stats.reset_time - time.time()))
        state = RateState(policy, per_minute, WINDOW_SECONDS, max(0, stats.remaining), reset)
        if not allowed:
            raise _refuse(state)
        return state

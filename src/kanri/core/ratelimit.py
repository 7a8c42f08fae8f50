"""Rate limits with `limits`: memory storage embedded, Redis when `KANRI_REDIS_URL` is set.

The sliding-window-counter strategy approximates a moving window in O(1) per hit (the
memory moving window keeps one entry per request, which a busy project pays for).
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


class RateLimiter:
    """Buckets named by what they limit (`project:<id>`, `org:<id>`, `ip:<addr>`)."""

    def __init__(self, redis_url: str | None = None) -> None:
        uri = "async+memory://"
        if redis_url:
            uri = "async+" + redis_url if not redis_url.startswith("async+") else redis_url
        self._storage = storage_from_string(uri)
        self._strategy = SlidingWindowCounterRateLimiter(self._storage)
        self._items: dict[int, RateLimitItemPerMinute] = {}

    async def hit(self, policy: str, bucket: str, per_minute: int) -> RateState:
        """Spend one request from the bucket; raise RateLimited (with headers) when empty."""
        item = self._items.get(per_minute)
        if item is None:
            item = self._items[per_minute] = RateLimitItemPerMinute(per_minute)
        allowed = await self._strategy.hit(item, bucket)
        stats = await self._strategy.get_window_stats(item, bucket)
        reset = max(0, math.ceil(stats.reset_time - time.time()))
        state = RateState(policy, per_minute, 60, max(0, stats.remaining), reset)
        if not allowed:
            headers = state.headers() | {"Retry-After": str(max(1, reset))}
            raise RateLimited(
                f"rate limit of {per_minute} requests per minute reached; "
                f"retry in {max(1, reset)} s",
                headers=headers,
            )
        return state

"""What one kanri process holds: settings, database, limiter, caches, derived secrets."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from kanri import wiring
from kanri.config import Settings
from kanri.core import keys
from kanri.core.auth import AuthCache, TenancyStore
from kanri.core.pagination import PageCodec
from kanri.core.ratelimit import RateLimiter
from kanri.db.database import Database
from kanri.knowledge.extract import Extractor, Limits

if TYPE_CHECKING:
    from kanri.engine.worker import Engine
    from kanri.knowledge.pgvector import PgVector


@dataclass(kw_only=True)
class Kanri:
    """Shared by every request through `request.app.state.kanri`."""

    settings: Settings
    db: Database
    tenancy: TenancyStore
    limiter: RateLimiter = field(init=False)
    auth_cache: AuthCache = field(init=False)
    page_codec: PageCodec = field(init=False)
    extractor: Extractor = field(init=False)  # text of uploaded PDF, HTML and JSON
    key_pepper: bytes = field(init=False)
    engine: Engine | None = None  # when this process runs a worker
    # pgvector, when start-up found it set up (knowledge vector search through HNSW).
    knowledge_hnsw: PgVector | None = None
    # Set when the process is asked to stop: open server-sent-event streams end, so that
    # the graceful shutdown does not wait for their clients (`stop_streams`).
    closing: asyncio.Event = field(init=False, default_factory=asyncio.Event)
    _loop: asyncio.AbstractEventLoop | None = field(init=False, default=None, repr=False)

    def serving_on(self, loop: asyncio.AbstractEventLoop) -> None:
        """The event loop the app serves on (its lifespan tells it at start-up)."""
        self._loop = loop

    def stop_streams(self) -> None:
        """End the open streams; safe from a signal handler or another thread."""
        if self._loop is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self.closing.set)

    def __post_init__(self) -> None:
        wiring.install()  # the features' step kinds and the engine's ports
        self.limiter = RateLimiter(self.settings.redis_url)
        self.auth_cache = AuthCache(self.settings.key_cache_seconds)
        self.page_codec = PageCodec(self.settings.secret)
        self.key_pepper = keys.pepper(self.settings.secret)
        self.extractor = Extractor(
            workers=self.settings.extract_workers,
            timeout=self.settings.extract_timeout_seconds,
            limits=Limits(
                max_pages=self.settings.extract_max_pages,
                max_chars=self.settings.extract_max_chars,
                max_depth=self.settings.max_json_depth,
            ),
        )

    def wake_engine(self) -> None:
        """A run became ready: let this process's worker claim it at once."""
        if self.engine is not None:
            self.engine.wake()

"""What one kanri process holds: settings, database, limiter, caches, derived secrets."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from kanri.config import Settings
from kanri.core import keys
from kanri.core.auth import AuthCache, TenancyStore
from kanri.core.pagination import PageCodec
from kanri.core.ratelimit import RateLimiter
from kanri.db.database import Database

if TYPE_CHECKING:
    from kanri.knowledge.pgvector import PgVector


@dataclass
class Kanri:
    """Shared by every request through `request.app.state.kanri`."""

    settings: Settings
    db: Database
    tenancy: TenancyStore
    limiter: RateLimiter = field(init=False)
    auth_cache: AuthCache = field(init=False)
    page_codec: PageCodec = field(init=False)
    key_pepper: bytes = field(init=False)
    engine: Any = None  # kanri.engine.worker.Engine when this process runs a worker
    # pgvector, when start-up found it set up (knowledge vector search through HNSW).
    knowledge_hnsw: PgVector | None = None

    def __post_init__(self) -> None:
        self.limiter = RateLimiter(self.settings.redis_url)
        self.auth_cache = AuthCache(self.settings.key_cache_seconds)
        self.page_codec = PageCodec(self.settings.secret)
        self.key_pepper = keys.pepper(self.settings.secret)

    def wake_engine(self) -> None:
        """A run became ready: let this process's worker claim it at once."""
        if self.engine is not None:
            self.engine.wake()

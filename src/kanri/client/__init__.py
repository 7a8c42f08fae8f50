"""kanri's Python SDK (distribution `kanri-client`): depends on httpx and pydantic only and
imports nothing of the server.

    from kanri.client import Kanri
    client = Kanri(base_url="http://127.0.0.1:8000", api_key="kanri_sk_…")
    run = client.runs.start("triage", {"ticket_id": "T-1"}, wait=30)
    for run in client.runs.list(filter='status = "failed"'):
        ...
"""

from kanri.client import models
from kanri.client._base import NOT_GIVEN, FileTypes, NotGiven, __version__
from kanri.client._client import AsyncKanri, Kanri
from kanri.client._extras import RunEvent, entry_body, entry_id_for
from kanri.client._pagination import AsyncPager, Page, SyncPager
from kanri.client._sse import ServerSentEvent
from kanri.client.errors import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequest,
    Conflict,
    KanriError,
    NotFound,
    PaymentRequired,
    PermissionDenied,
    RateLimited,
    ServerError,
    ValidationError,
)

__all__ = [
    "NOT_GIVEN",
    "APIConnectionError",
    "APIStatusError",
    "APITimeoutError",
    "AsyncKanri",
    "AsyncPager",
    "AuthenticationError",
    "BadRequest",
    "Conflict",
    "FileTypes",
    "Kanri",
    "KanriError",
    "NotFound",
    "NotGiven",
    "Page",
    "PaymentRequired",
    "PermissionDenied",
    "RateLimited",
    "RunEvent",
    "ServerError",
    "ServerSentEvent",
    "SyncPager",
    "ValidationError",
    "__version__",
    "entry_body",
    "entry_id_for",
    "models",
]

"""What the calls through the providers' official SDKs (openai, anthropic) share: the SDK
loaded off the event loop, its HTTP client behind the outbound guard, and what its errors and
answers mean for the call (ProviderError, naming the provider).

Both SDKs send through the outbound guard (`core.net`): the endpoint is checked before each
call and every connection goes only to addresses checked when it is opened (a name may
resolve elsewhere than when the provider was saved), with the project's private-network flag.
"""

from __future__ import annotations

import asyncio
import importlib
import json
import sys
from typing import TYPE_CHECKING, Any

from kanri.core.net import BlockedDestination, check_url, guarded_sdk_client
from kanri.providers.service import ProviderConfig

if TYPE_CHECKING:
    import httpx2


class ProviderError(Exception):
    """A model call failed; `retryable` when trying again later may succeed. The message
    names the provider: `provider 'name' <what was wrong>`."""

    def __init__(
        self, provider: str, problem: str, *, retryable: bool, status: int | None = None
    ) -> None:
        self.message = f"provider '{provider}' {problem}"
        super().__init__(self.message)
        self.retryable = retryable
        self.status = status


def bad_answer(provider: ProviderConfig, problem: str) -> ProviderError:
    """A 2xx whose body is no usable answer. Not retryable: it comes from the endpoint's
    configuration or its incompatibility (a base_url that is a web page, a server that ignores
    `stream` or sends no usage), which the same request meets again, and a retry may be billed
    without kanri seeing what it cost."""
    return ProviderError(provider.name, problem, retryable=False)


async def load(name: str) -> Any:
    """The SDK module, imported on first use in a thread: importing one takes seconds of CPU
    that must not stall the event loop (and an offline-only deployment never pays it)."""
    module = sys.modules.get(name)
    if module is None:
        module = await asyncio.to_thread(importlib.import_module, name)
    return module


def http_client(provider: ProviderConfig, default_url: str) -> httpx2.AsyncClient:
    """The SDK's HTTP client: the outbound guard with the project's private-network flag.

    Raises ProviderError (not retryable) when the endpoint is refused before any request."""
    allow_private = provider.allow_private_network
    try:
        check_url(provider.base_url or default_url, allow_private=allow_private, field="base_url")
    except BlockedDestination as exc:
        raise _refused(provider, exc) from None
    timeout = float(provider.options.get("timeout_seconds", 60))
    return guarded_sdk_client(allow_private=allow_private, timeout=timeout)


def sdk_error(sdk: Any, provider: ProviderConfig, exc: Exception) -> ProviderError:
    """What an error of either SDK (`sdk` is the openai or the anthropic module: their error
    classes have the same names) says of the call. 429, 5xx, timeouts and lost connections
    may pass on a retry; so may an error the provider reports in the middle of a stream."""
    if (blocked := _blocked_cause(exc)) is not None:
        return _refused(provider, blocked)
    if isinstance(exc, sdk.APIStatusError):
        status = exc.status_code
        return ProviderError(
            provider.name,
            f"answered HTTP {status}: {exc.message.removeprefix(f'Error code: {status} - ')[:300]}",
            retryable=status == 429 or status >= 500,
            status=status,
        )
    if isinstance(exc, sdk.APITimeoutError):
        return ProviderError(provider.name, "timed out", retryable=True)
    if isinstance(exc, sdk.APIError) and not isinstance(exc, sdk.APIConnectionError):
        problem = f"reported an error in its stream: {exc.message[:300]}"
        return ProviderError(provider.name, problem, retryable=True)
    return ProviderError(provider.name, f"is unreachable: {type(exc).__name__}", retryable=True)


def _refused(provider: ProviderConfig, exc: BlockedDestination) -> ProviderError:
    problem = f"has an endpoint that is not allowed: {exc.detail}"
    return ProviderError(provider.name, problem, retryable=False)


def _blocked_cause(exc: BaseException) -> BlockedDestination | None:
    """The guard's refusal an SDK error wraps (the anthropic SDK wraps what the transport
    raises), if any."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, BlockedDestination):
            return seen
        seen = seen.__cause__ or seen.__context__
    return None


def media_type(raw: Any) -> str:
    """The media type of an SDK raw response (`text/html`), lower-case; "" when not given."""
    return str(raw.headers.get("content-type", "")).split(";")[0].strip().lower()


async def json_answer(provider: ProviderConfig, raw: Any, model: Any) -> Any:
    """The JSON object `raw` (an SDK raw response) carries, as the SDK's `model` built as
    leniently as the SDK builds it. Raises ProviderError when the body is of another content
    type, not JSON, or not an object."""
    media = media_type(raw)
    if media and not media.endswith("json"):
        raise bad_answer(provider, f"answered {media} where JSON was expected")
    try:
        data = json.loads(await raw.http_response.aread())
    except ValueError:
        raise bad_answer(provider, "answered a body that is not JSON") from None
    if not isinstance(data, dict):
        raise bad_answer(provider, "answered JSON that is not an object")
    return model.construct(**data)

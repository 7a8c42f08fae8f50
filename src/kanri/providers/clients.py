"""Model calls: one function over every provider kind, in Chat Completions message shape.

`openai` goes through the official `openai` SDK (any OpenAI-compatible endpoint), `anthropic`
through the official `anthropic` SDK, `offline` is computed here without a network. The SDKs
retry 429/5xx/timeouts with exponential backoff honouring `Retry-After` (`max_retries`), and
a cancelled task (the run was cancelled) aborts the in-flight request.

Both SDKs send through the outbound guard (`core.net`): the endpoint is checked before each
call and every connection goes only to addresses checked when it is opened (a name may
resolve elsewhere than when the provider was saved), with the project's private-network flag.
"""

from __future__ import annotations

import asyncio
import importlib
import json
import re
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from kanri.core.net import BlockedDestination, check_url, guarded_sdk_client
from kanri.providers.service import ProviderConfig

if TYPE_CHECKING:
    import httpx2

OnDelta = Callable[[str], Awaitable[None]]
NO_CHOICES = "the provider's reply has no choices"
OFFLINE_INPUT_TOKENS = 10
OFFLINE_OUTPUT_TOKENS = 5
# `/tool <name> <json>` on a line of the latest user message asks the offline model to call
# a tool; `/json <json>` makes it answer with that JSON as its content.
_OFFLINE_TOOL = re.compile(r"^/tool\s+([A-Za-z0-9_.-]+)\s*(\{.*\})?\s*$", re.MULTILINE)
_OFFLINE_JSON = re.compile(r"^/json\s+(.+)$", re.MULTILINE | re.DOTALL)


class ProviderError(Exception):
    """A model call failed; `retryable` when trying again later may succeed."""

    def __init__(self, message: str, *, retryable: bool, status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.retryable = retryable
        self.status = status


@dataclass(kw_only=True)
class Usage:
    input_tokens: int = 0
    output_tokens: int = 0
    cached_input_tokens: int = 0  # part of input_tokens
    reasoning_tokens: int = 0  # part of output_tokens
    total_tokens: int = 0

    def as_dict(self) -> dict[str, int]:
        return {
            "input_tokens": self.input_tokens,
            "output_tokens": self.output_tokens,
            "cached_input_tokens": self.cached_input_tokens,
            "reasoning_tokens": self.reasoning_tokens,
            "total_tokens": self.total_tokens,
        }


def add_usage(total: dict[str, Any] | None, more: dict[str, Any]) -> dict[str, int]:
    """`total` + `more` in the usage shape (missing keys count as 0)."""
    base = Usage().as_dict()
    return {k: int((total or {}).get(k, 0)) + int(more.get(k, 0)) for k in base}


@dataclass(kw_only=True)
class ModelReply:
    message: dict[str, Any]  # {"role": "assistant", "content": ..., "tool_calls": [...]}
    finish_reason: str
    usage: Usage
    model: str
    latency_ms: int = 0
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True)
class ModelRequest:
    model: str
    messages: list[dict[str, Any]]
    tools: list[dict[str, Any]] = field(default_factory=list)  # OpenAI function tools
    params: dict[str, Any] = field(default_factory=dict)  # temperature, max_tokens, ...
    response_format: dict[str, Any] | None = None


async def complete(
    provider: ProviderConfig, request: ModelRequest, on_delta: OnDelta | None = None
) -> ModelReply:
    """One model call; raises ProviderError."""
    started = time.monotonic()
    if provider.kind == "offline":
        reply = await _offline(request, on_delta)
    elif provider.kind == "anthropic":
        reply = await _anthropic(provider, request, on_delta)
    else:
        reply = await _openai(provider, request, on_delta)
    reply.latency_ms = int((time.monotonic() - started) * 1000)
    return reply


# ---------------------------------------------------------------- openai-compatible


async def _sdk(name: str) -> Any:
    """The SDK module, imported on first use in a thread: importing one takes seconds of CPU
    that must not stall the event loop (and an offline-only deployment never pays it)."""
    module = sys.modules.get(name)
    if module is None:
        module = await asyncio.to_thread(importlib.import_module, name)
    return module


def _openai_error(exc: Exception) -> ProviderError:
    import openai

    if (blocked := _blocked_cause(exc)) is not None:
        return _refused(blocked)
    if isinstance(exc, openai.APIStatusError):
        status = exc.status_code
        retryable = status == 429 or status >= 500
        return ProviderError(
            f"provider answered HTTP {status}: {_short(exc.message)}",
            retryable=retryable,
            status=status,
        )
    if isinstance(exc, openai.APITimeoutError):
        return ProviderError("provider timed out", retryable=True)
    return ProviderError(f"provider unreachable: {type(exc).__name__}", retryable=True)


def _short(text: str) -> str:
    return text[:300]


def _http_client(provider: ProviderConfig, default_url: str) -> httpx2.AsyncClient:
    """The SDK's HTTP client: the outbound guard with the project's private-network flag.

    Raises ProviderError (not retryable) when the endpoint is refused before any request."""
    allow_private = provider.allow_private_network
    try:
        check_url(provider.base_url or default_url, allow_private=allow_private, field="base_url")
    except BlockedDestination as exc:
        raise _refused(exc) from None
    timeout = float(provider.options.get("timeout_seconds", 60))
    return guarded_sdk_client(allow_private=allow_private, timeout=timeout)


def _refused(exc: BlockedDestination) -> ProviderError:
    return ProviderError(f"provider endpoint not allowed: {exc.detail}", retryable=False)


def _blocked_cause(exc: BaseException) -> BlockedDestination | None:
    """The guard's refusal an SDK error wraps (the anthropic SDK wraps what the transport
    raises), if any."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, BlockedDestination):
            return seen
        seen = seen.__cause__ or seen.__context__
    return None


def _choices(reply: Any) -> list[Any]:
    """The choices of a Chat Completions reply or stream chunk that carry a message or a
    delta (an endpoint that is not quite OpenAI-compatible may send none)."""
    choices = getattr(reply, "choices", None)
    if not isinstance(choices, list):
        return []
    return [
        c
        for c in choices
        if getattr(c, "message", None) is not None or getattr(c, "delta", None) is not None
    ]


def _first_choice(completion: Any) -> Any:
    choices = [c for c in _choices(completion) if getattr(c, "message", None) is not None]
    if not choices:
        raise ProviderError(NO_CHOICES, retryable=False)
    return choices[0]


def _usage_from_openai(usage: Any) -> Usage:
    if usage is None:
        return Usage()
    prompt = int(getattr(usage, "prompt_tokens", 0) or 0)
    completion = int(getattr(usage, "completion_tokens", 0) or 0)
    prompt_details = getattr(usage, "prompt_tokens_details", None)
    completion_details = getattr(usage, "completion_tokens_details", None)
    cached = int(getattr(prompt_details, "cached_tokens", 0) or 0) if prompt_details else 0
    reasoning = (
        int(getattr(completion_details, "reasoning_tokens", 0) or 0) if completion_details else 0
    )
    total = int(getattr(usage, "total_tokens", 0) or 0) or prompt + completion
    return Usage(
        input_tokens=prompt,
        output_tokens=completion,
        cached_input_tokens=cached,
        reasoning_tokens=reasoning,
        total_tokens=total,
    )


def _openai_client(openai: Any, provider: ProviderConfig) -> Any:
    """The official SDK's client for an openai-kind provider (its endpoint, key, options)."""
    options = provider.options
    base_url = provider.base_url or "https://api.openai.com/v1"
    return openai.AsyncOpenAI(
        api_key=provider.api_key or "none",
        base_url=base_url,
        timeout=float(options.get("timeout_seconds", 60)),
        max_retries=int(options.get("max_retries", 2)),
        default_headers=options.get("headers") or None,
        http_client=_http_client(provider, base_url),
    )


async def embed(provider: ProviderConfig, model: str, inputs: list[str]) -> list[list[float]]:
    """`POST /embeddings` of an openai-kind provider: one vector per input, in order.

    Raises ProviderError (also for an answer of the wrong shape)."""
    if provider.kind != "openai":
        raise ProviderError(f"provider kind {provider.kind} has no embeddings", retryable=False)
    openai = await _sdk("openai")
    try:
        async with _openai_client(openai, provider) as client:
            answer = await client.embeddings.create(
                model=model, input=inputs, encoding_format="float"
            )
    except (openai.OpenAIError, BlockedDestination) as exc:
        raise _openai_error(exc) from None
    try:
        rows = sorted(answer.data, key=lambda item: item.index)
        vectors = [[float(v) for v in row.embedding] for row in rows]
    except (AttributeError, TypeError, ValueError):
        raise ProviderError(
            "provider answered embeddings of an unexpected shape", retryable=False
        ) from None
    if len(vectors) != len(inputs):
        raise ProviderError("provider answered the wrong number of embeddings", retryable=False)
    return vectors


async def _openai(
    provider: ProviderConfig, request: ModelRequest, on_delta: OnDelta | None
) -> ModelReply:
    openai = await _sdk("openai")
    options = provider.options
    client = _openai_client(openai, provider)
    kwargs: dict[str, Any] = {"model": request.model, "messages": request.messages}
    if request.tools:
        kwargs["tools"] = request.tools
    if request.response_format is not None:
        kwargs["response_format"] = request.response_format
    kwargs.update(request.params)
    stream = on_delta is not None and bool(options.get("stream", True))
    try:
        async with client:
            if not stream:
                completion = await client.chat.completions.create(**kwargs)
                choice = _first_choice(completion)
                message: dict[str, Any] = {
                    "role": "assistant",
                    "content": choice.message.content,
                }
                calls = [
                    {
                        "id": call.id,
                        "type": "function",
                        "function": {
                            "name": call.function.name,
                            "arguments": call.function.arguments,
                        },
                    }
                    for call in choice.message.tool_calls or []
                ]
                if calls:
                    message["tool_calls"] = calls
                if on_delta is not None and choice.message.content:
                    await on_delta(choice.message.content)
                return ModelReply(
                    message=message,
                    finish_reason=choice.finish_reason or "stop",
                    usage=_usage_from_openai(completion.usage),
                    model=completion.model or request.model,
                )
            return await _openai_stream(client, kwargs, request, on_delta)
    except (openai.OpenAIError, BlockedDestination) as exc:
        raise _openai_error(exc) from None


async def _openai_stream(
    client: Any,
    kwargs: dict[str, Any],
    request: ModelRequest,
    on_delta: OnDelta | None,
) -> ModelReply:
    chunks = await client.chat.completions.create(
        **kwargs, stream=True, stream_options={"include_usage": True}
    )
    text: list[str] = []
    calls: dict[int, dict[str, Any]] = {}
    finish = "stop"
    usage = Usage()
    model = request.model
    answered = False
    async for chunk in chunks:
        model = getattr(chunk, "model", None) or model
        if getattr(chunk, "usage", None) is not None:
            usage = _usage_from_openai(chunk.usage)
        for choice in _choices(chunk):
            answered = True
            delta = choice.delta
            if delta.content:
                text.append(delta.content)
                if on_delta is not None:
                    await on_delta(delta.content)
            for part in delta.tool_calls or []:
                call = calls.setdefault(
                    part.index,
                    {"id": "", "type": "function", "function": {"name": "", "arguments": ""}},
                )
                if part.id:
                    call["id"] = part.id
                if part.function is not None:
                    call["function"]["name"] += part.function.name or ""
                    call["function"]["arguments"] += part.function.arguments or ""
            if choice.finish_reason:
                finish = choice.finish_reason
    if not answered:
        raise ProviderError(NO_CHOICES, retryable=False)
    message: dict[str, Any] = {"role": "assistant", "content": "".join(text) or None}
    if calls:
        message["tool_calls"] = [calls[i] for i in sorted(calls)]
    return ModelReply(message=message, finish_reason=finish, usage=usage, model=model)


# ---------------------------------------------------------------- anthropic


def _to_anthropic(messages: list[dict[str, Any]]) -> tuple[str, list[dict[str, Any]]]:
    """Chat Completions messages → (system, Anthropic messages)."""
    system: list[str] = []
    out: list[dict[str, Any]] = []
    for message in messages:
        role = message.get("role")
        if role == "system":
            system.append(str(message.get("content") or ""))
        elif role == "tool":
            block = {
                "type": "tool_result",
                "tool_use_id": message.get("tool_call_id", ""),
                "content": str(message.get("content") or ""),
            }
            if out and out[-1]["role"] == "user" and isinstance(out[-1]["content"], list):
                out[-1]["content"].append(block)
            else:
                out.append({"role": "user", "content": [block]})
        elif role == "assistant":
            blocks: list[dict[str, Any]] = []
            if message.get("content"):
                blocks.append({"type": "text", "text": str(message["content"])})
            for call in message.get("tool_calls") or []:
                try:
                    arguments = json.loads(call["function"].get("arguments") or "{}")
                except ValueError:
                    arguments = {}
                blocks.append(
                    {
                        "type": "tool_use",
                        "id": call["id"],
                        "name": call["function"]["name"],
                        "input": arguments,
                    }
                )
            out.append({"role": "assistant", "content": blocks or ""})
        else:
            out.append({"role": "user", "content": str(message.get("content") or "")})
    return "\n\n".join(system), out


async def _anthropic(
    provider: ProviderConfig, request: ModelRequest, on_delta: OnDelta | None
) -> ModelReply:
    anthropic = await _sdk("anthropic")
    options = provider.options
    client = anthropic.AsyncAnthropic(
        api_key=provider.api_key,
        base_url=provider.base_url or None,
        timeout=float(options.get("timeout_seconds", 60)),
        max_retries=int(options.get("max_retries", 2)),
        default_headers=options.get("headers") or None,
        http_client=_http_client(provider, "https://api.anthropic.com"),
    )
    system, messages = _to_anthropic(request.messages)
    params = dict(request.params)
    kwargs: dict[str, Any] = {
        "model": request.model,
        "messages": messages,
        "max_tokens": int(params.pop("max_tokens", 1024)),
    }
    if system:
        kwargs["system"] = system
    if request.tools:
        kwargs["tools"] = [
            {
                "name": tool["function"]["name"],
                "description": tool["function"].get("description", ""),
                "input_schema": tool["function"].get("parameters") or {"type": "object"},
            }
            for tool in request.tools
        ]
    for key in ("temperature", "top_p", "stop_sequences"):
        if key in params:
            kwargs[key] = params[key]
    try:
        async with client:
            reply = await client.messages.create(**kwargs)
    except BlockedDestination as exc:
        raise _refused(exc) from None
    except anthropic.APIStatusError as exc:
        status = exc.status_code
        raise ProviderError(
            f"provider answered HTTP {status}: {_short(exc.message)}",
            retryable=status == 429 or status >= 500,
            status=status,
        ) from None
    except anthropic.APITimeoutError:
        raise ProviderError("provider timed out", retryable=True) from None
    except anthropic.AnthropicError as exc:
        if (blocked := _blocked_cause(exc)) is not None:
            raise _refused(blocked) from None
        raise ProviderError(f"provider unreachable: {type(exc).__name__}", retryable=True) from None
    text = "".join(block.text for block in reply.content if block.type == "text")
    calls = [
        {
            "id": block.id,
            "type": "function",
            "function": {"name": block.name, "arguments": json.dumps(block.input)},
        }
        for block in reply.content
        if block.type == "tool_use"
    ]
    message: dict[str, Any] = {"role": "assistant", "content": text or None}
    if calls:
        message["tool_calls"] = calls
    if on_delta is not None and text:
        await on_delta(text)
    u = reply.usage
    cached = int(u.cache_read_input_tokens or 0)
    # Anthropic counts cached and cache-written input apart; ours: input includes cached.
    input_tokens = int(u.input_tokens) + cached + int(u.cache_creation_input_tokens or 0)
    output_tokens = int(u.output_tokens)
    finish = {"tool_use": "tool_calls", "max_tokens": "length"}.get(reply.stop_reason or "", "stop")
    usage = Usage(
        input_tokens=input_tokens,
        output_tokens=output_tokens,
        cached_input_tokens=cached,
        reasoning_tokens=0,
        total_tokens=input_tokens + output_tokens,
    )
    return ModelReply(
        message=message, finish_reason=finish, usage=usage, model=reply.model or request.model
    )


# ---------------------------------------------------------------- offline


def _offline_reply(request: ModelRequest) -> dict[str, Any]:
    messages = request.messages
    last_user = max((i for i, m in enumerate(messages) if m.get("role") == "user"), default=-1)
    prompt = str(messages[last_user].get("content") or "") if last_user >= 0 else ""
    after = messages[last_user + 1 :]
    tool_results = [m for m in after if m.get("role") == "tool"]
    if tool_results:
        last = tool_results[-1]
        return {
            "role": "assistant",
            "content": f"The tool returned: {last.get('content')}",
        }
    wanted = {t["function"]["name"] for t in request.tools}
    calls = []
    for number, match in enumerate(_OFFLINE_TOOL.finditer(prompt), start=1):
        name, arguments = match.group(1), match.group(2) or "{}"
        if name in wanted:
            calls.append(
                {
                    "id": f"call_offline_{number}",
                    "type": "function",
                    "function": {"name": name, "arguments": arguments},
                }
            )
    if calls:
        return {"role": "assistant", "content": None, "tool_calls": calls}
    as_json = _OFFLINE_JSON.search(prompt)
    if as_json is not None:
        return {"role": "assistant", "content": as_json.group(1).strip()}
    return {"role": "assistant", "content": f"You said: {prompt}"}


async def _offline(request: ModelRequest, on_delta: OnDelta | None) -> ModelReply:
    message = _offline_reply(request)
    if on_delta is not None and message.get("content"):
        await on_delta(str(message["content"]))
    usage = Usage(
        input_tokens=OFFLINE_INPUT_TOKENS,
        output_tokens=OFFLINE_OUTPUT_TOKENS,
        cached_input_tokens=0,
        reasoning_tokens=0,
        total_tokens=OFFLINE_INPUT_TOKENS + OFFLINE_OUTPUT_TOKENS,
    )
    finish = "tool_calls" if message.get("tool_calls") else "stop"
    return ModelReply(message=message, finish_reason=finish, usage=usage, model=request.model)

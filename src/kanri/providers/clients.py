"""Model calls: one function over every provider kind, in Chat Completions message shape.

`openai` goes through the official `openai` SDK (any OpenAI-compatible endpoint), `anthropic`
through the official `anthropic` SDK, `offline` is computed here without a network. The SDKs
retry 429/5xx/timeouts with exponential backoff honouring `Retry-After` (`max_retries`), and
a cancelled task (the run was cancelled) aborts the in-flight request.

Both SDKs send through the outbound guard (see `providers.sdk`).

Every answer is checked before it counts: a body of the wrong content type or that is not
JSON, a completion without choices, a stream that carries no answer, or a reply without token
usage (unless the provider's `require_usage` option is off) fails the call with a
ProviderError naming the provider, never an empty success that costs nothing.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from kanri.core.net import BlockedDestination
from kanri.providers.sdk import (
    ProviderError,
    bad_answer,
    http_client,
    json_answer,
    load,
    media_type,
    sdk_error,
)
from kanri.providers.service import ProviderConfig

OnDelta = Callable[[str], Awaitable[None]]
NO_CHOICES = "answered without choices"
NO_USAGE = (
    "answered without token usage (turn the provider's `require_usage` option off only for an "
    "endpoint that never reports it: its calls then count no tokens and no cost)"
)
OFFLINE_INPUT_TOKENS = 10
OFFLINE_OUTPUT_TOKENS = 5
# `/tool <name> <json>` on a line of the latest user message asks the offline model to call
# a tool; `/json <json>` makes it answer with that JSON as its content.
_OFFLINE_TOOL = re.compile(r"^/tool\s+([A-Za-z0-9_.-]+)\s*(\{.*\})?\s*$", re.MULTILINE)
_OFFLINE_JSON = re.compile(r"^/json\s+(.+)$", re.MULTILINE | re.DOTALL)


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


def _required_usage(provider: ProviderConfig, usage: Usage | None) -> Usage:
    """The answer's usage; without one, ProviderError unless the provider's `require_usage`
    option is off (then no tokens)."""
    if usage is not None:
        return usage
    if provider.options.get("require_usage", True):
        raise bad_answer(provider, NO_USAGE)
    return Usage()


# ---------------------------------------------------------------- openai-compatible


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


def _usage_from_openai(usage: Any) -> Usage | None:
    """The usage an answer reports; None when it reports none (or no token counts)."""
    prompt_tokens = getattr(usage, "prompt_tokens", None)
    completion_tokens = getattr(usage, "completion_tokens", None)
    if prompt_tokens is None and completion_tokens is None:
        return None
    prompt = int(prompt_tokens or 0)
    completion = int(completion_tokens or 0)
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
        http_client=http_client(provider, base_url),
    )


async def embed(provider: ProviderConfig, model: str, inputs: list[str]) -> list[list[float]]:
    """`POST /embeddings` of an openai-kind provider: one vector per input, in order.

    Raises ProviderError (also for an answer of the wrong shape)."""
    if provider.kind != "openai":
        problem = f"is of kind {provider.kind}, which has no embeddings"
        raise ProviderError(provider.name, problem, retryable=False)
    openai = await load("openai")
    try:
        async with _openai_client(openai, provider) as client:
            raw = await client.embeddings.with_raw_response.create(
                model=model, input=inputs, encoding_format="float"
            )
            answer = await json_answer(provider, raw, openai.types.CreateEmbeddingResponse)
    except (openai.OpenAIError, BlockedDestination) as exc:
        raise sdk_error(openai, provider, exc) from None
    try:
        rows = sorted(answer.data, key=lambda item: item.index)
        vectors = [[float(v) for v in row.embedding] for row in rows]
    except (AttributeError, TypeError, ValueError):
        raise bad_answer(provider, "answered embeddings of an unexpected shape") from None
    if len(vectors) != len(inputs):
        problem = f"answered {len(vectors)} embeddings for {len(inputs)} inputs"
        raise bad_answer(provider, problem)
    return vectors


async def _openai(
    provider: ProviderConfig, request: ModelRequest, on_delta: OnDelta | None
) -> ModelReply:
    openai = await load("openai")
    httpx2 = await load("httpx2")
    client = _openai_client(openai, provider)
    kwargs: dict[str, Any] = {"model": request.model, "messages": request.messages}
    if request.tools:
        kwargs["tools"] = request.tools
    if request.response_format is not None:
        kwargs["response_format"] = request.response_format
    kwargs.update(request.params)
    stream = on_delta is not None and bool(provider.options.get("stream", True))
    completions = client.chat.completions.with_raw_response
    try:
        async with client:
            if not stream:
                raw = await completions.create(**kwargs)
                completion = await json_answer(provider, raw, openai.types.chat.ChatCompletion)
                return await _completion_reply(provider, completion, request, on_delta)
            raw = await completions.create(
                **kwargs, stream=True, stream_options={"include_usage": True}
            )
            if media_type(raw).endswith("json"):
                # An endpoint that ignores `stream` answers one completion: read as one.
                completion = await json_answer(provider, raw, openai.types.chat.ChatCompletion)
                return await _completion_reply(provider, completion, request, on_delta)
            return await _openai_stream(provider, raw, request, on_delta)
    except (openai.OpenAIError, BlockedDestination) as exc:
        raise sdk_error(openai, provider, exc) from None
    except httpx2.HTTPError as exc:  # a streamed body that broke off is read past the SDK
        problem = f"broke off its answer: {type(exc).__name__}"
        raise ProviderError(provider.name, problem, retryable=True) from None


async def _completion_reply(
    provider: ProviderConfig, completion: Any, request: ModelRequest, on_delta: OnDelta | None
) -> ModelReply:
    """A Chat Completion as the reply (its content handed to `on_delta` at once)."""
    choices = [c for c in _choices(completion) if getattr(c, "message", None) is not None]
    if not choices:
        raise bad_answer(provider, NO_CHOICES)
    choice = choices[0]
    usage = _required_usage(provider, _usage_from_openai(getattr(completion, "usage", None)))
    message: dict[str, Any] = {"role": "assistant", "content": choice.message.content}
    calls = [
        {
            "id": call.id,
            "type": "function",
            "function": {"name": call.function.name, "arguments": call.function.arguments},
        }
        for call in choice.message.tool_calls or []
    ]
    if calls:
        message["tool_calls"] = calls
    if on_delta is not None and choice.message.content:
        await on_delta(choice.message.content)
    return ModelReply(
        message=message,
        finish_reason=getattr(choice, "finish_reason", None) or "stop",
        usage=usage,
        model=getattr(completion, "model", None) or request.model,
    )


async def _events(provider: ProviderConfig, raw: Any) -> AsyncIterator[Any]:
    """The chunks of a streamed answer; ProviderError for an event that is not JSON."""
    try:
        async for chunk in raw.parse():
            yield chunk
    except ValueError:
        raise bad_answer(provider, "sent a stream event that is not JSON") from None


async def _openai_stream(
    provider: ProviderConfig, raw: Any, request: ModelRequest, on_delta: OnDelta | None
) -> ModelReply:
    media = media_type(raw)
    if media not in ("text/event-stream", ""):
        problem = f"answered {media} to a streamed request (an event stream or JSON was expected)"
        raise bad_answer(provider, problem)
    text: list[str] = []
    calls: dict[int, dict[str, Any]] = {}
    finish = "stop"
    usage: Usage | None = None
    model = request.model
    answered = False
    async for chunk in _events(provider, raw):
        model = getattr(chunk, "model", None) or model
        if getattr(chunk, "usage", None) is not None:
            usage = _usage_from_openai(chunk.usage) or usage
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
        raise bad_answer(provider, "answered with a stream that carries no choices")
    message: dict[str, Any] = {"role": "assistant", "content": "".join(text) or None}
    if calls:
        message["tool_calls"] = [calls[i] for i in sorted(calls)]
    return ModelReply(
        message=message,
        finish_reason=finish,
        usage=_required_usage(provider, usage),
        model=model,
    )


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
    anthropic = await load("anthropic")
    options = provider.options
    client = anthropic.AsyncAnthropic(
        api_key=provider.api_key,
        base_url=provider.base_url or None,
        timeout=float(options.get("timeout_seconds", 60)),
        max_retries=int(options.get("max_retries", 2)),
        default_headers=options.get("headers") or None,
        http_client=http_client(provider, "https://api.anthropic.com"),
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
            raw = await client.messages.with_raw_response.create(**kwargs)
            reply = await json_answer(provider, raw, anthropic.types.Message)
    except (anthropic.AnthropicError, BlockedDestination) as exc:
        raise sdk_error(anthropic, provider, exc) from None
    blocks = getattr(reply, "content", None)
    if not isinstance(blocks, list):
        raise bad_answer(provider, "answered a message without content")
    usage = _required_usage(provider, _usage_from_anthropic(getattr(reply, "usage", None)))
    text = "".join(block.text for block in blocks if getattr(block, "type", None) == "text")
    calls = [
        {
            "id": block.id,
            "type": "function",
            "function": {"name": block.name, "arguments": json.dumps(block.input)},
        }
        for block in blocks
        if getattr(block, "type", None) == "tool_use"
    ]
    message: dict[str, Any] = {"role": "assistant", "content": text or None}
    if calls:
        message["tool_calls"] = calls
    if on_delta is not None and text:
        await on_delta(text)
    stop = getattr(reply, "stop_reason", None) or ""
    finish = {"tool_use": "tool_calls", "max_tokens": "length"}.get(stop, "stop")
    model = getattr(reply, "model", None) or request.model
    return ModelReply(message=message, finish_reason=finish, usage=usage, model=model)


def _usage_from_anthropic(usage: Any) -> Usage | None:
    """The usage a message reports; None when it reports none (or no token counts)."""
    reported_input = getattr(usage, "input_tokens", None)
    reported_output = getattr(usage, "output_tokens", None)
    if reported_input is None and reported_output is None:
        return None
    cached = int(getattr(usage, "cache_read_input_tokens", 0) or 0)
    written = int(getattr(usage, "cache_creation_input_tokens", 0) or 0)
    # Anthropic counts cached and cache-written input apart; ours: input includes cached.
    input_tokens = int(reported_input or 0) + cached + written
    output_tokens = int(reported_output or 0)
    return Usage(
        input_tokens=input_tokens,
        output_tokens=output_tokens,
        cached_input_tokens=cached,
        reasoning_tokens=0,
        total_tokens=input_tokens + output_tokens,
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

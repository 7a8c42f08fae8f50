"""A fake OpenAI-compatible server on loopback: real HTTP, scripted replies.

Script replies with `server.reply(...)` (content, tool calls, usage with cached and
reasoning tokens or none, a status such as 429 with Retry-After, a delay between streamed
chunks, a raw body, or a 200 of the wrong shape: a completion to a streamed request, an empty
stream, a web page);
each request takes the next scripted reply, or an echo when the script is empty. Every
request body is kept in `server.requests`. Also answers Anthropic's `POST /v1/messages`, and
`POST /v1/embeddings` with deterministic bag-of-words vectors (`embedding_dimension`).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import re
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any, Literal

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response, StreamingResponse
from starlette.routing import Route


@dataclass(kw_only=True)
class Reply:
    content: str | None = None
    tool_calls: list[dict[str, Any]] = field(default_factory=list)  # [{"name", "arguments"}]
    prompt_tokens: int = 100
    completion_tokens: int = 20
    cached_tokens: int = 0
    reasoning_tokens: int = 0
    status: int = 200
    retry_after: str | None = None
    chunk_delay: float = 0.0  # seconds between streamed chunks
    model: str | None = None
    # Sent as is (one event when streaming) in place of a reply built from the fields above,
    # e.g. a body without `choices`, as an endpoint that is not quite compatible may answer.
    body: dict[str, Any] | None = None
    # How a 200 is sent: `auto` (a completion, or a stream when one is asked for), `json` (a
    # completion even to a streamed request), `empty_stream` (an event stream of `[DONE]`
    # alone), `html` (a web page, as a base_url that is not the API's answers), `not_json`
    # (a body labelled JSON that is not).
    shape: Literal["auto", "json", "empty_stream", "html", "not_json"] = "auto"
    usage: bool = True  # False: the reply reports no usage, streamed or not


def _tool_calls(reply: Reply) -> list[dict[str, Any]]:
    return [
        {
            "id": call.get("id", f"call_{i}"),
            "type": "function",
            "function": {"name": call["name"], "arguments": json.dumps(call.get("arguments", {}))},
        }
        for i, call in enumerate(reply.tool_calls)
    ]


def _usage(reply: Reply) -> dict[str, Any] | None:
    if not reply.usage:
        return None
    return {
        "prompt_tokens": reply.prompt_tokens,
        "completion_tokens": reply.completion_tokens,
        "total_tokens": reply.prompt_tokens + reply.completion_tokens,
        "prompt_tokens_details": {"cached_tokens": reply.cached_tokens},
        "completion_tokens_details": {"reasoning_tokens": reply.reasoning_tokens},
    }


def _wrong_body(reply: Reply) -> Response | None:
    """The 200 of the wrong content type or not JSON that `reply.shape` asks for, if any."""
    if reply.shape == "html":
        return HTMLResponse("<html><body>Welcome to nginx!</body></html>")
    if reply.shape == "not_json":
        return Response(b"{truncated", media_type="application/json")
    return None


class FakeOpenAI:
    def __init__(self) -> None:
        self.script: list[Reply] = []
        self.requests: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        self.request_times: list[float] = []
        self.disconnects = 0
        # /v1/embeddings: vectors of this many values, made from the words of each input
        # (texts sharing words get close vectors); `embedding_status` other than 200 fails.
        self.embedding_dimension = 8
        self.embedding_status = 200
        self.embedding_body: dict[str, Any] | None = None  # sent as is in place of vectors
        self.embedding_requests: list[dict[str, Any]] = []
        self.port = 0
        self._server: uvicorn.Server | None = None
        self._task: asyncio.Task[None] | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def reply(self, content: str | None = None, **fields: Any) -> Reply:
        """Queue a reply for the next request."""
        item = Reply(content=content, **fields)
        self.script.append(item)
        return item

    def _next(self, body: dict[str, Any]) -> Reply:
        if self.script:
            return self.script.pop(0)
        last: dict[str, Any] = next(
            (m for m in reversed(body.get("messages", [])) if m.get("role") == "user"), {}
        )
        content = last.get("content")
        if isinstance(content, list):
            content = " ".join(str(b.get("text", "")) for b in content if isinstance(b, dict))
        return Reply(content=f"echo: {content}")

    async def _chat(self, request: Request) -> Response:
        body = await request.json()
        self.requests.append(body)
        self.headers.append(dict(request.headers))
        self.request_times.append(time.monotonic())
        reply = self._next(body)
        if reply.status != 200:
            headers = {"Retry-After": reply.retry_after} if reply.retry_after else {}
            error = {"error": {"message": f"scripted {reply.status}", "type": "scripted"}}
            return JSONResponse(error, status_code=reply.status, headers=headers)
        if (wrong := _wrong_body(reply)) is not None:
            return wrong
        if reply.shape == "empty_stream":
            return StreamingResponse(iter(["data: [DONE]\n\n"]), media_type="text/event-stream")
        if reply.body is not None:
            if not body.get("stream"):
                return JSONResponse(reply.body)
            events = [f"data: {json.dumps(reply.body)}\n\n", "data: [DONE]\n\n"]
            return StreamingResponse(iter(events), media_type="text/event-stream")
        model = reply.model or body.get("model", "fake")
        calls = _tool_calls(reply)
        finish = "tool_calls" if calls else "stop"
        if not body.get("stream") or reply.shape == "json":
            message: dict[str, Any] = {"role": "assistant", "content": reply.content}
            if calls:
                message["tool_calls"] = calls
            completion = {
                "id": "chatcmpl-fake",
                "object": "chat.completion",
                "created": int(time.time()),
                "model": model,
                "choices": [{"index": 0, "message": message, "finish_reason": finish}],
            }
            if reply.usage:
                completion["usage"] = _usage(reply)
            return JSONResponse(completion)
        return StreamingResponse(
            self._stream(request, reply, model, calls, finish), media_type="text/event-stream"
        )

    async def _stream(
        self,
        request: Request,
        reply: Reply,
        model: str,
        calls: list[dict[str, Any]],
        finish: str,
    ) -> AsyncIterator[str]:
        def chunk(delta: dict[str, Any], finish_reason: str | None = None) -> str:
            payload = {
                "id": "chatcmpl-fake",
                "object": "chat.completion.chunk",
                "created": int(time.time()),
                "model": model,
                "choices": [{"index": 0, "delta": delta, "finish_reason": finish_reason}],
            }
            return f"data: {json.dumps(payload)}\n\n"

        try:
            yield chunk({"role": "assistant", "content": ""})
            for piece in re.findall(r"\S+\s*|\s+", reply.content or ""):
                if reply.chunk_delay:
                    await asyncio.sleep(reply.chunk_delay)
                yield chunk({"content": piece})
            for index, call in enumerate(calls):
                yield chunk(
                    {
                        "tool_calls": [
                            {
                                "index": index,
                                "id": call["id"],
                                "type": "function",
                                "function": {"name": call["function"]["name"], "arguments": ""},
                            }
                        ]
                    }
                )
                yield chunk(
                    {
                        "tool_calls": [
                            {
                                "index": index,
                                "function": {"arguments": call["function"]["arguments"]},
                            }
                        ]
                    }
                )
            yield chunk({}, finish)
            if not reply.usage:
                yield "data: [DONE]\n\n"
                return
            usage = {
                "id": "chatcmpl-fake",
                "object": "chat.completion.chunk",
                "created": int(time.time()),
                "model": model,
                "choices": [],
                "usage": _usage(reply),
            }
            yield f"data: {json.dumps(usage)}\n\n"
            yield "data: [DONE]\n\n"
        except (asyncio.CancelledError, GeneratorExit):  # the client went away mid-stream
            self.disconnects += 1
            raise

    async def _messages(self, request: Request) -> Response:
        body = await request.json()
        self.requests.append(body)
        self.headers.append(dict(request.headers))
        reply = self._next(body)
        if reply.status != 200:
            headers = {"Retry-After": reply.retry_after} if reply.retry_after else {}
            error = {"type": "error", "error": {"type": "scripted", "message": "scripted"}}
            return JSONResponse(error, status_code=reply.status, headers=headers)
        if (wrong := _wrong_body(reply)) is not None:
            return wrong
        content: list[dict[str, Any]] = []
        if reply.content:
            content.append({"type": "text", "text": reply.content})
        for i, call in enumerate(reply.tool_calls):
            content.append(
                {
                    "type": "tool_use",
                    "id": call.get("id", f"toolu_{i}"),
                    "name": call["name"],
                    "input": call.get("arguments", {}),
                }
            )
        message = {
            "id": "msg_fake",
            "type": "message",
            "role": "assistant",
            "model": reply.model or body.get("model", "fake"),
            "content": content,
            "stop_reason": "tool_use" if reply.tool_calls else "end_turn",
            "stop_sequence": None,
        }
        if reply.usage:
            message["usage"] = {
                "input_tokens": reply.prompt_tokens - reply.cached_tokens,
                "output_tokens": reply.completion_tokens,
                "cache_read_input_tokens": reply.cached_tokens,
                "cache_creation_input_tokens": 0,
            }
        return JSONResponse(message)

    def vector(self, text: str) -> list[float]:
        """The fake embedding of `text`: a bag of hashed words."""
        values = [0.0] * self.embedding_dimension
        for word in text.lower().split():
            digest = hashlib.sha256(word.encode()).digest()
            values[digest[0] % self.embedding_dimension] += 1.0 + digest[1] / 255
        if not any(values):
            values[0] = 1.0
        return values

    async def _embeddings(self, request: Request) -> Response:
        body = await request.json()
        self.embedding_requests.append(body)
        self.headers.append(dict(request.headers))
        if self.embedding_status != 200:
            error = {"error": {"message": "scripted", "type": "scripted"}}
            return JSONResponse(error, status_code=self.embedding_status)
        if self.embedding_body is not None:
            return JSONResponse(self.embedding_body)
        inputs = body["input"] if isinstance(body["input"], list) else [body["input"]]
        data = [
            {"object": "embedding", "index": i, "embedding": self.vector(str(text))}
            for i, text in enumerate(inputs)
        ]
        tokens = sum(len(str(text).split()) for text in inputs)
        return JSONResponse(
            {
                "object": "list",
                "data": data,
                "model": body.get("model", "fake"),
                "usage": {"prompt_tokens": tokens, "total_tokens": tokens},
            }
        )

    async def start(self) -> FakeOpenAI:
        app = Starlette(
            routes=[
                Route("/v1/chat/completions", self._chat, methods=["POST"]),
                Route("/v1/messages", self._messages, methods=["POST"]),
                Route("/v1/embeddings", self._embeddings, methods=["POST"]),
            ]
        )
        config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="off")
        self._server = uvicorn.Server(config)
        self._task = asyncio.create_task(self._server.serve())
        while not self._server.started:  # noqa: ASYNC110 - uvicorn exposes a flag only
            await asyncio.sleep(0.01)
        self.port = self._server.servers[0].sockets[0].getsockname()[1]
        return self

    async def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._task is not None:
            await self._task

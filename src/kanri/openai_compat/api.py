"""`POST /v1/openai/chat/completions` and `GET /v1/openai/models` (sections `runs`, `agents`).

Each completion is an agent run (visible in `/v1/runs`, with usage and cost); streaming
relays the run's `run.delta` events as `chat.completion.chunk`s. Errors are in OpenAI's shape
(`errors.py`).
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter, Response
from fastapi.responses import StreamingResponse
from pydantic import ValidationError

from kanri.agents import schemas as agent_schemas
from kanri.agents import service as agents
from kanri.core import sse
from kanri.core.auth import Principal, RequireSection
from kanri.core.deps import Runtime
from kanri.core.errors import Conflict, FieldError, KanriError, NotFound, ValidationFailed
from kanri.core.openapi import operation_id
from kanri.core.pagination import ListParams
from kanri.engine.states import TERMINAL
from kanri.engine.statuses import RunStatus
from kanri.openai_compat import schemas
from kanri.openai_compat.errors import ModelNotFound
from kanri.runs import schemas as run_schemas
from kanri.runs import service as runs
from kanri.runs import stream as run_stream
from kanri.runs.wait import wait_for

if TYPE_CHECKING:
    from kanri.runtime import Kanri


def _errors(described: dict[int, str]) -> dict[int | str, dict[str, Any]]:
    return {
        status: {"description": description, "model": schemas.ErrorResponse}
        for status, description in described.items()
    }


router = APIRouter(
    tags=["openai"],
    generate_unique_id_function=operation_id,
    responses=_errors(
        {
            401: "Missing, unknown, expired or revoked API key (`invalid_api_key`)",
            403: "The key lacks the section's permission",
            429: "Rate limit reached (`rate_limit_exceeded`); see Retry-After",
        }
    ),
)
COMPLETION_ERRORS = _errors(
    {
        400: "Bad request: the body is not JSON",
        413: "Request body too large",
        422: "Validation failed: `param` names the field",
        402: "A budget refuses new runs of the agent",
        404: "No active agent has that name or id (`model_not_found`)",
        409: "The run waits for a person, or the agent is suspended or not published",
        502: "The agent run failed",
    }
)
RunWriter = Annotated[Principal, RequireSection("runs", "write")]
Reader = Annotated[Principal, RequireSection("agents", "read")]
COMPLETION_WAIT_SECONDS = 600.0
POLL_SECONDS = 0.05


class RunFailed(KanriError):
    status = 502
    code = "RUN_FAILED"
    title = "The agent run failed"


def _usage(run: run_schemas.Run) -> schemas.CompletionUsage:
    usage = run.usage or {}
    return schemas.CompletionUsage(
        prompt_tokens=int(usage.get("input_tokens", 0)),
        completion_tokens=int(usage.get("output_tokens", 0)),
        total_tokens=int(usage.get("total_tokens", 0)),
        prompt_tokens_details={"cached_tokens": int(usage.get("cached_input_tokens", 0))},
        completion_tokens_details={"reasoning_tokens": int(usage.get("reasoning_tokens", 0))},
    )


def _settled(run: run_schemas.Run) -> dict[str, Any]:
    """The run's final answer, or the error a client sees."""
    if run.status == RunStatus.COMPLETED:
        return run.outputs if isinstance(run.outputs, dict) else {"content": run.outputs}
    if run.status in TERMINAL:
        message = (run.error or {}).get("message") or run.stop_reason or run.status
        raise RunFailed(f"run {run.id} {run.status}: {message}", run_id=run.id)
    raise Conflict(
        f"run {run.id} is {run.status} (waiting for a person or still running); "
        f"follow it at /v1/runs/{run.id}",
        run_id=run.id,
    )


def _messages(body: schemas.ChatCompletionRequest) -> list[agent_schemas.ChatMessage]:
    """The request's messages as agents take them; 422 naming the message that is not."""
    out = []
    for position, message in enumerate(body.messages):
        try:
            out.append(agent_schemas.ChatMessage.model_validate(message.as_chat()))
        except ValidationError as exc:
            errors = [
                FieldError(
                    ".".join(["body", "messages", str(position), *map(str, error["loc"])]),
                    error["msg"],
                )
                for error in exc.errors()
            ]
            raise ValidationFailed("a message is not a valid chat message", errors=errors) from None
    return out


async def _start(kanri: Kanri, who: Principal, body: schemas.ChatCompletionRequest) -> Any:
    create = agent_schemas.AgentRunCreate(messages=_messages(body), labels={"channel": "openai"})
    try:
        run = await kanri.db.write(agents.trigger, who, body.model, create)
    except NotFound:
        problem = "no agent of this project has that name or id"
        raise ModelNotFound(
            f"the model '{body.model}' does not exist: {problem}",
            errors=[FieldError("body.model", problem, "model_not_found")],
        ) from None
    kanri.wake_engine()
    return run


@router.post(
    "/v1/openai/chat/completions",
    response_model=None,
    operation_id="openai_chat_completions_create",
    responses={
        200: {
            "model": schemas.ChatCompletion,
            "description": "the completion; with `stream`, `chat.completion.chunk` events",
            "content": {"text/event-stream": {"schema": {"type": "string"}}},
        },
        **COMPLETION_ERRORS,
    },
)
async def chat_completions(
    body: schemas.ChatCompletionRequest, response: Response, kanri: Runtime, who: RunWriter
) -> schemas.ChatCompletion | StreamingResponse:
    """OpenAI Chat Completions against an agent (`model` = its name): one agent run per call.
    With `stream`, server-sent `chat.completion.chunk`s as tokens arrive."""
    run = await _start(kanri, who, body)
    created = int(time.time())
    if body.stream:
        include_usage = bool(body.stream_options and body.stream_options.include_usage)
        return sse.response(
            _chunks(kanri, who, run.id, body.model, created, include_usage),
            {"Kanri-Run-Id": run.id},
        )
    run = await wait_for(kanri, who, run, COMPLETION_WAIT_SECONDS)
    outputs = _settled(run)
    response.headers["Kanri-Run-Id"] = run.id
    return schemas.ChatCompletion(
        id=f"chatcmpl-{run.id}",
        created=created,
        model=body.model,
        choices=[
            {
                "index": 0,
                "message": {"role": "assistant", "content": outputs.get("content")},
                "finish_reason": outputs.get("finish_reason", "stop"),
                "logprobs": None,
            }
        ],
        usage=_usage(run),
    )


def _chunk(
    run_id: str, model: str, created: int, delta: dict[str, Any], finish: str | None = None
) -> str:
    payload = {
        "id": f"chatcmpl-{run_id}",
        "object": "chat.completion.chunk",
        "created": created,
        "model": model,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish, "logprobs": None}],
    }
    return sse.frame(json.dumps(payload))


async def _chunks(
    kanri: Kanri, who: Principal, run_id: str, model: str, created: int, include_usage: bool
) -> AsyncIterator[str]:
    yield _chunk(run_id, model, created, {"role": "assistant", "content": ""})
    last = ""
    deadline = time.monotonic() + COMPLETION_WAIT_SECONDS
    last_call: str | None = None
    while True:
        batch = await kanri.db.read(run_stream._after, run_id, last)
        for event in batch:
            last = event.id
            if event.type == "run.delta":
                # A later model call (after tool calls) replaces what the first one said.
                if last_call is not None and event.data.get("call_key") != last_call:
                    yield _chunk(run_id, model, created, {"content": "\n\n"})
                last_call = event.data.get("call_key")
                yield _chunk(run_id, model, created, {"content": event.data.get("delta", "")})
        if batch:
            continue
        run = await kanri.db.read(runs.get, who, run_id)
        if run.status in TERMINAL or time.monotonic() > deadline:
            break
        await asyncio.sleep(POLL_SECONDS)
    if run.status == RunStatus.COMPLETED:
        finish = (
            (run.outputs or {}).get("finish_reason", "stop")
            if isinstance(run.outputs, dict)
            else "stop"
        )
        yield _chunk(run_id, model, created, {}, finish)
    else:
        message = (run.error or {}).get("message") or run.status
        error = {"error": {"message": f"run {run_id} {run.status}: {message}", "type": "run"}}
        yield sse.frame(json.dumps(error))
    if include_usage:
        payload = {
            "id": f"chatcmpl-{run_id}",
            "object": "chat.completion.chunk",
            "created": created,
            "model": model,
            "choices": [],
            "usage": _usage(run).model_dump(),
        }
        yield sse.frame(json.dumps(payload))
    yield sse.frame("[DONE]")


@router.get("/v1/openai/models")
async def list_models(kanri: Runtime, who: Reader) -> schemas.ModelList:
    """The project's active agents as OpenAI models (the id is the agent's name)."""
    params = ListParams(
        page_size=1000,
        page_token=None,
        filter='status = "active"',
        order_by="name",
        include_total=False,
        codec=kanri.page_codec,
    )
    page = await kanri.db.read(agents.list_agents, who, params)
    return schemas.ModelList(
        data=[
            schemas.ModelCard(id=agent.name, created=int(agent.create_time.timestamp()))
            for agent in page.items
        ]
    )

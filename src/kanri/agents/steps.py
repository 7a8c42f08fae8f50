"""The agents' step kinds: `agent` runs an agent's loop (model calls and tool calls, each
checkpointed); `llm` makes one model call with a templated prompt, optionally answering
JSON to a schema."""

from __future__ import annotations

import json
from typing import Any, ClassVar

import jsonschema
from pydantic import Field, field_validator, model_validator
from sqlalchemy.orm import Session

from kanri.agents.loop import model_call, run_agent
from kanri.core import regex
from kanri.core.errors import NotFound
from kanri.core.schemas import VersionChoice
from kanri.costs import usage
from kanri.engine.registry import Done, Fail, Outcome, StepConfig, StepContext, step_kind
from kanri.providers import service as providers
from kanri.providers.clients import ModelReply, ModelRequest


class AgentConfig(StepConfig):
    """`agent`: run an agent on `message` or `messages` (model and tool calls, each
    checkpointed); its answer is the step's output."""

    """Run an agent: model calls and tool calls, each checkpointed, until it answers or has
    made `max_steps` calls. Give exactly one of `message` and `messages`. The output is the
    answer: `content`, `finish_reason`, `model`, `model_calls`, `usage`."""

    raw_fields: ClassVar[frozenset[str]] = frozenset({"spec"})

    agent: str = Field(min_length=1, max_length=100, description="agent id or name")
    version: VersionChoice = Field(default=None, description="default: the published version")
    message: str | None = Field(default=None, max_length=1_000_000, description="a template")
    messages: list[dict[str, Any]] | None = Field(
        default=None, max_length=500, description="a conversation: `{role, content}` objects"
    )
    thread_id: str | None = Field(
        default=None, max_length=100, description="a thread whose history comes first"
    )
    # Set on the runs `POST /v1/agents/{id}/runs` makes: the pinned version and the
    # conversation taken from the run's inputs.
    spec: dict[str, Any] | None = Field(
        default=None, description="set by kanri on agent runs: the version's definition"
    )
    from_run_inputs: bool = Field(
        default=False,
        description="set by kanri on agent runs: the conversation is the run's `messages` input",
    )

    @model_validator(mode="after")
    def _conversation(self) -> AgentConfig:
        if not self.from_run_inputs and (self.message is None) == (self.messages is None):
            raise ValueError("give exactly one of `message` and `messages`")
        return self


@step_kind("agent", AgentConfig)
async def run_agent_step(ctx: StepContext, config: AgentConfig) -> Outcome:
    if config.from_run_inputs:
        conversation = list(ctx.inputs.get("messages") or [])
        thread_id = ctx.inputs.get("thread_id")
    else:
        conversation = (
            [{"role": "user", "content": config.message}]
            if config.message is not None
            else list(config.messages or [])
        )
        thread_id = config.thread_id
    return await run_agent(
        ctx,
        agent_ref=config.agent,
        version=config.version,
        pinned=config.spec,
        conversation=conversation,
        thread_id=thread_id,
    )


class LlmConfig(StepConfig):
    """`llm`: one model call with a templated `prompt`; with `output_schema` the answer
    is JSON matching it."""

    """One model call with a templated prompt and no tools. The output is `content` and
    `model`; with `output_schema`, also `json`, the answer parsed and checked (a mismatch
    fails the step)."""

    provider: str = Field(min_length=1, max_length=100, description="provider id or name")
    model: str | None = Field(default=None, max_length=200, description="default: the provider's")
    prompt: str = Field(min_length=1, max_length=1_000_000, description="a template")
    system: str | None = Field(default=None, max_length=100_000, description="a system message")
    output_schema: dict[str, Any] | None = Field(
        default=None, description="JSON Schema: the answer must be JSON that matches it"
    )
    temperature: float | None = Field(default=None, ge=0, le=2, description="default: the model's")
    max_tokens: int | None = Field(
        default=None, ge=1, le=1_000_000, description="longest answer; default: the model's"
    )

    @field_validator("output_schema")
    @classmethod
    def _usable_schema(cls, value: dict[str, Any] | None) -> dict[str, Any] | None:
        if value is not None and (problem := regex.schema_problem(value)):
            raise ValueError(problem)
        return value


def _load(
    tx: Session,
    run_id: str,
    project_id: str,
    environment_id: str | None,
    secret: bytes,
    provider: str,
    key: str,
) -> Any:
    config = providers.resolve(tx, project_id, secret, provider, environment_id)
    done = usage.recorded_calls(tx, run_id, key).get(key)
    return config, (done.reply, done.model, done.total_tokens) if done else None


@step_kind("llm", LlmConfig)
async def run_llm(ctx: StepContext, config: LlmConfig) -> Outcome:
    kanri = ctx.services.kanri
    key = f"{ctx.step_id}:llm"
    try:
        provider, done = await kanri.db.read(
            _load,
            ctx.run_id,
            ctx.project_id,
            ctx.environment_id,
            kanri.settings.secret,
            config.provider,
            key,
        )
    except (NotFound, ValueError) as exc:
        return Fail(str(getattr(exc, "detail", exc)), retryable=False)
    model = config.model or provider.default_model or "offline"
    if done is not None:  # the call finished before a crash: do not pay for it twice
        message, model, _ = done
    else:
        messages = [{"role": "user", "content": config.prompt}]
        if config.system:
            messages.insert(0, {"role": "system", "content": config.system})
        params = {
            k: v
            for k, v in (("temperature", config.temperature), ("max_tokens", config.max_tokens))
            if v is not None
        }
        response_format = None
        if config.output_schema is not None and provider.kind == "openai":
            response_format = {
                "type": "json_schema",
                "json_schema": {"name": "output", "schema": config.output_schema},
            }
        request = ModelRequest(
            model=model, messages=messages, tools=[], params=params, response_format=response_format
        )
        reply = await model_call(ctx, provider, request, key, None, False)
        if not isinstance(reply, ModelReply):
            return reply
        message, model = reply.message, reply.model
    content = message.get("content") or ""
    output: dict[str, Any] = {"content": content, "model": model}
    if config.output_schema is not None:
        try:
            value = json.loads(content)
            regex.schema_validator(config.output_schema).validate(value)
        except (ValueError, jsonschema.ValidationError) as exc:
            message_text = getattr(exc, "message", str(exc))
            return Fail(f"the answer does not match output_schema: {message_text}"[:500], False)
        output["json"] = value
    return Done(output)

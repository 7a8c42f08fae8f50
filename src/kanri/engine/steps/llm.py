"""`llm`: one model call with a templated prompt, optionally answering JSON to a schema."""

from __future__ import annotations

import json
from typing import Any

import jsonschema
from pydantic import Field, field_validator

from kanri.core import regex
from kanri.engine.registry import Done, Fail, Outcome, StepConfig, StepContext, step_kind


class LlmConfig(StepConfig):
    provider: str = Field(min_length=1, max_length=100, description="provider id or name")
    model: str | None = Field(default=None, max_length=200, description="default: the provider's")
    prompt: str = Field(min_length=1, max_length=1_000_000, description="a template")
    system: str | None = Field(default=None, max_length=100_000)
    output_schema: dict[str, Any] | None = Field(
        default=None, description="JSON Schema: the answer must be JSON that matches it"
    )
    temperature: float | None = Field(default=None, ge=0, le=2)
    max_tokens: int | None = Field(default=None, ge=1, le=1_000_000)

    @field_validator("output_schema")
    @classmethod
    def _usable_schema(cls, value: dict[str, Any] | None) -> dict[str, Any] | None:
        if value is not None and (problem := regex.schema_problem(value)):
            raise ValueError(problem)
        return value


def _load(tx: Any, run_id: str, project_id: str, secret: bytes, provider: str, key: str) -> Any:
    from kanri.costs import usage
    from kanri.providers import service as providers

    config = providers.resolve(tx, project_id, secret, provider)
    done = usage.recorded_calls(tx, run_id, key).get(key)
    return config, (done.reply, done.model, done.total_tokens) if done else None


@step_kind("llm", LlmConfig)
async def run(ctx: StepContext, config: LlmConfig) -> Outcome:
    from kanri.agents.loop import model_call
    from kanri.core.errors import NotFound
    from kanri.providers.clients import ModelReply, ModelRequest

    kanri = ctx.services.kanri
    key = f"{ctx.step_id}:llm"
    try:
        provider, done = await kanri.db.read(
            _load, ctx.run_id, ctx.project_id, kanri.settings.secret, config.provider, key
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

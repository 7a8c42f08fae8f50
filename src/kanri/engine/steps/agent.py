"""`agent`: run an agent's loop (model calls and tool calls, each checkpointed)."""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import Field, model_validator

from kanri.core.schemas import VersionChoice
from kanri.engine.registry import Outcome, StepConfig, StepContext, step_kind


class AgentConfig(StepConfig):
    raw_fields: ClassVar[frozenset[str]] = frozenset({"spec"})

    agent: str = Field(min_length=1, max_length=100, description="agent id or name")
    version: VersionChoice = Field(default=None, description="default: the published version")
    message: str | None = Field(default=None, max_length=1_000_000, description="a template")
    messages: list[dict[str, Any]] | None = Field(default=None, max_length=500)
    thread_id: str | None = Field(default=None, max_length=100)
    # Set on the runs `POST /v1/agents/{id}/runs` makes: the pinned version and the
    # conversation taken from the run's inputs.
    spec: dict[str, Any] | None = None
    from_run_inputs: bool = False

    @model_validator(mode="after")
    def _conversation(self) -> AgentConfig:
        if not self.from_run_inputs and (self.message is None) == (self.messages is None):
            raise ValueError("give exactly one of `message` and `messages`")
        return self


@step_kind("agent", AgentConfig)
async def run(ctx: StepContext, config: AgentConfig) -> Outcome:
    from kanri.agents.loop import run_agent

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

"""Public contract of agents, their versions, agent runs and threads."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field, model_validator

from kanri.automations.schemas import Labels
from kanri.core.schemas import (
    Description,
    Model,
    Resource,
    Slug,
    VersionChoice,
    VersionNumber,
    exactly_one_of,
    examples,
)
from kanri.costs.schemas import Usd

Concurrency = Annotated[
    int,
    Field(ge=1, le=100_000, description="runs of the agent running at once (null: no limit)"),
]


class Runtime(Model):
    provider: str = Field(min_length=1, max_length=100, description="provider id or name")
    model: str | None = Field(
        default=None, min_length=1, max_length=200, description="default: the provider's"
    )
    temperature: float | None = Field(default=None, ge=0, le=2)
    max_tokens: int | None = Field(default=None, ge=1, le=1_000_000)
    top_p: float | None = Field(default=None, ge=0, le=1)


class ToolSpec(Model):
    name: str = Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9_]+$")
    requires_approval: bool = False
    config: dict[str, Any] = Field(
        default_factory=dict, description="tool settings, e.g. `automations` allowed to run"
    )


def _unique_names(tools: list[ToolSpec]) -> list[ToolSpec]:
    names = [tool.name for tool in tools]
    if len(names) != len(set(names)):
        raise ValueError("tool names must be unique")
    return tools


Tools = Annotated[list[ToolSpec], Field(max_length=64), AfterValidator(_unique_names)]


class AgentSpec(Model):
    """The versioned part of an agent."""

    instructions: str = Field(default="", max_length=100_000)
    runtime: Runtime
    tools: Tools = Field(default_factory=list)
    knowledge_namespaces: list[str] = Field(default_factory=list, max_length=64)
    max_steps: int = Field(default=10, ge=1, le=100, description="model calls per run at most")


class AgentCreate(AgentSpec):
    model_config = examples(
        {
            "name": "support-agent",
            "instructions": "Answer from the help center; cite the articles you used.",
            "runtime": {"provider": "openai", "model": "gpt-4o-mini", "temperature": 0.2},
            "tools": [{"name": "search_knowledge"}],
            "knowledge_namespaces": ["help-center"],
            "max_steps": 8,
        }
    )

    name: Slug
    description: Description = ""
    labels: Labels = Field(default_factory=dict, max_length=64)
    concurrency: Concurrency | None = None


class AgentUpdate(Model):
    name: Slug | None = None
    description: Description | None = None
    labels: Labels | None = Field(default=None, max_length=64)
    instructions: str | None = Field(default=None, max_length=100_000)
    runtime: Runtime | None = None
    tools: Tools | None = None
    knowledge_namespaces: list[str] | None = Field(default=None, max_length=64)
    max_steps: int | None = Field(default=None, ge=1, le=100)
    concurrency: Concurrency | None = Field(
        default=None, description="runs of the agent running at once; null: no limit"
    )


class Agent(Resource):
    id: str
    project_id: str
    name: str
    description: str
    instructions: str
    runtime: Runtime
    tools: list[ToolSpec]
    knowledge_namespaces: list[str]
    max_steps: int
    concurrency: int | None = Field(
        description="runs of the agent running at once (null: no limit)"
    )
    labels: dict[str, str]
    status: Literal["active", "suspended"]
    published_version: int | None
    latest_version: int
    draft_changed: bool = Field(description="the draft differs from the published version")
    create_time: datetime
    update_time: datetime


class AgentVersion(Resource):
    agent_id: str
    version: int
    spec: dict[str, Any]
    created_by: str
    create_time: datetime
    published: bool = False


class Rollback(Model):
    version: VersionNumber


class MapRuntime(Model):
    provider: str = Field(min_length=1, max_length=100)
    model: str | None = Field(default=None, min_length=1, max_length=200)


class ChatMessage(Model):
    role: Literal["system", "user", "assistant", "tool"]
    content: str | None = Field(default=None, max_length=1_000_000)
    tool_calls: list[dict[str, Any]] | None = Field(default=None, max_length=64)
    tool_call_id: str | None = Field(default=None, max_length=200)
    name: str | None = Field(default=None, max_length=100)


class AgentRunCreate(Model):
    model_config = examples(
        {"message": "Where is my order 1042?", "labels": {"channel": "chat"}},
        schema=exactly_one_of("message", "messages"),
    )

    message: str | None = Field(default=None, min_length=1, max_length=1_000_000)
    messages: list[ChatMessage] | None = Field(default=None, min_length=1, max_length=500)
    inputs: dict[str, Any] = Field(default_factory=dict)
    thread_id: str | None = Field(default=None, min_length=1, max_length=100)
    version: VersionChoice = None
    labels: Labels = Field(default_factory=dict, max_length=64)

    @model_validator(mode="after")
    def _one_of(self) -> AgentRunCreate:
        if (self.message is None) == (self.messages is None):
            raise ValueError("give exactly one of `message` and `messages`")
        return self

    def conversation(self) -> list[dict[str, Any]]:
        if self.message is not None:
            return [{"role": "user", "content": self.message}]
        assert self.messages is not None
        return [m.model_dump(exclude_none=True) for m in self.messages]


class AgentRuntimeStatus(Resource):
    id: str
    name: str
    status: Literal["active", "suspended"]
    runs_in_flight: int
    last_run_id: str | None
    last_run_time: datetime | None
    tokens_today: int
    cost_usd_today: Usd


class ToolCall(Resource):
    id: str
    run_id: str
    call_key: str
    tool_call_id: str
    name: str
    arguments: Any
    status: str = Field(
        description="completed | failed (the tool refused; its result says why) | rejected "
        "(a person refused or nobody approved in time) | denied (a policy refused)"
    )
    result: Any
    approval_id: str | None = Field(description="the approval the call waited for, if any")
    create_time: datetime


class ThreadCreate(Model):
    model_config = examples(
        {"agent": "support-agent", "title": "Order 1042", "labels": {"customer": "c-17"}}
    )

    agent: str | None = Field(
        default=None, min_length=1, max_length=100, description="agent id or name"
    )
    title: str = Field(default="", max_length=200)
    labels: Labels = Field(default_factory=dict, max_length=64)


class Thread(Resource):
    id: str
    project_id: str
    agent_id: str | None
    title: str
    labels: dict[str, str]
    message_count: int
    create_time: datetime
    update_time: datetime


class ThreadMessage(Resource):
    id: str
    seq: int
    run_id: str | None
    role: str
    message: dict[str, Any]
    create_time: datetime

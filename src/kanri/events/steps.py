"""`event.emit`: append a domain event to the outbox (delivered to webhooks and streams)."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from kanri.engine.registry import Done, Outcome, StepConfig, StepContext, step_kind


class EmitConfig(StepConfig):
    """`event.emit`: append an event of `type` with `data` to the project's events."""

    type: str = Field(
        pattern=r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$",
        max_length=100,
        description="dotted lower-case name, e.g. `order.shipped`",
    )
    data: dict[str, Any] = Field(default_factory=dict, description="the event's data")


@step_kind("event.emit", EmitConfig)
async def run(ctx: StepContext, config: EmitConfig) -> Outcome:
    ctx.emit(config.type, config.data)
    return Done({"type": config.type})

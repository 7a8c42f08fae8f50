"""`condition`: evaluate `if` and jump to `then` or `else` (a step id, or `end`)."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field

from kanri.engine import templates
from kanri.engine.registry import Done, Outcome, StepConfig, StepContext, step_kind


class ConditionConfig(StepConfig):
    """`condition`: evaluate the expression `if` and jump to `then` or `else` (a step id,
    or `end`)."""

    raw_fields: ClassVar[frozenset[str]] = frozenset({"if"})

    if_: str = Field(
        alias="if",
        min_length=1,
        max_length=2000,
        description="an expression over inputs and earlier outputs: `inputs.amount > 100`",
    )
    then: str | None = Field(default=None, description="step id or `end`; default: next step")
    else_: str | None = Field(
        default=None, alias="else", description="step id or `end`; default: next step"
    )


def _targets(config: ConditionConfig) -> list[str]:
    return [t for t in (config.then, config.else_) if t is not None]


@step_kind("condition", ConditionConfig, targets=_targets)
async def run(ctx: StepContext, config: ConditionConfig) -> Outcome:
    limits = ctx.services.template_limits
    value = await templates.evaluate_async(config.if_, ctx.template_context(), "if", limits)
    chosen = templates.truthy(value)
    return Done({"result": chosen}, config.then if chosen else config.else_)

"""`transform`: the step's output is its templated `output` value."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from kanri.engine.registry import Done, Outcome, StepConfig, StepContext, step_kind


class TransformConfig(StepConfig):
    """`transform`: the step's output is its `output` value, templates rendered."""

    output: Any = Field(
        default=None, description="any JSON value, its strings rendered: the step's output"
    )


@step_kind("transform", TransformConfig)
async def run(ctx: StepContext, config: TransformConfig) -> Outcome:
    return Done(config.output)

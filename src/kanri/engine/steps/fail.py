"""`fail`: end the run as failed with a message (never retried)."""

from __future__ import annotations

from pydantic import Field

from kanri.engine.registry import Fail, Outcome, StepConfig, StepContext, step_kind


class FailConfig(StepConfig):
    """`fail`: end the run as failed with `message` (never retried)."""

    message: str = Field(min_length=1, max_length=10_000, description="the run's error message")


@step_kind("fail", FailConfig)
async def run(ctx: StepContext, config: FailConfig) -> Outcome:
    return Fail(config.message, retryable=False)

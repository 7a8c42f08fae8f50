"""`log`: write a message to the run's log."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from kanri.engine.registry import Done, Outcome, StepConfig, StepContext, step_kind


class LogConfig(StepConfig):
    """`log`: write `message` to the run's log at `level`."""

    message: str = Field(max_length=10_000, description="the log line")
    level: Literal["debug", "info", "warning", "error"] = Field(
        default="info", description="the line's level"
    )


@step_kind("log", LogConfig)
async def run(ctx: StepContext, config: LogConfig) -> Outcome:
    ctx.log(config.level, config.message)
    return Done({"message": config.message, "level": config.level})

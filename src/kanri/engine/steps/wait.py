"""`wait`: park the run for `seconds` or until a time; it holds no worker meanwhile."""

from __future__ import annotations

from datetime import UTC, timedelta

from pydantic import Field, model_validator

from kanri.core.schemas import DatetimeText
from kanri.core.time import utcnow
from kanri.engine.registry import Done, Outcome, StepConfig, StepContext, Wait, step_kind


class WaitConfig(StepConfig):
    """`wait`: park the run for `seconds` or until `until` (exactly one); it holds no
    worker meanwhile."""

    seconds: float | None = Field(
        default=None,
        ge=0,
        le=366 * 86_400,
        strict=True,  # a number, not `false` or "30"
        description="how long to wait (or `until`)",
    )
    until: DatetimeText | None = Field(
        default=None, description="when to go on (or `seconds`); without an offset: UTC"
    )

    @model_validator(mode="after")
    def _one_of(self) -> WaitConfig:
        if (self.seconds is None) == (self.until is None):
            raise ValueError("give exactly one of `seconds` or `until`")
        return self


@step_kind("wait", WaitConfig)
async def run(ctx: StepContext, config: WaitConfig) -> Outcome:
    if ctx.resumed is not None:
        return Done({"waited_until": ctx.resumed.get("until")})
    if config.until is not None:
        until = config.until if config.until.tzinfo else config.until.replace(tzinfo=UTC)
    else:
        until = utcnow() + timedelta(seconds=config.seconds or 0)
    if until <= utcnow():
        return Done({"waited_until": until.isoformat()})
    return Wait(until=until)

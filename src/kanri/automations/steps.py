"""`automation`: start another automation as a child run and wait for it to end."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from kanri.core.schemas import VersionChoice
from kanri.engine.registry import (
    ChildRun,
    Done,
    Fail,
    Outcome,
    StepConfig,
    StepContext,
    Wait,
    step_kind,
)
from kanri.engine.statuses import RunStatus


class AutomationConfig(StepConfig):
    """`automation`: start another automation as a child run and wait for it; its
    outputs are the step's output."""

    automation: str = Field(min_length=1, max_length=100, description="id or name")
    inputs: dict[str, Any] = Field(
        default_factory=dict, description="the child run's inputs, checked against its schema"
    )
    version: VersionChoice = Field(
        default=None, description="a version number or `draft`; default: the published one"
    )


@step_kind("automation", AutomationConfig)
async def run(ctx: StepContext, config: AutomationConfig) -> Outcome:
    if ctx.resumed is not None:
        child = ctx.resumed
        if child.get("status") == RunStatus.COMPLETED:
            return Done(child.get("outputs"))
        return Fail(
            f"child run {child.get('run_id')} ended {child.get('status')}",
            retryable=False,
            details={"child_run": child},
        )
    return Wait(child=ChildRun(config.automation, config.inputs, config.version))

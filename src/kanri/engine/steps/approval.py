"""`approval`: park the run until people approve or reject; the decision is the output."""

from __future__ import annotations

from datetime import timedelta
from typing import Literal

from pydantic import Field

from kanri.core.time import utcnow
from kanri.engine.registry import (
    ApprovalRequest,
    Done,
    Fail,
    Outcome,
    StepConfig,
    StepContext,
    Wait,
    step_kind,
)
from kanri.engine.statuses import ApprovalStatus


class ApprovalConfig(StepConfig):
    """`approval`: park the run until people approve or reject; the decision is the
    step's output, a rejection fails the run."""

    message: str = Field(default="", max_length=10_000, description="what the approvers read")
    approvers: list[str] = Field(
        default_factory=list, max_length=100, description="key ids that may decide; empty: any"
    )
    required_approvals: int = Field(
        default=1, ge=1, le=20, description="distinct approvals needed; one rejection fails"
    )
    timeout_seconds: float | None = Field(
        default=None, gt=0, le=366 * 86_400, description="how long the approval stays open"
    )
    on_timeout: Literal["reject", "approve", "escalate"] = Field(
        default="reject",
        description="what its deadline does: reject, approve, or escalate (raise the "
        "severity and extend the deadline once)",
    )
    allow_self_approval: bool = Field(
        default=False, description="whether the key that started the run may approve it"
    )


@step_kind("approval", ApprovalConfig)
async def run(ctx: StepContext, config: ApprovalConfig) -> Outcome:
    if ctx.resumed is not None:
        decision = ctx.resumed
        if decision.get("status") == ApprovalStatus.APPROVED:
            return Done(decision)
        return Fail(
            f"approval {decision.get('status', 'rejected')}",
            retryable=False,
            details={"stop_reason": "rejected", "approval": decision},
        )
    deadline = None
    if config.timeout_seconds is not None:
        deadline = utcnow() + timedelta(seconds=config.timeout_seconds)
    return Wait(
        # An escalating approval is timed by the sweeper (escalate, then expire), not a wake.
        until=None if config.on_timeout == "escalate" else deadline,
        approval=ApprovalRequest(
            message=config.message,
            approvers=config.approvers,
            required_approvals=config.required_approvals,
            deadline=deadline,
            on_timeout=config.on_timeout,
            allow_self_approval=config.allow_self_approval,
            extra={"timeout_seconds": config.timeout_seconds},
        ),
    )

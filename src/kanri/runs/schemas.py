"""Public contract of runs, their steps and logs, approvals and exceptions."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import Field, model_validator

from kanri.automations.schemas import Labels
from kanri.core.schemas import Model, Resource, VersionChoice, examples
from kanri.costs.schemas import Usd
from kanri.engine.statuses import ApprovalStatus, RunStatus, StepStatus


class RunCreate(Model):
    model_config = examples({"inputs": {"ticket_id": "T-1042"}, "labels": {"channel": "api"}})

    inputs: dict[str, Any] = Field(default_factory=dict)
    version: VersionChoice = Field(
        default=None, description="a version number, `draft`, or none for the published one"
    )
    labels: Labels = Field(default_factory=dict, max_length=64)


class Run(Resource):
    id: str
    project_id: str
    environment_id: str | None
    automation_id: str | None
    version: int | None = Field(description="the pinned version; null: the draft")
    status: RunStatus
    stop_reason: str | None
    waiting_reason: str | None = Field(
        default=None,
        description="a pending run a concurrency limit holds back: which one "
        "(`concurrency: project`, `concurrency: agent <name>`, `concurrency: automation`, "
        "`concurrency: key`); null otherwise",
    )
    inputs: dict[str, Any]
    outputs: Any = None
    error: dict[str, Any] | None
    labels: dict[str, str]
    attempt: int
    parent_run_id: str | None
    triggered_by: str
    agent_id: str | None = None
    usage: dict[str, Any] | None = Field(
        default=None, description="summed tokens of the run's model calls"
    )
    cost_usd: Usd | None = Field(default=None, description="USD, summed over model calls")
    create_time: datetime
    start_time: datetime | None
    end_time: datetime | None
    update_time: datetime

    @model_validator(mode="after")
    def _held_back_only_while_ready(self) -> Run:
        if self.status not in (RunStatus.PENDING, RunStatus.WAITING):
            self.waiting_reason = None
        return self


class RunStep(Resource):
    id: str
    seq: int
    step_id: str
    kind: str
    status: StepStatus
    output: Any = None
    error: dict[str, Any] | None
    attempt: int
    start_time: datetime
    end_time: datetime | None


class RunLog(Resource):
    id: str
    step_id: str | None
    level: str
    message: str
    create_time: datetime


class Decision(Model):
    comment: str = Field(default="", max_length=5000)


class Approval(Resource):
    id: str
    run_id: str | None = Field(description="null for an external execution's approval")
    external_execution_id: str | None = None
    automation_id: str | None
    step_id: str
    source: Literal["step", "policy", "escalation", "external"] = Field(
        description="an approval step, a policy rule, a manual escalation, an external engine"
    )
    status: ApprovalStatus
    severity: Literal["low", "medium", "high", "critical"]
    message: str
    approvers: list[str]
    required_approvals: int
    decisions: list[dict[str, Any]]
    history: list[dict[str, Any]] = Field(description="requests, decisions and escalations")
    policy_id: str | None = None
    rule_id: str | None = None
    escalations: int
    deadline: datetime | None
    on_timeout: str
    triggered_by: str
    create_time: datetime
    update_time: datetime


class Escalation(Model):
    severity: Literal["low", "medium", "high", "critical"]
    reason: str = Field(min_length=1, max_length=2000)


class RunException(Model):
    run: Run
    reason: str = Field(description="why it needs a person: the error, or the pending approval")
    approval_id: str | None = None


class RunFork(Model):
    """A new run of the same definition that keeps the checkpoints made before `from_step`.
    It is a new start: its inputs are checked against the automation's schema and the
    project's policies are evaluated on it before any step runs; it never starts past an
    approval step (fork from the approval step and it asks again)."""

    from_step: str = Field(
        min_length=1,
        max_length=100,
        description="the step to start at: not after an approval step of the definition",
    )
    inputs: dict[str, Any] | None = Field(
        default=None, description="default: the run's inputs; checked against the schema"
    )


class RunBatch(Model):
    filter: str | None = Field(default=None, max_length=2000, description="AIP-160 over runs")
    limit: int = Field(default=100, ge=1, le=1000, description="how many runs at most")


class RunBatchResult(Model):
    matched: int
    changed: int


class Worker(Resource):
    id: str
    hostname: str
    pid: int
    concurrency: int
    start_time: datetime
    heartbeat_time: datetime

"""Tables of the run engine: runs, their step checkpoints, logs, approvals and workers."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from kanri.db.base import Base, JSONType


class RunRow(Base):
    """A run: its public state and the queue columns the engine claims by."""

    __tablename__ = "runs"
    __table_args__ = (
        Index(None, "status", "available_at"),
        Index(None, "status", "priority", "available_at"),
        Index(None, "project_id", "create_time"),
        Index(None, "project_id", "status"),
        Index(None, "automation_id", "status"),
        Index(None, "concurrency_key", "status"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    organization_id: Mapped[str] = mapped_column(String(40))
    project_id: Mapped[str] = mapped_column(
        String(40), ForeignKey("projects.id", ondelete="CASCADE")
    )
    environment_id: Mapped[str | None] = mapped_column(String(40))
    automation_id: Mapped[str | None] = mapped_column(String(40))
    version: Mapped[int | None] = mapped_column(Integer)
    definition: Mapped[dict[str, Any]]
    status: Mapped[str] = mapped_column(String(20))
    stop_reason: Mapped[str | None] = mapped_column(String(40))
    inputs: Mapped[dict[str, Any]]
    outputs: Mapped[Any | None] = mapped_column(JSONType, default=None)
    error: Mapped[dict[str, Any] | None]
    labels: Mapped[dict[str, Any]]
    cursor: Mapped[str | None] = mapped_column(String(100))
    # Where a fork, retry or resume goes on once its start passes the policy gate again.
    restart_step: Mapped[str | None] = mapped_column(String(100), default=None)
    # A ready run a concurrency limit holds back: which (`concurrency: project`, …).
    waiting_reason: Mapped[str | None] = mapped_column(String(200), default=None)
    concurrency_key: Mapped[str | None] = mapped_column(String(200))
    parent_run_id: Mapped[str | None] = mapped_column(String(40))
    parent_step_id: Mapped[str | None] = mapped_column(String(100))
    triggered_by: Mapped[str] = mapped_column(String(100))
    priority: Mapped[int] = mapped_column(Integer, default=0)
    available_at: Mapped[datetime | None]
    lease_owner: Mapped[str | None] = mapped_column(String(60))
    lease_expires_at: Mapped[datetime | None]
    attempt: Mapped[int] = mapped_column(Integer, default=0)
    deadline: Mapped[datetime | None]
    create_time: Mapped[datetime]
    start_time: Mapped[datetime | None]
    end_time: Mapped[datetime | None]
    update_time: Mapped[datetime]
    # Agent runs: the agent; every run with model calls: their summed usage and cost.
    agent_id: Mapped[str | None] = mapped_column(String(40), default=None)
    usage: Mapped[dict[str, Any] | None] = mapped_column(JSONType, default=None)
    cost_usd: Mapped[Decimal | None] = mapped_column(Numeric(20, 8), default=None)


class RunStepRow(Base):
    """One executed step: the checkpoint a resumed run starts after."""

    __tablename__ = "run_steps"
    __table_args__ = (UniqueConstraint("run_id", "seq"), Index(None, "run_id", "step_id"))

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    run_id: Mapped[str] = mapped_column(String(40), ForeignKey("runs.id", ondelete="CASCADE"))
    seq: Mapped[int] = mapped_column(Integer)
    step_id: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(20))
    output: Mapped[Any | None] = mapped_column(JSONType, default=None)
    error: Mapped[dict[str, Any] | None]
    attempt: Mapped[int] = mapped_column(Integer)
    run_attempt: Mapped[int] = mapped_column(Integer)
    start_time: Mapped[datetime]
    end_time: Mapped[datetime | None]


class RunLogRow(Base):
    __tablename__ = "run_logs"
    __table_args__ = (Index(None, "run_id", "id"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    run_id: Mapped[str] = mapped_column(String(40), ForeignKey("runs.id", ondelete="CASCADE"))
    step_id: Mapped[str | None] = mapped_column(String(100))
    level: Mapped[str] = mapped_column(String(10))
    message: Mapped[str] = mapped_column(Text)
    create_time: Mapped[datetime]


class ApprovalRow(Base):
    """A person's decision a run waits for; decided exactly once."""

    __tablename__ = "approvals"
    __table_args__ = (
        UniqueConstraint("run_id", "step_id", "run_attempt_key"),
        Index(None, "project_id", "status", "create_time"),
        Index(None, "project_id", "due_time"),
        Index(None, "status", "deadline"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    project_id: Mapped[str] = mapped_column(
        String(40), ForeignKey("projects.id", ondelete="CASCADE")
    )
    # Null for an external execution's approval (then `external_execution_id` is set).
    run_id: Mapped[str | None] = mapped_column(
        String(40), ForeignKey("runs.id", ondelete="CASCADE")
    )
    external_execution_id: Mapped[str | None] = mapped_column(String(40), index=True)
    # step: an approval step; policy: a policy rule's gate; escalation: a manual escalation.
    source: Mapped[str] = mapped_column(String(20), default="step")
    severity: Mapped[str] = mapped_column(String(10), default="medium")
    policy_id: Mapped[str | None] = mapped_column(String(40))
    rule_id: Mapped[str | None] = mapped_column(String(100))
    escalate_to: Mapped[list[str]]
    timeout_seconds: Mapped[float | None]
    escalations: Mapped[int] = mapped_column(Integer, default=0)
    history: Mapped[list[Any]]
    # The deadline, or the far future when there is none: a non-null key to sort and page by.
    due_time: Mapped[datetime]
    automation_id: Mapped[str | None] = mapped_column(String(40))
    step_id: Mapped[str] = mapped_column(String(100))
    run_attempt_key: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(20))
    message: Mapped[str] = mapped_column(Text, default="")
    approvers: Mapped[list[str]]
    required_approvals: Mapped[int] = mapped_column(Integer, default=1)
    decisions: Mapped[list[Any]]
    allow_self_approval: Mapped[bool] = mapped_column(Boolean, default=False)
    on_timeout: Mapped[str] = mapped_column(String(20), default="reject")
    triggered_by: Mapped[str] = mapped_column(String(100))
    deadline: Mapped[datetime | None]
    create_time: Mapped[datetime]
    update_time: Mapped[datetime]


class WorkerRow(Base):
    __tablename__ = "workers"

    id: Mapped[str] = mapped_column(String(60), primary_key=True)
    hostname: Mapped[str] = mapped_column(String(255))
    pid: Mapped[int] = mapped_column(Integer)
    concurrency: Mapped[int] = mapped_column(Integer)
    start_time: Mapped[datetime]
    heartbeat_time: Mapped[datetime]
    stop_time: Mapped[datetime | None]

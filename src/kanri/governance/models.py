"""Tables of governance: policies, the project's default policy, exceptions, external runs."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from kanri.db.base import Base, JSONType


class PolicyRow(Base):
    """Ordered rules and where they apply (`attachments`: names of automations, agents,
    external workflows and environments, or the whole project)."""

    __tablename__ = "policies"
    __table_args__ = (UniqueConstraint("project_id", "name"), Index(None, "project_id", "id"))

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    project_id: Mapped[str] = mapped_column(
        String(40), ForeignKey("projects.id", ondelete="CASCADE")
    )
    name: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(Text, default="")
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    rules: Mapped[list[Any]]
    attachments: Mapped[dict[str, Any]]
    create_time: Mapped[datetime]
    update_time: Mapped[datetime]


class PolicyDefaultRow(Base):
    """The project's default policy: applies wherever no attachment names it."""

    __tablename__ = "policy_defaults"

    project_id: Mapped[str] = mapped_column(
        String(40), ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True
    )
    policy_id: Mapped[str] = mapped_column(String(40), ForeignKey("policies.id"))
    update_time: Mapped[datetime]


class PolicyExceptionRow(Base):
    """While unexpired, the rule `rule_id` of `policy_id` does not match within `scope`."""

    __tablename__ = "policy_exceptions"
    __table_args__ = (
        Index(None, "project_id", "expires_at"),
        Index(None, "policy_id"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    project_id: Mapped[str] = mapped_column(
        String(40), ForeignKey("projects.id", ondelete="CASCADE")
    )
    policy_id: Mapped[str] = mapped_column(
        String(40), ForeignKey("policies.id", ondelete="CASCADE")
    )
    rule_id: Mapped[str] = mapped_column(String(100))
    scope: Mapped[dict[str, Any]]
    justification: Mapped[str] = mapped_column(Text)
    expires_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String(100))
    create_time: Mapped[datetime]


class ExternalExecutionRow(Base):
    """An execution an external engine (n8n) reported; one row per engine + execution id."""

    __tablename__ = "external_executions"
    __table_args__ = (
        UniqueConstraint("project_id", "engine", "execution_id"),
        Index(None, "project_id", "started_at"),
        Index(None, "project_id", "workflow_id"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    project_id: Mapped[str] = mapped_column(
        String(40), ForeignKey("projects.id", ondelete="CASCADE")
    )
    engine: Mapped[str] = mapped_column(String(40))
    workflow_id: Mapped[str] = mapped_column(String(200))
    execution_id: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20))
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    duration_ms: Mapped[int | None] = mapped_column(Integer)
    output: Mapped[Any | None] = mapped_column(JSONType, default=None)
    error: Mapped[Any | None] = mapped_column(JSONType, default=None)
    reported_by: Mapped[str] = mapped_column(String(100))
    create_time: Mapped[datetime]
    update_time: Mapped[datetime]

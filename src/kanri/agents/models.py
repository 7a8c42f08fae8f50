"""Tables of agents, their published versions, tool calls and conversation threads."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from kanri.core import ownership
from kanri.db.base import Base, JSONType


class AgentRow(Base):
    __tablename__ = "agents"
    __table_args__ = (
        UniqueConstraint("project_id", "name"),
        Index(None, "project_id", "create_time"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    project_id: Mapped[str] = mapped_column(
        String(40), ForeignKey("projects.id", ondelete="CASCADE")
    )
    name: Mapped[str] = mapped_column(String(63))
    description: Mapped[str] = mapped_column(Text, default="")
    spec: Mapped[dict[str, Any]]  # the draft: instructions, runtime, tools, max_steps, ...
    status: Mapped[str] = mapped_column(String(20))  # active | suspended
    published_version: Mapped[int | None] = mapped_column(Integer)
    latest_version: Mapped[int] = mapped_column(Integer, default=0)
    labels: Mapped[dict[str, Any]]
    # Runs of the agent running at once (None: no limit); not versioned.
    concurrency: Mapped[int | None] = mapped_column(Integer, default=None)
    create_time: Mapped[datetime]
    update_time: Mapped[datetime]


class AgentVersionRow(Base):
    __tablename__ = "agent_versions"
    __table_args__ = (UniqueConstraint("agent_id", "version"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    agent_id: Mapped[str] = mapped_column(String(40), ForeignKey("agents.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(Integer)
    spec: Mapped[dict[str, Any]]
    created_by: Mapped[str] = mapped_column(String(100))
    create_time: Mapped[datetime]


class ToolCallRow(Base):
    """A finished tool call of an agent run (its checkpoint)."""

    __tablename__ = "tool_calls"
    __table_args__ = (UniqueConstraint("run_id", "call_key"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    project_id: Mapped[str] = mapped_column(
        String(40), ForeignKey("projects.id", ondelete="CASCADE")
    )
    run_id: Mapped[str] = mapped_column(String(40), ForeignKey("runs.id", ondelete="CASCADE"))
    call_key: Mapped[str] = mapped_column(String(200))
    tool_call_id: Mapped[str] = mapped_column(String(200))
    name: Mapped[str] = mapped_column(String(100))
    arguments: Mapped[Any] = mapped_column(JSONType)
    status: Mapped[str] = mapped_column(String(20))  # completed | failed | rejected | denied
    result: Mapped[Any] = mapped_column(JSONType)
    approval_id: Mapped[str | None] = mapped_column(String(40))
    create_time: Mapped[datetime]


class ThreadRow(Base):
    __tablename__ = "threads"
    __table_args__ = (Index(None, "project_id", "create_time"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    project_id: Mapped[str] = mapped_column(
        String(40), ForeignKey("projects.id", ondelete="CASCADE")
    )
    agent_id: Mapped[str | None] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(200), default="")
    labels: Mapped[dict[str, Any]]
    message_count: Mapped[int] = mapped_column(Integer, default=0)
    create_time: Mapped[datetime]
    update_time: Mapped[datetime]


class ThreadMessageRow(Base):
    __tablename__ = "thread_messages"
    __table_args__ = (
        UniqueConstraint("thread_id", "seq"),
        UniqueConstraint("run_id", "position"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    thread_id: Mapped[str] = mapped_column(String(40), ForeignKey("threads.id", ondelete="CASCADE"))
    seq: Mapped[int] = mapped_column(Integer)
    run_id: Mapped[str | None] = mapped_column(String(40))
    position: Mapped[int] = mapped_column(Integer)
    role: Mapped[str] = mapped_column(String(20))
    message: Mapped[dict[str, Any]]
    create_time: Mapped[datetime]


ownership.register("agt", AgentRow, "agent")

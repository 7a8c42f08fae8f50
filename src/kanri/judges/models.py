"""Tables of judges and the scores they give runs."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, Float, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from kanri.db.base import Base


class JudgeRow(Base):
    __tablename__ = "judges"
    __table_args__ = (
        UniqueConstraint("project_id", "name"),
        Index(None, "project_id", "create_time"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    project_id: Mapped[str] = mapped_column(
        String(40), ForeignKey("projects.id", ondelete="CASCADE")
    )
    name: Mapped[str] = mapped_column(String(63))
    kind: Mapped[str] = mapped_column(String(10))  # rule | llm
    agent_id: Mapped[str | None] = mapped_column(String(40))
    automation_id: Mapped[str | None] = mapped_column(String(40))
    config: Mapped[dict[str, Any]]
    sample_rate: Mapped[float] = mapped_column(Float)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    create_time: Mapped[datetime]
    update_time: Mapped[datetime]


class ScoreRow(Base):
    __tablename__ = "scores"
    __table_args__ = (
        UniqueConstraint("judge_id", "run_id"),
        Index(None, "run_id"),
        Index(None, "judge_id", "create_time"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    project_id: Mapped[str] = mapped_column(
        String(40), ForeignKey("projects.id", ondelete="CASCADE")
    )
    judge_id: Mapped[str] = mapped_column(String(40), ForeignKey("judges.id", ondelete="CASCADE"))
    run_id: Mapped[str] = mapped_column(String(40), ForeignKey("runs.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(10))  # scored | skipped | error
    score: Mapped[float | None] = mapped_column(Float)
    passed: Mapped[bool | None] = mapped_column(Boolean)
    reasoning: Mapped[str] = mapped_column(Text, default="")
    details: Mapped[dict[str, Any]]
    create_time: Mapped[datetime]

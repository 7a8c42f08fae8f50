"""The table of schedules."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from kanri.db.base import Base


class ScheduleRow(Base):
    """A cron schedule of an automation; `next_fire_time` is null while it is disabled."""

    __tablename__ = "schedules"
    __table_args__ = (
        Index(None, "enabled", "next_fire_time"),  # the leader's "what is due" query
        Index(None, "project_id", "create_time"),
        Index(None, "automation_id"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    project_id: Mapped[str] = mapped_column(
        String(40), ForeignKey("projects.id", ondelete="CASCADE")
    )
    # A schedule of a deleted environment goes with it rather than firing runs nobody sees.
    environment_id: Mapped[str | None] = mapped_column(
        String(40), ForeignKey("environments.id", ondelete="CASCADE")
    )
    automation_id: Mapped[str] = mapped_column(
        String(40), ForeignKey("automations.id", ondelete="CASCADE")
    )
    cron: Mapped[str] = mapped_column(String(100))
    timezone: Mapped[str] = mapped_column(String(64))
    inputs: Mapped[dict[str, Any]]
    labels: Mapped[dict[str, Any]]
    enabled: Mapped[bool] = mapped_column(Boolean)
    catchup: Mapped[str] = mapped_column(String(10))
    next_fire_time: Mapped[datetime | None]
    last_fire_time: Mapped[datetime | None]
    triggered_by: Mapped[str] = mapped_column(String(100))
    create_time: Mapped[datetime]
    update_time: Mapped[datetime]

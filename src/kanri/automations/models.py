"""Tables of automations and their immutable published versions."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from kanri.core import ownership
from kanri.db.base import Base


class AutomationRow(Base):
    __tablename__ = "automations"
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
    definition: Mapped[dict[str, Any]]
    published_version: Mapped[int | None] = mapped_column(Integer)
    latest_version: Mapped[int] = mapped_column(Integer, default=0)
    labels: Mapped[dict[str, Any]]
    create_time: Mapped[datetime]
    update_time: Mapped[datetime]


class AutomationVersionRow(Base):
    __tablename__ = "automation_versions"
    __table_args__ = (UniqueConstraint("automation_id", "version"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    automation_id: Mapped[str] = mapped_column(
        String(40), ForeignKey("automations.id", ondelete="CASCADE")
    )
    version: Mapped[int] = mapped_column(Integer)
    definition: Mapped[dict[str, Any]]
    created_by: Mapped[str] = mapped_column(String(100))
    create_time: Mapped[datetime]


ownership.register("aut", AutomationRow, "automation")

"""Tables of reports."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from kanri.db.base import Base


class ReportRow(Base):
    """One submitted report; `content` is stored as it is served (HTML already sanitised)."""

    __tablename__ = "reports"
    __table_args__ = (
        Index(None, "project_id", "create_time"),
        Index(None, "project_id", "type", "create_time"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    project_id: Mapped[str] = mapped_column(
        String(40), ForeignKey("projects.id", ondelete="CASCADE")
    )
    type: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(500))
    format: Mapped[str] = mapped_column(String(20))
    content: Mapped[str] = mapped_column(Text)
    author: Mapped[str] = mapped_column(String(200))
    period_start: Mapped[datetime | None]
    period_end: Mapped[datetime | None]
    # `metadata` is taken by SQLAlchemy's declarative base; the column keeps the name.
    extra: Mapped[dict[str, Any]] = mapped_column("metadata")
    labels: Mapped[dict[str, Any]]
    created_by: Mapped[dict[str, Any]]
    create_time: Mapped[datetime]

"""The providers table: where a project's model calls go, with the key encrypted at rest."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from kanri.core import ownership
from kanri.db.base import Base


class ProviderRow(Base):
    __tablename__ = "providers"
    __table_args__ = (
        UniqueConstraint("project_id", "name"),
        Index(None, "project_id", "create_time"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    project_id: Mapped[str] = mapped_column(
        String(40), ForeignKey("projects.id", ondelete="CASCADE")
    )
    name: Mapped[str] = mapped_column(String(63))
    kind: Mapped[str] = mapped_column(String(20))
    base_url: Mapped[str | None] = mapped_column(String(2000))
    api_key_encrypted: Mapped[str | None] = mapped_column(Text)
    # Or the name of a secret (`kanri.secrets`) read at call time; never both.
    api_key_secret: Mapped[str | None] = mapped_column(String(64))
    default_model: Mapped[str | None] = mapped_column(String(200))
    options: Mapped[dict[str, Any]]
    create_time: Mapped[datetime]
    update_time: Mapped[datetime]


ownership.register("prv", ProviderRow, "provider")

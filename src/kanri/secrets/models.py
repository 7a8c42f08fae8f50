"""Tables of secrets (encrypted, versioned) and variables, per environment of a project."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from kanri.db.base import Base, JSONType


class SecretRow(Base):
    """A named secret of one environment; its value is the current version's."""

    __tablename__ = "secrets"
    __table_args__ = (UniqueConstraint("project_id", "environment_id", "name"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    project_id: Mapped[str] = mapped_column(
        String(40), ForeignKey("projects.id", ondelete="CASCADE")
    )
    environment_id: Mapped[str] = mapped_column(
        String(40), ForeignKey("environments.id", ondelete="CASCADE")
    )
    name: Mapped[str] = mapped_column(String(64))
    description: Mapped[str] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer)
    last_used_time: Mapped[datetime | None]
    create_time: Mapped[datetime]
    update_time: Mapped[datetime]


class SecretVersionRow(Base):
    """One value a secret had: a Fernet token (`core/secrets.py`), never the value itself."""

    __tablename__ = "secret_versions"
    __table_args__ = (UniqueConstraint("secret_id", "version"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    secret_id: Mapped[str] = mapped_column(String(40), ForeignKey("secrets.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(Integer)
    value_encrypted: Mapped[str] = mapped_column(Text)
    create_time: Mapped[datetime]


class VariableRow(Base):
    """A named, non-secret JSON value of one environment (`{{ vars.NAME }}`)."""

    __tablename__ = "variables"
    __table_args__ = (UniqueConstraint("project_id", "environment_id", "name"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    project_id: Mapped[str] = mapped_column(
        String(40), ForeignKey("projects.id", ondelete="CASCADE")
    )
    environment_id: Mapped[str] = mapped_column(
        String(40), ForeignKey("environments.id", ondelete="CASCADE")
    )
    name: Mapped[str] = mapped_column(String(64))
    description: Mapped[str] = mapped_column(Text)
    value: Mapped[Any] = mapped_column(JSONType)
    create_time: Mapped[datetime]
    update_time: Mapped[datetime]

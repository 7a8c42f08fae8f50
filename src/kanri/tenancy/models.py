"""Tenancy tables: organizations → projects → environments, and API keys."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from kanri.core import ownership
from kanri.db.base import Base, JSONType


class OrganizationRow(Base):
    __tablename__ = "organizations"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    # What a new project's `max_running_runs` starts as (None: the server's default).
    default_max_running_runs: Mapped[int | None] = mapped_column(Integer, default=None)
    create_time: Mapped[datetime]
    update_time: Mapped[datetime]


class ProjectRow(Base):
    __tablename__ = "projects"
    __table_args__ = (UniqueConstraint("organization_id", "name"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    organization_id: Mapped[str] = mapped_column(
        String(40), ForeignKey("organizations.id", ondelete="CASCADE")
    )
    name: Mapped[str] = mapped_column(String(63))
    display_name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    rate_limit_per_minute: Mapped[int] = mapped_column(Integer)
    allow_private_network: Mapped[bool] = mapped_column(Boolean, default=False)
    # Runs of the project running at once (None: the server's KANRI_PROJECT_MAX_RUNNING_RUNS).
    max_running_runs: Mapped[int | None] = mapped_column(Integer, default=None)
    # Days logs, metric points, business events and spans are kept (observability).
    observability_retention_days: Mapped[int] = mapped_column(
        Integer, default=30, server_default="30"
    )
    create_time: Mapped[datetime]
    update_time: Mapped[datetime]


class EnvironmentRow(Base):
    __tablename__ = "environments"
    __table_args__ = (UniqueConstraint("project_id", "name"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    project_id: Mapped[str] = mapped_column(
        String(40), ForeignKey("projects.id", ondelete="CASCADE")
    )
    name: Mapped[str] = mapped_column(String(63))
    description: Mapped[str] = mapped_column(Text, default="")
    create_time: Mapped[datetime]
    update_time: Mapped[datetime]


# Policies read a run's environment by name (`core.ownership.name_of`).
ownership.register("env", EnvironmentRow, "environment", referenced=False)


class ApiKeyRow(Base):
    """A key: stored as HMAC-SHA256 with the server pepper, never in clear."""

    __tablename__ = "api_keys"
    __table_args__ = (Index(None, "project_id", "create_time"), Index(None, "organization_id"))

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    organization_id: Mapped[str] = mapped_column(
        String(40), ForeignKey("organizations.id", ondelete="CASCADE")
    )
    project_id: Mapped[str | None] = mapped_column(
        String(40), ForeignKey("projects.id", ondelete="CASCADE")
    )
    environment_id: Mapped[str | None] = mapped_column(
        String(40), ForeignKey("environments.id", ondelete="RESTRICT")
    )
    kind: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(200))
    scopes: Mapped[list[str]]
    # Publishable keys: browser origins the delivery API answers with CORS for this key.
    allowed_origins: Mapped[list[str] | None] = mapped_column(JSONType)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(20))
    last_four: Mapped[str] = mapped_column(String(4))
    expires_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
    rotated_to: Mapped[str | None] = mapped_column(String(40))
    create_time: Mapped[datetime]
    update_time: Mapped[datetime]

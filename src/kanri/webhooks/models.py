"""Tables of webhooks: endpoints, deliveries, and the dispatcher's outbox cursor."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from kanri.db.base import Base


class WebhookEndpointRow(Base):
    """A URL that receives the project's events matching `event_types` (and `filter`)."""

    __tablename__ = "webhook_endpoints"
    __table_args__ = (Index(None, "project_id", "create_time"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    project_id: Mapped[str] = mapped_column(
        String(40), ForeignKey("projects.id", ondelete="CASCADE")
    )
    url: Mapped[str] = mapped_column(String(2000))
    description: Mapped[str] = mapped_column(String(2000))
    event_types: Mapped[list[str]]
    filter: Mapped[str | None] = mapped_column(String(2000))
    enabled: Mapped[bool] = mapped_column(Boolean)
    ordered: Mapped[bool] = mapped_column(Boolean)
    disabled_reason: Mapped[str | None] = mapped_column(String(500))
    # Fernet tokens (core/secrets.py); the previous secret signs too until it expires.
    secret_encrypted: Mapped[str] = mapped_column(Text)
    previous_secret_encrypted: Mapped[str | None] = mapped_column(Text)
    previous_secret_expire_time: Mapped[datetime | None]
    # Or the name of a secret (`kanri.secrets`) of the project's default environment that
    # signs instead of `secret_encrypted`, read at each attempt.
    signing_secret: Mapped[str | None] = mapped_column(String(64))
    failing_since: Mapped[datetime | None]
    create_time: Mapped[datetime]
    update_time: Mapped[datetime]


class WebhookDeliveryRow(Base):
    """One event (or test message) for one endpoint, with its attempts so far."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        # Also the index of the fan-out's "already made?" lookup by event.
        UniqueConstraint("event_id", "endpoint_id"),
        Index(None, "status", "next_attempt_time"),  # the dispatcher's "what is due" query
        Index(None, "endpoint_id", "status", "event_id"),  # ordered endpoints: the oldest open
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    endpoint_id: Mapped[str] = mapped_column(
        String(40), ForeignKey("webhook_endpoints.id", ondelete="CASCADE")
    )
    project_id: Mapped[str] = mapped_column(String(40))
    event_id: Mapped[str] = mapped_column(String(40))
    event_type: Mapped[str] = mapped_column(String(100))
    # The signed body, fixed when the delivery is made: retries send the same bytes.
    payload: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20))  # pending | succeeded | failed
    attempt_count: Mapped[int] = mapped_column(Integer)
    # attempt_count when the retry schedule (re)started: a redelivery starts it afresh.
    schedule_start: Mapped[int] = mapped_column(Integer)
    attempts: Mapped[list[Any]]
    next_attempt_time: Mapped[datetime | None]
    lease_expires_at: Mapped[datetime | None]
    lease_token: Mapped[int] = mapped_column(Integer)
    create_time: Mapped[datetime]
    update_time: Mapped[datetime]


class WebhookCursorRow(Base):
    """How far the dispatcher has turned outbox events into deliveries (one row, `main`)."""

    __tablename__ = "webhook_cursors"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    event_id: Mapped[str] = mapped_column(String(40))
    update_time: Mapped[datetime]

"""Tables of the cross-cutting mechanisms: audit chain, outbox, idempotency records."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from kanri.db.base import Base


class AuditLogRow(Base):
    """One audited mutation; `hash` chains it to the previous row of the same scope.

    `seq`, `prev_hash` and `hash` are empty until the row is chained (core/audit.py).
    """

    __tablename__ = "audit_logs"
    __table_args__ = (
        UniqueConstraint("scope_id", "seq"),
        Index(None, "scope_id", "create_time"),
        Index(None, "scope_id", "resource_type", "resource_id"),
        # The rows waiting for the chainer: a small partial index, empty when idle.
        Index(
            "ix_audit_logs_unchained",
            "create_time",
            postgresql_where=text("seq IS NULL"),
            sqlite_where=text("seq IS NULL"),
        ),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    scope_id: Mapped[str] = mapped_column(String(40))
    organization_id: Mapped[str] = mapped_column(String(40))
    project_id: Mapped[str | None] = mapped_column(String(40))
    seq: Mapped[int | None] = mapped_column(BigInteger)
    action: Mapped[str] = mapped_column(String(100))
    resource_type: Mapped[str] = mapped_column(String(60))
    resource_id: Mapped[str] = mapped_column(String(200))
    actor: Mapped[dict[str, Any]]
    actor_id: Mapped[str] = mapped_column(String(100))
    changes: Mapped[dict[str, Any]]
    request_id: Mapped[str | None] = mapped_column(String(128))
    ip: Mapped[str | None] = mapped_column(String(64))
    create_time: Mapped[datetime]
    prev_hash: Mapped[str | None] = mapped_column(String(64))
    hash: Mapped[str | None] = mapped_column(String(64))


class AuditHeadRow(Base):
    """The chain head per scope: the serialisation point writers lock."""

    __tablename__ = "audit_heads"

    scope_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger)
    hash: Mapped[str] = mapped_column(String(64))


class OutboxEventRow(Base):
    """A domain event written with its mutation; dispatched later to webhooks and streams."""

    __tablename__ = "outbox_events"
    __table_args__ = (Index(None, "scope_id", "id"), Index(None, "type", "id"))

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    scope_id: Mapped[str] = mapped_column(String(40))
    organization_id: Mapped[str] = mapped_column(String(40))
    project_id: Mapped[str | None] = mapped_column(String(40))
    environment_id: Mapped[str | None] = mapped_column(String(40))
    type: Mapped[str] = mapped_column(String(100))
    resource_type: Mapped[str] = mapped_column(String(60))
    resource_id: Mapped[str] = mapped_column(String(100))
    data: Mapped[dict[str, Any]]
    request_id: Mapped[str | None] = mapped_column(String(128))
    create_time: Mapped[datetime]


class IdempotencyRow(Base):
    """The stored first response of a creating POST, replayed for the same key."""

    __tablename__ = "idempotency_records"
    __table_args__ = (UniqueConstraint("scope_id", "key"), Index(None, "expire_time"))

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    scope_id: Mapped[str] = mapped_column(String(80))
    key: Mapped[str] = mapped_column(String(255))
    fingerprint: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int] = mapped_column(Integer)
    body: Mapped[str] = mapped_column(Text)
    location: Mapped[str | None] = mapped_column(String(500))
    create_time: Mapped[datetime]
    expire_time: Mapped[datetime]

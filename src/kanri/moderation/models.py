"""Tables of moderation: items, their decisions, rules, warnings against authors, settings."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from kanri.db.base import Base


class ModerationItemRow(Base):
    """A piece of user content (post, comment, message, profile) and where moderation left it."""

    __tablename__ = "moderation_items"
    __table_args__ = (
        UniqueConstraint("project_id", "environment_id", "external_id"),
        Index(None, "project_id", "environment_id", "create_time"),
        Index(None, "project_id", "environment_id", "status", "queue_time"),
        Index(
            "ix_moderation_items_author", "project_id", "environment_id", "author_id", "create_time"
        ),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    project_id: Mapped[str] = mapped_column(
        String(40), ForeignKey("projects.id", ondelete="CASCADE")
    )
    environment_id: Mapped[str] = mapped_column(String(40))
    external_id: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    content: Mapped[str] = mapped_column(Text)
    # sha256 of the normalised text: repeated-content rules compare these.
    content_hash: Mapped[str] = mapped_column(String(64))
    author_id: Mapped[str] = mapped_column(String(200))
    author_name: Mapped[str | None] = mapped_column(String(200))
    context: Mapped[dict[str, Any]]
    item_metadata: Mapped[dict[str, Any]] = mapped_column("metadata")
    status: Mapped[str] = mapped_column(String(20))
    action: Mapped[str | None] = mapped_column(String(20))
    category: Mapped[str | None] = mapped_column(String(40))
    severity: Mapped[str | None] = mapped_column(String(20))
    rule_id: Mapped[str | None] = mapped_column(String(40))
    rule_name: Mapped[str | None] = mapped_column(String(100))
    reason: Mapped[str | None] = mapped_column(String(2000))
    # Classifier scores by category (0..1) and what produced them.
    scores: Mapped[dict[str, Any]]
    # When the item entered the review queue (flagged or appealed); null otherwise.
    queue_time: Mapped[datetime | None]
    claim_owner: Mapped[str | None] = mapped_column(String(200))
    claim_time: Mapped[datetime | None]
    claim_expire_time: Mapped[datetime | None]
    decided_by: Mapped[str | None] = mapped_column(String(200))
    decide_time: Mapped[datetime | None]
    appeal_reason: Mapped[str | None] = mapped_column(String(2000))
    appeal_status: Mapped[str | None] = mapped_column(String(20))  # pending | decided
    appeal_time: Mapped[datetime | None]
    revision: Mapped[int] = mapped_column(Integer)
    create_time: Mapped[datetime]
    update_time: Mapped[datetime]


class ModerationDecisionRow(Base):
    """One action taken on an item, by a rule (automatic) or a reviewer (manual)."""

    __tablename__ = "moderation_decisions"
    __table_args__ = (
        Index(None, "item_id", "create_time"),
        Index(None, "project_id", "environment_id", "create_time"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    project_id: Mapped[str] = mapped_column(
        String(40), ForeignKey("projects.id", ondelete="CASCADE")
    )
    environment_id: Mapped[str] = mapped_column(String(40))
    item_id: Mapped[str] = mapped_column(
        String(40), ForeignKey("moderation_items.id", ondelete="CASCADE")
    )
    action: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20))
    source: Mapped[str] = mapped_column(String(20))  # rules | manual | scan | appeal
    automatic: Mapped[bool] = mapped_column(Boolean)
    category: Mapped[str | None] = mapped_column(String(40))
    rule_id: Mapped[str | None] = mapped_column(String(40))
    rule_name: Mapped[str | None] = mapped_column(String(100))
    reason: Mapped[str | None] = mapped_column(String(2000))
    actor: Mapped[str] = mapped_column(String(200))
    # Seconds from the item's entering the queue to this decision (manual decisions).
    wait_seconds: Mapped[int | None] = mapped_column(Integer)
    create_time: Mapped[datetime]


class ModerationRuleRow(Base):
    __tablename__ = "moderation_rules"
    __table_args__ = (
        UniqueConstraint("project_id", "environment_id", "name"),
        Index(None, "project_id", "environment_id", "position"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    project_id: Mapped[str] = mapped_column(
        String(40), ForeignKey("projects.id", ondelete="CASCADE")
    )
    environment_id: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(63))
    enabled: Mapped[bool] = mapped_column(Boolean)
    position: Mapped[int] = mapped_column(Integer)
    when: Mapped[dict[str, Any]]
    action: Mapped[str] = mapped_column(String(20))
    category: Mapped[str | None] = mapped_column(String(40))
    severity: Mapped[str] = mapped_column(String(20))
    create_time: Mapped[datetime]
    update_time: Mapped[datetime]


class ModerationWarningRow(Base):
    __tablename__ = "moderation_warnings"
    __table_args__ = (
        Index(
            "ix_moderation_warnings_author",
            "project_id",
            "environment_id",
            "author_id",
            "create_time",
        ),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    project_id: Mapped[str] = mapped_column(
        String(40), ForeignKey("projects.id", ondelete="CASCADE")
    )
    environment_id: Mapped[str] = mapped_column(String(40))
    author_id: Mapped[str] = mapped_column(String(200))
    item_id: Mapped[str] = mapped_column(
        String(40), ForeignKey("moderation_items.id", ondelete="CASCADE")
    )
    reason: Mapped[str | None] = mapped_column(String(2000))
    create_time: Mapped[datetime]


class ModerationSettingsRow(Base):
    """A project environment's moderation settings (defaults until first changed)."""

    __tablename__ = "moderation_settings"

    project_id: Mapped[str] = mapped_column(
        String(40), ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True
    )
    environment_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    settings: Mapped[dict[str, Any]]
    update_time: Mapped[datetime]

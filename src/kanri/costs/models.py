"""Tables of usage and costs: one row per model call, prices, budgets."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from kanri.db.base import Base, JSONType

Money = Numeric(20, 8)


class ModelCallRow(Base):
    """A finished model call: the checkpoint a resumed agent replays, with usage and cost."""

    __tablename__ = "model_calls"
    __table_args__ = (
        UniqueConstraint("run_id", "call_key"),
        Index(None, "project_id", "create_time"),
        Index(None, "agent_id", "create_time"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    project_id: Mapped[str] = mapped_column(
        String(40), ForeignKey("projects.id", ondelete="CASCADE")
    )
    environment_id: Mapped[str | None] = mapped_column(String(40))
    run_id: Mapped[str] = mapped_column(String(40), ForeignKey("runs.id", ondelete="CASCADE"))
    call_key: Mapped[str] = mapped_column(String(200))
    agent_id: Mapped[str | None] = mapped_column(String(40))
    automation_id: Mapped[str | None] = mapped_column(String(40))
    provider_id: Mapped[str] = mapped_column(String(40))
    provider_name: Mapped[str] = mapped_column(String(63))
    model: Mapped[str] = mapped_column(String(200))
    reply: Mapped[dict[str, Any]]
    finish_reason: Mapped[str] = mapped_column(String(40))
    input_tokens: Mapped[int] = mapped_column(Integer)
    output_tokens: Mapped[int] = mapped_column(Integer)
    cached_input_tokens: Mapped[int] = mapped_column(Integer)
    reasoning_tokens: Mapped[int] = mapped_column(Integer)
    total_tokens: Mapped[int] = mapped_column(Integer)
    cost_usd: Mapped[Decimal] = mapped_column(Money)
    price_id: Mapped[str | None] = mapped_column(String(60))
    latency_ms: Mapped[int] = mapped_column(Integer)
    create_time: Mapped[datetime]


class PriceRow(Base):
    __tablename__ = "prices"
    __table_args__ = (Index(None, "project_id", "model", "effective_from"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    project_id: Mapped[str] = mapped_column(
        String(40), ForeignKey("projects.id", ondelete="CASCADE")
    )
    provider: Mapped[str] = mapped_column(String(63))
    model: Mapped[str] = mapped_column(String(200))
    input_per_million: Mapped[Decimal] = mapped_column(Money)
    cached_input_per_million: Mapped[Decimal | None] = mapped_column(Money)
    output_per_million: Mapped[Decimal] = mapped_column(Money)
    effective_from: Mapped[datetime]
    create_time: Mapped[datetime]
    update_time: Mapped[datetime]


class BudgetRow(Base):
    __tablename__ = "budgets"
    __table_args__ = (Index(None, "project_id", "agent_id"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    project_id: Mapped[str] = mapped_column(
        String(40), ForeignKey("projects.id", ondelete="CASCADE")
    )
    name: Mapped[str] = mapped_column(String(63))
    agent_id: Mapped[str | None] = mapped_column(String(40))
    period: Mapped[str] = mapped_column(String(10))
    limit_usd: Mapped[Decimal] = mapped_column(Money)
    thresholds: Mapped[list[Any]]
    # {"period_start": iso, "percents": [80, ...]}: notifications already sent this period.
    notified: Mapped[dict[str, Any]] = mapped_column(JSONType)
    create_time: Mapped[datetime]
    update_time: Mapped[datetime]

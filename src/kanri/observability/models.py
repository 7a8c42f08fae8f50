"""Tables of observability data: log lines, metric points and series, business events.

Rows are environment-scoped (`environment_id`, '' for a caller without one). `id` is minted
by kanri (a ULID: insertion order); `client_id` is the item's own id, unique per
environment, which is how a batch sent twice is stored once.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Float, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from kanri.db.base import Base


class LogLineRow(Base):
    __tablename__ = "obs_logs"
    __table_args__ = (
        UniqueConstraint("project_id", "environment_id", "client_id"),
        Index(None, "project_id", "environment_id", "time", "id"),
        Index(None, "project_id", "environment_id", "trace_id"),
        Index(None, "project_id", "environment_id", "service", "time"),
        Index(None, "time"),  # the retention sweep
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    project_id: Mapped[str] = mapped_column(String(40))
    environment_id: Mapped[str] = mapped_column(String(40))
    client_id: Mapped[str | None] = mapped_column(String(200))
    time: Mapped[datetime]
    level: Mapped[str] = mapped_column(String(10))
    message: Mapped[str] = mapped_column(Text)
    service: Mapped[str | None] = mapped_column(String(200))
    attributes: Mapped[dict[str, Any]]
    trace_id: Mapped[str | None] = mapped_column(String(64))
    span_id: Mapped[str | None] = mapped_column(String(32))
    create_time: Mapped[datetime]


class MetricPointRow(Base):
    __tablename__ = "obs_metric_points"
    __table_args__ = (
        UniqueConstraint("project_id", "environment_id", "client_id"),
        Index(None, "project_id", "environment_id", "name", "time"),
        Index(None, "time"),  # the retention sweep
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    project_id: Mapped[str] = mapped_column(String(40))
    environment_id: Mapped[str] = mapped_column(String(40))
    client_id: Mapped[str | None] = mapped_column(String(200))
    name: Mapped[str] = mapped_column(String(200))
    type: Mapped[str] = mapped_column(String(20))  # counter | gauge | histogram
    time: Mapped[datetime]
    value: Mapped[float | None] = mapped_column(Float)
    # histogram: {"buckets": [upper bounds], "counts": [len(buckets) + 1], "sum", "count"}
    histogram: Mapped[dict[str, Any] | None]
    unit: Mapped[str | None] = mapped_column(String(50))
    labels: Mapped[dict[str, Any]]
    series_key: Mapped[str] = mapped_column(String(64))
    create_time: Mapped[datetime]


class MetricSeriesRow(Base):
    """One label set of a metric name: what the cardinality limit counts and what
    `GET /v1/metrics` lists."""

    __tablename__ = "obs_metric_series"

    project_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    environment_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(200), primary_key=True)
    series_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    type: Mapped[str] = mapped_column(String(20))
    unit: Mapped[str | None] = mapped_column(String(50))
    labels: Mapped[dict[str, Any]]
    create_time: Mapped[datetime]


class BusinessEventRow(Base):
    __tablename__ = "obs_events"
    __table_args__ = (
        UniqueConstraint("project_id", "environment_id", "client_id"),
        Index(None, "project_id", "environment_id", "name", "time"),
        Index(None, "project_id", "environment_id", "time"),
        Index(None, "time"),  # the retention sweep
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    project_id: Mapped[str] = mapped_column(String(40))
    environment_id: Mapped[str] = mapped_column(String(40))
    client_id: Mapped[str | None] = mapped_column(String(200))
    name: Mapped[str] = mapped_column(String(200))
    time: Mapped[datetime]
    properties: Mapped[dict[str, Any]]
    user_id: Mapped[str | None] = mapped_column(String(200))
    session_id: Mapped[str | None] = mapped_column(String(200))
    value: Mapped[float | None] = mapped_column(Float)
    create_time: Mapped[datetime]


class SpanRow(Base):
    """One span of a trace: sent over OTLP, or of kanri's own work."""

    __tablename__ = "obs_spans"
    __table_args__ = (
        UniqueConstraint("project_id", "environment_id", "trace_id", "span_id"),
        Index(None, "project_id", "environment_id", "start_time", "id"),
        Index(None, "start_time"),  # the retention sweep
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    project_id: Mapped[str] = mapped_column(String(40))
    environment_id: Mapped[str] = mapped_column(String(40))
    trace_id: Mapped[str] = mapped_column(String(32))
    span_id: Mapped[str] = mapped_column(String(16))
    parent_span_id: Mapped[str | None] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(500))
    kind: Mapped[str] = mapped_column(String(20))
    service: Mapped[str | None] = mapped_column(String(200))
    start_time: Mapped[datetime]
    end_time: Mapped[datetime]
    duration_ms: Mapped[float] = mapped_column(Float)
    status: Mapped[str] = mapped_column(String(10))  # unset | ok | error
    status_message: Mapped[str | None] = mapped_column(Text)
    attributes: Mapped[dict[str, Any]]
    create_time: Mapped[datetime]

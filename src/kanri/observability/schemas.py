"""Public contract of observability: ingest items and results, log lines, metric and event
queries."""

from __future__ import annotations

import math
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import Field, StringConstraints, model_validator

from kanri.core.schemas import Model, Resource, UtcDatetime, examples

MAX_ITEMS = 1000
RESERVED_PREFIX = "kanri."  # kanri's own metrics
Level = Literal["trace", "debug", "info", "warn", "error", "fatal"]
LEVELS: tuple[str, ...] = ("trace", "debug", "info", "warn", "error", "fatal")
MetricType = Literal["counter", "gauge", "histogram"]
ClientId = Annotated[
    str,
    StringConstraints(min_length=1, max_length=200),
    Field(description="the item's own id: the same id twice is stored once (409 the second time)"),
]
Name = Annotated[str, StringConstraints(pattern=r"^[A-Za-z_][A-Za-z0-9_.:/-]{0,199}$")]
LabelKey = Annotated[str, StringConstraints(pattern=r"^[A-Za-z_][A-Za-z0-9_.-]{0,62}$")]
Labels = Annotated[
    dict[LabelKey, Annotated[str, StringConstraints(max_length=500)]],
    Field(default_factory=dict, max_length=32, json_schema_extra={"additionalProperties": False}),
]
Attributes = Annotated[dict[str, Any], Field(default_factory=dict, max_length=128)]
HexId = Annotated[str, StringConstraints(pattern=r"^[0-9a-fA-F]{1,64}$")]
ShortText = Annotated[str, StringConstraints(min_length=1, max_length=200)]
Finite = Annotated[float, Field(allow_inf_nan=False)]


class LogItem(Model):
    """One log line of `POST /v1/logs:ingest`."""

    id: ClientId | None = None
    timestamp: UtcDatetime | None = Field(default=None, description="default: now")
    level: Level = "info"
    message: Annotated[str, StringConstraints(max_length=65_536)]
    service: ShortText | None = None
    attributes: Attributes
    trace_id: HexId | None = None
    span_id: HexId | None = None


class Histogram(Model):
    buckets: list[Finite] = Field(
        max_length=200, description="upper bounds, increasing; the last bucket is +Inf"
    )
    counts: list[Annotated[int, Field(ge=0, le=2**53)]] = Field(
        max_length=201, description="observations per bucket: one more than `buckets`"
    )
    sum: Finite
    count: Annotated[int, Field(ge=0, le=2**53)]

    @model_validator(mode="after")
    def _shape(self) -> Histogram:
        if len(self.counts) != len(self.buckets) + 1:
            raise ValueError("counts needs one more entry than buckets (the +Inf bucket)")
        if any(b >= a for a, b in zip(self.buckets[1:], self.buckets, strict=False)):
            raise ValueError("buckets must be increasing")
        return self


class MetricItem(Model):
    """One point of `POST /v1/metrics:ingest`."""

    id: ClientId | None = None
    timestamp: UtcDatetime | None = Field(default=None, description="default: now")
    name: Name
    type: MetricType
    value: Finite | Histogram = Field(
        description="a number (counter: the increment since the last point, ≥ 0), or for "
        "a histogram {buckets, counts, sum, count}"
    )
    unit: Annotated[str, StringConstraints(max_length=50)] | None = None
    labels: Labels

    @model_validator(mode="after")
    def _typed(self) -> MetricItem:
        if self.name.startswith(RESERVED_PREFIX):
            raise ValueError(f"metric names starting with '{RESERVED_PREFIX}' are kanri's own")
        if self.type == "histogram" and not isinstance(self.value, Histogram):
            raise ValueError("a histogram's value is {buckets, counts, sum, count}")
        if self.type != "histogram" and isinstance(self.value, Histogram):
            raise ValueError(f"a {self.type}'s value is a number")
        if self.type == "counter" and isinstance(self.value, float) and self.value < 0:
            raise ValueError("a counter's value is an increment, never negative")
        return self


class EventItem(Model):
    """One business event of `POST /v1/events:ingest`."""

    id: ClientId | None = None
    timestamp: UtcDatetime | None = Field(default=None, description="default: now")
    name: Name
    properties: Attributes
    user_id: ShortText | None = None
    session_id: ShortText | None = None
    value: Finite | None = None


class IngestBatch(Model):
    model_config = examples(
        {
            "items": [
                {
                    "id": "web-1-000001",
                    "timestamp": "2026-12-07T10:00:00Z",
                    "level": "error",
                    "message": "payment provider timed out",
                    "service": "checkout",
                    "attributes": {"order": "o-17", "region": "eu"},
                }
            ]
        }
    )

    items: list[dict[str, Any]] = Field(
        min_length=1,
        max_length=MAX_ITEMS,
        description="up to 1,000 items (and 4 MiB); each is checked on its own and "
        "answered in `results`",
    )


class IngestItemError(Resource):
    field: str
    message: str
    code: str | None = None


class IngestItemResult(Resource):
    index: int
    id: str | None = Field(description="kanri's id of the stored item (201)")
    client_id: str | None
    status: int = Field(description="201 stored, 409 a duplicate of a stored id, 422 invalid")
    errors: list[IngestItemError] = Field(default_factory=list)


class IngestResult(Resource):
    results: list[IngestItemResult]
    created: int
    duplicates: int
    failed: int


class LogLine(Resource):
    id: str
    client_id: str | None
    time: datetime
    level: str
    message: str
    service: str | None
    attributes: dict[str, Any]
    trace_id: str | None
    span_id: str | None


Step = Literal["1m", "5m", "1h", "1d"] | Annotated[int, Field(ge=1, le=31 * 86_400)]
STEP_SECONDS = {"1m": 60, "5m": 300, "1h": 3600, "1d": 86_400}
MetricAggregation = Literal["sum", "avg", "min", "max", "count", "rate", "p50", "p90", "p95", "p99"]
FilterText = Annotated[str, StringConstraints(max_length=2000)]


class Window(Model):
    start: UtcDatetime = Field(alias="from", description="from this time (inclusive)")
    end: UtcDatetime = Field(alias="to", description="to this time (exclusive)")
    step: Step = Field(default="1h", description="bucket width: 1m, 5m, 1h, 1d or seconds")

    @model_validator(mode="after")
    def _order(self) -> Window:
        if self.end <= self.start:
            raise ValueError("`to` must be after `from`")
        return self

    @property
    def step_seconds(self) -> int:
        return self.step if isinstance(self.step, int) else STEP_SECONDS[self.step]


class MetricsQuery(Window):
    model_config = examples(
        {
            "name": "http_request_duration_seconds",
            "from": "2026-12-07T00:00:00Z",
            "to": "2026-12-08T00:00:00Z",
            "step": "1h",
            "aggregation": "p95",
            "filter": 'labels.route = "/checkout"',
            "group_by": ["region"],
        }
    )

    name: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    aggregation: MetricAggregation = "sum"
    filter: FilterText | None = Field(
        default=None, description='AIP-160 over `labels.*`, e.g. `labels.region = "eu"`'
    )
    group_by: list[LabelKey] = Field(default_factory=list, max_length=10)


class Series(Resource):
    group: dict[str, str | None] = Field(description="the group_by labels' values")
    points: list[tuple[datetime, float | None]] = Field(
        description="[bucket start, value]; null where a bucket has no data"
    )


class MetricsResult(Resource):
    name: str
    aggregation: str
    step_seconds: int
    series: list[Series]


class MetricName(Resource):
    name: str
    type: str
    unit: str | None
    series_count: int
    labels: dict[str, list[str]] = Field(description="each label's values (up to 100 each)")


class MetricNameList(Resource):
    data: list[MetricName]


EventAggregation = Literal["count", "sum", "unique_users"]


class EventsQuery(Window):
    model_config = examples(
        {
            "name": "checkout.completed",
            "from": "2026-12-01T00:00:00Z",
            "to": "2026-12-08T00:00:00Z",
            "step": "1d",
            "aggregation": "sum",
            "group_by": ["properties.plan"],
        }
    )

    name: Annotated[str, StringConstraints(min_length=1, max_length=200)] | None = None
    aggregation: EventAggregation = Field(
        default="count", description="count, sum (of `value`) or unique_users"
    )
    filter: FilterText | None = Field(
        default=None, description="AIP-160 over name, user_id, session_id, value, properties.*"
    )
    group_by: list[
        Annotated[str, StringConstraints(pattern=r"^(name|properties\.[A-Za-z0-9_-]{1,64})$")]
    ] = Field(default_factory=list, max_length=5)


class EventsResult(Resource):
    aggregation: str
    step_seconds: int
    series: list[Series]


class FunnelQuery(Model):
    model_config = examples(
        {
            "steps": ["signup", "trial.started", "checkout.completed"],
            "within_seconds": 604_800,
            "from": "2026-12-01T00:00:00Z",
            "to": "2026-12-08T00:00:00Z",
        }
    )

    steps: list[Name] = Field(min_length=2, max_length=10)
    within_seconds: int = Field(
        ge=1, le=90 * 86_400, description="from a user's first step to the last"
    )
    start: UtcDatetime = Field(alias="from")
    end: UtcDatetime = Field(alias="to")

    @model_validator(mode="after")
    def _order(self) -> FunnelQuery:
        if self.end <= self.start:
            raise ValueError("`to` must be after `from`")
        return self


class FunnelStep(Resource):
    name: str
    users: int
    conversion: float = Field(description="share of the first step's users")
    conversion_from_previous: float


class FunnelResult(Resource):
    steps: list[FunnelStep]


def finite(value: float) -> float | None:
    return value if math.isfinite(value) else None


class Span(Resource):
    id: str
    trace_id: str
    span_id: str
    parent_span_id: str | None
    name: str
    kind: str
    service: str | None
    start_time: datetime
    end_time: datetime
    duration_ms: float
    status: str = Field(description="unset, ok or error")
    status_message: str | None
    attributes: dict[str, Any]


class SpanNode(Span):
    children: list[SpanNode] = Field(default_factory=list)


class Trace(Resource):
    trace_id: str
    span_count: int
    duration_ms: float = Field(description="from the first span's start to the last one's end")
    roots: list[SpanNode] = Field(
        description="spans without a parent in the trace (normally one), each with its "
        "children, in start order"
    )

"""Routes of observability (section `observability`): ingest of logs, metrics and business
events (`observability:write`, answered 207 with one result per item), and their queries
(`observability:read`). Environment-scoped: the key's environment or `Kanri-Environment`."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request, Response
from fastapi.responses import StreamingResponse
from google.protobuf.message import Message
from opentelemetry.proto.collector.logs.v1 import logs_service_pb2
from opentelemetry.proto.collector.metrics.v1 import metrics_service_pb2
from opentelemetry.proto.collector.trace.v1 import trace_service_pb2
from sqlalchemy import ColumnElement

from kanri.core import sse
from kanri.core.auth import Principal, RequireSection
from kanri.core.deps import Db, Listing, Runtime
from kanri.core.filtering import DEFAULT_MAX_FILTER_LENGTH
from kanri.core.openapi import operation_id, problem_responses
from kanri.core.schemas import ListResponse, UtcDatetime
from kanri.db.database import Database
from kanri.observability import ingest, otlp, query, schemas, traces

router = APIRouter(tags=["observability"], generate_unique_id_function=operation_id)
Reader = Annotated[Principal, RequireSection("observability", "read")]
Writer = Annotated[Principal, RequireSection("observability", "write")]
INGEST_BODY_BYTES = 4 * 1024 * 1024
INGEST_PATHS = (
    "/v1/logs:ingest",
    "/v1/metrics:ingest",
    "/v1/events:ingest",
    "/v1/otlp/v1/logs",
    "/v1/otlp/v1/metrics",
    "/v1/otlp/v1/traces",
)
TraceId = Annotated[str, Path(description="trace id: 32 hexadecimal digits", max_length=32)]
TAIL_POLL_SECONDS = 0.5
TAIL_BATCH = 500
Start = Annotated[
    UtcDatetime | None, Query(alias="from", description="at or after this time (RFC 3339)")
]
End = Annotated[UtcDatetime | None, Query(alias="to", description="before this time (RFC 3339)")]
_BATCH: dict[int | str, dict[str, Any]] = {
    207: {"description": "one result per item: 201 stored, 409 duplicate id, 422 invalid"}
}


@router.post("/v1/logs:ingest", status_code=207, responses=_BATCH)
async def ingest_logs(body: schemas.IngestBatch, db: Db, who: Writer) -> schemas.IngestResult:
    """Store up to 1,000 log lines (4 MiB) `{id?, timestamp?, level, message, service,
    attributes, trace_id, span_id}`. Each is checked on its own: the valid ones are stored
    even when others fail. An `id` already stored answers 409 for that item; a timestamp
    more than 7 days ahead or older than the retention (30 days) 422."""
    return await db.write(ingest.ingest_logs, who, body.items)


@router.post("/v1/metrics:ingest", status_code=207, responses=_BATCH)
async def ingest_metrics(body: schemas.IngestBatch, db: Db, who: Writer) -> schemas.IngestResult:
    """Store up to 1,000 metric points `{id?, timestamp?, name, type: counter|gauge|histogram,
    value | {buckets, counts, sum, count}, unit, labels}`. A metric name has at most 1,000
    label sets: a point of a new one past that is a 422 (`too_many_series`). Names starting
    with `kanri.` are kanri's own."""
    return await db.write(ingest.ingest_metrics, who, body.items)


@router.post("/v1/events:ingest", status_code=207, responses=_BATCH)
async def ingest_events(body: schemas.IngestBatch, db: Db, who: Writer) -> schemas.IngestResult:
    """Store up to 1,000 business events `{id?, timestamp?, name, properties, user_id,
    session_id, value}`, each answered on its own as logs are."""
    return await db.write(ingest.ingest_events, who, body.items)


@router.get("/v1/logs")
async def list_logs(
    db: Db, params: Listing, who: Reader, start: Start = None, end: End = None
) -> ListResponse[schemas.LogLine]:
    """Log lines of the environment, newest first. AIP-160 `filter` on level, service,
    message (`message:"timeout"` is a substring match), attributes.*, trace_id, span_id,
    time; `order_by` on time (and the other plain fields)."""
    return ListResponse.of(await db.read(query.list_logs, who, params, start, end))


@router.get(
    "/v1/logs:tail",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/event-stream": {}}, "description": "new log lines"}},
)
async def tail_logs(
    kanri: Runtime,
    who: Reader,
    filter: Annotated[
        str | None,
        Query(description="AIP-160 filter, as GET /v1/logs", max_length=DEFAULT_MAX_FILTER_LENGTH),
    ] = None,
) -> StreamingResponse:
    """Server-sent events of log lines as they are stored (`event: log`, `id` = the line's
    id, `data` = the line), those matching `filter`. Lines stored from the moment the
    stream opens; a comment every 15 s keeps a quiet connection open."""
    who.project()
    condition = query.LOG_FILTERS.compile(filter)  # a bad filter is a 400 before the stream
    return sse.response(_tail(kanri.db, kanri.closing, who, condition))


async def _tail(
    db: Database, closing: asyncio.Event, who: Principal, condition: ColumnElement[bool] | None
) -> AsyncIterator[str]:
    after = await db.read(query.tail_start, who)
    yield sse.retry()
    quiet = 0.0
    while not closing.is_set():
        lines = await db.read(query.tail_logs, who, condition, after, TAIL_BATCH)
        for line in lines:
            after = line.id
            yield sse.frame(line.model_dump_json(), id=line.id, event="log")
        if lines:
            quiet = 0.0
            continue
        if quiet >= sse.HEARTBEAT_SECONDS:
            quiet = 0.0
            yield sse.HEARTBEAT
        try:
            await asyncio.wait_for(closing.wait(), TAIL_POLL_SECONDS)
        except TimeoutError:
            quiet += TAIL_POLL_SECONDS


@router.post("/v1/metrics:query")
async def query_metrics(body: schemas.MetricsQuery, db: Db, who: Reader) -> schemas.MetricsResult:
    """Series of one metric: `[bucket start, value]` per step and per value of the
    `group_by` labels. Aggregations sum, avg, min, max, count, rate (per second of the
    step; counters are increments), p50, p90, p95, p99 (over histograms, interpolated
    within buckets, and over raw gauge values). `filter` is AIP-160 on `labels.*`."""
    return await db.read(query.query_metrics, who, body)


@router.get("/v1/metrics")
async def list_metrics(db: Db, who: Reader) -> schemas.MetricNameList:
    """The environment's metric names with their type, unit, number of label sets and
    each label's values."""
    return await db.read(query.metric_names, who)


@router.post("/v1/events:query")
async def query_events(body: schemas.EventsQuery, db: Db, who: Reader) -> schemas.EventsResult:
    """Business events per step: count, sum of `value` or unique users, per value of the
    `group_by` terms (`name`, `properties.<key>`); `filter` is AIP-160 on name, user_id,
    session_id, value, properties.*."""
    return await db.read(query.query_events, who, body)


@router.post("/v1/events:funnel")
async def funnel_events(body: schemas.FunnelQuery, db: Db, who: Reader) -> schemas.FunnelResult:
    """Conversion through `steps` (event names, in order) per user: how many users did
    each step after the previous ones, within `within_seconds` of their first step."""
    return await db.read(query.funnel, who, body)


# ----------------------------------------------------------------------------------- OTLP

_OTLP_BODY = {
    "requestBody": {
        "required": True,
        "description": "an OTLP export request; `Content-Encoding: gzip` accepted",
        "content": {
            otlp.PROTOBUF: {"schema": {"type": "string", "format": "binary"}},
            otlp.JSON: {"schema": {"type": "object"}},
        },
    }
}
_OTLP_ANSWER: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "the export response (partial_success counts what was refused), in "
        "the request's encoding",
        "content": {
            otlp.PROTOBUF: {"schema": {"type": "string", "format": "binary"}},
            otlp.JSON: {"schema": {"type": "object"}},
        },
    },
    **problem_responses(415),
}


async def _otlp(
    request: Request,
    db: Database,
    who: Principal,
    message: type[otlp.M],
    export: Callable[..., Message],
) -> Response:
    media = otlp.media_type(request.headers.get("content-type"))
    body = otlp.decompress(await request.body(), request.headers.get("content-encoding"))
    parsed = otlp.parse(message, body, media)
    answered = await db.write(export, who, parsed)
    return Response(otlp.answer(answered, media), media_type=media)


@router.post(
    "/v1/otlp/v1/logs",
    operation_id="otlp_logs_export",
    response_class=Response,
    responses=_OTLP_ANSWER,
    openapi_extra=_OTLP_BODY,
)
async def export_otlp_logs(request: Request, db: Db, who: Writer) -> Response:
    """OTLP/HTTP logs (`ExportLogsServiceRequest`, protobuf or JSON): point an
    OpenTelemetry exporter's logs endpoint here with the key in the `Authorization`
    header. Records become log lines (severity number → level, resource `service.name` →
    service) stored as `POST /v1/logs:ingest` stores them."""
    return await _otlp(
        request, db, who, logs_service_pb2.ExportLogsServiceRequest, otlp.export_logs
    )


@router.post(
    "/v1/otlp/v1/metrics",
    operation_id="otlp_metrics_export",
    response_class=Response,
    responses=_OTLP_ANSWER,
    openapi_extra=_OTLP_BODY,
)
async def export_otlp_metrics(request: Request, db: Db, who: Writer) -> Response:
    """OTLP/HTTP metrics (`ExportMetricsServiceRequest`): gauges, sums (monotonic delta
    sums as counters) and explicit-bucket histograms, data point attributes as labels."""
    return await _otlp(
        request, db, who, metrics_service_pb2.ExportMetricsServiceRequest, otlp.export_metrics
    )


@router.post(
    "/v1/otlp/v1/traces",
    operation_id="otlp_traces_export",
    response_class=Response,
    responses=_OTLP_ANSWER,
    openapi_extra=_OTLP_BODY,
)
async def export_otlp_traces(request: Request, db: Db, who: Writer) -> Response:
    """OTLP/HTTP traces (`ExportTraceServiceRequest`): spans stored in the span store that
    `GET /v1/traces` reads; a span sent twice (same trace and span id) is stored once."""
    return await _otlp(
        request, db, who, trace_service_pb2.ExportTraceServiceRequest, otlp.export_traces
    )


# --------------------------------------------------------------------------------- traces


@router.get("/v1/traces")
async def list_traces(
    db: Db, params: Listing, who: Reader, start: Start = None, end: End = None
) -> ListResponse[schemas.Span]:
    """Root spans (one per trace), newest first. AIP-160 `filter` on name, service,
    status, kind, trace_id, duration_ms, attributes.*, start_time."""
    return ListResponse.of(await db.read(traces.list_traces, who, params, start, end))


@router.get("/v1/traces/{trace_id}")
async def get_trace(trace_id: TraceId, db: Db, who: Reader) -> schemas.Trace:
    """Every span of a trace as a tree: each span with its `children`, in start order."""
    return await db.read(traces.get_trace, who, trace_id)

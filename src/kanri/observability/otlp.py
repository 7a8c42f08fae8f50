"""OTLP/HTTP: export requests of logs, metrics and traces (protobuf or JSON, gzip or not)
turned into kanri's items, stored by the same ingest as the JSON API, answered with the
protocol's response (its `partial_success` counting what was refused).

Conversions: log severity numbers to levels; a log body that is not a string as JSON;
resource `service.name` as the line's service (logs, spans) or a `service.name` label
(metrics); data point attributes as labels (values as text). Metrics: gauges and
non-monotonic sums are gauges; monotonic sums with delta temporality are counters
(increments), with cumulative temporality gauges of the running total (configure the
exporter for delta to get counters); explicit-bucket histograms are histograms. Exponential
histograms and summaries are refused (counted in `rejected_data_points`).
"""

from __future__ import annotations

import base64
import json
import zlib
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any, TypeVar

from google.protobuf import json_format
from google.protobuf.message import DecodeError, Message
from opentelemetry.proto.collector.logs.v1 import logs_service_pb2
from opentelemetry.proto.collector.metrics.v1 import metrics_service_pb2
from opentelemetry.proto.collector.trace.v1 import trace_service_pb2
from opentelemetry.proto.common.v1 import common_pb2
from opentelemetry.proto.metrics.v1 import metrics_pb2
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from kanri.core import audit
from kanri.core.auth import Principal
from kanri.core.errors import BadRequest, FieldError, PayloadTooLarge, UnsupportedMediaType
from kanri.core.ids import new_id
from kanri.core.time import utcnow
from kanri.observability import ingest, schemas
from kanri.observability.models import SpanRow

PROTOBUF = "application/x-protobuf"
JSON = "application/json"
MAX_DECOMPRESSED = 32 * 1024 * 1024
_HEX_FIELDS = ("traceId", "spanId", "parentSpanId")
_KINDS = {0: "unspecified", 1: "internal", 2: "server", 3: "client", 4: "producer", 5: "consumer"}
_STATUS = {0: "unset", 1: "ok", 2: "error"}
M = TypeVar("M", bound=Message)


def media_type(content_type: str | None) -> str:
    """`application/x-protobuf` or `application/json`; 415 for anything else."""
    media = (content_type or "").split(";", 1)[0].strip().lower()
    if media in (PROTOBUF, JSON):
        return media
    raise UnsupportedMediaType(
        f"OTLP/HTTP takes {PROTOBUF} or {JSON}, not '{media or 'nothing'}'",
        errors=[FieldError("header.Content-Type", "application/x-protobuf or application/json")],
    )


def decompress(body: bytes, encoding: str | None) -> bytes:
    """The body without its Content-Encoding (gzip, deflate or none), at most 32 MiB."""
    coding = (encoding or "identity").strip().lower()
    if coding in ("identity", ""):
        return body
    if coding not in ("gzip", "deflate"):
        raise UnsupportedMediaType(
            f"Content-Encoding '{coding}' is not supported (gzip, deflate)",
            errors=[FieldError("header.Content-Encoding", "gzip, deflate or none")],
        )
    wbits = 16 + zlib.MAX_WBITS if coding == "gzip" else zlib.MAX_WBITS
    inflater = zlib.decompressobj(wbits)
    try:
        out = inflater.decompress(body, MAX_DECOMPRESSED + 1)
    except zlib.error as exc:
        raise BadRequest(
            f"body is not valid {coding}", errors=[FieldError("body", str(exc))]
        ) from exc
    if len(out) > MAX_DECOMPRESSED or inflater.unconsumed_tail:
        raise PayloadTooLarge(f"decompressed body exceeds {MAX_DECOMPRESSED} bytes")
    return out


def _hex_to_base64(value: Any) -> Any:
    if isinstance(value, str) and value and all(c in "0123456789abcdefABCDEF" for c in value):
        return base64.b64encode(bytes.fromhex(value)).decode()
    return value


def _fix_ids(node: Any) -> Any:
    # OTLP/JSON writes trace and span ids as hex; protobuf's JSON mapping reads base64.
    if isinstance(node, dict):
        return {
            key: _hex_to_base64(value) if key in _HEX_FIELDS else _fix_ids(value)
            for key, value in node.items()
        }
    if isinstance(node, list):
        return [_fix_ids(item) for item in node]
    return node


def parse(message: type[M], body: bytes, media: str) -> M:
    """The export request in `body`; a 400 on `body` when it is not one."""
    parsed: M = message()
    try:
        if media == PROTOBUF:
            parsed.ParseFromString(body)
        else:
            document = json.loads(body)
            if not isinstance(document, dict):  # ParseDict would take `[]` or `0` as empty
                raise TypeError("an OTLP/JSON request is a JSON object")
            json_format.ParseDict(_fix_ids(document), parsed, ignore_unknown_fields=True)
    except (DecodeError, json_format.ParseError, ValueError, TypeError) as exc:
        raise BadRequest(
            f"body is not an OTLP {message.__name__}",
            errors=[FieldError("body", str(exc)[:500] or "unreadable")],
        ) from exc
    return parsed


def answer(response: Message, media: str) -> bytes:
    if media == PROTOBUF:
        data: bytes = response.SerializeToString()
        return data
    text: str = json_format.MessageToJson(response, indent=None)
    return text.encode()


# ------------------------------------------------------------------------------- values


def _value(value: common_pb2.AnyValue) -> Any:
    kind = value.WhichOneof("value")
    if kind is None:
        return None
    if kind == "array_value":
        return [_value(item) for item in value.array_value.values]
    if kind == "kvlist_value":
        return _attributes(value.kvlist_value.values)
    if kind == "bytes_value":
        return value.bytes_value.hex()
    return getattr(value, kind)


def _attributes(pairs: Iterable[common_pb2.KeyValue]) -> dict[str, Any]:
    return {pair.key: _value(pair.value) for pair in pairs}


def _time(nanoseconds: int) -> str | None:
    if not nanoseconds:
        return None
    moment = datetime.fromtimestamp(nanoseconds / 1e9, UTC)
    return moment.isoformat().replace("+00:00", "Z")


def _level(number: int, text: str) -> str:
    if number:
        return schemas.LEVELS[min(max((number - 1) // 4, 0), 5)]
    lowered = text.lower()
    aliases = {"warning": "warn", "critical": "fatal", "err": "error"}
    lowered = aliases.get(lowered, lowered)
    return lowered if lowered in schemas.LEVELS else "info"


def _service(attributes: dict[str, Any]) -> str | None:
    name = attributes.get("service.name")
    return str(name)[:200] if name is not None else None


# --------------------------------------------------------------------------------- logs


def log_items(request: logs_service_pb2.ExportLogsServiceRequest) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    for resource_logs in request.resource_logs:
        resource = _attributes(resource_logs.resource.attributes)
        service = _service(resource)
        for scope_logs in resource_logs.scope_logs:
            for record in scope_logs.log_records:
                body = _value(record.body)
                attributes = _attributes(record.attributes)
                if record.event_name:
                    attributes["event.name"] = record.event_name
                item: dict[str, Any] = {
                    "level": _level(record.severity_number, record.severity_text),
                    "message": body if isinstance(body, str) else json.dumps(body),
                    "attributes": attributes,
                }
                moment = _time(record.time_unix_nano or record.observed_time_unix_nano)
                if moment:
                    item["timestamp"] = moment
                if service:
                    item["service"] = service
                if record.trace_id:
                    item["trace_id"] = record.trace_id.hex()
                if record.span_id:
                    item["span_id"] = record.span_id.hex()
                items.append(item)
    return items


def export_logs(
    tx: Session, who: Principal, request: logs_service_pb2.ExportLogsServiceRequest
) -> logs_service_pb2.ExportLogsServiceResponse:
    result = ingest.ingest_logs(tx, who, log_items(request))
    response = logs_service_pb2.ExportLogsServiceResponse()
    if result.failed:
        response.partial_success.rejected_log_records = result.failed
        response.partial_success.error_message = _first_error(result)
    return response


def _first_error(result: schemas.IngestResult) -> str:
    for item in result.results:
        if item.status == 422 and item.errors:
            return f"item {item.index}: {item.errors[0].field}: {item.errors[0].message}"[:500]
    return ""


# ------------------------------------------------------------------------------ metrics


def _labels(attributes: dict[str, Any], service: str | None) -> dict[str, str]:
    labels = {
        key: value if isinstance(value, str) else json.dumps(value)
        for key, value in attributes.items()
    }
    if service:
        labels.setdefault("service.name", service)
    return labels


def metric_items(
    request: metrics_service_pb2.ExportMetricsServiceRequest,
) -> tuple[list[dict[str, Any]], int]:
    """Items of the request's data points, and how many points could not be converted."""
    items: list[dict[str, Any]] = []
    refused = 0
    delta = metrics_pb2.AGGREGATION_TEMPORALITY_DELTA
    for resource_metrics in request.resource_metrics:
        service = _service(_attributes(resource_metrics.resource.attributes))
        for scope_metrics in resource_metrics.scope_metrics:
            for metric in scope_metrics.metrics:
                kind = metric.WhichOneof("data")
                common = {"name": metric.name, "unit": metric.unit or None}
                if kind in ("gauge", "sum"):
                    data = metric.gauge if kind == "gauge" else metric.sum
                    counter = (
                        kind == "sum"
                        and metric.sum.is_monotonic
                        and metric.sum.aggregation_temporality == delta
                    )
                    for point in data.data_points:
                        number = (
                            point.as_double
                            if point.WhichOneof("value") == "as_double"
                            else float(point.as_int)
                        )
                        items.append(
                            {
                                **common,
                                "type": "counter" if counter else "gauge",
                                "value": number,
                                "labels": _labels(_attributes(point.attributes), service),
                                **_stamp(point.time_unix_nano),
                            }
                        )
                elif kind == "histogram":
                    for point in metric.histogram.data_points:
                        bounds = list(point.explicit_bounds)
                        counts = list(point.bucket_counts) or [0] * (len(bounds) + 1)
                        items.append(
                            {
                                **common,
                                "type": "histogram",
                                "value": {
                                    "buckets": bounds,
                                    "counts": counts,
                                    "sum": point.sum,
                                    "count": point.count,
                                },
                                "labels": _labels(_attributes(point.attributes), service),
                                **_stamp(point.time_unix_nano),
                            }
                        )
                elif kind is not None:
                    refused += len(getattr(metric, kind).data_points)
    return items, refused


def _stamp(nanoseconds: int) -> dict[str, str]:
    moment = _time(nanoseconds)
    return {"timestamp": moment} if moment else {}


def export_metrics(
    tx: Session, who: Principal, request: metrics_service_pb2.ExportMetricsServiceRequest
) -> metrics_service_pb2.ExportMetricsServiceResponse:
    items, refused = metric_items(request)
    result = ingest.ingest_metrics(tx, who, items)
    response = metrics_service_pb2.ExportMetricsServiceResponse()
    if result.failed or refused:
        response.partial_success.rejected_data_points = result.failed + refused
        response.partial_success.error_message = _first_error(result) or (
            "exponential histograms and summaries are not stored"
        )
    return response


# ------------------------------------------------------------------------------- traces


def span_rows(
    who: Principal, request: trace_service_pb2.ExportTraceServiceRequest
) -> tuple[list[dict[str, Any]], int]:
    """Rows of the request's spans, and how many spans were refused (no trace or span id,
    an end before the start)."""
    rows: list[dict[str, Any]] = []
    refused = 0
    now = utcnow()
    project, environment = who.project(), ingest.environment_of(who)
    for resource_spans in request.resource_spans:
        resource = _attributes(resource_spans.resource.attributes)
        service = _service(resource)
        for scope_spans in resource_spans.scope_spans:
            for span in scope_spans.spans:
                if len(span.trace_id) != 16 or len(span.span_id) != 8:
                    refused += 1
                    continue
                start = span.start_time_unix_nano
                end = span.end_time_unix_nano or start
                if not start or end < start:
                    refused += 1
                    continue
                rows.append(
                    {
                        "id": new_id("spn"),
                        "project_id": project,
                        "environment_id": environment,
                        "trace_id": span.trace_id.hex(),
                        "span_id": span.span_id.hex(),
                        "parent_span_id": span.parent_span_id.hex() or None,
                        "name": span.name[:500] or "(unnamed)",
                        "kind": _KINDS.get(span.kind, "unspecified"),
                        "service": service,
                        "start_time": datetime.fromtimestamp(start / 1e9, UTC),
                        "end_time": datetime.fromtimestamp(end / 1e9, UTC),
                        "duration_ms": (end - start) / 1e6,
                        "status": _STATUS.get(span.status.code, "unset"),
                        "status_message": span.status.message or None,
                        "attributes": _attributes(span.attributes),
                        "create_time": now,
                    }
                )
    return rows, refused


def store_spans(tx: Session, rows: list[dict[str, Any]]) -> int:
    """One INSERT … ON CONFLICT DO NOTHING for all the rows; how many were new."""
    if not rows:
        return 0
    dialect = tx.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = (
        insert(SpanRow)
        .on_conflict_do_nothing(
            index_elements=["project_id", "environment_id", "trace_id", "span_id"]
        )
        .returning(SpanRow.id)
    )
    return len(tx.execute(stmt, rows).scalars().all())


def export_traces(
    tx: Session, who: Principal, request: trace_service_pb2.ExportTraceServiceRequest
) -> trace_service_pb2.ExportTraceServiceResponse:
    rows, refused = span_rows(who, request)
    created = store_spans(tx, rows)
    audit.record(
        tx,
        who,
        "traces.ingested",
        "traces",
        new_id("ing"),
        {"created": created, "duplicates": len(rows) - created, "failed": refused},
        chained=False,
    )
    response = trace_service_pb2.ExportTraceServiceResponse()
    if refused:
        response.partial_success.rejected_spans = refused
        response.partial_success.error_message = (
            "spans need a 16-byte trace id, an 8-byte span id and an end not before their start"
        )
    return response

"""OTLP/HTTP from the real OpenTelemetry SDK and its OTLP exporters (protobuf, gzip) to a
live server, and OTLP/JSON as the specification writes it."""

from __future__ import annotations

import asyncio
import gzip
import json
from typing import Any

import httpx
from opentelemetry._logs import SeverityNumber
from opentelemetry.exporter.otlp.proto.http import Compression
from opentelemetry.exporter.otlp.proto.http._log_exporter import OTLPLogExporter
from opentelemetry.exporter.otlp.proto.http.metric_exporter import OTLPMetricExporter
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk._logs import LoggerProvider
from opentelemetry.sdk._logs.export import SimpleLogRecordProcessor
from opentelemetry.sdk.metrics import Counter, Histogram, MeterProvider
from opentelemetry.sdk.metrics.export import (
    AggregationTemporality,
    PeriodicExportingMetricReader,
)
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.trace import Status, StatusCode

from kanri.core.time import rfc3339, utcnow
from tests.factories import Tenant

RESOURCE = Resource.create({"service.name": "shop"})


def _auth(tenant: Tenant) -> dict[str, str]:
    return {"Authorization": f"Bearer {tenant.key}"}


def _send_logs(url: str, tenant: Tenant) -> None:
    exporter = OTLPLogExporter(
        endpoint=f"{url}/v1/otlp/v1/logs", headers=_auth(tenant), compression=Compression.Gzip
    )
    provider = LoggerProvider(resource=RESOURCE)
    provider.add_log_record_processor(SimpleLogRecordProcessor(exporter))
    logger = provider.get_logger("test")
    try:
        logger.emit(
            severity_number=SeverityNumber.WARN,
            severity_text="WARNING",
            body="disk almost full",
            attributes={"disk": "sda"},
        )
        logger.emit(severity_number=SeverityNumber.ERROR, body="payment failed")
    finally:
        provider.shutdown()


def _send_spans(url: str, tenant: Tenant) -> None:
    exporter = OTLPSpanExporter(
        endpoint=f"{url}/v1/otlp/v1/traces", headers=_auth(tenant), compression=Compression.Gzip
    )
    provider = TracerProvider(resource=RESOURCE)
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    tracer = provider.get_tracer("test")
    with tracer.start_as_current_span("checkout") as root:
        root.set_attribute("order", "o-17")
        with tracer.start_as_current_span("charge card") as child:
            child.set_status(Status(StatusCode.ERROR, "declined"))
        with tracer.start_as_current_span("send mail"):
            pass
    provider.shutdown()


def _send_metrics(url: str, tenant: Tenant) -> None:
    exporter = OTLPMetricExporter(
        endpoint=f"{url}/v1/otlp/v1/metrics",
        headers=_auth(tenant),
        preferred_temporality={
            Counter: AggregationTemporality.DELTA,
            Histogram: AggregationTemporality.DELTA,
        },
    )
    reader = PeriodicExportingMetricReader(exporter, export_interval_millis=3_600_000)
    provider = MeterProvider(resource=RESOURCE, metric_readers=[reader])
    meter = provider.get_meter("test")
    orders = meter.create_counter("orders", unit="1")
    latency = meter.create_histogram("checkout_seconds", unit="s")
    orders.add(3, {"region": "eu"})
    orders.add(2, {"region": "us"})
    for value in (0.004, 0.02, 0.3, 1.5):
        latency.record(value, {"region": "eu"})
    provider.force_flush()
    provider.shutdown()


async def test_the_sdk_exporters_send_logs_traces_and_metrics(
    client: httpx.AsyncClient, tenant: Tenant, live_url: str
) -> None:
    started = utcnow()
    await asyncio.to_thread(_send_logs, live_url, tenant)
    logs = (await client.get("/v1/logs", headers=tenant.headers)).json()["data"]
    assert [(line["level"], line["message"], line["service"]) for line in logs] == [
        ("error", "payment failed", "shop"),
        ("warn", "disk almost full", "shop"),
    ]
    assert logs[1]["attributes"]["disk"] == "sda"

    await asyncio.to_thread(_send_spans, live_url, tenant)
    traces = (await client.get("/v1/traces", headers=tenant.headers)).json()["data"]
    assert [(t["name"], t["service"]) for t in traces] == [("checkout", "shop")]
    trace = await client.get(f"/v1/traces/{traces[0]['trace_id']}", headers=tenant.headers)
    assert trace.status_code == 200, trace.text
    tree = trace.json()
    assert tree["span_count"] == 3
    (root,) = tree["roots"]
    assert root["attributes"] == {"order": "o-17"}
    assert [(c["name"], c["status"]) for c in root["children"]] == [
        ("charge card", "error"),
        ("send mail", "unset"),
    ]
    failing = await client.get(
        "/v1/traces", params={"filter": 'status = "error"'}, headers=tenant.headers
    )
    assert failing.json()["data"] == []  # only root spans are listed

    await asyncio.to_thread(_send_metrics, live_url, tenant)
    names = (await client.get("/v1/metrics", headers=tenant.headers)).json()["data"]
    listed = {m["name"]: m for m in names}
    assert listed["orders"]["type"] == "counter"
    assert listed["checkout_seconds"]["type"] == "histogram"
    assert listed["orders"]["labels"]["service.name"] == ["shop"]
    window = {"from": rfc3339(started.replace(second=0, microsecond=0)), "step": "1h"}
    window["to"] = rfc3339(utcnow().replace(second=0, microsecond=0).replace(minute=59))
    total = await client.post(
        "/v1/metrics:query",
        json={**window, "name": "orders", "group_by": ["region"]},
        headers=tenant.headers,
    )
    assert total.status_code == 200, total.text
    assert {s["group"]["region"]: s["points"][-1][1] for s in total.json()["series"]} == {
        "eu": 3.0,
        "us": 2.0,
    }
    p50 = await client.post(
        "/v1/metrics:query",
        json={**window, "name": "checkout_seconds", "aggregation": "count"},
        headers=tenant.headers,
    )
    assert p50.json()["series"][0]["points"][-1][1] == 4.0


async def test_otlp_json_with_hex_ids_and_partial_success(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    now = int(utcnow().timestamp() * 1e9)
    body: dict[str, Any] = {
        "resourceSpans": [
            {
                "resource": {
                    "attributes": [{"key": "service.name", "value": {"stringValue": "api"}}]
                },
                "scopeSpans": [
                    {
                        "spans": [
                            {
                                "traceId": "5b8efff798038103d269b633813fc60c",
                                "spanId": "eee19b7ec3c1b174",
                                "name": "GET /orders",
                                "kind": 2,
                                "startTimeUnixNano": str(now),
                                "endTimeUnixNano": str(now + 5_000_000),
                                "attributes": [
                                    {"key": "http.status", "value": {"intValue": "200"}}
                                ],
                            },
                            {"traceId": "", "spanId": "", "name": "broken"},
                        ]
                    }
                ],
            }
        ]
    }
    headers = {**tenant.headers, "Content-Type": "application/json"}
    response = await client.post("/v1/otlp/v1/traces", content=json.dumps(body), headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/json")
    assert response.json()["partialSuccess"]["rejectedSpans"] == "1"
    trace = await client.get("/v1/traces/5b8efff798038103d269b633813fc60c", headers=tenant.headers)
    (root,) = trace.json()["roots"]
    assert (root["name"], root["kind"], root["duration_ms"]) == ("GET /orders", "server", 5.0)
    assert root["attributes"] == {"http.status": 200}
    again = await client.post(
        "/v1/otlp/v1/traces",
        content=gzip.compress(json.dumps(body).encode()),
        headers={**headers, "Content-Encoding": "gzip"},
    )
    assert again.status_code == 200
    trace = await client.get("/v1/traces/5b8efff798038103d269b633813fc60c", headers=tenant.headers)
    assert trace.json()["span_count"] == 1  # the same span twice is stored once

    logs = {
        "resourceLogs": [
            {
                "scopeLogs": [
                    {
                        "logRecords": [
                            {
                                "timeUnixNano": str(now),
                                "severityNumber": 17,
                                "body": {"stringValue": "boom"},
                            },
                            {"severityText": "WARNING", "body": {"kvlistValue": {"values": []}}},
                        ]
                    }
                ]
            }
        ]
    }
    answered = await client.post("/v1/otlp/v1/logs", content=json.dumps(logs), headers=headers)
    assert answered.status_code == 200, answered.text
    lines = (await client.get("/v1/logs", headers=tenant.headers)).json()["data"]
    assert sorted((line["level"], line["message"]) for line in lines) == [
        ("error", "boom"),
        ("warn", "{}"),
    ]


async def test_otlp_refuses_other_media_types_and_broken_bodies(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    text = await client.post(
        "/v1/otlp/v1/logs",
        content=b"hello",
        headers={**tenant.headers, "Content-Type": "text/plain"},
    )
    assert text.status_code == 415
    broken = await client.post(
        "/v1/otlp/v1/logs",
        content=b"\xff\xff\xff",
        headers={**tenant.headers, "Content-Type": "application/x-protobuf"},
    )
    assert broken.status_code == 400
    assert broken.json()["errors"][0]["field"] == "body"
    not_gzip = await client.post(
        "/v1/otlp/v1/logs",
        content=b"plain",
        headers={
            **tenant.headers,
            "Content-Type": "application/x-protobuf",
            "Content-Encoding": "gzip",
        },
    )
    assert not_gzip.status_code == 400
    no_key = await client.post(
        "/v1/otlp/v1/logs", content=b"", headers={"Content-Type": "application/x-protobuf"}
    )
    assert no_key.status_code == 401

"""Queries: log search with AIP-160 and keyset pages, the live tail, metric series with
steps, aggregations and percentiles, event counts and funnels."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta
from typing import Any

import httpx
import pytest

from kanri.core.time import rfc3339, utcnow
from kanri.observability.query import histogram_quantile, quantile
from tests.factories import Tenant
from tests.observability.helpers import ingest, statuses

HOUR = utcnow().replace(minute=0, second=0, microsecond=0) - timedelta(hours=3)


def _t(minutes: float) -> str:
    return rfc3339(HOUR + timedelta(minutes=minutes))


async def _logs(client: httpx.AsyncClient, tenant: Tenant, **params: Any) -> list[dict[str, Any]]:
    response = await client.get("/v1/logs", params=params, headers=tenant.headers)
    assert response.status_code == 200, response.text
    data: list[dict[str, Any]] = response.json()["data"]
    return data


async def test_log_search_by_level_service_message_attributes_and_trace(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    lines: list[dict[str, Any]] = [
        {"id": "1", "timestamp": _t(1), "level": "info", "message": "started", "service": "web"},
        {
            "id": "2",
            "timestamp": _t(2),
            "level": "error",
            "message": "payment provider timed out after 30s",
            "service": "checkout",
            "attributes": {"region": "eu", "attempt": 3},
            "trace_id": "4BF92F3577B34DA6A3CE929D0E0E4736",
            "span_id": "00f067aa0ba902b7",
        },
        {
            "id": "3",
            "timestamp": _t(3),
            "level": "warn",
            "message": "slow query",
            "service": "checkout",
            "attributes": {"region": "us"},
        },
    ]
    assert statuses(await ingest(client, tenant, "logs", lines)) == [201] * 3

    def ids(found: list[dict[str, Any]]) -> list[str]:
        return [line["client_id"] for line in found]

    assert ids(await _logs(client, tenant)) == ["3", "2", "1"]
    assert ids(await _logs(client, tenant, order_by="time")) == ["1", "2", "3"]
    assert ids(await _logs(client, tenant, filter='level = "error"')) == ["2"]
    assert ids(await _logs(client, tenant, filter='service = "checkout"')) == ["3", "2"]
    assert ids(await _logs(client, tenant, filter='message:"timed out"')) == ["2"]
    assert ids(await _logs(client, tenant, filter='message:"TIMED"')) == []
    assert ids(await _logs(client, tenant, filter='attributes.region = "eu"')) == ["2"]
    assert ids(await _logs(client, tenant, filter="attributes.attempt > 2")) == ["2"]
    trace = "4bf92f3577b34da6a3ce929d0e0e4736"  # stored lower case
    assert ids(await _logs(client, tenant, filter=f'trace_id = "{trace}"')) == ["2"]
    assert ids(await _logs(client, tenant, **{"from": _t(2), "to": _t(3)})) == ["2"]
    bad = await client.get("/v1/logs", params={"filter": "colour = 1"}, headers=tenant.headers)
    assert bad.status_code == 400
    assert bad.json()["errors"][0]["field"] == "filter"


async def test_log_pages_are_keyset_pages(client: httpx.AsyncClient, tenant: Tenant) -> None:
    items = [{"message": f"line {n}", "timestamp": _t(n)} for n in range(7)]
    await ingest(client, tenant, "logs", items)
    seen: list[str] = []
    token = None
    while True:
        params: dict[str, Any] = {"page_size": 3}
        if token:
            params["page_token"] = token
        page = await client.get("/v1/logs", params=params, headers=tenant.headers)
        body = page.json()
        seen += [line["message"] for line in body["data"]]
        token = body["next_page_token"]
        if not token:
            break
    assert seen == [f"line {n}" for n in reversed(range(7))]


async def test_the_tail_streams_new_matching_lines(
    client: httpx.AsyncClient, tenant: Tenant, live_url: str
) -> None:
    await ingest(client, tenant, "logs", [{"message": "before the tail", "level": "error"}])
    received: list[dict[str, Any]] = []

    async def read() -> None:
        async with (
            httpx.AsyncClient(base_url=live_url) as live,
            live.stream(
                "GET", "/v1/logs:tail", params={"filter": 'level = "error"'}, headers=tenant.headers
            ) as response,
        ):
            assert response.status_code == 200
            assert response.headers["content-type"].startswith("text/event-stream")
            async for line in response.aiter_lines():
                if line.startswith("data: "):
                    received.append(json.loads(line[6:]))
                    if len(received) == 2:
                        return

    reader = asyncio.create_task(read())
    for _ in range(100):
        await asyncio.sleep(0.1)
        await ingest(
            client,
            tenant,
            "logs",
            [{"message": "ignored", "level": "info"}, {"message": "live", "level": "error"}],
        )
        if reader.done():
            break
    await asyncio.wait_for(reader, 10)
    assert [line["message"] for line in received] == ["live", "live"]
    bad = await client.get("/v1/logs:tail", params={"filter": "("}, headers=tenant.headers)
    assert bad.status_code == 400


async def _series(
    client: httpx.AsyncClient, tenant: Tenant, path: str, **body: Any
) -> dict[str, Any]:
    response = await client.post(path, json=body, headers=tenant.headers)
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


def _values(series: dict[str, Any]) -> list[float | None]:
    return [value for _, value in series["points"]]


async def test_metric_series_by_step_aggregation_and_group(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    points = [
        {"name": "requests", "type": "counter", "value": v, "timestamp": _t(m), "labels": lab}
        for v, m, lab in [
            (1, 1, {"region": "eu"}),
            (2, 2, {"region": "eu"}),
            (4, 3, {"region": "us"}),
            (8, 61, {"region": "eu"}),
        ]
    ]
    assert statuses(await ingest(client, tenant, "metrics", points)) == [201] * 4
    window = {"from": _t(0), "to": _t(180), "step": "1h", "name": "requests"}
    total = await _series(client, tenant, "/v1/metrics:query", **window)
    assert total["step_seconds"] == 3600
    assert len(total["series"]) == 1
    assert _values(total["series"][0]) == [7.0, 8.0, None]
    assert total["series"][0]["points"][1][0].startswith(_t(60)[:16])
    grouped = await _series(
        client, tenant, "/v1/metrics:query", **window, aggregation="max", group_by=["region"]
    )
    assert [(s["group"], _values(s)) for s in grouped["series"]] == [
        ({"region": "eu"}, [2.0, 8.0, None]),
        ({"region": "us"}, [4.0, None, None]),
    ]
    eu = await _series(
        client,
        tenant,
        "/v1/metrics:query",
        **window,
        aggregation="rate",
        filter='labels.region = "eu"',
    )
    assert _values(eu["series"][0]) == [3 / 3600, 8 / 3600, None]
    counted = await _series(
        client, tenant, "/v1/metrics:query", **{**window, "step": 5400}, aggregation="count"
    )
    assert _values(counted["series"][0]) == [4.0, None]
    avg = await _series(client, tenant, "/v1/metrics:query", **window, aggregation="avg")
    assert _values(avg["series"][0])[0] == pytest.approx(7 / 3)
    too_fine = await client.post(
        "/v1/metrics:query",
        json={"name": "requests", "from": _t(0), "to": _t(60 * 24 * 30), "step": 1},
        headers=tenant.headers,
    )
    assert too_fine.status_code == 422
    backwards = await client.post(
        "/v1/metrics:query", json={"name": "x", "from": _t(5), "to": _t(1)}, headers=tenant.headers
    )
    assert backwards.status_code == 422


async def test_percentiles_over_gauges_and_histograms(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    gauges = [
        {"name": "temp", "type": "gauge", "value": float(v), "timestamp": _t(1)}
        for v in range(1, 101)
    ]
    await ingest(client, tenant, "metrics", gauges)
    window = {"from": _t(0), "to": _t(60), "step": "1h"}
    p90 = await _series(
        client, tenant, "/v1/metrics:query", name="temp", aggregation="p90", **window
    )
    assert _values(p90["series"][0]) == [pytest.approx(90.1)]
    histogram = {"buckets": [0.1, 0.5, 1.0], "counts": [50, 30, 15, 5], "sum": 30.0, "count": 100}
    points = [
        {"name": "latency", "type": "histogram", "value": histogram, "timestamp": _t(m)}
        for m in (1, 2)
    ]
    await ingest(client, tenant, "metrics", points)
    p50 = await _series(
        client, tenant, "/v1/metrics:query", name="latency", aggregation="p50", **window
    )
    assert _values(p50["series"][0]) == [pytest.approx(0.1)]
    p90h = await _series(
        client, tenant, "/v1/metrics:query", name="latency", aggregation="p90", **window
    )
    assert _values(p90h["series"][0]) == [pytest.approx(0.5 + 0.5 * (10 / 15))]
    avg = await _series(
        client, tenant, "/v1/metrics:query", name="latency", aggregation="avg", **window
    )
    assert _values(avg["series"][0]) == [pytest.approx(0.3)]


def test_quantiles() -> None:
    assert quantile([1.0, 2.0, 3.0, 4.0], 0.5) == 2.5
    assert quantile([5.0], 0.99) == 5.0
    assert histogram_quantile([1.0, 2.0], [0, 10, 0], 0.5) == 1.5
    assert histogram_quantile([1.0, 2.0], [0, 0, 10], 0.99) == 2.0  # +Inf: the last bound
    assert histogram_quantile([1.0], [0, 0], 0.5) is None


async def test_event_counts_sums_unique_users_and_groups(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    events = [
        {"name": "checkout", "user_id": u, "value": v, "timestamp": _t(m), "properties": p}
        for u, v, m, p in [
            ("ann", 10.0, 1, {"plan": "pro"}),
            ("ann", 5.0, 2, {"plan": "pro"}),
            ("bob", 20.0, 3, {"plan": "free"}),
            ("cy", 1.0, 70, {"plan": "pro"}),
        ]
    ]
    events.append({"name": "signup", "user_id": "dan", "timestamp": _t(4)})
    assert statuses(await ingest(client, tenant, "events", events)) == [201] * 5
    window = {"from": _t(0), "to": _t(120), "step": "1h"}
    count = await _series(client, tenant, "/v1/events:query", name="checkout", **window)
    assert _values(count["series"][0]) == [3.0, 1.0]
    total = await _series(
        client, tenant, "/v1/events:query", name="checkout", aggregation="sum", **window
    )
    assert _values(total["series"][0]) == [35.0, 1.0]
    users = await _series(client, tenant, "/v1/events:query", aggregation="unique_users", **window)
    assert _values(users["series"][0]) == [3.0, 1.0]
    by_plan = await _series(
        client, tenant, "/v1/events:query", name="checkout", group_by=["properties.plan"], **window
    )
    assert [(s["group"], _values(s)) for s in by_plan["series"]] == [
        ({"properties.plan": "free"}, [1.0, None]),
        ({"properties.plan": "pro"}, [2.0, 1.0]),
    ]
    filtered = await _series(
        client, tenant, "/v1/events:query", filter='properties.plan = "pro" AND value > 2', **window
    )
    assert _values(filtered["series"][0]) == [2.0, None]
    by_name = await _series(client, tenant, "/v1/events:query", group_by=["name"], **window)
    assert [s["group"]["name"] for s in by_name["series"]] == ["checkout", "signup"]
    bad = await client.post(
        "/v1/events:query", json={**window, "filter": "nope = 1"}, headers=tenant.headers
    )
    assert bad.status_code == 400
    assert bad.json()["errors"][0]["field"] == "body.filter"


async def test_a_funnel_counts_users_who_did_the_steps_in_order_within_the_window(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    journeys = {
        "ann": [("visit", 0), ("signup", 5), ("buy", 10)],
        "bob": [("visit", 0), ("signup", 5)],
        "cy": [("visit", 0), ("buy", 3), ("signup", 5)],  # bought before signing up
        "dan": [("visit", 0), ("signup", 5), ("buy", 200)],  # too late
        "eve": [("signup", 1)],
        "fay": [("visit", 0), ("visit", 100), ("signup", 101), ("buy", 102)],  # second visit
    }
    items = [
        {"name": name, "user_id": user, "timestamp": _t(minute)}
        for user, steps in journeys.items()
        for name, minute in steps
    ]
    assert statuses(await ingest(client, tenant, "events", items))[0] == 201
    response = await client.post(
        "/v1/events:funnel",
        json={
            "steps": ["visit", "signup", "buy"],
            "within_seconds": 3600,
            "from": _t(0),
            "to": _t(300),
        },
        headers=tenant.headers,
    )
    assert response.status_code == 200, response.text
    steps = response.json()["steps"]
    assert [(s["name"], s["users"]) for s in steps] == [("visit", 5), ("signup", 5), ("buy", 2)]
    assert steps[2]["conversion"] == pytest.approx(0.4)
    assert steps[1]["conversion_from_previous"] == 1.0


async def test_queries_are_environment_scoped(client: httpx.AsyncClient, tenant: Tenant) -> None:
    dev = {**tenant.headers, "Kanri-Environment": "development"}
    point = [{"name": "jobs", "type": "gauge", "value": 1.0, "timestamp": _t(1)}]
    await ingest(client, tenant, "metrics", point, headers=dev)
    window = {"name": "jobs", "from": _t(0), "to": _t(60), "step": "1h"}
    here = await client.post("/v1/metrics:query", json=window, headers=tenant.headers)
    assert here.json()["series"] == []
    there = await client.post("/v1/metrics:query", json=window, headers=dev)
    assert len(there.json()["series"]) == 1
    listed = (await client.get("/v1/metrics", headers=tenant.headers)).json()["data"]
    assert [m["name"] for m in listed if not m["name"].startswith("kanri.")] == []

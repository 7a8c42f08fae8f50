from __future__ import annotations

from datetime import datetime

import httpx

from kanri.db import migrations


async def test_health_says_healthy_with_an_rfc3339_time(client: httpx.AsyncClient) -> None:
    response = await client.get("/health")
    assert response.status_code == 200
    body = response.json()
    assert body["ok"] is True
    assert body["status"] == "healthy"
    assert datetime.fromisoformat(body["ts"].replace("Z", "+00:00")).tzinfo is not None
    assert response.headers["X-Request-Id"]


async def test_ready_reports_the_database_and_its_revision(client: httpx.AsyncClient) -> None:
    response = await client.get("/ready")
    assert response.status_code == 200
    assert response.json()["revision"] == migrations.head_revision()


async def test_metrics_count_requests_by_route_template(client: httpx.AsyncClient) -> None:
    await client.get("/v1/environments/does-not-matter")
    response = await client.get("/metrics")
    assert response.status_code == 200
    assert "kanri_http_requests_total" in response.text
    assert 'route="/v1/environments/{environment_id}"' in response.text
    assert "does-not-matter" not in response.text


async def test_openapi_documents_problems_security_and_links(client: httpx.AsyncClient) -> None:
    spec = (await client.get("/openapi.json")).json()
    assert spec["openapi"].startswith("3.1")
    schemes = spec["components"]["securitySchemes"]
    assert {s["type"] for s in schemes.values()} == {"http", "apiKey"}
    assert any(s.get("name") == "x-api-key" for s in schemes.values())
    operations = [
        (path, method, op)
        for path, item in spec["paths"].items()
        for method, op in item.items()
        if path.startswith("/v1/")
    ]
    assert len(operations) >= 20
    for path, method, op in operations:
        assert {"400", "401", "403", "429"} <= set(op["responses"]), (method, path)
        error = op["responses"]["401"]["content"]
        if path.startswith("/v1/openai/"):  # the errors OpenAI's clients expect
            assert error == {
                "application/json": {"schema": {"$ref": "#/components/schemas/ErrorResponse"}}
            }
        else:
            assert error["application/problem+json"]["schema"] == {
                "$ref": "#/components/schemas/Problem"
            }
        assert op.get("security"), (method, path)
    created = spec["paths"]["/v1/environments"]["post"]["responses"]["201"]
    assert created["links"]["environments_get"]["operationId"] == "environments_get"
    assert created["links"]["environments_get"]["parameters"] == {
        "environment_id": "$response.body#/id"
    }


async def test_the_interactive_reference_is_served(client: httpx.AsyncClient) -> None:
    response = await client.get("/docs")
    assert response.status_code == 200
    assert "openapi.json" in response.text

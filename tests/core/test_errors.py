from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from kanri.app import create_app
from kanri.config import Settings
from kanri.core.errors import Conflict
from kanri.core.http import json_depth
from tests.factories import Tenant


async def test_unknown_routes_answer_a_404_problem(client: httpx.AsyncClient) -> None:
    response = await client.get("/v1/nowhere")
    assert response.status_code == 404
    body = response.json()
    assert response.headers["content-type"] == "application/problem+json"
    assert body["type"] == "https://kanri.dev/problems/not-found"
    assert body["title"] == "Not found"
    assert body["status"] == 404
    assert body["request_id"] == response.headers["X-Request-Id"]


async def test_a_wrong_method_is_a_405_problem(client: httpx.AsyncClient) -> None:
    response = await client.put("/health")
    assert response.status_code == 405
    assert response.json()["code"] == "METHOD_NOT_ALLOWED"


async def test_malformed_json_is_a_400_naming_the_body(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    response = await client.post(
        "/v1/environments",
        content=b'{"name": "x",',
        headers={**tenant.headers, "Content-Type": "application/json"},
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "body"


async def test_validation_errors_name_each_field(client: httpx.AsyncClient, tenant: Tenant) -> None:
    response = await client.post(
        "/v1/environments", json={"name": 42, "description": "x" * 3000}, headers=tenant.headers
    )
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "VALIDATION_ERROR"
    assert {e["field"] for e in body["errors"]} == {"body.name", "body.description"}
    assert all(e["message"] for e in body["errors"])


async def test_a_body_over_the_cap_is_413_before_it_is_read(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    response = await client.post(
        "/v1/environments",
        content=b'{"name": "' + b"a" * 2_000_000 + b'"}',
        headers={**tenant.headers, "Content-Type": "application/json"},
    )
    assert response.status_code == 413
    assert response.json()["code"] == "PAYLOAD_TOO_LARGE"


async def test_json_nested_too_deep_is_a_400(client: httpx.AsyncClient, tenant: Tenant) -> None:
    deep = b"[" * 200 + b"]" * 200
    response = await client.post(
        "/v1/environments",
        content=b'{"name": "x", "description": ' + deep + b"}",
        headers={**tenant.headers, "Content-Type": "application/json"},
    )
    assert response.status_code == 400
    assert "nested deeper" in response.json()["detail"]


async def test_brackets_inside_strings_do_not_count_as_nesting(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    response = await client.post(
        "/v1/environments",
        json={"name": "brackets", "description": "[" * 100 + '"\\"{' * 10},
        headers=tenant.headers,
    )
    assert response.status_code == 201


def test_json_depth_skips_strings_with_escaped_quotes_and_backslashes() -> None:
    assert json_depth(b'{"a": "[[\\"{{", "b": ["x\\\\", [1]], "c": "\\\\\\"]"}') == 3
    assert json_depth(b'["\\\\"]') == 1
    assert json_depth(json.dumps({"text": "[{" * 50_000 + '\\"'}).encode()) == 1


async def test_a_sane_client_request_id_is_kept_and_an_insane_one_replaced(
    client: httpx.AsyncClient,
) -> None:
    kept = await client.get("/health", headers={"X-Request-Id": "abc-123"})
    assert kept.headers["X-Request-Id"] == "abc-123"
    replaced = await client.get("/health", headers={"X-Request-Id": "bad id\twith spaces"})
    assert replaced.headers["X-Request-Id"].startswith("req_")


@pytest.fixture
async def failing_client(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    app: FastAPI = create_app(settings)

    @app.get("/boom")
    async def boom() -> None:
        raise RuntimeError("password=hunter2 in /srv/secret.py line 12")

    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://kanri.test") as http:
        yield http


async def test_an_unexpected_error_is_a_500_that_leaks_nothing(
    failing_client: httpx.AsyncClient,
) -> None:
    response = await failing_client.get("/boom")
    assert response.status_code == 500
    body = response.json()
    assert body["code"] == "INTERNAL_ERROR"
    assert "hunter2" not in response.text
    assert "secret.py" not in response.text
    assert "Traceback" not in response.text
    assert body["request_id"] == response.headers["X-Request-Id"]


async def test_nul_characters_are_refused_in_bodies_paths_and_queries(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    body = await client.post(
        "/v1/environments", json={"name": "nul", "description": "a\x00b"}, headers=tenant.headers
    )
    assert body.status_code == 422
    assert "description" in body.json()["errors"][0]["message"]
    path = await client.get("/v1/environments/a%00b", headers=tenant.headers)
    assert path.status_code == 400
    query = await client.get(
        "/v1/environments", params={"filter": 'name = "a\x00b"'}, headers=tenant.headers
    )
    assert query.status_code == 400


async def test_out_of_range_values_are_client_errors(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    for filter_text in (
        'create_time > "9999-12-31T23:59:59-23:59"',
        "seq > 99999999999999999999999",
    ):
        path = "/v1/audit-logs" if "seq" in filter_text else "/v1/environments"
        response = await client.get(path, params={"filter": filter_text}, headers=tenant.headers)
        assert response.status_code == 400, filter_text
    far = await client.post(
        "/v1/api-keys",
        json={"name": "far", "expires_at": "9999-12-31T23:59:59-23:59"},
        headers=tenant.headers,
    )
    assert far.status_code == 422
    assert far.json()["errors"][0]["field"] == "body.expires_at"


async def test_an_unpaired_surrogate_escape_is_refused_and_a_pair_is_kept(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    lone = await client.post(
        "/v1/environments",
        content=b'{"name": "lone", "description": "a\\udb50b"}',
        headers={**tenant.headers, "content-type": "application/json"},
    )
    assert lone.status_code == 400
    assert lone.json()["errors"][0]["field"] == "body"
    paired = await client.post(
        "/v1/environments",
        content=b'{"name": "paired", "description": "\\ud83d\\ude0d"}',
        headers={**tenant.headers, "content-type": "application/json"},
    )
    assert paired.status_code == 201
    assert paired.json()["description"] == "\U0001f60d"


@pytest.mark.parametrize("member", ["status", "type", "code", "request_id"])
def test_an_extension_cannot_overwrite_a_member_every_problem_has(member: str) -> None:
    extension: dict[str, Any] = {member: "hidden"}
    with pytest.raises(TypeError, match=member):
        Conflict("taken", **extension)
    assert Conflict("taken", item_status="hidden").problem("req_1")["status"] == 409

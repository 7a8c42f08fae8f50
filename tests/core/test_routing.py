"""The prefix index and the planned route handlers answer as FastAPI's own would."""

from __future__ import annotations

import httpx
from fastapi import FastAPI
from fastapi.routing import APIRoute

from kanri.core.routing import RouteIndex
from tests.factories import Tenant


def test_every_json_route_gets_a_planned_handler(app: FastAPI) -> None:
    index = app.router.middleware_stack
    assert isinstance(index, RouteIndex)
    routes = {(r.path, m): r for r in app.routes if type(r) is APIRoute for m in r.methods or ()}
    for hot in (("/v1/environments/{environment_id}", "GET"), ("/v1/environments", "POST")):
        assert id(routes[hot]) in index.compiled
    # Streams keep FastAPI's handler.
    assert id(routes[("/v1/events/stream", "GET")]) not in index.compiled
    assert app._short_path  # type: ignore[attr-defined]  # telemetry off: the short stack


def test_with_planned_routes_off_fastapi_answers_every_route(fastapi_routed_app: FastAPI) -> None:
    assert type(fastapi_routed_app) is FastAPI
    assert not isinstance(fastapi_routed_app.router.middleware_stack, RouteIndex)
    planned = [
        r.path
        for r in fastapi_routed_app.routes
        if type(r) is APIRoute and r.app.__qualname__.startswith("compile_route.")
    ]
    assert planned == []


async def test_a_wrong_method_is_a_405_and_an_unknown_path_a_404(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    wrong = await client.put("/v1/environments", headers=tenant.headers)
    assert wrong.status_code == 405
    assert wrong.json()["code"] == "METHOD_NOT_ALLOWED"
    missing = await client.get("/v1/environmentz/x", headers=tenant.headers)
    assert missing.status_code == 404
    assert missing.json()["detail"] == "no route for GET /v1/environmentz/x"


async def test_a_body_that_is_not_utf8_is_a_400_problem(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    response = await client.post(
        "/v1/environments",
        content=b'{"name": "\xff\xfe"}',
        headers={**tenant.headers, "Content-Type": "application/json"},
    )
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"


async def test_invalid_json_is_a_400_and_a_missing_key_wins_over_it_only_after_parsing(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    bad = await client.post(
        "/v1/environments",
        content=b'{"name": ',
        headers={**tenant.headers, "Content-Type": "application/json"},
    )
    assert bad.status_code == 400
    assert bad.json()["errors"][0]["field"] == "body"
    unauthenticated = await client.post("/v1/environments", json={"name": "UPPER"})
    assert unauthenticated.status_code == 401  # the guard runs before body validation
    invalid = await client.post("/v1/environments", json={"name": "UPPER"}, headers=tenant.headers)
    assert invalid.status_code == 422
    assert invalid.json()["errors"][0]["field"] == "body.name"


async def test_a_route_added_after_start_is_found(app: FastAPI, client: httpx.AsyncClient) -> None:
    @app.get("/v1/late-route/{name}")
    async def late(name: str) -> dict[str, str]:
        return {"name": name}

    try:
        response = await client.get("/v1/late-route/x")
        assert response.json() == {"name": "x"}
    finally:
        app.router.routes.pop()
    assert (await client.get("/v1/late-route/x")).status_code == 404


def test_request_ids_are_ulids_of_now() -> None:
    import time

    from kanri.core.ids import looks_like_id, new_request_id, ulid_milliseconds

    ids = {new_request_id() for _ in range(1000)}
    assert len(ids) == 1000
    for request_id in list(ids)[:20]:
        assert looks_like_id(request_id, "req")
        assert abs(ulid_milliseconds(request_id[4:]) / 1000 - time.time()) < 5

"""Headers every response carries (nosniff, no-store) and those of HTML pages (CSP, no
framing)."""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import AsyncIterator

import httpx
from fastapi import FastAPI
from fastapi.responses import Response, StreamingResponse

from tests.factories import Tenant

NO_STORE = "no-store"


def _assert_hardened(response: httpx.Response) -> None:
    assert response.headers.get_list("X-Content-Type-Options") == ["nosniff"]
    assert response.headers.get_list("Cache-Control") == [NO_STORE]
    assert "Content-Security-Policy" not in response.headers  # JSON is never rendered


async def test_answers_and_errors_alike_say_nosniff_and_no_store(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    ok = await client.get("/v1/environments/production", headers=tenant.headers)
    assert ok.status_code == 200
    unknown_route = await client.get("/v1/no-such-thing")
    assert unknown_route.status_code == 404
    assert unknown_route.json()["code"] == "NOT_FOUND"
    options = await client.options("/v1/environments", headers=tenant.headers)
    assert options.status_code == 204
    wrong_method = await client.put("/v1/environments", headers=tenant.headers)
    assert wrong_method.status_code == 405
    assert wrong_method.json()["code"] == "METHOD_NOT_ALLOWED"
    no_key = await client.get("/v1/environments")
    assert no_key.status_code == 401
    invalid = await client.post("/v1/environments", json={"name": 5}, headers=tenant.headers)
    assert invalid.status_code == 422
    for response in (ok, unknown_route, options, wrong_method, no_key, invalid):
        _assert_hardened(response)


async def test_created_keys_and_their_replays_are_never_stored_by_a_cache(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    headers = {**tenant.headers, "Idempotency-Key": f"key-{tenant.project_id}"}
    body = {"name": "cached?", "kind": "publishable"}
    created = await client.post("/v1/api-keys", json=body, headers=headers)
    assert created.status_code == 201, created.text
    assert created.json()["key"].startswith("kanri_pk_")
    replayed = await client.post("/v1/api-keys", json=body, headers=headers)
    assert replayed.headers["Idempotent-Replayed"] == "true"
    assert replayed.json()["key"] == created.json()["key"]
    rotated = await client.post(
        f"/v1/api-keys/{created.json()['id']}/rotate", json={}, headers=tenant.headers
    )
    assert rotated.status_code == 201, rotated.text
    assert rotated.json()["key"] != created.json()["key"]
    admin_made = await client.post(
        f"/v1/projects/{tenant.project_id}/api-keys",
        json={"name": "by the admin"},
        headers=tenant.admin_headers,
    )
    assert admin_made.status_code == 201, admin_made.text
    for response in (created, replayed, rotated, admin_made):
        _assert_hardened(response)


async def test_webhook_signing_secrets_are_never_stored_by_a_cache(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    body = {"url": "https://hooks.example.com/kanri", "event_types": ["environment.*"]}
    created = await client.post("/v1/webhooks", json=body, headers=tenant.headers)
    assert created.status_code == 201, created.text
    assert created.json()["secret"].startswith("whsec_")
    webhook = created.json()["id"]
    rotated = await client.post(
        f"/v1/webhooks/{webhook}/rotate-secret", json={}, headers=tenant.headers
    )
    assert rotated.status_code in (200, 201), rotated.text
    assert rotated.json()["secret"] != created.json()["secret"]
    read = await client.get(f"/v1/webhooks/{webhook}", headers=tenant.headers)
    assert read.status_code == 200
    for response in (created, rotated, read):
        _assert_hardened(response)


async def test_a_route_that_sets_its_own_cache_control_keeps_it(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    @app.get("/test-own-cache-control")
    async def own_cache_control() -> Response:
        return Response("{}", media_type="application/json", headers={"Cache-Control": "no-cache"})

    try:
        response = await client.get("/test-own-cache-control")
    finally:
        app.router.routes.pop()
    assert response.headers.get_list("Cache-Control") == ["no-cache"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"


async def test_the_api_reference_page_may_run_only_what_kanri_serves(
    client: httpx.AsyncClient,
) -> None:
    page = await client.get("/docs")
    assert page.status_code == 200
    assert page.headers["X-Frame-Options"] == "DENY"
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    directives = {
        name: value
        for name, _, value in (
            part.partition(" ") for part in page.headers["Content-Security-Policy"].split("; ")
        )
    }
    assert directives["default-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'"
    # The page's inline script (it starts Swagger UI) runs by its hash; nothing else inline,
    # and no other origin: no CDN.
    [inline] = re.findall(rb"<script>(.*?)</script>", page.content, re.DOTALL)
    digest = base64.b64encode(hashlib.sha256(inline).digest()).decode()
    assert directives["script-src"] == f"'self' 'sha256-{digest}'"
    assert directives["style-src"] == "'self'"
    assert "http" not in page.headers["Content-Security-Policy"]
    assert "unsafe" not in page.headers["Content-Security-Policy"]


async def test_every_html_page_gets_its_own_policy_even_when_streamed_in_parts(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    async def parts() -> AsyncIterator[bytes]:
        yield b"<html><head><style>p { color: red }</style>"
        yield b'<script src="/static/app.js"></script></head><body><script>document.'
        yield b"title = 'x'</script></body></html>"

    @app.get("/test-html-page")
    async def html_page() -> StreamingResponse:
        return StreamingResponse(parts(), media_type="text/html")

    try:
        response = await client.get("/test-html-page")
    finally:
        app.router.routes.pop()
    policy = response.headers["Content-Security-Policy"]
    script = base64.b64encode(hashlib.sha256(b"document.title = 'x'").digest()).decode()
    style = base64.b64encode(hashlib.sha256(b"p { color: red }").digest()).decode()
    assert f"script-src 'self' 'sha256-{script}';" in policy
    assert f"style-src 'self' 'sha256-{style}';" in policy
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Cache-Control"] == NO_STORE
    assert response.text.startswith("<html><head><style>")
    assert response.text.endswith("</script></body></html>")

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI

from kanri.core.auth import PublicRoute
from kanri.runtime import Kanri
from tests.factories import bearer, make_key, make_tenant


async def test_the_project_bucket_answers_429_with_retry_after_once_spent(
    client: httpx.AsyncClient, kanri: Kanri
) -> None:
    tenant = await make_tenant(client, kanri, rate_limit_per_minute=3)
    answers = [await client.get("/v1/environments", headers=tenant.headers) for _ in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert answers[0].headers["RateLimit-Policy"] == '"project";q=3;w=60'
    assert answers[0].headers["RateLimit"].startswith('"project";r=2;t=')
    assert answers[2].headers["RateLimit"].startswith('"project";r=0;t=')
    limited = answers[3]
    assert limited.json()["code"] == "RATE_LIMITED"
    assert int(limited.headers["Retry-After"]) >= 1
    assert limited.headers["RateLimit-Policy"] == '"project";q=3;w=60'


async def test_all_keys_of_a_project_share_its_bucket(
    client: httpx.AsyncClient, kanri: Kanri
) -> None:
    tenant = await make_tenant(client, kanri, rate_limit_per_minute=2)
    other_key = (await make_key(client, tenant.admin_key, tenant.project_id))["key"]
    assert (await client.get("/v1/environments", headers=tenant.headers)).status_code == 200
    assert (await client.get("/v1/environments", headers=bearer(other_key))).status_code == 200
    assert (await client.get("/v1/environments", headers=bearer(other_key))).status_code == 429


async def test_rejected_keys_spend_no_quota(client: httpx.AsyncClient, kanri: Kanri) -> None:
    tenant = await make_tenant(client, kanri, rate_limit_per_minute=2)
    reader = await make_key(
        client, tenant.admin_key, tenant.project_id, scopes=["environments:read"]
    )
    for _ in range(5):
        forbidden = await client.post(
            "/v1/environments", json={"name": "x"}, headers=bearer(reader["key"])
        )
        assert forbidden.status_code == 403
        assert "RateLimit" not in forbidden.headers
    assert (await client.get("/v1/environments", headers=tenant.headers)).status_code == 200
    assert (await client.get("/v1/environments", headers=tenant.headers)).status_code == 200


async def test_raising_a_projects_limit_takes_effect(
    client: httpx.AsyncClient, kanri: Kanri
) -> None:
    tenant = await make_tenant(client, kanri, rate_limit_per_minute=1)
    assert (await client.get("/v1/environments", headers=tenant.headers)).status_code == 200
    assert (await client.get("/v1/environments", headers=tenant.headers)).status_code == 429
    await client.patch(
        f"/v1/projects/{tenant.project_id}",
        json={"rate_limit_per_minute": 100},
        headers=tenant.admin_headers,
    )
    assert (await client.get("/v1/environments", headers=tenant.headers)).status_code == 200


async def test_public_routes_are_limited_per_client_ip(app: FastAPI, kanri: Kanri) -> None:
    @app.get("/test-public-form")
    async def public_form(_: None = PublicRoute()) -> dict[str, bool]:
        return {"ok": True}

    limit = kanri.settings.public_rate_limit_per_minute
    try:
        transport = httpx.ASGITransport(app=app, client=("203.0.113.7", 5000))
        async with httpx.AsyncClient(transport=transport, base_url="http://kanri.test") as http:
            codes = [(await http.get("/test-public-form")).status_code for _ in range(limit + 1)]
        assert codes[:limit] == [200] * limit
        assert codes[limit] == 429
        other = httpx.ASGITransport(app=app, client=("203.0.113.8", 5000))
        async with httpx.AsyncClient(transport=other, base_url="http://kanri.test") as http:
            assert (await http.get("/test-public-form")).status_code == 200
    finally:
        app.router.routes.pop()


async def test_redis_storage_shares_a_bucket_between_processes() -> None:
    # Two limiters on one Redis behave like two API nodes of one deployment.
    from kanri.core.errors import RateLimited
    from kanri.core.ids import ulid
    from kanri.core.ratelimit import RateLimiter

    bucket = f"project:test-{ulid()}"
    first, second = RateLimiter("redis://127.0.0.1:6379/0"), RateLimiter("redis://127.0.0.1:6379/0")
    assert (await first.hit("project", bucket, 2)).remaining == 1
    assert (await second.hit("project", bucket, 2)).remaining == 0
    with pytest.raises(RateLimited) as limited:
        await first.hit("project", bucket, 2)
    assert int(limited.value.headers["Retry-After"]) >= 1


def test_the_memory_window_weights_the_previous_minute_by_its_overlap() -> None:
    from kanri.core.ratelimit import MemoryWindows

    windows = MemoryWindows()
    start = 1_800_000_000.0 - 1_800_000_000.0 % 60  # the start of a window
    for n in range(10):
        assert windows.hit("b", 10, start + 50 + n * 0.1)[0]
    assert windows.hit("b", 10, start + 55) == (False, 0, 5)
    # A quarter into the next minute, 3/4 of the previous 10 still count: 7.5 -> 7 spent.
    allowed, remaining, reset = windows.hit("b", 10, start + 75)
    assert allowed
    assert remaining == 10 - 8  # floor(7.5 + 1)
    assert 1 <= reset <= 45
    assert windows.hit("b", 10, start + 76)[0]  # floor(7.33 + 1) + 1 <= 10
    assert windows.hit("b", 10, start + 77)[0]  # floor(7.17 + 2) + 1 <= 10
    assert windows.hit("b", 10, start + 78)[0] is False  # floor(7 + 3) + 1 > 10
    # Two minutes later nothing of that remains.
    assert windows.hit("b", 10, start + 200) == (True, 9, 40)


def test_the_memory_window_forgets_idle_buckets_when_full() -> None:
    from kanri.core.ratelimit import MemoryWindows

    windows = MemoryWindows()
    windows.MAX_BUCKETS = 3
    for name in ("a", "b", "c"):
        windows.hit(name, 5, 1000.0)
    windows.hit("d", 5, 1000.0 + 600)
    assert windows.hit("a", 5, 1000.0 + 600)[1] == 4  # a fresh bucket, not the old one's count

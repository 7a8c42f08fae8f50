"""Limits on what anyone may call without a key: failed authentications and the public
routes, per client address; `/metrics` only when configured.

These tests use an app of their own with the default limits (the session's app raises
them: all of the suite's requests come from one address)."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager
from itertools import count
from types import SimpleNamespace

import httpx
import pytest
from asgi_lifespan import LifespanManager
from fastapi import FastAPI
from pydantic import SecretStr

from kanri.app import create_app
from kanri.config import Settings
from kanri.core import keys, ratelimit
from kanri.runtime import Kanri
from tests.factories import bearer, make_tenant

DEFAULT_AUTH_FAILURES = Settings.model_fields["auth_failure_limit_per_minute"].default
DEFAULT_PUBLIC = Settings.model_fields["public_rate_limit_per_minute"].default
METRICS_TOKEN = "metrics-token-" + "m" * 30
_addresses = count(1)


def _defaults(settings: Settings, **changes: object) -> Settings:
    """The session's database and secret, every limit and switch at its default."""
    return Settings(
        data_dir=settings.data_dir,
        database_url=settings.database_url,
        secret_key=settings.secret_key,
        log_level="warning",
        worker_enabled=False,
        **changes,  # type: ignore[arg-type]
    )


@pytest.fixture(scope="module")
async def default_app(settings: Settings) -> AsyncIterator[FastAPI]:
    application = create_app(_defaults(settings))
    async with LifespanManager(application):
        yield application


Client = Callable[[str], AbstractAsyncContextManager[httpx.AsyncClient]]


@pytest.fixture
def from_address(default_app: FastAPI) -> Client:
    """A client of the default app calling from the given address."""

    def client(address: str) -> httpx.AsyncClient:
        transport = httpx.ASGITransport(app=default_app, client=(address, 40_000))
        return httpx.AsyncClient(transport=transport, base_url="http://kanri.test")

    return client


def _address() -> str:
    """An address no other test of this module calls from."""
    return f"198.51.100.{next(_addresses)}"


def _unknown_key() -> str:
    """A well-formed secret key (its checksum passes) that no project has."""
    return keys.generate("secret")


async def test_an_address_past_the_failed_authentication_limit_gets_429_before_its_key_is_read(
    default_app: FastAPI, from_address: Client
) -> None:
    kanri: Kanri = default_app.state.kanri
    attacker, neighbour = _address(), _address()
    async with from_address(neighbour) as http:
        tenant = await make_tenant(http, kanri)
    async with from_address(attacker) as http:
        for attempt in range(DEFAULT_AUTH_FAILURES):
            guessed = await http.get("/v1/environments", headers=bearer(_unknown_key()))
            assert guessed.status_code == 401, attempt
            assert guessed.json()["code"] == "UNAUTHORIZED"
        refused = await http.get("/v1/environments", headers=tenant.headers)  # a valid key
        after_missing_key = await http.get("/v1/environments")
    assert refused.status_code == 429
    problem = refused.json()
    assert problem["code"] == "RATE_LIMITED"
    assert problem["errors"][0]["field"] == "header.Authorization"
    assert f"more than {DEFAULT_AUTH_FAILURES} failed authentications" in problem["detail"]
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    policy = f'"auth-failures";q={DEFAULT_AUTH_FAILURES};w=60'
    assert refused.headers["RateLimit-Policy"] == policy
    assert refused.headers["RateLimit"].startswith('"auth-failures";r=0;t=')
    assert refused.headers["Content-Type"] == "application/problem+json"
    assert after_missing_key.status_code == 429
    async with from_address(neighbour) as http:
        unaffected = await http.get("/v1/environments", headers=tenant.headers)
        still_told = await http.get("/v1/environments", headers=bearer(_unknown_key()))
    assert unaffected.status_code == 200
    assert unaffected.headers["RateLimit-Policy"].startswith('"project"')
    assert still_told.status_code == 401


async def test_forbidden_and_accepted_keys_spend_no_failed_authentication(
    default_app: FastAPI, from_address: Client
) -> None:
    kanri: Kanri = default_app.state.kanri
    address = _address()
    async with from_address(address) as http:
        tenant = await make_tenant(http, kanri, rate_limit_per_minute=1000)
        for _ in range(DEFAULT_AUTH_FAILURES + 5):
            # a project key on an organization route: 403, not a failed authentication
            forbidden = await http.get("/v1/projects", headers=tenant.headers)
            assert forbidden.status_code == 403
        assert (await http.get("/v1/environments", headers=tenant.headers)).status_code == 200


@pytest.fixture
def frozen_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    """The limiter's clock stands still: a slow machine must not carry the requests of one
    test across the boundary of a minute, where the sliding window frees some again."""
    now = time.time()
    monkeypatch.setattr(ratelimit, "time", SimpleNamespace(time=lambda: now))


@pytest.mark.usefixtures("frozen_clock")
async def test_the_public_routes_share_a_per_address_limit(from_address: Client) -> None:
    address = _address()
    paths = ["/openapi.json", "/ready", "/docs"]
    async with from_address(address) as http:
        answered = [await http.get(paths[n % 3]) for n in range(DEFAULT_PUBLIC)]
        refused = {path: await http.get(path) for path in [*paths, "/redoc", "/metrics"]}
    assert [a.status_code for a in answered] == [200] * DEFAULT_PUBLIC
    assert answered[0].headers["RateLimit-Policy"] == f'"ip";q={DEFAULT_PUBLIC};w=60'
    assert answered[-1].headers["RateLimit"].startswith('"ip";r=0;t=')
    for path, response in refused.items():
        assert response.status_code == 429, path
        assert response.json()["code"] == "RATE_LIMITED"
        assert int(response.headers["Retry-After"]) >= 1
    async with from_address(_address()) as http:
        assert (await http.get("/openapi.json")).status_code == 200


async def test_health_stays_unlimited_for_load_balancers(from_address: Client) -> None:
    async with from_address(_address()) as http:
        polls = [await http.get("/health") for _ in range(DEFAULT_PUBLIC * 2)]
    assert {p.status_code for p in polls} == {200}
    assert "RateLimit" not in polls[-1].headers


async def test_metrics_are_not_served_by_default(from_address: Client) -> None:
    async with from_address(_address()) as http:
        response = await http.get("/metrics")
    assert response.status_code == 404
    assert response.json()["code"] == "NOT_FOUND"
    assert "kanri_http_requests_total" not in response.text


async def test_metrics_with_a_token_are_served_to_its_bearer_only(settings: Settings) -> None:
    application = create_app(_defaults(settings, metrics_token=SecretStr(METRICS_TOKEN)))
    transport = httpx.ASGITransport(app=application, client=(_address(), 40_000))
    async with httpx.AsyncClient(transport=transport, base_url="http://kanri.test") as http:
        without = await http.get("/metrics")
        wrong = await http.get("/metrics", headers=bearer(METRICS_TOKEN + "x"))
        right = await http.get("/metrics", headers=bearer(METRICS_TOKEN))
    assert without.status_code == 401
    assert without.json()["code"] == "UNAUTHORIZED"
    assert wrong.status_code == 401
    assert right.status_code == 200
    assert "kanri_http_requests_total" in right.text
    assert right.headers["RateLimit-Policy"] == f'"ip";q={DEFAULT_PUBLIC};w=60'

"""Errors under `/v1/openai/` are in OpenAI's shape, so the official `openai` client shows
their message, code and param; problem+json stays everywhere else. The client talks to a
live kanri server over loopback."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import openai
import pytest
from fastapi import FastAPI

from kanri.app import ERROR_SHAPES
from kanri.core.http import EdgeMiddleware
from kanri.runtime import Kanri
from tests.agents.factories import make_agent, make_provider
from tests.factories import Tenant, make_key, make_tenant
from tests.fakes.openai_server import FakeOpenAI

OPENAI_ERROR_KEYS = {"message", "type", "code", "param"}


@pytest.fixture
async def sdk(tenant: Tenant, kanri_url: str) -> AsyncIterator[openai.AsyncOpenAI]:
    """The official client for `tenant`'s key, without retries (each error is seen once)."""
    client = openai.AsyncOpenAI(
        base_url=f"{kanri_url}/v1/openai", api_key=tenant.key, max_retries=0
    )
    async with client:
        yield client


def _error_body(failure: openai.APIStatusError) -> dict[str, Any]:
    """What the server sent, checked to be OpenAI's error shape and nothing else."""
    assert failure.response.headers["content-type"] == "application/json"
    body: dict[str, Any] = failure.response.json()
    assert list(body) == ["error"]
    error: dict[str, Any] = body["error"]
    assert set(error) >= OPENAI_ERROR_KEYS
    return error


async def test_an_unknown_model_is_a_404_whose_message_the_client_shows(
    sdk: openai.AsyncOpenAI,
) -> None:
    with pytest.raises(openai.NotFoundError) as failed:
        await sdk.chat.completions.create(
            model="no-such-agent", messages=[{"role": "user", "content": "x"}]
        )
    error = failed.value
    message = (
        "the model 'no-such-agent' does not exist: no agent of this project has that name or id"
    )
    assert error.status_code == 404
    assert error.message == f"Error code: 404 - {message}"
    assert error.code == "model_not_found"
    assert error.type == "invalid_request_error"
    assert error.param == "model"
    assert str(error.request_id).startswith("req_")
    _error_body(error)


async def test_a_bad_key_is_a_401_and_a_key_without_the_section_a_403(
    client: httpx.AsyncClient, tenant: Tenant, kanri_url: str
) -> None:
    wrong = openai.AsyncOpenAI(base_url=f"{kanri_url}/v1/openai", api_key="wrong", max_retries=0)
    async with wrong:
        with pytest.raises(openai.AuthenticationError) as unknown:
            await wrong.models.list()
    assert unknown.value.status_code == 401
    assert unknown.value.message == (
        "Error code: 401 - malformed API key (bad prefix, length or checksum)"
    )
    assert unknown.value.code == "invalid_api_key"
    assert unknown.value.type == "authentication_error"
    assert unknown.value.response.headers["www-authenticate"] == 'Bearer realm="kanri"'
    _error_body(unknown.value)

    reader = await make_key(client, tenant.admin_key, tenant.project_id, scopes=["agents:read"])
    limited = openai.AsyncOpenAI(
        base_url=f"{kanri_url}/v1/openai", api_key=reader["key"], max_retries=0
    )
    async with limited:
        await limited.models.list()  # agents:read is enough to list
        with pytest.raises(openai.PermissionDeniedError) as forbidden:
            await limited.chat.completions.create(
                model="any", messages=[{"role": "user", "content": "x"}]
            )
    assert forbidden.value.message == "Error code: 403 - this key lacks the 'runs:write' scope"
    assert forbidden.value.code == "forbidden"
    assert forbidden.value.type == "permission_error"


async def test_a_request_body_that_fails_validation_names_the_field_as_param(
    client: httpx.AsyncClient, tenant: Tenant, sdk: openai.AsyncOpenAI
) -> None:
    with pytest.raises(openai.UnprocessableEntityError) as invalid:
        await sdk.chat.completions.create(model="any", messages=[])
    assert invalid.value.status_code == 422
    assert invalid.value.param == "messages"
    assert invalid.value.code == "validation_error"
    assert invalid.value.message == (
        "Error code: 422 - invalid value for body.messages "
        "(body.messages: List should have at least 1 item after validation, not 0)"
    )

    malformed = await client.post(
        "/v1/openai/chat/completions",
        content=b'{"model": "any", "messages": [',
        headers={**tenant.headers, "content-type": "application/json"},
    )
    assert malformed.status_code == 400
    assert malformed.headers["content-type"] == "application/json"
    error = malformed.json()["error"]
    assert error["message"].startswith("request body is not valid JSON")
    assert (error["type"], error["code"], error["param"]) == (
        "invalid_request_error",
        "bad_request",
        None,
    )


async def test_errors_of_the_request_edge_take_the_same_shape(
    client: httpx.AsyncClient, kanri: Kanri, tenant: Tenant, sdk: openai.AsyncOpenAI
) -> None:
    too_large = "x" * (kanri.settings.max_body_bytes + 1)
    with pytest.raises(openai.APIStatusError) as refused:
        await sdk.chat.completions.create(
            model="any", messages=[{"role": "user", "content": too_large}]
        )
    assert refused.value.status_code == 413
    assert refused.value.code == "payload_too_large"
    assert refused.value.message == (
        f"Error code: 413 - request body exceeds {kanri.settings.max_body_bytes} bytes"
    )
    _error_body(refused.value)

    with pytest.raises(openai.NotFoundError) as unrouted:
        await sdk.embeddings.create(model="any", input="x")
    assert unrouted.value.message == "Error code: 404 - no route for POST /v1/openai/embeddings"
    assert unrouted.value.code == "not_found"

    nested = await client.post(
        "/v1/openai/chat/completions",
        content=b'{"model": "any", "messages": ' + b"[" * 200 + b"]" * 200 + b"}",
        headers={**tenant.headers, "content-type": "application/json"},
    )
    assert nested.status_code == 400
    assert nested.json()["error"]["message"].startswith("JSON nested deeper than")


async def test_the_rate_limit_is_a_429_the_client_recognises(
    client: httpx.AsyncClient, kanri: Kanri, kanri_url: str
) -> None:
    tenant = await make_tenant(client, kanri, rate_limit_per_minute=1)
    sdk = openai.AsyncOpenAI(base_url=f"{kanri_url}/v1/openai", api_key=tenant.key, max_retries=0)
    async with sdk:
        await sdk.models.list()
        with pytest.raises(openai.RateLimitError) as limited:
            await sdk.models.list()
    assert limited.value.status_code == 429
    assert limited.value.code == "rate_limit_exceeded"
    assert limited.value.type == "rate_limit_error"
    assert int(limited.value.response.headers["retry-after"]) >= 1
    assert "rate limit" in limited.value.message.lower()


async def test_a_failed_run_is_a_502_naming_the_provider_and_the_run(
    client: httpx.AsyncClient, tenant: Tenant, sdk: openai.AsyncOpenAI, fake_openai: FakeOpenAI
) -> None:
    provider = await make_provider(
        client,
        tenant,
        "openai",
        base_url=fake_openai.base_url,
        api_key="k",
        options={"max_retries": 0},
    )
    agent = await make_agent(client, tenant, provider, model="fake-model")
    fake_openai.reply("never read", shape="html")
    with pytest.raises(openai.InternalServerError) as failed:
        await sdk.chat.completions.create(
            model=agent["name"], messages=[{"role": "user", "content": "x"}]
        )
    error = failed.value
    body = _error_body(error)
    run_id = body["run_id"]
    assert error.status_code == 502
    assert error.type == "server_error"
    assert error.code == "run_failed"
    assert error.message == (
        f"Error code: 502 - run {run_id} failed: provider '{provider['name']}' answered "
        "text/html to a streamed request (an event stream or JSON was expected)"
    )
    run = (await client.get(f"/v1/runs/{run_id}", headers=tenant.headers)).json()
    assert run["status"] == "failed"


async def test_problem_json_stays_everywhere_else(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    for path in ("/v1/agents/agt_missing", "/v1/openaiish/models"):
        response = await client.get(path, headers=tenant.headers)
        assert response.status_code == 404
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["code"] == "NOT_FOUND"


async def test_the_api_reference_describes_the_openai_error_shape(app: FastAPI) -> None:
    document = app.openapi()
    completions = document["paths"]["/v1/openai/chat/completions"]["post"]["responses"]
    models = document["paths"]["/v1/openai/models"]["get"]["responses"]
    error_ref = {"$ref": "#/components/schemas/ErrorResponse"}
    for status in ("401", "404", "422", "429", "502"):
        assert completions[status]["content"] == {"application/json": {"schema": error_ref}}
    assert models["401"]["content"] == {"application/json": {"schema": error_ref}}
    assert "502" not in models
    detail = document["components"]["schemas"]["ErrorDetail"]
    assert set(detail["required"]) == OPENAI_ERROR_KEYS
    other = document["paths"]["/v1/agents"]["get"]["responses"]["401"]["content"]
    assert "application/problem+json" in other


async def test_an_unexpected_failure_is_a_500_in_the_same_shape() -> None:
    async def failing_route(scope: Any, receive: Any, send: Any) -> None:
        raise RuntimeError("a bug, with internals that must not leak")

    edge = EdgeMiddleware(
        failing_route, max_body_bytes=1024, max_json_depth=8, error_shapes=ERROR_SHAPES
    )
    transport = httpx.ASGITransport(app=edge, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://kanri.test") as http:
        under = await http.get("/v1/openai/models")
        elsewhere = await http.get("/v1/agents")
    assert under.status_code == elsewhere.status_code == 500
    assert under.json()["error"] == {
        "message": "an unexpected error occurred; quote the request_id when reporting it",
        "type": "server_error",
        "code": "internal_error",
        "param": None,
    }
    assert under.headers["x-request-id"].startswith("req_")
    assert "internals" not in under.text
    assert elsewhere.headers["content-type"] == "application/problem+json"

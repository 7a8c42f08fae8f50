"""Secrets and variables: the API (values never shown, encrypted at rest, versions,
environments, tenancy), and what runs make of them: templates, publish-time checks,
per-run read audit, rotation, and redaction from everything a run writes."""

from __future__ import annotations

import base64
from typing import Any
from urllib.parse import quote

import httpx
from sqlalchemy import select
from sqlalchemy.orm import Session

from kanri.core.ids import ulid
from kanri.db.models import Base
from kanri.runtime import Kanri
from kanri.secrets.models import SecretRow, SecretVersionRow
from tests.engine.factories import make_automation, run_and_wait
from tests.factories import Tenant, make_tenant


def _value() -> str:
    return f"tok-{ulid()}"


def _in(environment: str, tenant: Tenant) -> dict[str, str]:
    return {**tenant.headers, "Kanri-Environment": environment}


async def _put(
    client: httpx.AsyncClient, headers: dict[str, str], name: str, value: str, **body: Any
) -> dict[str, Any]:
    response = await client.put(
        f"/v1/secrets/{name}", json={"value": value, **body}, headers=headers
    )
    assert response.status_code == 200, response.text
    secret: dict[str, Any] = response.json()
    return secret


def _dump(tx: Session) -> str:
    """Every row of every table, as text."""
    lines: list[str] = []
    for table in Base.metadata.sorted_tables:
        lines.extend(repr(tuple(row)) for row in tx.execute(select(table)))
    return "\n".join(lines)


async def test_a_secret_is_versioned_never_shown_and_stored_encrypted(
    client: httpx.AsyncClient, kanri: Kanri, tenant: Tenant
) -> None:
    value = _value()
    created = await _put(client, tenant.headers, "API_TOKEN", value, description="the token")
    assert created["version"] == 1
    assert created["description"] == "the token"
    assert created["last_used_time"] is None
    rotated = await _put(client, tenant.headers, "API_TOKEN", value + "-2")
    assert rotated["id"] == created["id"]
    assert rotated["version"] == 2
    assert rotated["description"] == "the token"  # kept when omitted
    listed = await client.get("/v1/secrets", headers=tenant.headers)
    fetched = await client.get("/v1/secrets/API_TOKEN", headers=tenant.headers)
    assert [s["name"] for s in listed.json()["data"]] == ["API_TOKEN"]
    assert fetched.json()["version"] == 2
    for response in (listed, fetched):
        assert value not in response.text
        assert "value" not in response.text

    def stored(tx: Session) -> list[str]:
        rows = tx.execute(
            select(SecretVersionRow.value_encrypted)
            .join(SecretRow, SecretRow.id == SecretVersionRow.secret_id)
            .where(SecretRow.id == created["id"])
            .order_by(SecretVersionRow.version)
        )
        return list(rows.scalars())

    tokens = await kanri.db.read(stored)
    assert len(tokens) == 2
    assert all(value not in token for token in tokens)

    deleted = await client.delete("/v1/secrets/API_TOKEN", headers=tenant.headers)
    assert deleted.status_code == 204
    gone = await client.get("/v1/secrets/API_TOKEN", headers=tenant.headers)
    assert gone.status_code == 404
    assert await kanri.db.read(stored) == []


async def test_bad_names_values_and_other_tenants_are_refused(
    client: httpx.AsyncClient, kanri: Kanri, tenant: Tenant
) -> None:
    for name in ("api_token", "1TOKEN", "A" * 65, "TOKEN-1"):
        response = await client.put(
            f"/v1/secrets/{name}", json={"value": "x"}, headers=tenant.headers
        )
        assert response.status_code == 422, (name, response.text)
    too_big = await client.put(
        "/v1/secrets/BIG", json={"value": "é" * 40_000}, headers=tenant.headers
    )
    assert too_big.status_code == 422
    assert too_big.json()["errors"][0]["field"] == "body.value"
    empty = await client.put("/v1/secrets/EMPTY", json={"value": ""}, headers=tenant.headers)
    assert empty.status_code == 422
    await _put(client, tenant.headers, "MINE", _value())
    other = await make_tenant(client, kanri)
    for method in ("GET", "DELETE"):
        response = await client.request(method, "/v1/secrets/MINE", headers=other.headers)
        assert response.status_code == 404
    assert (await client.get("/v1/secrets", headers=other.headers)).json()["data"] == []


async def test_variables_hold_json_per_environment(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    value = {"base_url": "https://api.example.com", "retries": 3}
    put = await client.put("/v1/variables/SERVICE", json={"value": value}, headers=tenant.headers)
    assert put.status_code == 200, put.text
    assert put.json()["value"] == value
    replaced = await client.put(
        "/v1/variables/SERVICE", json={"value": [1, 2]}, headers=tenant.headers
    )
    assert replaced.json()["id"] == put.json()["id"]
    fetched = await client.get("/v1/variables/SERVICE", headers=tenant.headers)
    assert fetched.json()["value"] == [1, 2]
    elsewhere = await client.get("/v1/variables/SERVICE", headers=_in("development", tenant))
    assert elsewhere.status_code == 404
    listed = await client.get("/v1/variables", headers=tenant.headers)
    assert [v["name"] for v in listed.json()["data"]] == ["SERVICE"]
    deleted = await client.delete("/v1/variables/SERVICE", headers=tenant.headers)
    assert deleted.status_code == 204
    assert (await client.get("/v1/variables", headers=tenant.headers)).json()["data"] == []


async def test_steps_read_the_secrets_and_variables_of_the_runs_environment(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    await _put(client, _in("production", tenant), "DB_PASSWORD", "prod-" + _value())
    await _put(client, _in("development", tenant), "DB_PASSWORD", "devl-" + _value())
    for environment in ("production", "development"):
        response = await client.put(
            "/v1/variables/REGION",
            json={"value": f"{environment}-region"},
            headers=_in(environment, tenant),
        )
        assert response.status_code == 200
    steps: list[dict[str, Any]] = [
        {
            "id": "where",
            "kind": "condition",
            "if": 'secrets.DB_PASSWORD.startswith("prod")',
            "then": "read",
            "else": "end",
        },
        {
            "id": "read",
            "kind": "transform",
            "output": {"prefix": "{{ secrets.DB_PASSWORD[:4] }}", "region": "{{ vars.REGION }}"},
        },
    ]
    automation = await make_automation(client, tenant, steps)
    production = await run_and_wait(client, tenant, automation["id"])
    assert production["status"] == "completed", production
    assert production["outputs"] == {"prefix": "prod", "region": "production-region"}
    development = await run_and_wait(
        client, tenant, automation["id"], headers=_in("development", tenant)
    )
    assert development["status"] == "completed", development
    assert development["outputs"] == {"result": False}  # `if` read development's value
    steps[0]["if"] = "true"
    automation = await make_automation(client, tenant, steps)
    development = await run_and_wait(
        client, tenant, automation["id"], headers=_in("development", tenant)
    )
    assert development["outputs"] == {"prefix": "devl", "region": "development-region"}


async def test_a_name_missing_from_the_runs_environment_fails_the_step_naming_it(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    await _put(client, _in("production", tenant), "ONLY_PROD", _value())
    steps = [{"id": "call", "kind": "log", "message": "{{ secrets.ONLY_PROD }}"}]
    automation = await make_automation(client, tenant, steps)
    run = await run_and_wait(client, tenant, automation["id"], headers=_in("development", tenant))
    assert run["status"] == "failed"
    assert run["error"]["step_id"] == "call"
    assert "secret 'ONLY_PROD' is not set" in run["error"]["message"]
    assert run["error"]["message"].startswith("call.message:")
    steps = [{"id": "cfg", "kind": "transform", "output": "{{ vars.NOWHERE }}"}]
    automation = await make_automation(client, tenant, steps)
    run = await run_and_wait(client, tenant, automation["id"])
    assert run["status"] == "failed"
    assert "variable 'NOWHERE' is not set" in run["error"]["message"]


async def test_publishing_refuses_a_literal_secret_name_no_environment_has(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    steps = [
        {"id": "ok", "kind": "transform", "output": "{{ inputs.x }}"},
        {"id": "call", "kind": "log", "message": "token {{ secrets['NO_SUCH_TOKEN'] }}"},
    ]
    automation = await make_automation(client, tenant, steps, publish=False)
    refused = await client.post(
        f"/v1/automations/{automation['id']}/publish", headers=tenant.headers
    )
    assert refused.status_code == 422, refused.text
    error = refused.json()["errors"][0]
    assert error["field"] == "definition.steps.1.message"
    assert "step 'call'" in error["message"]
    assert "NO_SUCH_TOKEN" in error["message"]
    await _put(client, _in("development", tenant), "NO_SUCH_TOKEN", _value())
    published = await client.post(
        f"/v1/automations/{automation['id']}/publish", headers=tenant.headers
    )
    assert published.status_code == 201, published.text


async def test_reads_are_audited_per_run_and_a_new_version_counts_from_the_next_step(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    first, second = _value(), _value()
    await _put(client, tenant.headers, "ROTATED", first)
    steps = [{"id": "use", "kind": "transform", "output": "{{ secrets.ROTATED[-6:] }}"}]
    automation = await make_automation(client, tenant, steps)
    before = await run_and_wait(client, tenant, automation["id"])
    await _put(client, tenant.headers, "ROTATED", second)
    after = await run_and_wait(client, tenant, automation["id"])
    assert before["outputs"] == first[-6:]
    assert after["outputs"] == second[-6:]
    versions = []
    for run in (before, after):
        response = await client.get(
            "/v1/audit-logs",
            params={"filter": f'action = "secret.read" AND resource_id = "{run["id"]}"'},
            headers=tenant.headers,
        )
        rows = response.json()["data"]
        assert len(rows) == 1
        assert rows[0]["changes"]["step_id"] == {"to": "use"}
        versions.append(rows[0]["changes"]["secrets"]["to"])
        assert first not in response.text
        assert second not in response.text
    assert versions == [[{"name": "ROTATED", "version": 1}], [{"name": "ROTATED", "version": 2}]]
    secret = (await client.get("/v1/secrets/ROTATED", headers=tenant.headers)).json()
    assert secret["last_used_time"] is not None


async def test_a_secret_is_redacted_from_everything_its_runs_write(
    client: httpx.AsyncClient, kanri: Kanri, tenant: Tenant
) -> None:
    value = f"s3cr3t/{ulid()}+x y"
    await _put(client, tenant.headers, "API_TOKEN", value)
    steps: list[dict[str, Any]] = [
        {"id": "say", "kind": "log", "message": "calling with {{ secrets.API_TOKEN }}"},
        {
            "id": "shape",
            "kind": "transform",
            "output": {
                "plain": "{{ secrets.API_TOKEN }}",
                "url": "https://api.example.com/?t={{ secrets.API_TOKEN | urlencode }}",
            },
        },
        {
            "id": "tell",
            "kind": "event.emit",
            "type": "token.used",
            "data": {"token": "{{ secrets.API_TOKEN }}"},
        },
    ]
    outputs = {"token": "{{ secrets.API_TOKEN }}", "shape": "{{ steps.shape.output.plain }}"}
    automation = await make_automation(client, tenant, steps, outputs=outputs)
    run = await run_and_wait(client, tenant, automation["id"])
    assert run["status"] == "completed", run
    assert run["outputs"] == {"token": "[secret:API_TOKEN]", "shape": "[secret:API_TOKEN]"}
    failing: list[dict[str, Any]] = [
        {
            "id": "boom",
            "kind": "fail",
            "message": "the API refused {{ secrets.API_TOKEN }}",
        }
    ]
    broken = await make_automation(client, tenant, failing)
    failed = await run_and_wait(client, tenant, broken["id"])
    assert failed["status"] == "failed"
    assert failed["error"]["message"] == "the API refused [secret:API_TOKEN]"

    logs = await client.get(f"/v1/runs/{run['id']}/logs", headers=tenant.headers)
    assert "calling with [secret:API_TOKEN]" in logs.text
    shaped = await client.get(f"/v1/runs/{run['id']}/steps", headers=tenant.headers)
    output = next(s for s in shaped.json()["data"] if s["step_id"] == "shape")["output"]
    assert output == {
        "plain": "[secret:API_TOKEN]",
        "url": "https://api.example.com/?t=[secret:API_TOKEN]",
    }
    dump = await kanri.db.read(_dump)
    assert "[secret:API_TOKEN]" in dump
    raw = value.encode()
    for form in (
        value,
        quote(value, safe=""),
        base64.b64encode(raw).decode(),
        base64.urlsafe_b64encode(raw).decode(),
    ):
        assert form not in dump, form

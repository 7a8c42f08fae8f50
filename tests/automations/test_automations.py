from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.engine.factories import make_automation, run_and_wait
from tests.factories import Tenant, unique


async def _create(
    client: httpx.AsyncClient, tenant: Tenant, steps: list[dict[str, Any]]
) -> httpx.Response:
    return await client.post(
        "/v1/automations",
        json={"name": unique("a"), "definition": {"steps": steps}},
        headers=tenant.headers,
    )


@pytest.mark.parametrize(
    ("steps", "field", "words"),
    [
        ([{"id": "a", "kind": "teleport"}], "body.definition.steps.0.kind", "unknown kind"),
        (
            [{"id": "a", "kind": "transform"}, {"id": "a", "kind": "transform"}],
            "body.definition.steps.1.id",
            "duplicate",
        ),
        (
            [
                {"id": "a", "kind": "transform", "output": "{{ steps.b.output }}"},
                {"id": "b", "kind": "transform"},
            ],
            "body.definition.steps.0",
            "does not run before it",
        ),
        (
            [{"id": "a", "kind": "transform", "output": "{{ inputs.x + }}"}],
            "body.definition.steps.0.output",
            "step 'a'",
        ),
        (
            [{"id": "a", "kind": "condition", "if": "true", "then": "nowhere"}],
            "body.definition.steps.0",
            "unknown step",
        ),
        ([{"id": "a", "kind": "log"}], "body.definition.steps.0.message", "step 'a'"),
    ],
)
async def test_invalid_definitions_are_refused_naming_the_step(
    client: httpx.AsyncClient, tenant: Tenant, steps: list[dict[str, Any]], field: str, words: str
) -> None:
    response = await _create(client, tenant, steps)
    assert response.status_code == 422, response.text
    errors = response.json()["errors"]
    assert any(e["field"] == field and words in e["message"] for e in errors), errors


async def test_publishing_freezes_versions_and_rollback_restores_one(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    automation = await make_automation(
        client, tenant, [{"id": "v", "kind": "transform", "output": 1}]
    )
    url = f"/v1/automations/{automation['id']}"
    patched = await client.patch(
        url,
        json={"definition": {"steps": [{"id": "v", "kind": "transform", "output": 2}]}},
        headers=tenant.headers,
    )
    assert patched.status_code == 200
    assert patched.json()["published_version"] == 1
    first = await run_and_wait(client, tenant, automation["id"])
    assert first["outputs"] == 1  # the published version, not the draft
    second = await client.post(f"{url}/publish", headers=tenant.headers)
    assert second.status_code == 201
    assert second.json()["version"] == 2
    assert second.headers["Location"] == f"{url}/versions/2"
    assert (await run_and_wait(client, tenant, automation["id"]))["outputs"] == 2
    versions = (await client.get(f"{url}/versions", headers=tenant.headers)).json()["data"]
    assert [(v["version"], v["published"]) for v in versions] == [(2, True), (1, False)]
    rolled = await client.post(f"{url}/rollback", json={"version": 1}, headers=tenant.headers)
    assert rolled.json()["published_version"] == 1
    assert (await run_and_wait(client, tenant, automation["id"]))["outputs"] == 1
    pinned = await run_and_wait(client, tenant, automation["id"], version=2)
    assert pinned["outputs"] == 2
    missing = await client.post(f"{url}/rollback", json={"version": 9}, headers=tenant.headers)
    assert missing.status_code == 404


async def test_automation_names_are_unique_per_project(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    automation = await make_automation(
        client, tenant, [{"id": "v", "kind": "transform"}], publish=False
    )
    again = await client.post(
        "/v1/automations",
        json={
            "name": automation["name"],
            "definition": {"steps": [{"id": "v", "kind": "transform"}]},
        },
        headers=tenant.headers,
    )
    assert again.status_code == 409
    by_name = await client.get(f"/v1/automations/{automation['name']}", headers=tenant.headers)
    assert by_name.json()["id"] == automation["id"]


async def test_version_numbers_beyond_the_column_are_422_on_the_field_and_start_nothing(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    automation = await make_automation(client, tenant, [{"id": "v", "kind": "transform"}])
    url = f"/v1/automations/{automation['id']}"
    run = await client.post(
        f"{url}/runs", json={"version": 99999999999999999999}, headers=tenant.headers
    )
    assert run.status_code == 422, run.text
    assert run.headers["content-type"] == "application/problem+json"
    assert [e["field"] for e in run.json()["errors"]] == ["body.version"]
    rollback = await client.post(
        f"{url}/rollback", json={"version": 9223372036854775808}, headers=tenant.headers
    )
    assert rollback.status_code == 422, rollback.text
    assert [e["field"] for e in rollback.json()["errors"]] == ["body.version"]
    runs = await client.get("/v1/runs", headers=tenant.headers)  # a new tenant: none before
    assert runs.json()["data"] == []
    assert (await client.get(url, headers=tenant.headers)).json()["published_version"] == 1

"""AI drafts: a run asks a model for the type's fields as JSON and saves a draft entry
linked to it; an answer that does not fit the type fails the run and saves nothing."""

from __future__ import annotations

import json

import httpx

from tests.agents.factories import make_provider
from tests.content.factories import cfield, make_type
from tests.engine.factories import until_status
from tests.factories import Tenant


async def test_a_generated_draft_is_saved_and_linked_to_its_run(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    provider = await make_provider(client, tenant)
    type_ = await make_type(
        client,
        tenant,
        [
            cfield("title", required=True),
            cfield("mood", "select", options=["calm", "bold"]),
            cfield("body", "rich_text"),
            cfield("hero", "asset"),
        ],
    )
    answer = {"title": "Tea", "mood": "calm", "body": [{"type": "paragraph", "text": "Hot."}]}
    # The offline provider answers `/json <value>` with that value: deterministic drafts.
    started = await client.post(
        "/v1/content/entries:generate",
        json={
            "type": type_["slug"],
            "brief": f"A page about tea\n/json {json.dumps(answer)}",
            "provider": provider["name"],
        },
        headers=tenant.headers,
    )
    assert started.status_code == 202, started.text
    run_id = started.json()["id"]
    assert started.headers["Location"] == f"/v1/runs/{run_id}"
    run = await until_status(client, tenant, run_id, {"completed", "failed"}, within=30)
    assert run["status"] == "completed", run["error"]
    entries = await client.get(
        "/v1/content/entries", params={"type": type_["slug"]}, headers=tenant.headers
    )
    [entry] = entries.json()["data"]
    assert entry["generated_by_run_id"] == run_id
    assert entry["status"] == "draft"
    assert entry["fields"] == {**answer, "hero": None}
    steps = (await client.get(f"/v1/runs/{run_id}/steps", headers=tenant.headers)).json()
    assert steps["data"][-1]["output"]["id"] == entry["id"]


async def test_an_answer_that_does_not_fit_fails_the_run(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    provider = await make_provider(client, tenant)
    type_ = await make_type(client, tenant, [cfield("rank", "number", required=True)])
    started = await client.post(
        "/v1/content/entries:generate",
        json={
            "type": type_["slug"],
            "brief": '/json {"rank": "high"}',
            "provider": provider["name"],
        },
        headers=tenant.headers,
    )
    run = await until_status(
        client, tenant, started.json()["id"], {"completed", "failed"}, within=30
    )
    assert run["status"] == "failed"
    entries = await client.get(
        "/v1/content/entries", params={"type": type_["slug"]}, headers=tenant.headers
    )
    assert entries.json()["data"] == []
    unknown = await client.post(
        "/v1/content/entries:generate",
        json={
            "type": type_["slug"],
            "brief": "x",
            "provider": provider["name"],
            "fields": ["nope"],
        },
        headers=tenant.headers,
    )
    assert unknown.status_code == 422
    assert unknown.json()["errors"][0]["field"] == "body.fields.nope"

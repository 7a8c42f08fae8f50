"""Namespaces embedded by a provider of the project (kind openai) through the official SDK."""

from __future__ import annotations

import httpx

from kanri.knowledge.embeddings.minilm import DIMENSION
from kanri.runtime import Kanri
from tests.agents.factories import make_provider
from tests.engine.factories import until_status
from tests.factories import make_tenant
from tests.fakes.openai_server import FakeOpenAI
from tests.knowledge.factories import make_namespace, put_entry, search

NS = "/v1/knowledge/namespaces"


async def test_a_provider_embeds_entries_and_queries_and_its_dimension_is_stored(
    client: httpx.AsyncClient, kanri: Kanri, fake_openai: FakeOpenAI
) -> None:
    tenant = await make_tenant(client, kanri)
    provider = await make_provider(
        client, tenant, "openai", base_url=fake_openai.base_url, api_key="sk-embed"
    )
    fake_openai.embedding_dimension = 12
    ns = await make_namespace(
        client,
        tenant,
        embedding={"provider": "openai", "provider_id": provider["name"], "model": "bag-1"},
    )
    assert ns["embedding"]["provider_id"] == provider["id"]
    assert ns["embedding"]["base_url"] is None
    assert ns["embedding"]["dimension"] is None
    await put_entry(client, tenant, ns["id"], "a", "zebra stripes pattern")
    await put_entry(client, tenant, ns["id"], "b", "ocean waves tide")
    sent = fake_openai.embedding_requests[-1]
    assert sent["model"] == "bag-1"
    assert sent["encoding_format"] == "float"
    assert fake_openai.headers[-1]["authorization"] == "Bearer sk-embed"
    learned = (await client.get(f"{NS}/{ns['id']}", headers=tenant.headers)).json()
    assert learned["embedding"]["dimension"] == 12
    found = await search(client, tenant, ns["id"], "zebra stripes", mode="vector", top_k=1)
    assert [f["entry_id"] for f in found] == ["a"]
    assert fake_openai.embedding_requests[-1]["input"] == ["zebra stripes"]

    # Another model of the same provider re-embeds every entry in the background.
    fake_openai.embedding_dimension = 20
    changed = await client.patch(
        f"{NS}/{ns['id']}",
        json={"embedding": {"provider": "openai", "provider_id": provider["id"], "model": "bag-2"}},
        headers=tenant.headers,
    )
    assert changed.status_code == 200, changed.text
    entry = (await client.get(f"{NS}/{ns['id']}/entries/a", headers=tenant.headers)).json()
    assert entry["status"] == "processing"
    run = await until_status(client, tenant, entry["job_run_id"], {"completed", "failed"}, 60)
    assert run["status"] == "completed", run
    assert {r["model"] for r in fake_openai.embedding_requests[-1:]} == {"bag-2"}
    after = (await client.get(f"{NS}/{ns['id']}", headers=tenant.headers)).json()
    assert after["embedding"]["model"] == "bag-2"
    assert after["embedding"]["dimension"] == 20
    found = await search(client, tenant, ns["id"], "ocean tide", mode="vector", top_k=1)
    assert [f["entry_id"] for f in found] == ["b"]

    # Back to the local model: the provider is no longer called.
    calls = len(fake_openai.embedding_requests)
    local = await client.patch(
        f"{NS}/{ns['id']}", json={"embedding": {"provider": "local"}}, headers=tenant.headers
    )
    assert local.status_code == 200, local.text
    assert local.json()["embedding"]["dimension"] == DIMENSION
    assert local.json()["embedding"]["provider_id"] is None
    entry = (await client.get(f"{NS}/{ns['id']}/entries/b", headers=tenant.headers)).json()
    run = await until_status(client, tenant, entry["job_run_id"], {"completed", "failed"}, 60)
    assert run["status"] == "completed", run
    found = await search(client, tenant, ns["id"], "ocean waves", mode="vector", top_k=1)
    assert [f["entry_id"] for f in found] == ["b"]
    assert len(fake_openai.embedding_requests) == calls


async def test_the_provider_must_be_an_openai_provider_of_the_project(
    client: httpx.AsyncClient, kanri: Kanri, fake_openai: FakeOpenAI
) -> None:
    tenant = await make_tenant(client, kanri)
    other = await make_tenant(client, kanri)
    theirs = await make_provider(client, other, "openai", base_url=fake_openai.base_url)
    offline = await make_provider(client, tenant, "offline")
    ours = await make_provider(client, tenant, "openai", base_url=fake_openai.base_url)
    cases = [
        ({"provider": "openai", "provider_id": theirs["id"], "model": "m"}, "provider_id"),
        ({"provider": "openai", "provider_id": "nope", "model": "m"}, "provider_id"),
        ({"provider": "openai", "provider_id": offline["name"], "model": "m"}, "provider_id"),
        ({"provider": "openai", "provider_id": ours["id"]}, "embedding"),
        (
            {
                "provider": "openai",
                "provider_id": ours["id"],
                "base_url": fake_openai.base_url,
                "model": "m",
            },
            "embedding",
        ),
        (
            {"provider": "openai", "provider_id": ours["id"], "model": "m", "api_key": "k"},
            "embedding",
        ),
        ({"provider": "local", "provider_id": ours["id"]}, "embedding"),
    ]
    for embedding, field in cases:
        response = await client.post(
            NS, json={"name": "kb-bad", "embedding": embedding}, headers=tenant.headers
        )
        assert response.status_code == 422, (embedding, response.text)
        fields = [error["field"] for error in response.json()["errors"]]
        assert any(field in f for f in fields), (embedding, fields)


async def test_a_failing_or_deleted_provider_is_a_503_and_a_failed_job(
    client: httpx.AsyncClient, kanri: Kanri, fake_openai: FakeOpenAI
) -> None:
    tenant = await make_tenant(client, kanri)
    provider = await make_provider(
        client, tenant, "openai", base_url=fake_openai.base_url, options={"max_retries": 0}
    )
    ns = await make_namespace(
        client,
        tenant,
        embedding={"provider": "openai", "provider_id": provider["id"], "model": "m"},
    )
    fake_openai.embedding_status = 400
    response = await client.put(
        f"{NS}/{ns['id']}/entries/x", json={"text": "hello"}, headers=tenant.headers
    )
    assert response.status_code == 503
    assert "HTTP 400" in response.json()["detail"]
    queued = await client.put(
        f"{NS}/{ns['id']}/entries/x",
        params={"wait": "false"},
        json={"text": "hello"},
        headers=tenant.headers,
    )
    assert queued.status_code == 202
    run = await until_status(
        client, tenant, queued.json()["job_run_id"], {"completed", "failed"}, 60
    )
    entry = (await client.get(f"{NS}/{ns['id']}/entries/x", headers=tenant.headers)).json()
    assert entry["status"] == "failed", (run, entry)
    assert "HTTP 400" in entry["error"]

    fake_openai.embedding_status = 200
    deleted = await client.delete(f"/v1/providers/{provider['id']}", headers=tenant.headers)
    assert deleted.status_code == 204
    gone = await client.post(
        f"{NS}/{ns['id']}/search", json={"query": "hello"}, headers=tenant.headers
    )
    assert gone.status_code == 503
    assert "no longer exists" in gone.json()["detail"]

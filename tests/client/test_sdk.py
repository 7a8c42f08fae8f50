"""The SDK against a live kanri: CRUD of several areas, pages, a run's events, errors."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from kanri.client import (
    AsyncKanri,
    AuthenticationError,
    Conflict,
    Kanri,
    NotFound,
    ValidationError,
    models,
)
from tests.factories import Tenant, unique

DEFINITION: dict[str, Any] = {
    "inputs": {"type": "object", "properties": {"amount": {"type": "number"}}},
    "steps": [{"id": "pay", "kind": "transform", "output": {"paid": "{{ inputs.amount }}"}}],
}


async def test_automations_and_runs_with_typed_models(sdk: AsyncKanri) -> None:
    name = unique("pay")
    created = await sdk.automations.create(name=name, definition=DEFINITION)
    assert isinstance(created, models.Automation)
    assert created.name == name
    updated = await sdk.automations.update(created.id, description="pays")
    assert updated.description == "pays"
    published = await sdk.automations.publish(name)
    assert published.version == 1
    versions = [v.version for v in (await sdk.automations.versions_list(name)).data]
    assert versions == [1]

    run = await sdk.runs.start(name, {"amount": 7}, wait=20)
    assert isinstance(run, models.Run)
    assert run.status == "completed"
    assert run.outputs == {"paid": 7}
    assert (await sdk.runs.get(run.id)).id == run.id
    steps = (await sdk.runs.steps_list(run.id)).data
    assert [step.step_id for step in steps] == ["pay"]

    events = [event async for event in sdk.runs.stream(run.id)]
    assert events[-1].type == "run.completed"
    assert all(event.data.get("run_id", run.id) == run.id for event in events)

    listed = [r.id async for r in sdk.runs.list(filter=f'automation_id = "{created.id}"')]
    assert listed == [run.id]
    await sdk.automations.delete(created.id)
    with pytest.raises(NotFound) as missing:
        await sdk.automations.get(created.id)
    assert missing.value.request_id
    assert missing.value.request_id in str(missing.value)


async def test_records_page_automatically_over_250_items(sdk: AsyncKanri, tenant: Tenant) -> None:
    slug = unique("lead")
    await sdk.objects.create(slug=slug, name="Leads")
    await sdk.objects.fields_create(slug, slug="email", name="Email", type="email", unique=True)
    for start in (0, 125):
        batch: list[models.RecordWrite | dict[str, Any]] = [
            {"field_values": {"email": f"p{i}@example.com"}} for i in range(start, start + 125)
        ]
        await sdk.records.batch_create(slug, records=batch)

    seen = [r.id async for r in sdk.records.list(slug, page_size=40)]
    assert len(seen) == len(set(seen)) == 250
    pages = [page async for page in sdk.records.list(slug, page_size=100).pages()]
    assert [len(page.data) for page in pages] == [100, 100, 50]
    assert pages[-1].next_page_token is None

    found = await sdk.records.query(slug, filter='email = "p42@example.com"')
    assert [r.field_values["email"] for r in found.data] == ["p42@example.com"]

    def sync_walk() -> int:
        with Kanri(base_url=sdk.config.base_url, api_key=tenant.key) as client:
            return sum(1 for _ in client.records.list(slug, page_size=100))

    assert await asyncio.to_thread(sync_walk) == 250


async def test_webhooks_knowledge_and_costs(sdk: AsyncKanri, tmp_path: Any) -> None:
    hook = await sdk.webhooks.create(url="https://hooks.example.com/k", event_types=["run.failed"])
    assert hook.secret
    assert [w.id async for w in sdk.webhooks.list()] == [hook.id]
    await sdk.webhooks.delete(hook.id)

    namespace = unique("docs")
    await sdk.knowledge.namespaces_create(name=namespace)
    for i in range(3):
        (tmp_path / f"note{i}.md").write_text(f"# Note {i}\n\nrefunds take {i} days")
    files = sorted(tmp_path.glob("*.md"))
    first = await sdk.knowledge.upload(namespace, files, root=tmp_path, wait=True)
    again = await sdk.knowledge.upload(namespace, files, root=tmp_path, wait=True)
    assert [e.id for e in first] == [e.id for e in again] == ["note0.md", "note1.md", "note2.md"]
    entries = [e.id async for e in sdk.knowledge.namespaces_entries_list(namespace)]
    assert sorted(entries) == ["note0.md", "note1.md", "note2.md"]

    report = await sdk.costs.get(group_by="model")
    assert isinstance(report, models.CostReport)


async def test_problems_become_typed_exceptions(sdk: AsyncKanri, kanri_url: str) -> None:
    with pytest.raises(ValidationError) as invalid:
        await sdk.automations.create(name="Not A Slug!", definition=DEFINITION)
    assert invalid.value.status == 422
    assert any(e["field"].startswith("body.name") for e in invalid.value.errors)
    assert "body.name" in str(invalid.value)

    name = unique("dup")
    await sdk.automations.create(name=name, definition=DEFINITION)
    with pytest.raises(Conflict) as taken:
        await sdk.automations.create(name=name, definition=DEFINITION)
    assert taken.value.status == 409
    assert taken.value.request_id
    assert taken.value.request_id in str(taken.value)

    async with AsyncKanri(base_url=kanri_url, api_key="kanri_sk_" + "x" * 42) as stranger:
        with pytest.raises(AuthenticationError) as refused:
            await stranger.runs.list().first_page()
    assert refused.value.status == 401

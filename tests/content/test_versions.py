"""Drafts, versions and the published pointer; ETag and If-Match."""

from __future__ import annotations

from datetime import timedelta

import httpx

from kanri.content import entry_service
from kanri.core.auth import Principal
from kanri.core.time import utcnow
from kanri.runtime import Kanri
from tests.content.factories import cfield, make_entry, make_type, publish
from tests.engine.factories import until_status
from tests.factories import Tenant


async def test_every_save_is_a_version_and_publishing_is_a_pointer(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    type_ = await make_type(client, tenant, [cfield("title", required=True), cfield("body")])
    entry = await make_entry(client, tenant, type_["slug"], "v", body="x")
    refused = await publish(client, tenant, entry["id"])
    assert refused.status_code == 422
    assert [e["field"] for e in refused.json()["errors"]] == ["fields.title"]
    saved = await client.patch(
        f"/v1/content/entries/{entry['id']}",
        json={"fields": {"title": "One"}},
        headers=tenant.headers,
    )
    assert saved.json()["version"] == 2
    published = await publish(client, tenant, entry["id"])
    assert published.status_code == 200, published.text
    assert (published.json()["status"], published.json()["published_version"]) == ("published", 2)
    await client.patch(
        f"/v1/content/entries/{entry['id']}",
        json={"fields": {"title": "Two", "body": None}},
        headers=tenant.headers,
    )
    live = await client.get(f"/v1/public/content/{type_['slug']}/v", headers=tenant.headers)
    assert live.status_code == 200, live.text
    assert live.json()["fields"] == {"title": "One", "body": "x"}
    versions = await client.get(
        f"/v1/content/entries/{entry['id']}/versions", headers=tenant.headers
    )
    listed = versions.json()["data"]
    assert [v["number"] for v in listed] == [3, 2, 1]
    assert listed[0]["changed"] == ["body", "title"]
    assert listed[0]["author"]
    one = await client.get(f"/v1/content/entries/{entry['id']}/versions/1", headers=tenant.headers)
    assert one.json()["fields"] == {"body": "x"}
    diff = await client.get(
        f"/v1/content/entries/{entry['id']}/versions/2...3:diff", headers=tenant.headers
    )
    assert diff.status_code == 200, diff.text
    assert sorted(diff.json()["patch"], key=lambda op: op["path"]) == [
        {"op": "remove", "path": "/fields/body"},
        {"op": "replace", "path": "/fields/title", "value": "Two"},
    ]
    restored = await client.post(
        f"/v1/content/entries/{entry['id']}/versions/1:restore", json={}, headers=tenant.headers
    )
    assert restored.status_code == 200, restored.text
    assert restored.json()["version"] == 4
    assert restored.json()["fields"] == {"title": None, "body": "x"}
    assert restored.json()["published_version"] == 2
    missing = await client.get(
        f"/v1/content/entries/{entry['id']}/versions/9", headers=tenant.headers
    )
    assert missing.status_code == 404
    unpublished = await client.post(
        f"/v1/content/entries/{entry['id']}:unpublish", json={}, headers=tenant.headers
    )
    assert unpublished.json()["status"] == "draft"
    gone = await client.get(f"/v1/public/content/{type_['slug']}/v", headers=tenant.headers)
    assert gone.status_code == 404
    archived = await client.post(
        f"/v1/content/entries/{entry['id']}:archive", json={}, headers=tenant.headers
    )
    assert archived.json()["status"] == "archived"


async def test_a_stale_if_match_is_a_412(client: httpx.AsyncClient, tenant: Tenant) -> None:
    type_ = await make_type(client, tenant, [cfield("title")])
    entry = await make_entry(client, tenant, type_["slug"], title="a")
    read = await client.get(f"/v1/content/entries/{entry['id']}", headers=tenant.headers)
    tag = read.headers["ETag"]
    assert tag == entry["etag"]
    first = await client.patch(
        f"/v1/content/entries/{entry['id']}",
        json={"fields": {"title": "b"}},
        headers={**tenant.headers, "If-Match": tag},
    )
    assert first.status_code == 200, first.text
    assert first.headers["ETag"] != tag
    stale = await client.patch(
        f"/v1/content/entries/{entry['id']}",
        json={"fields": {"title": "c"}},
        headers={**tenant.headers, "If-Match": tag},
    )
    assert stale.status_code == 412
    assert stale.json()["code"] == "PRECONDITION_FAILED"
    stale_publish = await client.post(
        f"/v1/content/entries/{entry['id']}:publish",
        json={},
        headers={**tenant.headers, "If-Match": tag},
    )
    assert stale_publish.status_code == 412
    fresh = await client.post(
        f"/v1/content/entries/{entry['id']}:publish",
        json={},
        headers={**tenant.headers, "If-Match": first.headers["ETag"]},
    )
    assert fresh.status_code == 200
    now = await client.get(f"/v1/content/entries/{entry['id']}", headers=tenant.headers)
    assert now.json()["fields"]["title"] == "b"


async def test_publishing_later_schedules_the_entry(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    type_ = await make_type(client, tenant, [cfield("title")])
    entry = await make_entry(client, tenant, type_["slug"], title="a")
    scheduled = await publish(client, tenant, entry["id"], publish_at="2099-01-01T00:00:00Z")
    assert scheduled.status_code == 200, scheduled.text
    assert scheduled.json()["status"] == "scheduled"
    assert scheduled.json()["published_version"] is None


async def test_a_scheduled_entry_is_published_by_a_run_exactly_once(
    client: httpx.AsyncClient, kanri: Kanri, tenant: Tenant
) -> None:
    type_ = await make_type(client, tenant, [cfield("title")])
    entry = await make_entry(client, tenant, type_["slug"], "soon", title="a")
    when = (utcnow() + timedelta(seconds=1)).isoformat()
    scheduled = await publish(client, tenant, entry["id"], publish_at=when)
    run_id = scheduled.json()["scheduled_run_id"]
    assert run_id.startswith("run_")
    run = await until_status(client, tenant, run_id, {"completed", "failed"}, within=30)
    assert run["status"] == "completed", run
    steps = await client.get(f"/v1/runs/{run_id}/steps", headers=tenant.headers)
    published_step = steps.json()["data"][-1]
    assert published_step["output"] == {"id": entry["id"], "published": True, "version": 1}
    now = await client.get(f"/v1/content/entries/{entry['id']}", headers=tenant.headers)
    assert (now.json()["status"], now.json()["published_version"]) == ("published", 1)
    live = await client.get(f"/v1/public/content/{type_['slug']}/soon", headers=tenant.headers)
    assert live.status_code == 200
    # One publication, one event.
    events = await client.get(
        "/v1/events",
        params={"filter": f'type = "content.entry.published" AND resource_id = "{entry["id"]}"'},
        headers=tenant.headers,
    )
    assert len(events.json()["data"]) == 1
    # The step run again (a retry after a crash) publishes nothing a second time.
    who = Principal(
        organization_id=tenant.organization_id,
        project_id=tenant.project_id,
        environment_id=now.json()["environment_id"],
        key_id="engine",
        kind="system",
        scopes=frozenset({"*"}),
    )
    again = await kanri.db.write(entry_service.publish_scheduled, who, entry["id"], run_id)
    assert again == {"id": entry["id"], "published": False, "status": "published"}

"""Drafts, versions and the published pointer; ETag and If-Match."""

from __future__ import annotations

import httpx

from tests.content.factories import cfield, make_entry, make_type, publish
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

"""Content types: fields validated as the records feature validates them, breaking changes
refused unless forced, and the project's locales."""

from __future__ import annotations

import httpx

from tests.content.factories import cfield, make_entry, make_type, publish
from tests.factories import Tenant, unique


async def test_a_type_is_created_read_listed_and_deleted(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    slug = unique("post")
    created = await make_type(
        client,
        tenant,
        [cfield("title", required=True, localized=True), cfield("stage", "select", options=["a"])],
        slug,
    )
    assert created["id"].startswith("ctt_")
    by_slug = await client.get(f"/v1/content/types/{slug}", headers=tenant.headers)
    assert by_slug.json() == created
    assert [f["name"] for f in created["fields"]] == ["title", "stage"]
    listed = await client.get(
        "/v1/content/types", params={"filter": f'slug = "{slug}"'}, headers=tenant.headers
    )
    assert [t["id"] for t in listed.json()["data"]] == [created["id"]]
    again = await client.post(
        "/v1/content/types", json={"slug": slug, "name": "x"}, headers=tenant.headers
    )
    assert again.status_code == 409
    assert again.json()["conflicting_id"] == created["id"]
    gone = await client.delete(f"/v1/content/types/{slug}", headers=tenant.headers)
    assert gone.status_code == 204
    assert (
        await client.get(f"/v1/content/types/{slug}", headers=tenant.headers)
    ).status_code == 404


async def test_invalid_field_definitions_are_named(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    response = await client.post(
        "/v1/content/types",
        json={
            "slug": unique("bad"),
            "name": "bad",
            "fields": [
                cfield("a", "select"),
                cfield("a", "number", default="many"),
                cfield("b", "rich_text", unique=True),
            ],
        },
        headers=tenant.headers,
    )
    assert response.status_code == 422, response.text
    fields = {e["field"] for e in response.json()["errors"]}
    assert fields == {
        "body.fields[0].options",
        "body.fields[1].name",
        "body.fields[1].default",
        "body.fields[2].unique",
    }


async def test_a_breaking_field_change_is_a_409_unless_forced(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    type_ = await make_type(client, tenant, [cfield("title"), cfield("rating", "number")])
    await make_entry(client, tenant, type_["slug"], title="a", rating=3)
    await make_entry(client, tenant, type_["slug"], title="b")
    # rating becomes a select and title required: the first no longer fits (3 is no option),
    # the second lacks nothing (title is there) but has no rating, which is fine.
    change = {"fields": [cfield("title", required=True), cfield("rating", "select", options=["x"])]}
    refused = await client.patch(
        f"/v1/content/types/{type_['id']}", json=change, headers=tenant.headers
    )
    assert refused.status_code == 409, refused.text
    assert refused.json()["invalid_entries"] == 1
    unchanged = await client.get(f"/v1/content/types/{type_['id']}", headers=tenant.headers)
    assert unchanged.json()["fields"][1]["type"] == "number"
    forced = await client.patch(
        f"/v1/content/types/{type_['id']}", json={**change, "force": True}, headers=tenant.headers
    )
    assert forced.status_code == 200, forced.text
    assert forced.json()["fields"][1]["options"] == ["x"]
    harmless = await client.patch(
        f"/v1/content/types/{type_['id']}",
        json={"fields": [*forced.json()["fields"], cfield("extra")]},
        headers=tenant.headers,
    )
    assert harmless.status_code == 200, harmless.text


async def test_a_type_with_entries_is_not_deleted(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    type_ = await make_type(client, tenant, [cfield("title")])
    entry = await make_entry(client, tenant, type_["slug"], title="a")
    assert (await publish(client, tenant, entry["id"])).status_code == 200
    refused = await client.delete(f"/v1/content/types/{type_['id']}", headers=tenant.headers)
    assert refused.status_code == 409


async def test_locales_are_set_and_checked(client: httpx.AsyncClient, tenant: Tenant) -> None:
    initial = await client.get("/v1/content/locales", headers=tenant.headers)
    assert initial.json() == {"default": "en", "locales": ["en"]}
    bad = await client.put(
        "/v1/content/locales", json={"default": "fr", "locales": ["en"]}, headers=tenant.headers
    )
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "body.default"
    not_bcp47 = await client.put(
        "/v1/content/locales",
        json={"default": "en", "locales": ["en", "x y"]},
        headers=tenant.headers,
    )
    assert not_bcp47.status_code == 422
    put = await client.put(
        "/v1/content/locales",
        json={"default": "en", "locales": ["en", "de-CH"]},
        headers=tenant.headers,
    )
    assert put.json() == {"default": "en", "locales": ["en", "de-CH"]}
    assert (await client.get("/v1/content/locales", headers=tenant.headers)).json() == put.json()

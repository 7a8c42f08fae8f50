"""Entries: field validation, slugs, locales with fallback, filters, q, expand."""

from __future__ import annotations

import httpx

from tests.content.factories import cfield, make_entry, make_type
from tests.factories import Tenant, unique


async def test_an_entry_is_validated_field_by_field(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    type_ = await make_type(
        client,
        tenant,
        [
            cfield("title", required=True),
            cfield("email", "email"),
            cfield("tags", "multi_select", options=["a", "b"]),
            cfield("body", "rich_text"),
            cfield("when", "datetime"),
            cfield("handle", "slug"),
        ],
    )
    bad = await client.post(
        "/v1/content/entries",
        json={
            "type": type_["slug"],
            "slug": "x",
            "fields": {
                "nope": 1,
                "email": "not-an-email",
                "tags": ["c"],
                "body": [{"type": "heading", "text": "h", "level": 9}],
                "handle": "Not A Slug",
            },
        },
        headers=tenant.headers,
    )
    assert bad.status_code == 422, bad.text
    named = {e["field"]: e["code"] for e in bad.json()["errors"]}
    assert set(named) == {
        "body.fields.nope",
        "body.fields.email",
        "body.fields.tags",
        "body.fields.body",
        "body.fields.handle",
    }
    assert named["body.fields.nope"] == "unknown_field"
    good = await make_entry(
        client,
        tenant,
        type_["slug"],
        "hello",
        email="Ada@Example.COM",
        when="2030-01-01T10:00:00+02:00",
        body=[{"type": "paragraph", "text": "hi"}, {"type": "list", "items": ["a"]}],
    )
    assert good["id"].startswith("cen_")
    assert good["status"] == "draft"
    assert good["version"] == 1
    # The records feature's stored forms: the domain lower-cased, UTC datetimes.
    assert good["fields"]["email"] == "Ada@example.com"
    assert good["fields"]["when"] == "2030-01-01T08:00:00.000000Z"
    unknown_type = await client.post(
        "/v1/content/entries",
        json={"type": "nope", "slug": "x", "fields": {}},
        headers=tenant.headers,
    )
    assert unknown_type.status_code == 422
    assert unknown_type.json()["errors"][0]["field"] == "body.type"


async def test_a_slug_is_unique_per_type(client: httpx.AsyncClient, tenant: Tenant) -> None:
    type_ = await make_type(client, tenant, [cfield("title")])
    other = await make_type(client, tenant, [cfield("title")])
    first = await make_entry(client, tenant, type_["slug"], "same")
    clash = await client.post(
        "/v1/content/entries",
        json={"type": type_["slug"], "slug": "same", "fields": {}},
        headers=tenant.headers,
    )
    assert clash.status_code == 409
    assert clash.json()["conflicting_id"] == first["id"]
    assert clash.json()["errors"][0]["field"] == "body.slug"
    await make_entry(client, tenant, other["slug"], "same")


async def test_a_unique_field_refuses_a_taken_value(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    type_ = await make_type(client, tenant, [cfield("sku", unique=True)])
    first = await make_entry(client, tenant, type_["slug"], sku="A-1")
    clash = await client.post(
        "/v1/content/entries",
        json={"type": type_["slug"], "slug": "b", "fields": {"sku": "A-1"}},
        headers=tenant.headers,
    )
    assert clash.status_code == 422
    assert first["id"] in clash.json()["errors"][0]["message"]
    same = await client.patch(
        f"/v1/content/entries/{first['id']}",
        json={"fields": {"sku": "A-1"}},
        headers=tenant.headers,
    )
    assert same.status_code == 200, same.text


async def test_localized_fields_fall_back_to_the_default_locale(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    await client.put(
        "/v1/content/locales",
        json={"default": "en", "locales": ["en", "de"]},
        headers=tenant.headers,
    )
    type_ = await make_type(
        client,
        tenant,
        [cfield("title", localized=True), cfield("summary", localized=True), cfield("code")],
    )
    entry = await make_entry(client, tenant, type_["slug"], title="Hello", summary="Sum", code="c")
    german = await client.patch(
        f"/v1/content/entries/{entry['id']}",
        json={"locale": "de", "fields": {"title": "Hallo"}},
        headers=tenant.headers,
    )
    assert german.status_code == 200, german.text
    read = await client.get(
        f"/v1/content/entries/{entry['id']}", params={"locale": "de"}, headers=tenant.headers
    )
    body = read.json()
    assert body["fields"] == {"title": "Hallo", "summary": "Sum", "code": "c"}
    assert body["fallback_fields"] == ["summary"]
    english = await client.get(f"/v1/content/entries/{entry['id']}", headers=tenant.headers)
    assert english.json()["fields"]["title"] == "Hello"
    assert english.json()["fallback_fields"] == []
    wrong = await client.get(
        f"/v1/content/entries/{entry['id']}", params={"locale": "fr"}, headers=tenant.headers
    )
    assert wrong.status_code == 422
    assert wrong.json()["errors"][0]["field"] == "query.locale"
    wrong_write = await client.post(
        "/v1/content/entries",
        json={"type": type_["slug"], "slug": "x", "locale": "fr", "fields": {}},
        headers=tenant.headers,
    )
    assert wrong_write.status_code == 422


async def test_entries_are_filtered_searched_ordered_and_expanded(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    authors = await make_type(client, tenant, [cfield("name")])
    ada = await make_entry(client, tenant, authors["slug"], "ada", name="Ada")
    posts = await make_type(
        client,
        tenant,
        [
            cfield("title"),
            cfield("rating", "number"),
            cfield("author", "reference", options=[authors["slug"]]),
        ],
    )
    word = unique("zebra")
    a = await make_entry(
        client, tenant, posts["slug"], "a", title=f"The {word} post", rating=5, author=ada["id"]
    )
    b = await make_entry(client, tenant, posts["slug"], "b", title="Other", rating=2)
    wrong_ref = await client.post(
        "/v1/content/entries",
        json={"type": posts["slug"], "slug": "c", "fields": {"author": b["id"]}},
        headers=tenant.headers,
    )
    assert wrong_ref.status_code == 422
    assert wrong_ref.json()["errors"][0]["field"] == "body.fields.author"

    async def ids(**params: str) -> list[str]:
        response = await client.get(
            "/v1/content/entries",
            params={"type": posts["slug"], **params},
            headers=tenant.headers,
        )
        assert response.status_code == 200, response.text
        return [e["id"] for e in response.json()["data"]]

    assert await ids(filter="fields.rating > 3") == [a["id"]]
    assert await ids(filter='fields.title = "Other" AND status = "draft"') == [b["id"]]
    assert await ids(q=word.upper()) == [a["id"]]
    assert await ids(order_by="slug desc") == [b["id"], a["id"]]
    bad = await client.get(
        "/v1/content/entries", params={"filter": "nope = 1"}, headers=tenant.headers
    )
    assert bad.status_code == 400
    expanded = await client.get(
        f"/v1/content/entries/{a['id']}",
        params={"expand": "references"},
        headers=tenant.headers,
    )
    assert expanded.json()["references"][ada["id"]]["fields"] == {"name": "Ada"}

"""Objects and fields: CRUD by slug or id, definitions checked, changes checked against records."""

from __future__ import annotations

import httpx

from tests.factories import Tenant, unique
from tests.records.factories import field, make_object, make_record


async def test_an_object_is_addressable_by_slug_or_id(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    slug = unique("companies")
    created = await client.post(
        "/v1/objects",
        json={"slug": slug, "name": "Companies", "description": "who we sell to"},
        headers=tenant.headers,
    )
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["id"].startswith("obj_")
    assert created.headers["Location"] == f"/v1/objects/{body['id']}"
    assert (body["slug"], body["fields"]) == (slug, [])
    by_id = await client.get(f"/v1/objects/{body['id']}", headers=tenant.headers)
    by_slug = await client.get(f"/v1/objects/{slug}", headers=tenant.headers)
    assert by_id.json() == by_slug.json() == body
    renamed = await client.patch(
        f"/v1/objects/{slug}", json={"name": "Accounts"}, headers=tenant.headers
    )
    assert renamed.json()["name"] == "Accounts"
    listed = await client.get(
        "/v1/objects", params={"filter": f'slug = "{slug}"'}, headers=tenant.headers
    )
    assert [o["id"] for o in listed.json()["data"]] == [body["id"]]
    again = await client.post(
        "/v1/objects", json={"slug": slug, "name": "x"}, headers=tenant.headers
    )
    assert again.status_code == 409
    assert again.json()["errors"][0]["field"] == "body.slug"
    assert (await client.delete(f"/v1/objects/{slug}", headers=tenant.headers)).status_code == 204
    assert (await client.get(f"/v1/objects/{slug}", headers=tenant.headers)).status_code == 404


async def test_fields_are_added_listed_changed_and_deleted(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    obj = await make_object(client, tenant, [field("name", required=True)])
    slug = obj["slug"]
    added = await client.post(
        f"/v1/objects/{slug}/fields",
        json=field("stage", "select", options=["lead", "won"], default="lead", indexed=True),
        headers=tenant.headers,
    )
    assert added.status_code == 201, added.text
    stage = added.json()
    assert stage["id"].startswith("fld_")
    assert (stage["default"], stage["has_default"], stage["indexed"]) == ("lead", True, True)
    listed = await client.get(f"/v1/objects/{slug}/fields", headers=tenant.headers)
    assert [f["slug"] for f in listed.json()["data"]] == ["name", "stage"]
    by_slug = await client.get(f"/v1/objects/{slug}/fields/stage", headers=tenant.headers)
    assert by_slug.json() == stage
    renamed = await client.patch(
        f"/v1/objects/{slug}/fields/{stage['id']}",
        json={"slug": "phase", "name": "Phase"},
        headers=tenant.headers,
    )
    assert renamed.status_code == 200, renamed.text
    record = await make_record(client, tenant, obj, name="Acme")
    assert record["field_values"] == {"name": "Acme", "phase": "lead"}
    deleted = await client.delete(f"/v1/objects/{slug}/fields/phase", headers=tenant.headers)
    assert deleted.status_code == 204
    again = await client.get(f"/v1/objects/{slug}/records/{record['id']}", headers=tenant.headers)
    assert again.json()["field_values"] == {"name": "Acme"}


async def test_a_field_definition_that_does_not_fit_its_type_is_a_422(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    obj = await make_object(client, tenant, [field("name")])
    url = f"/v1/objects/{obj['slug']}/fields"
    cases = [
        (field("stage", "select"), "body.options", "required"),
        (field("note", "text", options=["a"]), "body.options", "not_allowed"),
        (field("body", "long_text", indexed=True), "body.indexed", "not_allowed"),
        (field("flag", "boolean", unique=True), "body.unique", "not_allowed"),
        (field("size", "number", default="big"), "body.default", "type"),
        (field("owner", "relation"), "body.relation", "required"),
    ]
    for definition, location, code in cases:
        response = await client.post(url, json=definition, headers=tenant.headers)
        assert response.status_code == 422, (definition, response.text)
        assert {"field": location, "code": code} in [
            {"field": e["field"], "code": e.get("code")} for e in response.json()["errors"]
        ], response.text
    bad_slug = await client.post(url, json=field("Bad-Slug"), headers=tenant.headers)
    assert bad_slug.status_code == 422
    taken = await client.post(url, json=field("name"), headers=tenant.headers)
    assert taken.status_code == 409


async def test_a_relation_to_another_projects_object_is_not_found(
    client: httpx.AsyncClient, tenant: Tenant, other_tenant: Tenant
) -> None:
    theirs = await make_object(client, other_tenant, [field("name")])
    mine = await make_object(client, tenant, [field("name")])
    response = await client.post(
        f"/v1/objects/{mine['slug']}/fields",
        json=field("owner", "relation", relation={"object": theirs["id"]}),
        headers=tenant.headers,
    )
    assert response.status_code == 404


async def test_changing_a_type_that_records_violate_is_a_409_with_examples(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    obj = await make_object(client, tenant, [field("size")])
    fits = await make_record(client, tenant, obj, size="42")
    misfit = await make_record(client, tenant, obj, size="big")
    url = f"/v1/objects/{obj['slug']}/fields/size"
    refused = await client.patch(url, json={"type": "number"}, headers=tenant.headers)
    assert refused.status_code == 409, refused.text
    body = refused.json()
    assert body["violations"] == 1
    assert body["examples"] == [
        {"record_id": misfit["id"], "value": "big", "message": "expected a number, got a string"}
    ]
    # nothing changed
    assert (await client.get(url, headers=tenant.headers)).json()["type"] == "text"
    await client.patch(
        f"/v1/objects/{obj['slug']}/records/{misfit['id']}",
        json={"field_values": {"size": "7"}},
        headers=tenant.headers,
    )
    changed = await client.patch(url, json={"type": "number"}, headers=tenant.headers)
    assert changed.status_code == 200, changed.text
    converted = await client.get(
        f"/v1/objects/{obj['slug']}/records/{fits['id']}", headers=tenant.headers
    )
    assert converted.json()["field_values"]["size"] == 42
    found = await client.get(
        f"/v1/objects/{obj['slug']}/records",
        params={"filter": "size > 10"},
        headers=tenant.headers,
    )
    assert [r["id"] for r in found.json()["data"]] == [fits["id"]]


async def test_making_a_field_required_or_unique_is_checked_against_records(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    obj = await make_object(client, tenant, [field("name"), field("email", "email")])
    first = await make_record(client, tenant, obj, name="Ada", email="ada@x.io")
    second = await make_record(client, tenant, obj, email="ADA@x.io")
    url = f"/v1/objects/{obj['slug']}/fields"
    required = await client.patch(f"{url}/name", json={"required": True}, headers=tenant.headers)
    assert required.status_code == 409
    assert required.json()["examples"] == [{"record_id": second["id"], "message": "no value"}]
    unique = await client.patch(f"{url}/email", json={"unique": True}, headers=tenant.headers)
    assert unique.status_code == 409
    assert unique.json()["examples"][0]["conflicting_id"] == first["id"]
    await client.delete(f"/v1/objects/{obj['slug']}/records/{second['id']}", headers=tenant.headers)
    now_unique = await client.patch(f"{url}/email", json={"unique": True}, headers=tenant.headers)
    assert now_unique.status_code == 200, now_unique.text
    clash = await client.post(
        f"/v1/objects/{obj['slug']}/records",
        json={"field_values": {"email": "ada@X.io"}},
        headers=tenant.headers,
    )
    assert clash.status_code == 409
    assert clash.json()["conflicting_id"] == first["id"]
    adding = await client.post(url, json=field("country", required=True), headers=tenant.headers)
    assert adding.status_code == 409
    assert adding.json()["examples"][0]["record_id"] == first["id"]


async def test_an_object_a_relation_points_at_cannot_be_deleted(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    people = await make_object(client, tenant, [field("name")])
    await make_object(
        client, tenant, [field("owner", "relation", relation={"object": people["slug"]})]
    )
    refused = await client.delete(f"/v1/objects/{people['slug']}", headers=tenant.headers)
    assert refused.status_code == 409
    assert "owner" in refused.json()["detail"]

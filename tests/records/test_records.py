"""Records: create, read, change, replace, delete and restore; errors per field; isolation."""

from __future__ import annotations

import httpx
from sqlalchemy import select
from sqlalchemy.orm import Session

from kanri.records.models import RecordValueRow
from kanri.runtime import Kanri
from tests.factories import Tenant
from tests.records.factories import field, make_object, make_record, trail


def _contacts() -> list[dict[str, object]]:
    return [
        field("name", required=True),
        field("email", "email", unique=True),
        field("phone", "phone"),
        field("score", "number", default=0),
        field("vip", "boolean"),
    ]


async def test_a_record_is_created_read_patched_and_replaced(
    client: httpx.AsyncClient, kanri: Kanri, tenant: Tenant
) -> None:
    obj = await make_object(client, tenant, _contacts())
    url = f"/v1/objects/{obj['slug']}/records"
    created = await client.post(
        url,
        json={"field_values": {"name": "Ada", "email": "ada@X.io", "phone": "+1 415 555 0100"}},
        headers=tenant.headers,
    )
    assert created.status_code == 201, created.text
    record = created.json()
    assert record["id"].startswith("rec_")
    assert created.headers["Location"] == f"/v1/objects/{obj['id']}/records/{record['id']}"
    assert record["object"] == obj["slug"]
    assert record["field_values"] == {
        "name": "Ada",
        "email": "ada@x.io",
        "phone": "+14155550100",
        "score": 0,
        "vip": None,
    }
    got = await client.get(f"{url}/{record['id']}", headers=tenant.headers)
    assert got.json() == record
    patched = await client.patch(
        f"{url}/{record['id']}",
        json={"field_values": {"vip": True, "phone": None}},
        headers=tenant.headers,
    )
    assert patched.status_code == 200, patched.text
    assert patched.json()["field_values"] == {
        "name": "Ada",
        "email": "ada@x.io",
        "phone": None,
        "score": 0,
        "vip": True,
    }
    assert patched.json()["update_time"] > record["update_time"]
    replaced = await client.put(
        f"{url}/{record['id']}", json={"field_values": {"name": "Ada L."}}, headers=tenant.headers
    )
    assert replaced.status_code == 200, replaced.text
    assert replaced.json()["field_values"] == {
        "name": "Ada L.",
        "email": None,
        "phone": None,
        "score": None,
        "vip": None,
    }
    # the replaced email is free again
    await make_record(client, tenant, obj, name="Other", email="ada@x.io")
    audits, outbox = await trail(kanri, record["id"])
    assert audits == ["record.created", "record.updated", "record.updated"]
    assert outbox == ["record.created", "record.updated", "record.updated"]


async def test_invalid_values_are_a_422_with_one_error_per_field(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    obj = await make_object(client, tenant, _contacts())
    response = await client.post(
        f"/v1/objects/{obj['slug']}/records",
        json={"field_values": {"email": "nope", "score": "high", "nickname": "x"}},
        headers=tenant.headers,
    )
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "VALIDATION_ERROR"
    assert sorted((e["field"], e["code"]) for e in body["errors"]) == [
        ("body.field_values.email", "email"),
        ("body.field_values.name", "required"),
        ("body.field_values.nickname", "unknown_field"),
        ("body.field_values.score", "type"),
    ]
    assert all(e["message"] for e in body["errors"])
    listed = await client.get(f"/v1/objects/{obj['slug']}/records", headers=tenant.headers)
    assert listed.json()["data"] == []


async def test_a_taken_unique_value_is_a_409_naming_the_record_that_has_it(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    obj = await make_object(client, tenant, _contacts())
    first = await make_record(client, tenant, obj, name="Ada", email="a@x.io")
    other = await make_record(client, tenant, obj, name="Bob", email="b@x.io")
    url = f"/v1/objects/{obj['slug']}/records"
    again = await client.post(
        url, json={"field_values": {"name": "A2", "email": "A@x.io"}}, headers=tenant.headers
    )
    assert again.status_code == 409
    assert again.json()["code"] == "CONFLICT"
    assert again.json()["conflicting_id"] == first["id"]
    assert again.json()["errors"][0]["field"] == "body.field_values.email"
    moved = await client.patch(
        f"{url}/{other['id']}", json={"field_values": {"email": "a@x.io"}}, headers=tenant.headers
    )
    assert moved.status_code == 409
    assert moved.json()["conflicting_id"] == first["id"]
    unchanged = await client.get(f"{url}/{other['id']}", headers=tenant.headers)
    assert unchanged.json()["field_values"]["email"] == "b@x.io"


async def test_a_deleted_record_is_hidden_frees_its_unique_values_and_can_be_restored(
    client: httpx.AsyncClient, kanri: Kanri, tenant: Tenant
) -> None:
    obj = await make_object(client, tenant, _contacts())
    url = f"/v1/objects/{obj['slug']}/records"
    record = await make_record(client, tenant, obj, name="Ada", email="a@x.io")
    deleted = await client.delete(f"{url}/{record['id']}", headers=tenant.headers)
    assert deleted.status_code == 204
    assert (await client.get(f"{url}/{record['id']}", headers=tenant.headers)).status_code == 404
    shown = await client.get(
        f"{url}/{record['id']}", params={"show_deleted": True}, headers=tenant.headers
    )
    assert shown.status_code == 200
    assert shown.json()["deleted_time"] is not None
    assert (await client.get(url, headers=tenant.headers)).json()["data"] == []
    listed = await client.get(url, params={"show_deleted": True}, headers=tenant.headers)
    assert [r["id"] for r in listed.json()["data"]] == [record["id"]]
    again = await client.delete(f"{url}/{record['id']}", headers=tenant.headers)
    assert again.status_code == 404

    restored = await client.post(f"{url}/{record['id']}/restore", headers=tenant.headers)
    assert restored.status_code == 200, restored.text
    assert restored.json()["deleted_time"] is None
    assert restored.json()["field_values"]["email"] == "a@x.io"
    twice = await client.post(f"{url}/{record['id']}/restore", headers=tenant.headers)
    assert twice.status_code == 409

    # deleted again, its email is taken by another record: restoring it clashes
    await client.delete(f"{url}/{record['id']}", headers=tenant.headers)
    taker = await make_record(client, tenant, obj, name="Eve", email="a@x.io")
    clash = await client.post(f"{url}/{record['id']}/restore", headers=tenant.headers)
    assert clash.status_code == 409
    assert clash.json()["conflicting_id"] == taker["id"]

    email_field = next(f["id"] for f in obj["fields"] if f["slug"] == "email")

    def holders(tx: Session) -> list[str]:
        stmt = select(RecordValueRow.record_id).where(
            RecordValueRow.field_id == email_field, RecordValueRow.unique_value == "a@x.io"
        )
        return list(tx.execute(stmt).scalars())

    assert await kanri.db.read(holders) == [taker["id"]]
    audits, outbox = await trail(kanri, record["id"])
    assert audits == [
        "record.created",
        "record.deleted",
        "record.restored",
        "record.deleted",
    ]
    assert outbox == sorted(audits)


async def test_upsert_matches_on_a_unique_field(client: httpx.AsyncClient, tenant: Tenant) -> None:
    obj = await make_object(client, tenant, _contacts())
    url = f"/v1/objects/{obj['slug']}/records"
    created = await client.put(
        url,
        params={"match_on": "email"},
        json={"field_values": {"name": "Ada", "email": "ada@x.io"}},
        headers=tenant.headers,
    )
    assert created.status_code == 201, created.text
    assert created.headers["Location"].endswith(created.json()["id"])
    updated = await client.put(
        url,
        params={"match_on": "email"},
        json={"field_values": {"email": "ADA@x.io", "vip": True}},
        headers=tenant.headers,
    )
    assert updated.status_code == 200, updated.text
    assert updated.json()["id"] == created.json()["id"]
    assert updated.json()["field_values"]["name"] == "Ada"
    assert updated.json()["field_values"]["vip"] is True
    listed = await client.get(url, headers=tenant.headers)
    assert len(listed.json()["data"]) == 1
    not_unique = await client.put(
        url,
        params={"match_on": "name"},
        json={"field_values": {"name": "Ada"}},
        headers=tenant.headers,
    )
    assert not_unique.status_code == 422
    assert not_unique.json()["errors"][0]["field"] == "query.match_on"
    no_value = await client.put(
        url, params={"match_on": "email"}, json={"field_values": {}}, headers=tenant.headers
    )
    assert no_value.status_code == 422


async def test_another_projects_records_are_not_found(
    client: httpx.AsyncClient, tenant: Tenant, other_tenant: Tenant
) -> None:
    theirs = await make_object(client, other_tenant, _contacts())
    record = await make_record(client, other_tenant, theirs, name="Ada")
    url = f"/v1/objects/{theirs['id']}/records"
    attempts = [
        await client.get(f"/v1/objects/{theirs['id']}", headers=tenant.headers),
        await client.get(url, headers=tenant.headers),
        await client.get(f"{url}/{record['id']}", headers=tenant.headers),
        await client.patch(
            f"{url}/{record['id']}", json={"field_values": {"name": "x"}}, headers=tenant.headers
        ),
        await client.delete(f"{url}/{record['id']}", headers=tenant.headers),
        await client.post(
            f"{url}:batchDelete", json={"records": [{"id": record["id"]}]}, headers=tenant.headers
        ),
    ]
    assert [a.status_code for a in attempts] == [404] * len(attempts)
    # an object of the same slug in my project does not see their record either
    mine = await make_object(client, tenant, _contacts(), slug=theirs["slug"])
    same_slug = await client.get(
        f"/v1/objects/{mine['slug']}/records/{record['id']}", headers=tenant.headers
    )
    assert same_slug.status_code == 404
    still = await client.get(f"{url}/{record['id']}", headers=other_tenant.headers)
    assert still.json()["field_values"]["name"] == "Ada"


async def test_a_create_with_an_idempotency_key_is_made_once(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    obj = await make_object(client, tenant, _contacts())
    url = f"/v1/objects/{obj['slug']}/records"
    headers = {**tenant.headers, "Idempotency-Key": "import-1"}
    body = {"field_values": {"name": "Ada", "email": "ada@x.io"}}
    first = await client.post(url, json=body, headers=headers)
    second = await client.post(url, json=body, headers=headers)
    assert first.status_code == second.status_code == 201
    assert first.json()["id"] == second.json()["id"]
    assert second.headers["Idempotent-Replayed"] == "true"

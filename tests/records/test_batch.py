"""Batch create, update and delete: all or nothing by default, per-item results otherwise."""

from __future__ import annotations

import httpx

from kanri.runtime import Kanri
from tests.factories import Tenant
from tests.records.factories import field, make_object, make_record, trail


def _people() -> list[dict[str, object]]:
    return [field("name", required=True), field("email", "email", unique=True)]


async def _names(client: httpx.AsyncClient, tenant: Tenant, obj: dict[str, object]) -> list[str]:
    listed = await client.get(
        f"/v1/objects/{obj['slug']}/records", params={"page_size": 1000}, headers=tenant.headers
    )
    return sorted(r["field_values"]["name"] for r in listed.json()["data"])


async def test_an_atomic_batch_create_is_all_or_nothing(
    client: httpx.AsyncClient, kanri: Kanri, tenant: Tenant
) -> None:
    obj = await make_object(client, tenant, _people())
    url = f"/v1/objects/{obj['slug']}/records:batchCreate"
    refused = await client.post(
        url,
        json={
            "records": [
                {"field_values": {"name": "Ada", "email": "ada@x.io"}},
                {"field_values": {"email": "bad"}},
                {"field_values": {"name": "Cy", "colour": "red"}},
            ]
        },
        headers=tenant.headers,
    )
    assert refused.status_code == 422
    assert sorted((e["field"], e["code"]) for e in refused.json()["errors"]) == [
        ("body.records.1.field_values.email", "email"),
        ("body.records.1.field_values.name", "required"),
        ("body.records.2.field_values.colour", "unknown_field"),
    ]
    clash = await client.post(
        url,
        json={
            "records": [
                {"field_values": {"name": "Ada", "email": "ada@x.io"}},
                {"field_values": {"name": "Ada again", "email": "ADA@x.io"}},
            ]
        },
        headers=tenant.headers,
    )
    assert clash.status_code == 409
    assert clash.json()["errors"][0]["field"] == "body.records.1.field_values.email"
    assert await _names(client, tenant, obj) == []
    created = await client.post(
        url,
        json={
            "records": [
                {"field_values": {"name": f"P{i}", "email": f"p{i}@x.io"}} for i in range(3)
            ]
        },
        headers=tenant.headers,
    )
    assert created.status_code == 200, created.text
    data = created.json()["data"]
    assert [r["field_values"]["name"] for r in data] == ["P0", "P1", "P2"]
    assert await _names(client, tenant, obj) == ["P0", "P1", "P2"]
    audits, outbox = await trail(kanri, data[1]["id"])
    assert (audits, outbox) == (["record.created"], ["record.created"])


async def test_a_non_atomic_batch_reports_each_item(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    obj = await make_object(client, tenant, _people())
    taken = await make_record(client, tenant, obj, name="Ada", email="ada@x.io")
    response = await client.post(
        f"/v1/objects/{obj['slug']}/records:batchCreate",
        json={
            "atomic": False,
            "records": [
                {"field_values": {"name": "Bob", "email": "bob@x.io"}},
                {"field_values": {"name": "Ada 2", "email": "ada@x.io"}},
                {"field_values": {"email": "cy@x.io"}},
                {"field_values": {"name": "Bob 2", "email": "bob@x.io"}},
                {"field_values": {"name": "Dee"}},
            ],
        },
        headers=tenant.headers,
    )
    assert response.status_code == 200, response.text
    items = response.json()["data"]
    assert [(i["index"], i["ok"]) for i in items] == [
        (0, True),
        (1, False),
        (2, False),
        (3, False),
        (4, True),
    ]
    assert items[1]["error"]["status"] == 409
    assert items[1]["error"]["conflicting_id"] == taken["id"]
    assert items[2]["error"]["status"] == 422
    assert items[2]["error"]["errors"][0]["field"] == "body.records.2.field_values.name"
    assert items[3]["error"]["conflicting_id"] == items[0]["record"]["id"]
    assert await _names(client, tenant, obj) == ["Ada", "Bob", "Dee"]


async def test_batch_update_and_delete(client: httpx.AsyncClient, tenant: Tenant) -> None:
    obj = await make_object(client, tenant, _people())
    ada = await make_record(client, tenant, obj, name="Ada", email="ada@x.io")
    bob = await make_record(client, tenant, obj, name="Bob", email="bob@x.io")
    base = f"/v1/objects/{obj['slug']}/records"
    missing = "rec_01JD3Z6V6W0000000000000000"
    refused = await client.post(
        f"{base}:batchUpdate",
        json={
            "records": [
                {"id": ada["id"], "field_values": {"name": "Ada L."}},
                {"id": missing, "field_values": {"name": "x"}},
            ]
        },
        headers=tenant.headers,
    )
    assert refused.status_code == 404
    swap = await client.post(
        f"{base}:batchUpdate",
        json={
            "records": [
                {"id": ada["id"], "field_values": {"name": "Ada L."}},
                {"id": bob["id"], "field_values": {"email": "ada@x.io"}},
            ]
        },
        headers=tenant.headers,
    )
    assert swap.status_code == 409
    assert swap.json()["conflicting_id"] == ada["id"]
    assert await _names(client, tenant, obj) == ["Ada", "Bob"]
    partial = await client.post(
        f"{base}:batchUpdate",
        json={
            "atomic": False,
            "records": [
                {"id": ada["id"], "field_values": {"name": "Ada L."}},
                {"id": missing, "field_values": {"name": "x"}},
                {"id": bob["id"], "field_values": {"name": None}},
            ],
        },
        headers=tenant.headers,
    )
    assert [i["ok"] for i in partial.json()["data"]] == [True, False, False]
    assert partial.json()["data"][1]["error"]["status"] == 404
    assert partial.json()["data"][2]["error"]["errors"][0]["code"] == "required"
    assert await _names(client, tenant, obj) == ["Ada L.", "Bob"]
    dup = await client.post(
        f"{base}:batchDelete",
        json={"records": [{"id": ada["id"]}, {"id": ada["id"]}]},
        headers=tenant.headers,
    )
    assert dup.status_code == 422
    deleted = await client.post(
        f"{base}:batchDelete",
        json={"records": [{"id": ada["id"]}, {"id": bob["id"]}]},
        headers=tenant.headers,
    )
    assert deleted.status_code == 200
    assert all(r["deleted_time"] for r in deleted.json()["data"])
    assert await _names(client, tenant, obj) == []


async def test_a_batch_takes_at_most_500_records(client: httpx.AsyncClient, tenant: Tenant) -> None:
    obj = await make_object(client, tenant, [field("n", "number")])
    base = f"/v1/objects/{obj['slug']}/records:batchCreate"
    full = await client.post(
        base,
        json={"records": [{"field_values": {"n": i}} for i in range(500)]},
        headers=tenant.headers,
    )
    assert full.status_code == 200
    assert len(full.json()["data"]) == 500
    over = await client.post(
        base,
        json={"records": [{"field_values": {"n": i}} for i in range(501)]},
        headers=tenant.headers,
    )
    assert over.status_code == 422
    assert over.json()["errors"][0]["field"] == "body.records"


async def test_a_batch_s_audit_rows_join_the_verified_chain(
    client: httpx.AsyncClient, kanri: Kanri, tenant: Tenant
) -> None:
    obj = await make_object(client, tenant, _people())
    created = await client.post(
        f"/v1/objects/{obj['slug']}/records:batchCreate",
        json={
            "records": [
                {"field_values": {"name": f"P{i}", "email": f"p{i}@x.io"}} for i in range(30)
            ]
        },
        headers=tenant.headers,
    )
    assert created.status_code == 200, created.text
    ids = [r["id"] for r in created.json()["data"]]
    deleted = await client.post(
        f"/v1/objects/{obj['slug']}/records:batchDelete",
        json={"records": [{"id": i} for i in ids[:10]]},
        headers=tenant.headers,
    )
    assert deleted.status_code == 200, deleted.text
    verified = await client.get("/v1/audit-logs/verify", headers=tenant.headers)
    assert verified.status_code == 200, verified.text
    assert verified.json()["valid"] is True
    assert verified.json()["checked"] >= 40
    assert await trail(kanri, ids[0]) == (
        ["record.created", "record.deleted"],
        ["record.created", "record.deleted"],
    )
    listed = await client.get(
        "/v1/audit-logs",
        params={"filter": f'resource_id = "{ids[0]}"', "page_size": 10},
        headers=tenant.headers,
    )
    assert listed.status_code == 200, listed.text
    assert all(row["seq"] is not None for row in listed.json()["data"])

from __future__ import annotations

import httpx

from tests.factories import Tenant
from tests.records.factories import field, find, make_object, make_record


async def test_smoke(client: httpx.AsyncClient, tenant: Tenant) -> None:
    people = await make_object(client, tenant, [field("name", indexed=True), field("age", "number")])
    ada = await make_record(client, tenant, people, name="Ada", age=36)
    deals = await make_object(
        client,
        tenant,
        [
            field("title"),
            field("status", "select", options=["open", "won"], indexed=True),
            field("amount", "currency"),
            field("email", "email", unique=True),
            field("tags", "multi_select", options=["vip", "new"]),
            field("owner", "relation", relation={"object": people["slug"]}),
        ],
    )
    rec = await make_record(
        client, tenant, deals, title="x", status="won",
        amount={"amount": "1500", "currency": "EUR"}, email="A@x.io", tags=["vip"], owner=ada["id"],
    )
    print(rec)
    assert [r["id"] for r in await find(client, tenant, deals, 'status = "won" AND amount > 1000')] == [rec["id"]]
    assert [r["id"] for r in await find(client, tenant, deals, 'tags:"vip"')] == [rec["id"]]
    assert [r["id"] for r in await find(client, tenant, deals, 'owner.name = "Ada"')] == [rec["id"]]
    assert [r["id"] for r in await find(client, tenant, people, 'age > 30')] == [ada["id"]]
    again = await client.post(f"/v1/objects/{deals['slug']}/records", json={"field_values": {"email": "a@x.io"}}, headers=tenant.headers)
    print(again.json())
    assert again.status_code == 409
    got = await client.get(f"/v1/objects/{deals['slug']}/records/{rec['id']}", params={"expand": "owner"}, headers=tenant.headers)
    print(got.json())

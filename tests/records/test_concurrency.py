"""Unique values hold under concurrent writers (on PostgreSQL the writes truly overlap)."""

from __future__ import annotations

import asyncio

import httpx

from tests.factories import Tenant
from tests.records.factories import field, make_object

WRITERS = 12


async def test_concurrent_creates_of_one_unique_value_make_one_record(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    obj = await make_object(
        client, tenant, [field("email", "email", unique=True), field("n", "number")]
    )
    url = f"/v1/objects/{obj['slug']}/records"
    responses = await asyncio.gather(
        *(
            client.post(
                url, json={"field_values": {"email": "ada@x.io", "n": i}}, headers=tenant.headers
            )
            for i in range(WRITERS)
        )
    )
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [201] + [409] * (WRITERS - 1)
    winner = next(r.json()["id"] for r in responses if r.status_code == 201)
    assert {r.json()["conflicting_id"] for r in responses if r.status_code == 409} == {winner}
    listed = await client.get(url, headers=tenant.headers)
    assert [r["id"] for r in listed.json()["data"]] == [winner]


async def test_concurrent_batches_with_overlapping_values_never_duplicate(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    obj = await make_object(client, tenant, [field("code", unique=True)])
    url = f"/v1/objects/{obj['slug']}/records:batchCreate"

    def batch(start: int) -> dict[str, object]:
        return {
            "atomic": False,
            "records": [{"field_values": {"code": f"c{i}"}} for i in range(start, start + 20)],
        }

    responses = await asyncio.gather(
        *(client.post(url, json=batch(start), headers=tenant.headers) for start in (0, 10, 5, 15))
    )
    assert all(r.status_code == 200 for r in responses), [r.text for r in responses]
    created = [
        i["record"]["field_values"]["code"] for r in responses for i in r.json()["data"] if i["ok"]
    ]
    assert sorted(created) == sorted(f"c{i}" for i in range(35))
    listed = await client.get(
        f"/v1/objects/{obj['slug']}/records", params={"page_size": 100}, headers=tenant.headers
    )
    assert len(listed.json()["data"]) == 35


async def test_concurrent_upserts_of_a_new_value_make_one_record(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    obj = await make_object(
        client, tenant, [field("email", "email", unique=True), field("n", "number")]
    )
    url = f"/v1/objects/{obj['slug']}/records"
    responses = await asyncio.gather(
        *(
            client.put(
                url,
                params={"match_on": "email"},
                json={"field_values": {"email": "ada@x.io", "n": i}},
                headers=tenant.headers,
            )
            for i in range(WRITERS)
        )
    )
    assert sorted(r.status_code for r in responses) == [200] * (WRITERS - 1) + [201], [
        r.text for r in responses
    ]
    assert len({r.json()["id"] for r in responses}) == 1
    listed = await client.get(url, headers=tenant.headers)
    assert [r["id"] for r in listed.json()["data"]] == [responses[0].json()["id"]]

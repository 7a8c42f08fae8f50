"""Filters over field values on every type (indexed and not), relation paths, expand, pages."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.factories import Tenant
from tests.records.factories import field, find, make_object, make_record


def _fields(indexed: bool) -> list[dict[str, Any]]:
    return [
        field("name", indexed=indexed),
        field("notes", "long_text"),
        field("email", "email", indexed=indexed),
        field("phone", "phone", indexed=indexed),
        field("site", "url", indexed=indexed),
        field("size", "number", indexed=indexed),
        field("arr", "currency"),
        field("active", "boolean", indexed=indexed),
        field("since", "date", indexed=indexed),
        field("seen", "datetime", indexed=indexed),
        field("stage", "select", options=["lead", "won", "lost"], indexed=indexed),
        field("tags", "multi_select", options=["vip", "new", "old"]),
        field("meta", "json"),
    ]


ROWS: dict[str, dict[str, Any]] = {
    "acme": {
        "name": "Acme",
        "notes": "long story",
        "email": "hi@acme.io",
        "phone": "+14155550100",
        "site": "https://acme.io",
        "size": 120,
        "arr": {"amount": "1500.00", "currency": "EUR"},
        "active": True,
        "since": "2020-05-01",
        "seen": "2026-01-01T10:00:00Z",
        "stage": "won",
        "tags": ["vip", "old"],
        "meta": {"a": 1},
    },
    "bolt": {
        "name": "Bolt",
        "email": "team@bolt.dev",
        "phone": "+442079460958",
        "site": "https://bolt.dev",
        "size": 8.5,
        "arr": {"amount": "999.99", "currency": "USD"},
        "active": False,
        "since": "2024-11-30",
        "seen": "2026-01-01T12:00:00+02:00",
        "stage": "lead",
        "tags": ["new"],
    },
    "void": {"name": "Void"},
}

CASES = [
    ('name = "Acme"', ["acme"]),
    ('name = "A*"', ["acme"]),
    ('name != "Acme"', ["bolt", "void"]),
    ('name > "B"', ["bolt", "void"]),
    ('email = "team@bolt.dev"', ["bolt"]),
    ('phone = "+14155550100"', ["acme"]),
    ('site = "https://bolt.dev"', ["bolt"]),
    ("size > 10", ["acme"]),
    ("size <= 8.5", ["bolt"]),
    ("size = null", ["void"]),
    ("size != null", ["acme", "bolt"]),
    ("arr > 1000", ["acme"]),
    ('arr.currency = "USD"', ["bolt"]),
    ("active = true", ["acme"]),
    ("active = false", ["bolt"]),
    ("NOT active = true", ["bolt", "void"]),
    ('since >= "2024-01-01"', ["bolt"]),
    ('seen > "2026-01-01T10:30:00Z"', []),
    ('seen < "2026-01-01T10:30:00Z"', ["acme", "bolt"]),
    ('seen = "2026-01-01T10:00:00Z"', ["acme", "bolt"]),
    ('seen = "2026-01-01T11:00:00+01:00"', ["acme", "bolt"]),
    ('stage = "won" AND size > 100', ["acme"]),
    ('stage = "won" OR stage = "lead"', ["acme", "bolt"]),
    ('tags:"vip"', ["acme"]),
    ('tags:"old" OR tags:"new"', ["acme", "bolt"]),
    ('tags != "vip"', ["bolt", "void"]),
    ("tags = null", ["void"]),
    ('notes = "long story"', ["acme"]),
]


@pytest.mark.parametrize("indexed", [False, True], ids=["json", "indexed"])
async def test_filters_work_on_every_type(
    client: httpx.AsyncClient, tenant: Tenant, indexed: bool
) -> None:
    obj = await make_object(client, tenant, _fields(indexed))
    ids = {
        name: (await make_record(client, tenant, obj, **values))["id"]
        for name, values in ROWS.items()
    }
    names = {record_id: name for name, record_id in ids.items()}
    for text, expected in CASES:
        found = await find(client, tenant, obj, text)
        assert sorted(names[r["id"]] for r in found) == expected, text


async def test_a_bad_filter_is_a_400_naming_the_field(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    obj = await make_object(client, tenant, _fields(False))
    url = f"/v1/objects/{obj['slug']}/records"
    for text, needle in [
        ('colour = "red"', "unknown field 'colour'"),
        ('size > "big"', "'big'"),
        ("active = 3", "boolean"),
        ('meta = "x"', "unknown field 'meta'"),
        ("name = ", "syntax error"),
    ]:
        response = await client.get(url, params={"filter": text}, headers=tenant.headers)
        assert response.status_code == 400, text
        assert response.json()["errors"][0]["field"] == "filter"
        assert needle in response.json()["errors"][0]["message"], text


async def test_relations_filter_by_the_related_records_fields_and_expand(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    people = await make_object(client, tenant, [field("name"), field("city", indexed=True)])
    ada = await make_record(client, tenant, people, name="Ada", city="London")
    bob = await make_record(client, tenant, people, name="Bob", city="Paris")
    deals = await make_object(
        client,
        tenant,
        [
            field("title"),
            field("owner", "relation", relation={"object": people["slug"]}),
            field("team", "relation", relation={"object": people["id"], "many": True}),
        ],
    )
    first = await make_record(client, tenant, deals, title="one", owner=ada["id"], team=[bob["id"]])
    second = await make_record(
        client, tenant, deals, title="two", owner=bob["id"], team=[ada["id"], bob["id"]]
    )
    lone = await make_record(client, tenant, deals, title="three")

    async def titles(text: str) -> list[str]:
        return sorted(r["field_values"]["title"] for r in await find(client, tenant, deals, text))

    assert await titles('owner.name = "Ada"') == ["one"]
    assert await titles('owner.city = "Paris"') == ["two"]
    assert await titles('team.name = "Ada"') == ["two"]
    assert await titles('team.city = "Paris"') == ["one", "two"]
    assert await titles(f'owner = "{bob["id"]}"') == ["two"]
    assert await titles('NOT owner.name = "Ada"') == ["three", "two"]
    assert await titles("owner = null") == ["three"]

    bad = await client.post(
        f"/v1/objects/{deals['slug']}/records",
        json={"field_values": {"owner": "rec_01JD3Z6V6W0000000000000000"}},
        headers=tenant.headers,
    )
    assert bad.status_code == 422
    assert bad.json()["errors"][0] == {
        "field": "body.field_values.owner",
        "message": "no record rec_01JD3Z6V6W0000000000000000 in the related object",
        "code": "not_found",
    }

    url = f"/v1/objects/{deals['slug']}/records"
    expanded = await client.get(
        f"{url}/{second['id']}", params={"expand": "owner,team"}, headers=tenant.headers
    )
    values = expanded.json()["field_values"]
    assert values["owner"]["id"] == bob["id"]
    assert values["owner"]["field_values"] == {"name": "Bob", "city": "Paris"}
    assert [p["field_values"]["name"] for p in values["team"]] == ["Ada", "Bob"]
    listed = await client.get(url, params={"expand": "owner"}, headers=tenant.headers)
    owners = {r["id"]: r["field_values"]["owner"] for r in listed.json()["data"]}
    assert owners[first["id"]]["field_values"]["name"] == "Ada"
    assert owners[lone["id"]] is None
    not_relation = await client.get(url, params={"expand": "title"}, headers=tenant.headers)
    assert not_relation.status_code == 400

    # a deleted related record no longer matches and is not expanded
    await client.delete(f"/v1/objects/{people['slug']}/records/{ada['id']}", headers=tenant.headers)
    assert await titles('owner.name = "Ada"') == []
    again = await client.get(
        f"{url}/{first['id']}", params={"expand": "owner"}, headers=tenant.headers
    )
    assert again.json()["field_values"]["owner"] == ada["id"]


async def test_pages_total_and_the_query_endpoint(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    obj = await make_object(client, tenant, [field("n", "number", indexed=True)])
    url = f"/v1/objects/{obj['slug']}/records"
    batch = await client.post(
        f"{url}:batchCreate",
        json={"records": [{"field_values": {"n": i}} for i in range(25)]},
        headers=tenant.headers,
    )
    assert batch.status_code == 200, batch.text
    seen: list[int] = []
    token = None
    while True:
        params: dict[str, Any] = {"filter": "n >= 5", "page_size": 7, "include_total": True}
        if token:
            params["page_token"] = token
        page = (await client.get(url, params=params, headers=tenant.headers)).json()
        assert page["total_size"] == 20
        seen.extend(r["field_values"]["n"] for r in page["data"])
        token = page["next_page_token"]
        if not token:
            break
    assert sorted(seen) == list(range(5, 25))
    assert len(seen) == 20
    long_filter = " OR ".join(f"n = {i}" for i in range(80))
    queried = await client.post(
        f"{url}:query",
        json={
            "filter": long_filter,
            "page_size": 100,
            "include_total": True,
            "order_by": "create_time desc",
        },
        headers=tenant.headers,
    )
    assert queried.status_code == 200, queried.text
    assert queried.json()["total_size"] == 25
    newest_first = [r["id"] for r in queried.json()["data"]]
    assert newest_first == sorted(newest_first, reverse=True)
    bad_order = await client.get(url, params={"order_by": "nope"}, headers=tenant.headers)
    assert bad_order.status_code == 400
    assert bad_order.json()["errors"][0]["field"] == "order_by"
    assert "'nope'" in bad_order.json()["errors"][0]["message"]

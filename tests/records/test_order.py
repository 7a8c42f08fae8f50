"""order_by over field values: keyset pages through ties and nulls, on every path
(side-indexed first term, JSON first term, built-ins, an equality filter driving the list)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from tests.factories import Tenant
from tests.records.factories import field, make_object

AMOUNTS = [30, None, 10, 30, 20, None, 10, 30, 5.5, 20, None, 30, 10]
NAMES = ["b", "a", "c", None, "a", "b", None, "a", "c", "b", "a", None, "c"]
STAGES = ["x", "y", "x", "x", "y", "x", "y", "x", None, "y", "x", "y", "x"]


def _fields() -> list[dict[str, Any]]:
    return [
        field("amount", "number", indexed=True),
        field("score", "number"),
        field("name"),
        field("label", indexed=True),
        field("stage", "select", options=["x", "y"], indexed=True),
        field("active", "boolean"),
        field("tags", "multi_select", options=["vip", "new"]),
        field("meta", "json"),
        field("notes", "long_text"),
    ]


async def _records(client: httpx.AsyncClient, tenant: Tenant, slug: str) -> list[dict[str, Any]]:
    """Thirteen records in two batches (so create_time ties within a batch)."""
    made: list[dict[str, Any]] = []
    rows = []
    for i in range(len(AMOUNTS)):
        values: dict[str, Any] = {
            "amount": AMOUNTS[i],
            "score": AMOUNTS[i],
            "name": NAMES[i],
            "label": NAMES[i],
            "stage": STAGES[i],
            "active": None if NAMES[i] is None else i % 2 == 0,
            "tags": ["vip"] if i % 3 == 0 else ["new"],
        }
        rows.append({"field_values": {k: v for k, v in values.items() if v is not None}})
    for chunk in (rows[:6], rows[6:]):
        response = await client.post(
            f"/v1/objects/{slug}/records:batchCreate",
            json={"records": chunk},
            headers=tenant.headers,
        )
        assert response.status_code == 200, response.text
        made.extend(response.json()["data"])
    return made


def _expected(records: list[dict[str, Any]], order: list[tuple[str, bool]]) -> list[str]:
    """Ids in `order` ((name, descending) terms): nulls last, ties by id in the last
    term's direction."""

    def value(record: dict[str, Any], name: str) -> Any:
        return (
            record[name]
            if name in ("create_time", "update_time", "id")
            else record["field_values"][name]
        )

    def compare(a: dict[str, Any], b: dict[str, Any]) -> int:
        for name, descending in order:
            x, y = value(a, name), value(b, name)
            if x == y:
                continue
            if x is None or y is None:
                return 1 if x is None else -1
            return (1 if x > y else -1) * (-1 if descending else 1)
        tie = order[-1][1]
        return (1 if a["id"] > b["id"] else -1) * (-1 if tie else 1)

    return [r["id"] for r in sorted(records, key=functools.cmp_to_key(compare))]


async def _walk(
    client: httpx.AsyncClient, tenant: Tenant, slug: str, page_size: int, **params: Any
) -> list[str]:
    seen: list[str] = []
    token = None
    for _ in range(100):
        query = {"page_size": page_size, **params}
        if token:
            query["page_token"] = token
        response = await client.get(
            f"/v1/objects/{slug}/records", params=query, headers=tenant.headers
        )
        assert response.status_code == 200, response.text
        body = response.json()
        assert len(body["data"]) <= page_size
        seen.extend(r["id"] for r in body["data"])
        token = body["next_page_token"]
        if not token:
            return seen
    raise AssertionError("the pages never ended")


ORDERS = [
    "amount desc, name",
    "amount",
    "score desc, name desc",
    "score, label",
    "name",
    "label desc",
    "stage, amount desc",
    "active desc, amount",
    "name, stage, amount",
    "create_time desc",
    "update_time, amount desc",
    "id desc",
]


@pytest.mark.parametrize("order_by", ORDERS)
async def test_order_by_field_values_pages_through_ties_and_nulls(
    client: httpx.AsyncClient, tenant: Tenant, order_by: str
) -> None:
    obj = await make_object(client, tenant, _fields())
    records = await _records(client, tenant, obj["slug"])
    terms = [(part.split()[0], part.split()[-1] == "desc") for part in order_by.split(",")]
    expected = _expected(records, terms)
    whole = await _walk(client, tenant, obj["slug"], 100, order_by=order_by)
    assert whole == expected
    for page_size in (1, 2, 3, 5):
        assert await _walk(client, tenant, obj["slug"], page_size, order_by=order_by) == expected


async def test_order_by_with_a_filter_and_through_the_query_endpoint(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    obj = await make_object(client, tenant, _fields())
    records = await _records(client, tenant, obj["slug"])
    matching = [r for r in records if r["field_values"]["stage"] == "x"]
    expected = _expected(matching, [("amount", True), ("name", False)])
    seen = await _walk(
        client, tenant, obj["slug"], 2, order_by="amount desc, name", filter='stage = "x"'
    )
    assert seen == expected
    queried = await client.post(
        f"/v1/objects/{obj['slug']}/records:query",
        json={"filter": 'stage = "x"', "order_by": "amount desc, name", "page_size": 100},
        headers=tenant.headers,
    )
    assert queried.status_code == 200, queried.text
    assert [r["id"] for r in queried.json()["data"]] == expected


@pytest.mark.parametrize("descending", [False, True])
async def test_an_equality_filter_lists_in_create_time_order_across_batches(
    client: httpx.AsyncClient, tenant: Tenant, descending: bool
) -> None:
    obj = await make_object(client, tenant, _fields())
    records = await _records(client, tenant, obj["slug"])
    records += await _records(client, tenant, obj["slug"])
    order = [("create_time", descending)]
    cases: dict[str, Callable[[dict[str, Any]], bool]] = {
        'stage = "x"': lambda r: r["field_values"]["stage"] == "x",
        "amount = 30": lambda r: r["field_values"]["amount"] == 30,
        'tags:"vip"': lambda r: "vip" in r["field_values"]["tags"],
        'stage = "y" AND name = "a"': lambda r: (
            r["field_values"]["stage"] == "y" and r["field_values"]["name"] == "a"
        ),
        'label = "a" AND amount > 10': lambda r: (
            r["field_values"]["label"] == "a" and (r["field_values"]["amount"] or 0) > 10
        ),
        'stage = "x" AND NOT amount = 30': lambda r: (
            r["field_values"]["stage"] == "x" and r["field_values"]["amount"] != 30
        ),
        'stage = "x" OR name = "c"': lambda r: (
            r["field_values"]["stage"] == "x" or r["field_values"]["name"] == "c"
        ),
    }
    for text, matches in cases.items():
        expected = _expected([r for r in records if matches(r)], order)
        assert expected, text
        params = {"filter": text, "order_by": "create_time desc" if descending else "create_time"}
        for page_size in (1, 4, 100):
            seen = await _walk(client, tenant, obj["slug"], page_size, **params)
            assert seen == expected, (text, page_size)


@pytest.mark.parametrize(
    ("order_by", "named"),
    [
        ("meta", "'meta' is a json field"),
        ("tags desc", "'tags' is a multi_select field"),
        ("notes", "'notes' is a long_text field"),
        ("nope", "unknown field 'nope'"),
        ("amount, amount desc", "'amount' appears more than once"),
        ("amount sideways", "expected 'asc' or 'desc' after 'amount'"),
        ("amount,,name", "empty sort term"),
        ("amount, name, score, label, stage", "at most 4 sort terms"),
    ],
)
async def test_order_by_refuses_unknown_and_unorderable_fields_naming_them(
    client: httpx.AsyncClient, tenant: Tenant, order_by: str, named: str
) -> None:
    obj = await make_object(client, tenant, _fields())
    response = await client.get(
        f"/v1/objects/{obj['slug']}/records", params={"order_by": order_by}, headers=tenant.headers
    )
    assert response.status_code == 400, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    error = response.json()["errors"][0]
    assert error["field"] == "order_by"
    assert named in error["message"]
    assert named in response.json()["detail"]


async def test_a_page_token_is_bound_to_its_filter_and_order(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    obj = await make_object(client, tenant, _fields())
    await _records(client, tenant, obj["slug"])
    url = f"/v1/objects/{obj['slug']}/records"
    first = await client.get(
        url, params={"order_by": "amount desc", "page_size": 2}, headers=tenant.headers
    )
    token = first.json()["next_page_token"]
    assert token
    for other in ({"order_by": "amount"}, {"order_by": "amount desc", "filter": "amount > 1"}):
        response = await client.get(
            url, params={**other, "page_token": token, "page_size": 2}, headers=tenant.headers
        )
        assert response.status_code == 400, response.text
        assert response.json()["errors"][0]["field"] == "query.page_token"
    again = await client.get(
        url,
        params={"order_by": "amount desc", "page_size": 2, "page_token": token},
        headers=tenant.headers,
    )
    assert again.status_code == 200


async def test_pages_ordered_by_long_texts_carry_their_values(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    obj = await make_object(
        client, tenant, [field(slug, indexed=slug == "a") for slug in ("a", "b", "c", "d")]
    )
    texts = ["日本語のテキスト" * 62 + str(i % 3) for i in range(6)]  # 497 characters
    made = await client.post(
        f"/v1/objects/{obj['slug']}/records:batchCreate",
        json={
            "records": [
                {"field_values": dict.fromkeys(("a", "b", "c", "d"), texts[i])} for i in range(6)
            ]
        },
        headers=tenant.headers,
    )
    assert made.status_code == 200, made.text
    records = made.json()["data"]
    order = [("a", True), ("b", False), ("c", True), ("d", False)]
    expected = _expected(records, order)
    seen = await _walk(client, tenant, obj["slug"], 1, order_by="a desc, b, c desc, d")
    assert seen == expected

from __future__ import annotations

import httpx

from tests.factories import Tenant


async def _names(client: httpx.AsyncClient, tenant: Tenant, count: int) -> list[str]:
    names = [f"e{i:02d}" for i in range(count)]
    for name in names:
        response = await client.post(
            "/v1/environments", json={"name": name}, headers=tenant.headers
        )
        assert response.status_code == 201
    return names


async def test_pages_follow_the_order_without_gaps_or_repeats(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    await _names(client, tenant, 7)
    seen: list[str] = []
    params: dict[str, str | int] = {
        "page_size": 3,
        "order_by": "name desc",
        "filter": 'name = "e*"',
    }
    while True:
        page = (await client.get("/v1/environments", params=params, headers=tenant.headers)).json()
        assert len(page["data"]) <= 3
        seen += [e["name"] for e in page["data"]]
        if page["next_page_token"] is None:
            break
        params["page_token"] = page["next_page_token"]
    assert seen == [f"e{i:02d}" for i in reversed(range(7))]


async def test_include_total_counts_all_matches(client: httpx.AsyncClient, tenant: Tenant) -> None:
    await _names(client, tenant, 3)
    page = await client.get(
        "/v1/environments",
        params={"page_size": 1, "include_total": "true", "filter": 'name = "e*"'},
        headers=tenant.headers,
    )
    assert page.json()["total_size"] == 3
    assert len(page.json()["data"]) == 1


async def test_page_size_out_of_range_is_a_400(client: httpx.AsyncClient, tenant: Tenant) -> None:
    for size in (0, 1001):
        response = await client.get(
            "/v1/environments", params={"page_size": size}, headers=tenant.headers
        )
        assert response.status_code == 400
        assert response.json()["errors"][0]["field"] == "query.page_size"


async def test_a_filter_or_page_token_beyond_any_length_limit_is_a_400(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    # The filter grammar's own limit (2,000) and the declared parameter bounds alike.
    for params in (
        {"filter": 'name = "' + "a" * 2_100 + '"'},
        {"filter": 'name = "' + "a" * 5_000 + '"'},
        {"page_token": "t" * 5_000},
    ):
        response = await client.get("/v1/environments", params=params, headers=tenant.headers)
        assert response.status_code == 400, response.text
        field = "filter" if "filter" in params else "query.page_token"
        assert response.json()["errors"][0]["field"] == field


async def test_a_tampered_page_token_is_a_400(client: httpx.AsyncClient, tenant: Tenant) -> None:
    await _names(client, tenant, 2)
    page = await client.get("/v1/environments", params={"page_size": 1}, headers=tenant.headers)
    token = page.json()["next_page_token"]
    body, _, mac = token.partition(".")
    forged = body[:-2] + ("AA" if body[-2:] != "AA" else "BB") + "." + mac
    for bad in (forged, "garbage", token + "x"):
        response = await client.get(
            "/v1/environments", params={"page_size": 1, "page_token": bad}, headers=tenant.headers
        )
        assert response.status_code == 400
        assert response.json()["errors"][0]["field"] == "query.page_token"


async def test_a_page_token_reused_with_another_filter_is_a_400(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    await _names(client, tenant, 2)
    page = await client.get("/v1/environments", params={"page_size": 1}, headers=tenant.headers)
    response = await client.get(
        "/v1/environments",
        params={"page_size": 1, "page_token": page.json()["next_page_token"], "order_by": "name"},
        headers=tenant.headers,
    )
    assert response.status_code == 400
    assert "another filter" in response.json()["detail"]


async def test_filters_on_undeclared_fields_are_400_naming_the_field(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    response = await client.get(
        "/v1/environments", params={"filter": 'colour = "red"'}, headers=tenant.headers
    )
    assert response.status_code == 400
    assert "colour" in response.json()["detail"]
    bad_order = await client.get(
        "/v1/environments", params={"order_by": "colour"}, headers=tenant.headers
    )
    assert bad_order.status_code == 400
    assert bad_order.json()["errors"][0]["field"] == "order_by"


async def test_a_syntax_error_in_a_filter_names_the_position(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    response = await client.get(
        "/v1/environments", params={"filter": 'name = "a" AND AND'}, headers=tenant.headers
    )
    assert response.status_code == 400
    assert "position" in response.json()["detail"]


async def test_timestamps_filter_lists(client: httpx.AsyncClient, tenant: Tenant) -> None:
    await _names(client, tenant, 1)
    future = await client.get(
        "/v1/environments",
        params={"filter": 'create_time > "2999-01-01T00:00:00Z"'},
        headers=tenant.headers,
    )
    assert future.json()["data"] == []
    past = await client.get(
        "/v1/environments",
        params={"filter": 'create_time > "2000-01-01T00:00:00Z" AND name != "production"'},
        headers=tenant.headers,
    )
    assert sorted(e["name"] for e in past.json()["data"]) == ["development", "e00"]

"""Items: submitting (idempotent on external_id), batches, lists with filters, bad input."""

from __future__ import annotations

import httpx

from tests.factories import Tenant
from tests.moderation.factories import item, make_rule, submit


async def test_an_item_is_moderated_by_the_first_matching_rule_and_keeps_its_history(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    await make_rule(client, tenant, {"link_count": 1}, "flag", category="spam", order=1)
    await make_rule(client, tenant, {"keywords": {"words": ["scam"]}}, "hide", order=2)
    clean = await submit(client, tenant, "A kind word")
    assert (clean["status"], clean["action"], clean["rule_name"]) == ("approved", "approve", None)
    linked = await submit(client, tenant, "scam at https://a.test and https://b.test")
    assert (linked["status"], linked["category"]) == ("flagged", "spam")  # order 1 first
    hidden = await submit(client, tenant, "what a sc4m", external_id="post-77")
    assert hidden["status"] == "hidden"
    # The same external_id again: the content is updated and moderated anew.
    again = await submit(client, tenant, "all good now", external_id="post-77")
    assert (again["id"], again["status"], again["content"]) == (
        hidden["id"],
        "approved",
        "all good now",
    )
    detail = (await client.get("/v1/moderation/items/post-77", headers=tenant.headers)).json()
    assert [d["action"] for d in detail["decisions"]] == ["hide", "approve"]
    assert all(d["automatic"] and d["source"] == "rules" for d in detail["decisions"])


async def test_a_batch_moderates_up_to_500_items_in_order(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    await make_rule(client, tenant, {"keywords": {"words": ["bad"]}}, "reject")
    items = [item("bad" if i % 2 else "good", author=f"a{i % 7}") for i in range(500)]
    response = await client.post(
        "/v1/moderation/items:batch", json={"items": items}, headers=tenant.headers
    )
    assert response.status_code == 200, response.text
    data = response.json()["data"]
    assert [d["external_id"] for d in data] == [i["external_id"] for i in items]
    assert [d["status"] for d in data[:4]] == ["approved", "rejected", "approved", "rejected"]
    too_many = await client.post(
        "/v1/moderation/items:batch", json={"items": items + items[:1]}, headers=tenant.headers
    )
    assert too_many.status_code == 422
    assert too_many.json()["errors"][0]["field"] == "body.items"


async def test_items_are_listed_with_filters(client: httpx.AsyncClient, tenant: Tenant) -> None:
    await make_rule(client, tenant, {"keywords": {"words": ["spam"]}}, "flag", category="spam")
    first = await submit(client, tenant, "spam", author="kim")
    await submit(client, tenant, "hello", author="kim")
    await submit(client, tenant, "spam", author="lee")

    async def ids(filter: str) -> list[str]:
        response = await client.get(
            "/v1/moderation/items", params={"filter": filter}, headers=tenant.headers
        )
        assert response.status_code == 200, response.text
        return [i["external_id"] for i in response.json()["data"]]

    assert len(await ids('status = "flagged"')) == 2
    assert len(await ids('author.id = "kim"')) == 2
    assert await ids('author.id = "kim" AND category = "spam"') == [first["external_id"]]
    assert len(await ids('action = "approve"')) == 1
    bad = await client.get(
        "/v1/moderation/items", params={"filter": "colour = 1"}, headers=tenant.headers
    )
    assert bad.status_code == 400


async def test_bad_input_is_refused_on_its_field(client: httpx.AsyncClient, tenant: Tenant) -> None:
    unknown_kind = await client.post(
        "/v1/moderation/items", json=item("x", kind="novel"), headers=tenant.headers
    )
    assert unknown_kind.status_code == 422
    assert unknown_kind.json()["errors"][0]["field"] == "body.kind"
    too_big = await client.post(
        "/v1/moderation/items", json=item("x" * 65_537), headers=tenant.headers
    )
    assert too_big.status_code == 413, too_big.text
    assert too_big.json()["errors"][0]["field"] == "body.content"
    for when, field in [
        ({"regex": {"pattern": "(a)\\1"}}, "body.when.regex.pattern"),
        ({"regex": {"pattern": "(unclosed"}}, "body.when.regex.pattern"),
        ({"classifier": {"gossip": 0.5}}, "body.when.classifier.gossip.[key]"),
    ]:
        response = await client.post(
            "/v1/moderation/rules",
            json={"name": "bad", "when": when, "action": "flag"},
            headers=tenant.headers,
        )
        assert response.status_code == 422, response.text
        assert response.json()["errors"][0]["field"].startswith(field.split(".[")[0]), response.text
    unknown_action = await client.post(
        "/v1/moderation/rules", json={"name": "bad", "action": "ban"}, headers=tenant.headers
    )
    assert unknown_action.status_code == 422
    assert unknown_action.json()["errors"][0]["field"] == "body.action"
    unknown_category = await client.post(
        "/v1/moderation/rules",
        json={"name": "bad", "action": "flag", "category": "gossip"},
        headers=tenant.headers,
    )
    assert unknown_category.status_code == 422
    assert unknown_category.json()["errors"][0]["field"] == "body.category"


async def test_rules_are_listed_in_order_changed_and_deleted(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    late = await make_rule(client, tenant, {}, "approve", order=50)
    early = await make_rule(client, tenant, {"link_count": 0}, "flag", order=5)
    listed = (await client.get("/v1/moderation/rules", headers=tenant.headers)).json()["data"]
    assert [r["id"] for r in listed] == [early["id"], late["id"]]
    changed = await client.patch(
        f"/v1/moderation/rules/{late['name']}",
        json={"order": 1, "enabled": False},
        headers=tenant.headers,
    )
    assert changed.status_code == 200, changed.text
    assert (changed.json()["order"], changed.json()["enabled"]) == (1, False)
    # A disabled rule decides nothing.
    assert (await submit(client, tenant, "see https://a.test"))["status"] == "flagged"
    assert (
        await client.delete(f"/v1/moderation/rules/{early['id']}", headers=tenant.headers)
    ).status_code == 204
    assert (
        await client.get(f"/v1/moderation/rules/{early['id']}", headers=tenant.headers)
    ).status_code == 404


async def test_a_costly_regex_against_a_64_kb_item_flags_it_rule_timeout(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    await make_rule(client, tenant, {"regex": {"pattern": "(?:[a-z]{1,100}x){6}"}}, "approve")
    big = await submit(client, tenant, "a" * 65_000)
    assert (big["status"], big["category"]) == ("flagged", "rule_timeout")
    assert (await submit(client, tenant, "abcx" * 6))["status"] == "approved"


async def test_an_idempotency_key_replays_the_first_answer(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    body = item("hello")
    headers = {**tenant.headers, "Idempotency-Key": "mod-1"}
    first = await client.post("/v1/moderation/items", json=body, headers=headers)
    again = await client.post("/v1/moderation/items", json=body, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.headers.get("idempotent-replayed") == "true"
    assert first.json() == again.json()
    listed = await client.get(
        "/v1/moderation/items",
        params={"filter": f'external_id = "{body["external_id"]}"'},
        headers=tenant.headers,
    )
    detail = await client.get(f"/v1/moderation/items/{first.json()['id']}", headers=tenant.headers)
    assert len(listed.json()["data"]) == 1
    assert len(detail.json()["decisions"]) == 1


async def test_another_environment_sees_none_of_the_items(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    made = await submit(client, tenant, "hello")
    staging = {**tenant.headers, "Kanri-Environment": "development"}
    assert (
        await client.get(f"/v1/moderation/items/{made['id']}", headers=staging)
    ).status_code == 404

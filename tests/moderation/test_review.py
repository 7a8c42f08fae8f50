"""The review queue: claims (one reviewer wins), decisions (409 when someone else decided
since your claim), appeals decided once, warnings that hide an author's new items, and
statistics that match the decisions made."""

from __future__ import annotations

import asyncio

import httpx
from sqlalchemy import text

from kanri.runtime import Kanri
from tests.factories import Tenant, bearer, make_key
from tests.moderation.factories import make_rule, put_settings, submit


async def _reviewers(
    client: httpx.AsyncClient, tenant: Tenant
) -> tuple[dict[str, str], dict[str, str]]:
    one = await make_key(client, tenant.admin_key, tenant.project_id, name="ann")
    two = await make_key(client, tenant.admin_key, tenant.project_id, name="bob")
    return bearer(one["key"]), bearer(two["key"])


async def test_the_queue_is_oldest_first_and_two_reviewers_cannot_claim_one_item(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    await make_rule(client, tenant, {"keywords": {"words": ["check"]}}, "flag")
    first = await submit(client, tenant, "check me")
    second = await submit(client, tenant, "check me too")
    await submit(client, tenant, "fine")
    queue = (await client.get("/v1/moderation/queue", headers=tenant.headers)).json()["data"]
    assert [i["id"] for i in queue] == [first["id"], second["id"]]
    ann, bob = await _reviewers(client, tenant)
    path = f"/v1/moderation/items/{first['id']}:claim"
    answers = await asyncio.gather(
        client.post(path, json={"lease_seconds": 60}, headers=ann),
        client.post(path, json={"lease_seconds": 60}, headers=bob),
    )
    assert sorted(a.status_code for a in answers) == [200, 409], [a.text for a in answers]
    winner = next(a for a in answers if a.status_code == 200).json()
    loser_headers = bob if answers[0].status_code == 200 else ann
    assert winner["claimed_by"] is not None
    # The other reviewer can neither decide it while the claim holds.
    refused = await client.post(
        f"/v1/moderation/items/{first['id']}:decide",
        json={"action": "approve"},
        headers=loser_headers,
    )
    assert refused.status_code == 409, refused.text
    # An unqueued item cannot be claimed.
    fine = (
        await client.get(
            "/v1/moderation/items", params={"filter": 'status = "approved"'}, headers=tenant.headers
        )
    ).json()["data"][0]
    assert (
        await client.post(f"/v1/moderation/items/{fine['id']}:claim", json={}, headers=ann)
    ).status_code == 409


async def test_deciding_after_someone_else_decided_since_your_claim_is_a_409(
    client: httpx.AsyncClient, tenant: Tenant, kanri: Kanri
) -> None:
    await make_rule(client, tenant, {"keywords": {"words": ["check"]}}, "flag")
    queued = await submit(client, tenant, "check me")
    ann, bob = await _reviewers(client, tenant)
    claimed = await client.post(
        f"/v1/moderation/items/{queued['id']}:claim", json={"lease_seconds": 10}, headers=ann
    )
    assert claimed.status_code == 200, claimed.text

    # Ann's lease runs out; Bob decides meanwhile.
    def expire(tx) -> None:  # type: ignore[no-untyped-def]
        tx.execute(
            text("UPDATE moderation_items SET claim_expire_time = claim_time WHERE id = :id"),
            {"id": queued["id"]},
        )

    await kanri.db.write(expire)
    bob_decides = await client.post(
        f"/v1/moderation/items/{queued['id']}:decide",
        json={"action": "hide", "reason": "ads"},
        headers=bob,
    )
    assert bob_decides.status_code == 200, bob_decides.text
    ann_decides = await client.post(
        f"/v1/moderation/items/{queued['id']}:decide", json={"action": "approve"}, headers=ann
    )
    assert ann_decides.status_code == 409, ann_decides.text
    item = (await client.get(f"/v1/moderation/items/{queued['id']}", headers=tenant.headers)).json()
    assert item["status"] == "hidden"
    assert [(d["action"], d["source"]) for d in item["decisions"]] == [
        ("flag", "rules"),
        ("hide", "manual"),
    ]


async def test_an_appeal_returns_the_item_to_the_queue_and_is_decided_once(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    await make_rule(client, tenant, {"keywords": {"words": ["bad"]}}, "hide")
    hidden = await submit(client, tenant, "bad words")
    clean = await submit(client, tenant, "good words")
    path = f"/v1/moderation/items/{hidden['id']}"
    not_hidden = await client.post(
        f"/v1/moderation/items/{clean['id']}:appeal", json={"reason": "why"}, headers=tenant.headers
    )
    assert not_hidden.status_code == 409
    appealed = await client.post(
        f"{path}:appeal", json={"reason": "a quote"}, headers=tenant.headers
    )
    assert appealed.status_code == 200, appealed.text
    assert (appealed.json()["status"], appealed.json()["appeal"]["status"]) == (
        "flagged",
        "pending",
    )
    queue = (await client.get("/v1/moderation/queue", headers=tenant.headers)).json()["data"]
    assert [i["id"] for i in queue] == [hidden["id"]]
    decided = await client.post(
        f"{path}:decide", json={"action": "approve"}, headers=tenant.headers
    )
    assert decided.status_code == 200, decided.text
    assert (decided.json()["status"], decided.json()["appeal"]["status"]) == ("approved", "decided")
    again = await client.post(f"{path}:appeal", json={"reason": "again"}, headers=tenant.headers)
    assert again.status_code == 409
    history = (await client.get(path, headers=tenant.headers)).json()["decisions"]
    assert [d["source"] for d in history] == ["rules", "appeal"]


async def test_warnings_hide_an_authors_new_items_after_the_setting(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    await put_settings(client, tenant, warnings_to_hide=2)
    await make_rule(client, tenant, {"keywords": {"words": ["rude"]}}, "warn")
    assert (await submit(client, tenant, "rude", author="troll"))["status"] == "warned"
    assert (await submit(client, tenant, "hello", author="troll"))["status"] == "approved"
    queued = await submit(client, tenant, "fine", author="troll")
    manual = await client.post(
        f"/v1/moderation/items/{queued['id']}:decide",
        json={"action": "warn", "reason": "tone"},
        headers=tenant.headers,
    )
    assert manual.status_code == 200, manual.text
    hidden = await submit(client, tenant, "a perfectly nice post", author="troll")
    assert (hidden["status"], hidden["rule_name"]) == ("hidden", "author_warnings")
    assert (await submit(client, tenant, "hello", author="someone-else"))["status"] == "approved"
    author = (await client.get("/v1/moderation/authors/troll", headers=tenant.headers)).json()
    assert (author["status"], author["warning_count"], author["item_count"]) == ("restricted", 2, 4)
    assert author["statuses"] == {"warned": 2, "approved": 1, "hidden": 1}
    missing = await client.get("/v1/moderation/authors/nobody", headers=tenant.headers)
    assert missing.status_code == 404


async def test_auto_moderate_off_only_flags_what_the_rules_would_do(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    await put_settings(client, tenant, auto_moderate=False)
    await make_rule(client, tenant, {"keywords": {"words": ["bad"]}}, "reject")
    proposed = await submit(client, tenant, "bad")
    assert (proposed["status"], proposed["action"]) == ("flagged", "flag")
    assert proposed["reason"].startswith("proposed: reject")


async def test_stats_match_the_decisions_made_with_konsults_four_totals(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    await make_rule(client, tenant, {"keywords": {"words": ["spam"]}}, "flag", category="spam")
    await make_rule(client, tenant, {"keywords": {"words": ["bad"]}}, "hide", category="hate")
    flagged = [await submit(client, tenant, "spam") for _ in range(3)]
    hidden = await submit(client, tenant, "bad")
    await submit(client, tenant, "good")
    for item, action in zip(flagged[:2], ["approve", "hide"], strict=True):
        response = await client.post(
            f"/v1/moderation/items/{item['id']}:decide",
            json={"action": action},
            headers=tenant.headers,
        )
        assert response.status_code == 200
    appealed = await client.post(
        f"/v1/moderation/items/{hidden['id']}:appeal", json={"reason": "r"}, headers=tenant.headers
    )
    assert appealed.status_code == 200
    response = await client.get(
        "/v1/moderation/stats", params={"group_by": "action"}, headers=tenant.headers
    )
    assert response.status_code == 200, response.text
    stats = response.json()
    totals = stats["totals"]
    assert (totals["total_actions"], totals["auto_moderated"], totals["manual_review"]) == (7, 5, 2)
    assert (totals["flagged"], totals["hidden"], totals["approved"]) == (3, 2, 2)
    assert (totals["appeals"], totals["queue_size"]) == (1, 2)
    assert totals["median_time_to_decision"] is not None
    assert (
        stats["totalActions"],
        stats["autoModerated"],
        stats["manualReview"],
        stats["flagged"],
    ) == (7, 5, 2, 3)
    assert {p["key"]: p["count"] for p in stats["series"]} == {"flag": 3, "hide": 2, "approve": 2}
    by_category = (
        await client.get(
            "/v1/moderation/stats", params={"group_by": "category"}, headers=tenant.headers
        )
    ).json()["series"]
    assert {p["key"]: p["count"] for p in by_category} == {"spam": 5, "hate": 1, "none": 1}
    future = (
        await client.get(
            "/v1/moderation/stats", params={"from": "2999-01-01T00:00:00Z"}, headers=tenant.headers
        )
    ).json()["totals"]
    assert future["total_actions"] == 0


async def test_moderation_events_reach_the_outbox(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    await make_rule(client, tenant, {"keywords": {"words": ["spam"]}}, "flag")
    item = await submit(client, tenant, "spam")
    await client.post(
        f"/v1/moderation/items/{item['id']}:decide", json={"action": "hide"}, headers=tenant.headers
    )
    await client.post(
        f"/v1/moderation/items/{item['id']}:appeal", json={"reason": "r"}, headers=tenant.headers
    )
    found = (
        await client.get(
            "/v1/events", params={"filter": 'type : "moderation.item.*"'}, headers=tenant.headers
        )
    ).json()["data"]
    types = sorted(e["type"] for e in found)
    assert types == [
        "moderation.item.appealed",
        "moderation.item.decided",
        "moderation.item.flagged",
        "moderation.item.hidden",
    ]

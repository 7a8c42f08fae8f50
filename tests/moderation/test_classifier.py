"""AI classification: the built-in local classifier, the offline provider (deterministic),
an OpenAI-compatible model (the fake server); scores stored per item and read by rules."""

from __future__ import annotations

import json

import httpx

from kanri.moderation.classifier import builtin_scores
from tests.agents.factories import make_provider
from tests.factories import Tenant
from tests.fakes.openai_server import FakeOpenAI
from tests.moderation.factories import make_rule, put_settings, submit

SCORES = {
    "spam": 0.93,
    "harassment": 0.0,
    "hate": 0.0,
    "sexual": 0.0,
    "violence": 0.1,
    "self_harm": 0.0,
    "illegal": 0.0,
    "pii": 0.0,
}


def test_the_builtin_classifier_is_deterministic() -> None:
    spammy = builtin_scores("FREE bitcoin giveaway, click https://a.test https://b.test")
    assert spammy == builtin_scores("FREE bitcoin giveaway, click https://a.test https://b.test")
    assert spammy["spam"] == 1.0
    assert builtin_scores("write to kim@example.com")["pii"] == 0.9
    assert set(builtin_scores("hello").values()) == {0.0}


async def test_rules_read_the_builtin_classifiers_scores(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    await put_settings(client, tenant, classifier={"provider": "builtin"})
    await make_rule(client, tenant, {"classifier": {"spam": 0.8}}, "hide", category="spam")
    spam = await submit(client, tenant, "free crypto giveaway, click now")
    assert (spam["status"], spam["category"]) == ("hidden", "spam")
    assert spam["scores"]["source"] == "builtin"
    assert spam["scores"]["categories"]["spam"] >= 0.8
    assert (await submit(client, tenant, "see you at lunch"))["status"] == "approved"


async def test_the_offline_provider_classifies_deterministically(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    provider = await make_provider(client, tenant)
    await put_settings(client, tenant, classifier={"provider": provider["name"]})
    await make_rule(client, tenant, {"classifier": {"spam": 0.9}}, "flag", category="spam")
    scored = await submit(client, tenant, f"/json {json.dumps(SCORES)}")
    assert scored["status"] == "flagged"
    assert scored["scores"]["categories"]["spam"] == 0.93
    # An answer that is not JSON scores nothing: the item is moderated without scores.
    unscored = await submit(client, tenant, "hello")
    assert unscored["status"] == "approved"
    assert unscored["scores"]["categories"] == {}
    assert "error" in unscored["scores"]


async def test_an_openai_compatible_model_classifies_with_a_json_schema(
    client: httpx.AsyncClient, tenant: Tenant, fake_openai: FakeOpenAI
) -> None:
    provider = await make_provider(
        client, tenant, "openai", base_url=fake_openai.base_url, api_key="k"
    )
    await put_settings(client, tenant, classifier={"provider": provider["id"], "model": "mod-1"})
    await make_rule(client, tenant, {"classifier": {"spam": 0.9}}, "reject", category="spam")
    fake_openai.reply(json.dumps(SCORES))
    item = await submit(client, tenant, "cheap watches")
    assert item["status"] == "rejected"
    assert item["scores"]["model"] == "mod-1"
    assert item["scores"]["usage"]["input_tokens"] == 100
    sent = fake_openai.requests[0]
    assert sent["model"] == "mod-1"
    assert sent["response_format"]["type"] == "json_schema"
    assert "cheap watches" in sent["messages"][0]["content"]


async def test_settings_naming_an_unknown_provider_are_refused_on_the_field(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    response = await client.put(
        "/v1/moderation/settings",
        json={"classifier": {"provider": "nowhere"}},
        headers=tenant.headers,
    )
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["field"] == "body.classifier.provider"
    assert (await client.get("/v1/moderation/settings", headers=tenant.headers)).json()[
        "classifier"
    ] is None

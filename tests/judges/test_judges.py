from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from kanri.judges.service import evaluate_rules
from kanri.runtime import Kanri
from tests.agents.factories import (
    make_agent,
    make_budget,
    make_provider,
    metered_provider,
    run_agent,
    threshold_notices,
)
from tests.engine.factories import make_automation, run_and_wait
from tests.factories import Tenant, unique
from tests.fakes.openai_server import FakeOpenAI


async def _scores(
    client: httpx.AsyncClient, tenant: Tenant, run_id: str, count: int = 1
) -> list[dict[str, Any]]:
    for _ in range(200):
        found: list[dict[str, Any]] = (
            await client.get(f"/v1/runs/{run_id}/scores", headers=tenant.headers)
        ).json()["data"]
        if len(found) >= count:
            return found
        await asyncio.sleep(0.05)
    return found


async def test_a_rule_judge_scores_completed_runs(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    agent = await make_agent(client, tenant)
    judge = await client.post(
        "/v1/judges",
        json={
            "name": "polite",
            "kind": "rule",
            "agent": agent["name"],
            "config": {
                "checks": [
                    {"type": "contains", "path": "$.content", "value": "said"},
                    {"type": "regex", "path": "content", "pattern": "^You"},
                    {"type": "length", "path": "$.content", "max": 15},
                ],
                "pass_threshold": 0.6,
            },
        },
        headers=tenant.headers,
    )
    assert judge.status_code == 201, judge.text
    short = await run_agent(client, tenant, agent["id"], "hi")
    long = await run_agent(client, tenant, agent["id"], "a much longer message")
    [first] = await _scores(client, tenant, short["id"])
    assert first["score"] == 1.0
    assert first["passed"] is True
    [second] = await _scores(client, tenant, long["id"])
    assert abs(second["score"] - 2 / 3) < 1e-9
    assert second["passed"] is True
    assert [c["passed"] for c in second["details"]["checks"]] == [True, True, False]
    report = await client.get(f"/v1/judges/{judge.json()['id']}/scores", headers=tenant.headers)
    body = report.json()
    assert body["count"] == 2
    assert abs(body["mean"] - (1 + 2 / 3) / 2) < 1e-9
    assert body["pass_rate"] == 1.0
    assert body["per_day"][0]["count"] == 2


async def test_an_llm_judge_scores_with_a_rubric(
    client: httpx.AsyncClient, tenant: Tenant, fake_openai: FakeOpenAI
) -> None:
    provider = await make_provider(
        client, tenant, "openai", base_url=fake_openai.base_url, api_key="k"
    )
    agent = await make_agent(client, tenant)  # offline
    judge = await client.post(
        "/v1/judges",
        json={
            "name": "rubric",
            "kind": "llm",
            "agent": agent["id"],
            "config": {
                "provider": provider["name"],
                "model": "judge-model",
                "rubric": "Is it friendly?",
                "pass_threshold": 0.5,
            },
        },
        headers=tenant.headers,
    )
    assert judge.status_code == 201, judge.text
    fake_openai.reply('{"score": 0.8, "reasoning": "warm enough"}')
    run = await run_agent(client, tenant, agent["id"], "hello")
    [score] = await _scores(client, tenant, run["id"])
    assert score["score"] == 0.8
    assert score["passed"] is True
    assert score["reasoning"] == "warm enough"
    assert "Is it friendly?" in fake_openai.requests[0]["messages"][0]["content"]


async def test_judge_input_is_validated(client: httpx.AsyncClient, tenant: Tenant) -> None:
    no_target = await client.post(
        "/v1/judges",
        json={"name": "x", "kind": "rule", "config": {"checks": [{"type": "exists"}]}},
        headers=tenant.headers,
    )
    assert no_target.status_code == 422
    bad_check = await client.post(
        "/v1/judges",
        json={"name": "x", "kind": "rule", "agent": "a", "config": {"checks": [{"type": "regex"}]}},
        headers=tenant.headers,
    )
    assert bad_check.status_code == 422
    unknown = await client.post(
        "/v1/judges",
        json={
            "name": "x",
            "kind": "rule",
            "agent": "ghost",
            "config": {"checks": [{"type": "exists"}]},
        },
        headers=tenant.headers,
    )
    assert unknown.status_code == 422
    assert unknown.json()["errors"][0]["field"] == "body.agent"


async def _metered_judge(
    client: httpx.AsyncClient, tenant: Tenant, fake: FakeOpenAI
) -> dict[str, Any]:
    """An automation judged by an `llm` judge whose calls cost 0.12 USD each."""
    provider = await metered_provider(client, tenant, fake)
    automation = await make_automation(
        client, tenant, [{"id": "say", "kind": "transform", "output": "hi"}]
    )
    judge = await client.post(
        "/v1/judges",
        json={
            "name": "metered-rubric",
            "kind": "llm",
            "automation": automation["id"],
            "config": {"provider": provider["name"], "model": "metered", "rubric": "Polite?"},
        },
        headers=tenant.headers,
    )
    assert judge.status_code == 201, judge.text
    return automation


async def test_an_llm_judge_emits_the_budget_thresholds_its_project_has_reached(
    client: httpx.AsyncClient, kanri: Kanri, tenant: Tenant, fake_openai: FakeOpenAI
) -> None:
    automation = await _metered_judge(client, tenant, fake_openai)
    budget = await make_budget(
        client, tenant, limit_usd="0.20", thresholds=[{"percent": 50, "action": "notify"}]
    )
    # Each judge call: 100 + 20 tokens at 1000 USD per million = 0.12 USD (60 % of 0.20).
    for _ in range(3):
        fake_openai.reply('{"score": 1, "reasoning": "polite"}')
    for _ in range(3):  # the second and third judge calls find the project over 50 %
        run = await run_and_wait(client, tenant, automation["id"])
        await _scores(client, tenant, run["id"])

    [notice] = await threshold_notices(kanri, budget["id"])  # once per period and threshold
    assert notice["percent"] == "50"


async def test_an_llm_judge_pays_into_the_costs_and_stops_at_a_blocking_budget(
    client: httpx.AsyncClient, tenant: Tenant, fake_openai: FakeOpenAI
) -> None:
    automation = await _metered_judge(client, tenant, fake_openai)
    await make_budget(
        client, tenant, limit_usd="0.10", thresholds=[{"percent": 100, "action": "block"}]
    )
    # 100 + 20 tokens at 1000 USD per million: 0.12 USD, over the 0.10 budget.
    fake_openai.reply('{"score": 1, "reasoning": "polite"}')
    first = await run_and_wait(client, tenant, automation["id"])
    [scored] = await _scores(client, tenant, first["id"])
    assert scored["status"] == "scored"
    costs = await client.get("/v1/costs", params={"group_by": "model"}, headers=tenant.headers)
    [row] = costs.json()["data"]
    assert row["cost_usd"] == "0.12000000"
    assert row["usage"]["total_tokens"] == 120
    run_after = await client.get(f"/v1/runs/{first['id']}", headers=tenant.headers)
    assert run_after.json()["cost_usd"] in (None, "0", "0.00000000")  # the run's own calls

    second = await run_and_wait(client, tenant, automation["id"])
    [refused] = await _scores(client, tenant, second["id"])
    assert refused["status"] == "error"
    assert refused["reasoning"].startswith("not scored: budget 'cap'")
    assert len(fake_openai.requests) == 1  # no call over the budget


async def _rule_judge(
    client: httpx.AsyncClient, tenant: Tenant, target: dict[str, Any], pattern: str
) -> httpx.Response:
    return await client.post(
        "/v1/judges",
        json={
            "name": unique("judge"),
            "kind": "rule",
            "automation": target["id"],
            "config": {"checks": [{"type": "regex", "path": "$", "pattern": pattern}]},
        },
        headers=tenant.headers,
    )


@pytest.mark.parametrize(
    ("pattern", "reason"),
    [
        (r"(a)\1", "invalid escape sequence"),  # a backreference
        ("(?=a)b", "invalid perl operator"),  # lookahead
        ("[a-", "missing ]"),
        ("a{2000}", "invalid repetition size"),
    ],
)
async def test_a_regex_check_re2_cannot_run_is_refused_naming_its_pattern(
    client: httpx.AsyncClient, tenant: Tenant, pattern: str, reason: str
) -> None:
    automation = await make_automation(client, tenant, [{"id": "say", "kind": "transform"}])
    refused = await _rule_judge(client, tenant, automation, pattern)
    assert refused.status_code == 422, refused.text
    [error] = refused.json()["errors"]
    assert error["field"] == "body.config.checks.0.pattern"
    assert "not a supported regular expression" in error["message"]
    assert reason in error["message"]
    judge = await _rule_judge(client, tenant, automation, "^ok$")
    assert judge.status_code == 201, judge.text
    update = await client.patch(
        f"/v1/judges/{judge.json()['id']}",
        json={"config": {"checks": [{"type": "exists"}, {"type": "regex", "pattern": pattern}]}},
        headers=tenant.headers,
    )
    assert update.status_code == 422
    assert update.json()["errors"][0]["field"] == "body.config.checks.1.pattern"
    kept = await client.get(f"/v1/judges/{judge.json()['id']}", headers=tenant.headers)
    assert kept.json()["config"]["checks"][0]["pattern"] == "^ok$"


def test_a_backtracking_pattern_is_evaluated_in_linear_time() -> None:
    # `(a+)+$` over 100 `a`s and a `!`: 2^100 paths for a backtracking engine, which would
    # never finish; returning at all is the proof (pytest-timeout fails a regression).
    score, passed, results = evaluate_rules(
        {"checks": [{"type": "regex", "path": "$.text", "pattern": "(a+)+$"}]},
        {"text": "a" * 100 + "!"},
    )
    assert (score, passed) == (0.0, False)
    assert results == [{"type": "regex", "path": "$.text", "passed": False}]
    assert evaluate_rules({"checks": [{"type": "regex", "pattern": "(a+)+!$"}]}, "aaa!")[1]


def test_a_stored_pattern_re2_cannot_run_fails_its_own_check_only() -> None:
    checks = [{"type": "regex", "pattern": r"(a)\1"}, {"type": "contains", "value": "aa"}]
    score, passed, results = evaluate_rules({"checks": checks, "pass_threshold": 0.5}, "aa")
    assert (score, passed) == (0.5, True)
    assert results[0]["passed"] is False
    assert "invalid escape sequence" in results[0]["error"]


async def test_scoring_a_run_with_a_backtracking_pattern_leaves_the_api_answering(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    automation = await make_automation(
        client, tenant, [{"id": "say", "kind": "transform", "output": "{{ inputs.text }}"}]
    )
    judge = await _rule_judge(client, tenant, automation, "(a+)+$")
    assert judge.status_code == 201, judge.text
    # 2^100 paths for a backtracking engine: one scoring on the event loop the API shares
    # would never let the answers below come back (pytest-timeout fails a regression).
    run = await run_and_wait(client, tenant, automation["id"], {"text": "a" * 100 + "!"})
    assert (await client.get("/health")).status_code == 200
    [score] = await _scores(client, tenant, run["id"])
    assert (score["score"], score["passed"]) == (0.0, False)
    assert (await client.get("/health")).status_code == 200

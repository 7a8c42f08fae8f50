"""Policies over the API: rules checked on the way in, the default policy, exceptions with
expiry, and the pre-check."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx

from kanri.core.time import utcnow
from tests.engine.factories import make_automation
from tests.factories import Tenant, bearer, make_key
from tests.governance.factories import make_policy

BIG = {"id": "big", "when": "inputs.amount > 1000", "effect": "require_approval"}
FROZEN = {"when": 'environment = "production"', "effect": "deny", "reason": "change freeze"}


def _later(**delta: float) -> str:
    return (utcnow() + timedelta(**delta)).isoformat()


async def _check(client: httpx.AsyncClient, tenant: Tenant, **body: Any) -> dict[str, Any]:
    response = await client.post("/v1/governance/pre-check", json=body, headers=tenant.headers)
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


async def test_a_policy_keeps_its_rules_in_order_with_ids_given_or_generated(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    policy = await make_policy(client, tenant, [BIG, FROZEN])
    assert policy["rules"][0]["id"] == "big"
    assert policy["rules"][1]["id"].startswith("rule-")
    assert policy["rules"][1]["reason"] == "change freeze"
    fetched = await client.get(f"/v1/policies/{policy['name']}", headers=tenant.headers)
    assert fetched.json()["rules"] == policy["rules"]
    listed = await client.get(
        "/v1/policies", params={"filter": f'name = "{policy["name"]}"'}, headers=tenant.headers
    )
    assert [p["id"] for p in listed.json()["data"]] == [policy["id"]]


async def test_invalid_rules_name_the_offending_field_and_nothing_is_written(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    cases = [
        ({"when": "colour = 1", "effect": "allow"}, "body.rules.1.when", "unknown field"),
        ({"when": "inputs.a =", "effect": "allow"}, "body.rules.1.when", "syntax error"),
        ({"effect": "deny"}, "body.rules.1", "needs a reason"),
        ({"effect": "allow", "approvers": ["k"]}, "body.rules.1", "only apply"),
        ({"effect": "require_approval", "on_timeout": "escalate"}, "body.rules.1", "timeout"),
        (
            {"effect": "require_approval", "approvers": ["a"], "required_approvals": 2},
            "body.rules.1",
            "more than the approvers",
        ),
        ({"effect": "maybe"}, "body.rules.1.effect", ""),
    ]
    for rule, field, message in cases:
        response = await client.post(
            "/v1/policies",
            json={"name": "bad", "rules": [{"effect": "allow"}, rule]},
            headers=tenant.headers,
        )
        assert response.status_code == 422, (rule, response.text)
        errors = response.json()["errors"]
        assert any(e["field"] == field and message in e["message"] for e in errors), errors
    twice = await client.post(
        "/v1/policies",
        json={"name": "bad", "rules": [{"id": "x", "effect": "allow"}] * 2},
        headers=tenant.headers,
    )
    assert twice.status_code == 422
    assert twice.json()["errors"][0]["field"] == "body.rules.1.id"
    listed = await client.get("/v1/policies", headers=tenant.headers)
    assert listed.json()["data"] == []


async def test_names_are_unique_and_patch_replaces_the_rules(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    policy = await make_policy(client, tenant, [BIG])
    clash = await client.post(
        "/v1/policies", json={"name": policy["name"], "rules": []}, headers=tenant.headers
    )
    assert clash.status_code == 409
    patched = await client.patch(
        f"/v1/policies/{policy['id']}",
        json={"rules": [FROZEN], "enabled": False},
        headers=tenant.headers,
    )
    assert patched.status_code == 200
    assert [r["effect"] for r in patched.json()["rules"]] == ["deny"]
    assert patched.json()["enabled"] is False
    bad = await client.patch(
        f"/v1/policies/{policy['id']}",
        json={"rules": [{"when": "x=1", "effect": "allow"}]},
        headers=tenant.headers,
    )
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "body.rules.0.when"


async def test_exactly_one_default_policy_decides_where_nothing_else_is_attached(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    first = await make_policy(client, tenant, [FROZEN], attachments={})
    second = await make_policy(client, tenant, [{"effect": "allow"}], attachments={})
    none = await client.get("/v1/policies/default", headers=tenant.headers)
    assert none.json() == {"policy": None}
    assert (await _check(client, tenant, workflow="w"))["decision"] == "approved"
    for policy in (first, second, first):
        put = await client.put(
            "/v1/policies/default", json={"policy": policy["name"]}, headers=tenant.headers
        )
        assert put.status_code == 200
        assert put.json() == {"policy": policy["id"]}
    got = await client.get(f"/v1/policies/{first['id']}", headers=tenant.headers)
    assert got.json()["is_default"] is True
    other = await client.get(f"/v1/policies/{second['id']}", headers=tenant.headers)
    assert other.json()["is_default"] is False
    denied = await _check(client, tenant, workflow="w")  # the key's environment: production
    assert denied["decision"] == "denied"
    assert denied["policy"] == first["id"]
    assert "change freeze" in denied["reasons"]
    busy = await client.delete(f"/v1/policies/{first['id']}", headers=tenant.headers)
    assert busy.status_code == 409
    unknown = await client.put(
        "/v1/policies/default", json={"policy": "nope"}, headers=tenant.headers
    )
    assert unknown.status_code == 422
    assert unknown.json()["errors"][0]["field"] == "body.policy"
    cleared = await client.put(
        "/v1/policies/default", json={"policy": None}, headers=tenant.headers
    )
    assert cleared.json() == {"policy": None}
    gone = await client.delete(f"/v1/policies/{first['id']}", headers=tenant.headers)
    assert gone.status_code == 204
    assert (
        await client.get(f"/v1/policies/{first['id']}", headers=tenant.headers)
    ).status_code == 404


async def test_pre_check_answers_with_the_deciding_policy_rule_and_terms(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    automation = await make_automation(client, tenant, [{"id": "a", "kind": "log", "message": "x"}])
    approver = await make_key(client, tenant.admin_key, tenant.project_id)
    policy = await make_policy(
        client,
        tenant,
        [
            {**BIG, "approvers": [approver["id"]], "timeout_seconds": 600, "severity": "high"},
            {"when": 'http.host = "*.internal"', "effect": "deny", "reason": "internal"},
        ],
        attachments={"automations": [automation["name"]]},
    )
    big = await _check(
        client, tenant, automation=automation["id"], context={"inputs": {"amount": 5000}}
    )
    assert big == {
        "decision": "needs_approval",
        "reasons": [big["reasons"][0]],
        "policy": policy["id"],
        "rule": "big",
        "severity": "high",
        "approval": {
            "approvers": [approver["id"]],
            "required_approvals": 1,
            "timeout_seconds": 600.0,
            "on_timeout": "reject",
            "escalate_to": [],
        },
    }
    small = await _check(
        client, tenant, automation=automation["name"], context={"inputs": {"amount": 5}}
    )
    assert small["decision"] == "approved"
    assert small["policy"] is None
    http = await _check(
        client,
        tenant,
        automation=automation["name"],
        action="http",
        context={"http": {"host": "db.internal"}, "step": {"kind": "http"}},
    )
    assert http["decision"] == "denied"
    unattached = await _check(
        client, tenant, workflow="other", context={"inputs": {"amount": 5000}}
    )
    assert unattached["decision"] == "approved"
    both = await client.post(
        "/v1/governance/pre-check", json={"workflow": "a", "agent": "b"}, headers=tenant.headers
    )
    assert both.status_code == 422
    missing = await client.post(
        "/v1/governance/pre-check", json={"automation": "nope"}, headers=tenant.headers
    )
    assert missing.status_code == 404
    audit = await client.get(
        "/v1/audit-logs",
        params={"filter": f'resource_id = "{automation["id"]}" AND action = "policy.evaluated"'},
        headers=tenant.headers,
    )
    decisions = [row["changes"]["decision"]["to"] for row in audit.json()["data"]]
    assert sorted(decisions) == ["approved", "denied", "needs_approval"]


async def test_an_exception_unmatches_its_rule_until_it_expires(
    client: httpx.AsyncClient, tenant: Tenant, clock: Any
) -> None:
    policy = await make_policy(client, tenant, [{"effect": "allow", "when": "labels:x"}, FROZEN])
    assert (await _check(client, tenant, workflow="nightly"))["decision"] == "denied"
    created = await client.post(
        "/v1/policy-exceptions",
        json={
            "policy": policy["id"],
            "rule": 2,
            "scope": {"workflow": "nightly"},
            "justification": "release night",
            "expires_at": _later(hours=2),
        },
        headers=tenant.headers,
    )
    assert created.status_code == 201, created.text
    exception = created.json()
    assert exception["rule_id"] == policy["rules"][1]["id"]
    assert exception["active"] is True
    assert created.headers["Location"] == f"/v1/policy-exceptions/{exception['id']}"
    assert (await _check(client, tenant, workflow="nightly"))["decision"] == "approved"
    assert (await _check(client, tenant, workflow="daily"))["decision"] == "denied"
    clock(2 * 3600 + 1)
    assert (await _check(client, tenant, workflow="nightly"))["decision"] == "denied"
    fetched = await client.get(f"/v1/policy-exceptions/{exception['id']}", headers=tenant.headers)
    assert fetched.json()["active"] is False


async def test_exceptions_are_validated_listed_and_deleted(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    policy = await make_policy(client, tenant, [FROZEN])
    base = {"policy": policy["name"], "justification": "why", "expires_at": _later(days=1)}
    cases: list[tuple[dict[str, Any], str]] = [
        ({**base, "rule": 2}, "body.rule"),
        ({**base, "rule": "nope"}, "body.rule"),
        ({**base, "rule": 1, "policy": "nope"}, "body.policy"),
        ({**base, "rule": 1, "expires_at": _later(days=-1)}, "body.expires_at"),
        ({**base, "rule": 1, "expires_at": _later(days=400)}, "body.expires_at"),
        ({**base, "rule": 0}, "body.rule"),
        ({**base, "rule": 1, "justification": " "}, "body.justification"),
    ]
    for body, field in cases:
        response = await client.post("/v1/policy-exceptions", json=body, headers=tenant.headers)
        assert response.status_code == 422, (body, response.text)
        assert any(e["field"].startswith(field) for e in response.json()["errors"]), response.text
    made = await client.post(
        "/v1/policy-exceptions",
        json={**base, "rule": policy["rules"][0]["id"]},
        headers=tenant.headers,
    )
    assert made.status_code == 201
    listed = await client.get(
        "/v1/policy-exceptions",
        params={"filter": f'policy_id = "{policy["id"]}"'},
        headers=tenant.headers,
    )
    assert [e["id"] for e in listed.json()["data"]] == [made.json()["id"]]
    deleted = await client.delete(
        f"/v1/policy-exceptions/{made.json()['id']}", headers=tenant.headers
    )
    assert deleted.status_code == 204
    again = await client.get(f"/v1/policy-exceptions/{made.json()['id']}", headers=tenant.headers)
    assert again.status_code == 404


async def test_reading_needs_governance_read_and_writing_governance_write(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    reader = await make_key(client, tenant.admin_key, tenant.project_id, scopes=["governance:read"])
    listed = await client.get("/v1/policies", headers=bearer(reader["key"]))
    assert listed.status_code == 200
    refused = await client.post(
        "/v1/policies", json={"name": "x", "rules": []}, headers=bearer(reader["key"])
    )
    assert refused.status_code == 403

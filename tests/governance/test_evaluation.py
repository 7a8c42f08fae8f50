"""The evaluator as a table: which verdict a context gets from which rules, in which order."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from kanri.core.time import utcnow
from kanri.engine.approval_states import raise_severity
from kanri.governance import expressions
from kanri.governance.evaluator import (
    ActiveException,
    CompiledPolicy,
    CompiledRule,
    PolicySet,
    context_for,
    decide,
)


def policy(
    rules: list[dict[str, Any]], *, id: str = "pol_a", attachments: dict[str, Any] | None = None
) -> CompiledPolicy:
    compiled = tuple(
        CompiledRule(
            rule.get("id", f"r{i}"),
            i,
            expressions.parse(rule.get("when", "")),
            {"id": rule.get("id", f"r{i}"), **rule},
        )
        for i, rule in enumerate(rules, start=1)
    )
    return CompiledPolicy(
        id, id, compiled, {"project": True} if attachments is None else attachments
    )


BIG = {"when": "inputs.amount > 1000", "effect": "require_approval", "approvers": ["k1"]}
DENY_PROD = {"when": 'environment = "production"', "effect": "deny", "reason": "frozen"}
ALLOW_OPS = {"when": 'labels.team = "ops"', "effect": "allow"}
NO_EVIL = {"when": 'http.host = "*.evil.test"', "effect": "deny", "reason": "no evil"}


@pytest.mark.parametrize(
    ("rules", "context", "verdict", "rule"),
    [
        ([], context_for("run"), "approved", None),
        ([BIG], context_for("run", inputs={"amount": 5000}), "needs_approval", "r1"),
        ([BIG], context_for("run", inputs={"amount": 50}), "approved", None),
        ([BIG], context_for("run", inputs={"amount": "5000"}), "approved", None),
        (
            [ALLOW_OPS, BIG],
            context_for("run", labels={"team": "ops"}, inputs={"amount": 9e9}),
            "approved",
            "r1",
        ),
        (
            [BIG, ALLOW_OPS],
            context_for("run", labels={"team": "ops"}, inputs={"amount": 9e9}),
            "needs_approval",
            "r1",
        ),
        ([DENY_PROD], context_for("run", environment="production"), "denied", "r1"),
        ([DENY_PROD], context_for("run", environment="staging"), "approved", None),
        # rules naming http.host are not run rules, and run rules are not step rules
        ([NO_EVIL], context_for("run"), "approved", None),
        ([NO_EVIL], context_for("http", step_kind="http", http_host="a.evil.test"), "denied", "r1"),
        ([NO_EVIL], context_for("http", step_kind="http", http_host="good.test"), "approved", None),
        (
            [DENY_PROD],
            context_for("step", step_kind="log", environment="production"),
            "approved",
            None,
        ),
        (
            [{"when": 'tool = "shell"', "effect": "deny", "reason": "no shell"}],
            context_for("tool_call", agent="helper", tool="shell"),
            "denied",
            "r1",
        ),
        (
            [{"when": "NOT estimated_cost < 10", "effect": "require_approval"}],
            context_for("run"),
            "needs_approval",
            "r1",
        ),
        (
            [{"when": "estimated_cost >= 10", "effect": "require_approval"}],
            context_for("run", estimated_cost=12.5),
            "needs_approval",
            "r1",
        ),
        (
            [{"when": 'automation = "pay*" AND action = "run"', "effect": "deny", "reason": "x"}],
            context_for("run", automation="payroll"),
            "denied",
            "r1",
        ),
        (
            [{"when": "labels:vip", "effect": "deny", "reason": "x"}],
            context_for("run", labels={"vip": "1"}),
            "denied",
            "r1",
        ),
        (
            [{"when": "labels:vip", "effect": "deny", "reason": "x"}],
            context_for("run"),
            "approved",
            None,
        ),
    ],
)
def test_the_first_matching_rule_decides(
    rules: list[dict[str, Any]], context: dict[str, Any], verdict: str, rule: str | None
) -> None:
    decision = decide(PolicySet((policy(rules),)), context)
    assert decision.decision == verdict
    assert decision.rule == rule


def test_a_needs_approval_verdict_carries_the_terms_and_a_reason() -> None:
    rule = {
        **BIG,
        "required_approvals": 1,
        "timeout_seconds": 60,
        "on_timeout": "escalate",
        "severity": "high",
        "escalate_to": ["k9"],
    }
    decision = decide(PolicySet((policy([rule]),)), context_for("run", inputs={"amount": 2000}))
    assert decision.approval == {
        "approvers": ["k1"],
        "required_approvals": 1,
        "timeout_seconds": 60,
        "on_timeout": "escalate",
        "escalate_to": ["k9"],
    }
    assert decision.severity == "high"
    assert "requires approval" in decision.reasons[0]


def test_specific_attachments_come_before_the_project_and_the_default() -> None:
    deny_all = policy(
        [{"effect": "deny", "reason": "default says no"}], id="pol_default", attachments={}
    )
    project_allow = policy([{"effect": "allow", "reason": "project"}], id="pol_project")
    payroll = policy(
        [{"effect": "deny", "reason": "payroll is frozen"}],
        id="pol_payroll",
        attachments={"automations": ["payroll"]},
    )
    policies = PolicySet((deny_all, project_allow, payroll), default_id="pol_default")
    assert decide(policies, context_for("run", automation="payroll")).policy == "pol_payroll"
    assert decide(policies, context_for("run", automation="other")).policy == "pol_project"
    only_default = PolicySet((deny_all,), default_id="pol_default")
    assert decide(only_default, context_for("run", workflow="n8n-flow")).decision == "denied"
    unattached = PolicySet((deny_all,), default_id=None)
    assert decide(unattached, context_for("run")).decision == "approved"


def test_an_active_exception_unmatches_its_rule_within_its_scope_until_it_expires() -> None:
    rules = policy([DENY_PROD])
    soon = utcnow() + timedelta(hours=1)
    scoped = ActiveException(
        id="pex_1",
        policy_id="pol_a",
        rule_id="r1",
        scope={"automation": "payroll"},
        expires_at=soon,
    )
    policies = PolicySet((rules,), exceptions=(scoped,))
    in_scope = context_for("run", automation="payroll", environment="production")
    out_of_scope = context_for("run", automation="billing", environment="production")
    assert decide(policies, in_scope).decision == "approved"
    assert decide(policies, out_of_scope).decision == "denied"
    expired = ActiveException(
        id="pex_2",
        policy_id="pol_a",
        rule_id="r1",
        scope={},
        expires_at=datetime(2000, 1, 1, tzinfo=UTC),
    )
    assert decide(PolicySet((rules,), exceptions=(expired,)), in_scope).decision == "denied"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("foo = 1", "unknown field 'foo'"),
        ("step.name = 1", "use step.kind"),
        ("tool.name = 1", "has no member"),
        ("inputs.a = ", "syntax error at position 12"),
        ("(action = run", "syntax error"),
    ],
)
def test_an_invalid_when_says_where_and_why(text: str, message: str) -> None:
    with pytest.raises(expressions.InvalidExpression, match=message.replace("(", r"\(")):
        expressions.parse(text)


def test_severity_rises_one_level_and_stops_at_critical() -> None:
    assert [raise_severity(s) for s in ("low", "medium", "high", "critical")] == [
        "medium",
        "high",
        "critical",
        "critical",
    ]


def test_a_wildcard_of_many_stars_is_matched_in_linear_time() -> None:
    # As `.*a.*a…b` a backtracking regex tries every way of placing the 12 `a`s in the text:
    # C(300, 12), about 10^21, at 300 `a`s, which would never finish; returning at all is the
    # proof (pytest-timeout fails a regression).
    when = expressions.parse('inputs.name = "*a*a*a*a*a*a*a*a*a*a*a*a*b"')
    assert not when.matches(context_for("run", inputs={"name": "a" * 300}))
    assert when.matches(context_for("run", inputs={"name": "xa" * 12 + "yb"}))
    assert not when.matches(context_for("run", inputs={"name": "a" * 11 + "b"}))
    edges = expressions.parse('inputs.name = "ab*ba"')
    assert edges.matches(context_for("run", inputs={"name": "abba"}))
    assert edges.matches(context_for("run", inputs={"name": "ab-ba"}))
    assert not edges.matches(context_for("run", inputs={"name": "aba"}))

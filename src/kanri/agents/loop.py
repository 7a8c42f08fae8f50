"""The agent loop: model call → tool calls → model call … up to `max_steps`.

Each finished model call and tool call is written (fenced by the run's attempt) before the
loop goes on, so a run resumed after a crash replays finished calls from the database and
pays for none of them again. A tool that requires approval parks the run with an approval
record naming the exact call; the decision is read back when the run resumes.
"""

from __future__ import annotations

import json
import time
from datetime import timedelta
from functools import partial
from typing import Any
from urllib.parse import urlsplit

from kanri.agents import schemas
from kanri.agents.ledger import Ledger, store_notifications, store_tool_call, store_turn
from kanri.agents.setup import Setup, load_setup
from kanri.agents.tools import ToolContext, ToolResult, tools
from kanri.core.errors import NotFound
from kanri.core.time import utcnow
from kanri.costs import budgets
from kanri.costs import usage as usage_records
from kanri.engine.ports import Verdict, ports
from kanri.engine.registry import (
    IN_STEP_MARK,
    ApprovalRequest,
    ChildRun,
    Done,
    Fail,
    Outcome,
    StepContext,
    Wait,
    policy_wait,
)
from kanri.engine.statuses import ApprovalStatus, RunStatus
from kanri.providers import service as providers
from kanri.providers.clients import ModelReply, ModelRequest, Usage, complete
from kanri.providers.sdk import ProviderError

SUSPENDED_POLL_SECONDS = 5.0
DELTA_FLUSH_SECONDS = 0.25
POLICY = ":policy"  # the key suffix of a tool call's policy approval


class DeltaSink:
    """Batches streamed tokens into `run.delta` events (one write per flush interval)."""

    def __init__(self, ctx: StepContext, call_key: str) -> None:
        self.ctx = ctx
        self.call_key = call_key
        self.buffer: list[str] = []
        self.last = time.monotonic()
        self.index = 0

    def _data(self) -> dict[str, Any]:
        data = {"call_key": self.call_key, "index": self.index, "delta": "".join(self.buffer)}
        self.buffer.clear()
        self.index += 1
        return data

    async def __call__(self, text: str) -> None:
        self.buffer.append(text)
        if time.monotonic() - self.last >= DELTA_FLUSH_SECONDS:
            self.last = time.monotonic()
            db = self.ctx.services.kanri.db
            await db.write(
                usage_records.emit_delta, self.ctx.run_id, self.ctx.attempt, self._data()
            )

    def remainder(self) -> dict[str, Any] | None:
        return self._data() if self.buffer else None


def _over_budget(verdict: budgets.Verdict, call_key: str, approved: bool) -> Outcome | None:
    """What the budgets say of a model call: None to go ahead, else how the step stops."""
    if verdict.block:
        return Fail(verdict.block, retryable=False, details={"stop_reason": "budget_exceeded"})
    if verdict.approval and not approved:
        return _ask(f"Continue over budget: {verdict.approval}", f"{call_key}:budget", [])
    return None


async def _call(
    ctx: StepContext, provider: providers.ProviderConfig, request: ModelRequest, call_key: str
) -> tuple[ModelReply, dict[str, Any] | None] | Fail:
    """The call itself, its tokens streamed as `run.delta` events; the reply and the last
    batch of tokens not written yet."""
    sink = DeltaSink(ctx, call_key)
    try:
        reply = await complete(provider, request, sink)
    except ProviderError as exc:
        return Fail(exc.message, retryable=exc.retryable, details={"provider": provider.name})
    return reply, sink.remainder()


async def model_call(
    ctx: StepContext,
    provider: providers.ProviderConfig,
    request: ModelRequest,
    call_key: str,
    agent_id: str | None,
    approved_budget: bool,
) -> ModelReply | Outcome:
    """Budgets first, then the call, then its record (written before this returns); an
    Outcome when the step must stop."""
    ledger = Ledger(ctx, agent_id, None)
    outcome = await _loop_model_call(ctx, ledger, provider, request, call_key, approved_budget)
    await ledger.write()
    return outcome


async def _loop_model_call(
    ctx: StepContext,
    ledger: Ledger,
    provider: providers.ProviderConfig,
    request: ModelRequest,
    call_key: str,
    approved_budget: bool,
) -> ModelReply | Outcome:
    """Budgets first, then the call; its record (and any budget notice) is owed to the
    ledger. An Outcome when the step must stop."""
    verdict = await ledger.verdict_now()
    if verdict.notify:
        ledger.add(partial(store_notifications, items=verdict.notify))
    stop = _over_budget(verdict, call_key, approved_budget)
    if stop is not None:
        return stop
    called = await _call(ctx, provider, request, call_key)
    if isinstance(called, Fail):
        return called
    reply, remainder = called
    ledger.add(
        partial(
            usage_records.store_model_call,
            call_key=call_key,
            provider_id=provider.id,
            provider_name=provider.name,
            reply=reply,
            pending_delta=remainder,
        )
    )
    ledger.verdict = None  # the call's cost counts from now on
    return reply


def _ask(message: str, call_key: str, approvers: list[str], allow_self: bool = False) -> Wait:
    return Wait(
        approval=ApprovalRequest(
            message=f"{message}{IN_STEP_MARK}{call_key}",
            approvers=approvers,
            required_approvals=1,
            deadline=None,
            on_timeout="reject",
            allow_self_approval=allow_self,
        )
    )


def _arguments(call: dict[str, Any]) -> tuple[Any, str | None]:
    text = call.get("function", {}).get("arguments") or "{}"
    try:
        value = json.loads(text)
    except ValueError:
        return text, "the arguments are not valid JSON"
    if not isinstance(value, dict):
        return value, "the arguments must be a JSON object"
    return value, None


def _params(spec: schemas.AgentSpec) -> dict[str, Any]:
    runtime = spec.runtime
    return {
        key: value
        for key, value in (
            ("temperature", runtime.temperature),
            ("max_tokens", runtime.max_tokens),
            ("top_p", runtime.top_p),
        )
        if value is not None
    }


async def run_agent(
    ctx: StepContext,
    *,
    agent_ref: str | None,
    version: int | str | None,
    pinned: dict[str, Any] | None,
    conversation: list[dict[str, Any]],
    thread_id: str | None,
) -> Outcome:
    """Run (or resume) the loop of one agent step."""
    kanri = ctx.services.kanri
    try:
        setup: Setup = await kanri.db.read(
            load_setup,
            ctx,
            kanri.settings.secret,
            agent_ref,
            version,
            pinned,
            thread_id,
        )
    except (LookupError, NotFound, ValueError) as exc:
        return Fail(str(getattr(exc, "detail", exc)), retryable=False)
    ledger = Ledger(ctx, setup.agent_id, setup.verdict)
    outcome = await _loop(ctx, setup, ledger, conversation, thread_id)
    if isinstance(outcome, Done):
        return ledger.done(outcome.output)
    await ledger.write()  # parked or failed: what is owed is written first
    return outcome


async def _loop(
    ctx: StepContext,
    setup: Setup,
    ledger: Ledger,
    conversation: list[dict[str, Any]],
    thread_id: str | None,
) -> Outcome:
    spec = setup.spec
    model = spec.runtime.model or setup.provider.default_model or "offline"
    allowed = {t.name: t for t in spec.tools}
    registry = tools()
    tool_schemas = [registry[name].schema() for name in allowed if name in registry]
    messages: list[dict[str, Any]] = []
    if spec.instructions:
        messages.append({"role": "system", "content": spec.instructions})
    messages.extend(setup.history)
    messages.extend(conversation)
    turn_start = len(messages) - len(conversation)
    child = ctx.resumed if ctx.resumed and "run_id" in ctx.resumed else None
    total = Usage()
    for step in range(spec.max_steps):
        call_key = f"{ctx.step_id}:m{step}"
        reply = setup.model_calls.get(call_key)
        if reply is None:
            if setup.agent_status == "suspended":
                return Wait(until=utcnow() + timedelta(seconds=SUSPENDED_POLL_SECONDS))
            budget = setup.decisions.get(f"{call_key}:budget")
            if budget is not None and budget[0] != ApprovalStatus.APPROVED:
                return Fail(
                    "continuing over budget was refused",
                    retryable=False,
                    details={"stop_reason": "budget_exceeded"},
                )
            request = ModelRequest(
                model=model, messages=list(messages), tools=tool_schemas, params=_params(spec)
            )
            outcome = await _loop_model_call(
                ctx, ledger, setup.provider, request, call_key, budget is not None
            )
            if not isinstance(outcome, ModelReply):
                return outcome
            reply = outcome
        for key, value in reply.usage.as_dict().items():
            setattr(total, key, getattr(total, key) + value)
        messages.append(reply.message)
        calls = reply.message.get("tool_calls") or []
        if not calls:
            if thread_id:
                ledger.add(partial(store_turn, thread_id=thread_id, turn=messages[turn_start:]))
            return Done(
                {
                    "content": reply.message.get("content"),
                    "finish_reason": reply.finish_reason,
                    "model": reply.model,
                    "model_calls": step + 1,
                    "usage": total.as_dict(),
                }
            )
        for number, call in enumerate(calls):
            tool_key = f"{call_key}:t{number}"
            recorded = setup.tool_calls.get(tool_key)
            if recorded is not None:
                result = recorded.result
            else:
                outcome_or_result = await _tool_call(
                    ctx, setup, ledger, allowed, call, tool_key, child
                )
                if isinstance(outcome_or_result, Wait | Fail):
                    return outcome_or_result
                child = None
                result = outcome_or_result
            messages.append(
                {
                    "role": "tool",
                    "tool_call_id": call.get("id") or tool_key,
                    "content": json.dumps(result, default=str),
                }
            )
    return Fail(
        f"the agent reached max_steps ({spec.max_steps}) without a final answer",
        retryable=False,
        details={"stop_reason": "max_steps"},
    )


async def _govern(
    ctx: StepContext, setup: Setup, name: str, arguments: dict[str, Any]
) -> Verdict | None:
    """The project's policies on this call (action `tool_call`; for `http_request` also
    `http` with its host), each evaluation audited; the first verdict that is not
    `approved`, else None."""
    facts = setup.facts
    policies = ports().policies
    if facts is None or not policies.gates_calls(facts):
        return None
    host = None
    actions = ["tool_call"]
    if name == "http_request":
        host = urlsplit(str(arguments.get("url") or "")).hostname
        actions.append("http")
    for action in actions:
        decision = policies.decide(facts, action, agent=setup.agent_name, tool=name, http_host=host)
        if decision.considered:
            await ctx.services.kanri.db.write(
                policies.record, ctx.run_id, ctx.attempt, ctx.step_id, decision
            )
        if decision.decision != "approved":
            return decision
    return None


def _refusal(decision: tuple[str, str, str]) -> dict[str, Any]:
    status, comment, _ = decision
    if status == ApprovalStatus.EXPIRED:
        return {"error": "nobody approved this call in time", "comment": comment}
    return {"error": "a person refused this call", "comment": comment}


async def _tool_call(
    ctx: StepContext,
    setup: Setup,
    ledger: Ledger,
    allowed: dict[str, schemas.ToolSpec],
    call: dict[str, Any],
    tool_key: str,
    child: dict[str, Any] | None,
) -> Any:
    """Execute (or park for) one tool call and record it; returns the result, or a Wait.

    Before a call runs, the project's policies decide: `denied` feeds the refusal back to
    the model, `needs_approval` parks the run on an approval with the rule's terms (which
    also stands for the tool's own `requires_approval`)."""
    name = str(call.get("function", {}).get("name", ""))
    arguments, problem = _arguments(call)
    spec = allowed.get(name)
    tool = tools().get(name)
    emitted: list[tuple[str, dict[str, Any]]] = []
    status = "completed"
    result: Any
    approval_id: str | None = None
    if spec is None or tool is None:
        status, result = "failed", {"error": f"no tool named '{name}' is available"}
    elif problem is not None:
        status, result = "failed", {"error": problem}
    else:
        shown = json.dumps(arguments, sort_keys=True)[:5000]
        by_policy = setup.decisions.get(tool_key + POLICY)
        decision = setup.decisions.get(tool_key)
        verdict = None
        if by_policy is None and child is None:
            verdict = await _govern(ctx, setup, name, arguments)
        if verdict is not None and verdict.decision == "denied":
            status = "denied"
            result = {
                "error": "a policy denied this call",
                "reasons": verdict.reasons,
                "policy_id": verdict.policy,
                "rule_id": verdict.rule,
            }
        elif verdict is not None:  # needs_approval
            reasons = "; ".join(verdict.reasons)
            message = f"The agent asks to call {name} with {shown} ({reasons})"
            return policy_wait(verdict, f"{message}{IN_STEP_MARK}{tool_key}{POLICY}")
        elif by_policy is not None and by_policy[0] != ApprovalStatus.APPROVED:
            status, result, approval_id = "rejected", _refusal(by_policy), by_policy[2]
        elif spec.requires_approval and decision is None and by_policy is None:
            return _ask(
                f"The agent asks to call {name} with {shown}",
                tool_key,
                [],
                allow_self=bool(spec.config.get("allow_self_approval", False)),
            )
        elif decision is not None and decision[0] != ApprovalStatus.APPROVED:
            status, result, approval_id = "rejected", _refusal(decision), decision[2]
        elif child is not None:
            status = "completed" if child.get("status") == RunStatus.COMPLETED else "failed"
            result = {
                "run_id": child.get("run_id"),
                "status": child.get("status"),
                "outputs": child.get("outputs"),
                "error": child.get("error"),
            }
        else:
            approval_id = (by_policy or decision or (None, None, None))[2]
            context = ToolContext(
                run_id=ctx.run_id,
                project_id=ctx.project_id,
                environment_id=ctx.environment_id,
                agent_id=setup.agent_id,
                call_key=tool_key,
                idempotency_key=f"{ctx.run_id}:{tool_key}",
                config=spec.config,
                services=ctx.services,
                knowledge_namespaces=list(setup.spec.knowledge_namespaces),
            )
            if not tool.pure:  # it reaches outside: nothing owed may wait behind it
                await ledger.write()
            outcome = await tool.run(context, arguments)
            if isinstance(outcome, ChildRun):
                return Wait(child=outcome)
            assert isinstance(outcome, ToolResult)
            status = "completed" if outcome.ok else "failed"
            result = outcome.result
            emitted = context.emitted
    ledger.add(
        partial(
            store_tool_call,
            call_key=tool_key,
            call=call,
            arguments=arguments,
            status=status,
            result=result,
            emitted=emitted,
            approval_id=approval_id,
        )
    )
    return result

"""The agent loop: model call → tool calls → model call … up to `max_steps`.

Each finished model call and tool call is written (fenced by the run's attempt) before the
loop goes on, so a run resumed after a crash replays finished calls from the database and
pays for none of them again. A tool that requires approval parks the run with an approval
record naming the exact call; the decision is read back when the run resumes.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from functools import partial
from typing import Any, cast
from urllib.parse import urlsplit

from sqlalchemy import Table, bindparam, insert, select
from sqlalchemy.orm import Session

from kanri.agents import schemas
from kanri.agents import service as agents
from kanri.agents.models import AgentRow, ToolCallRow
from kanri.agents.tools import ToolContext, ToolResult, tools
from kanri.core.errors import NotFound
from kanri.core.ids import looks_like_id, new_id
from kanri.core.time import utcnow
from kanri.costs import budgets
from kanri.costs import usage as usage_records
from kanri.db.prepared import Prepared
from kanri.engine import fencing, run_log
from kanri.engine.claim import RunFacts
from kanri.engine.registry import (
    IN_STEP_MARK,
    ApprovalRequest,
    ChildRun,
    Done,
    Fail,
    Outcome,
    StepContext,
    Wait,
)
from kanri.governance import evaluator, gate
from kanri.providers import service as providers
from kanri.providers.clients import ModelReply, ModelRequest, ProviderError, Usage, complete
from kanri.runs.models import ApprovalRow
from kanri.runs.states import system_principal

SUSPENDED_POLL_SECONDS = 5.0
DELTA_FLUSH_SECONDS = 0.25
_CALL_MARK = re.compile(re.escape(IN_STEP_MARK) + r"(\S+)$")
POLICY = ":policy"  # the key suffix of a tool call's policy approval


@dataclass
class Setup:
    agent_id: str | None
    agent_name: str | None
    agent_status: str
    spec: schemas.AgentSpec
    provider: providers.ProviderConfig
    model_calls: dict[str, ModelReply]
    tool_calls: dict[str, ToolCallRow]
    decisions: dict[str, tuple[str, str, str]]  # call key → (status, comment, approval id)
    facts: RunFacts | None  # the run's policies (None: none has rules)
    history: list[dict[str, Any]]
    verdict: budgets.Verdict  # the budgets before the first model call


def _decisions(tx: Session, run_id: str, step_id: str) -> dict[str, tuple[str, str, str]]:
    out: dict[str, tuple[str, str, str]] = {}
    for row in tx.execute(
        select(ApprovalRow)
        .where(ApprovalRow.run_id == run_id, ApprovalRow.step_id == step_id)
        .order_by(ApprovalRow.create_time)
    ).scalars():
        mark = _CALL_MARK.search(row.message)
        if mark is not None:
            comment = next(
                (str(d.get("comment") or "") for d in row.decisions if d.get("outcome")), ""
            )
            out[mark.group(1)] = (row.status, comment, row.id)
    return out


_AGENT_STATE_OF = select(AgentRow.id, AgentRow.name, AgentRow.status).where(
    AgentRow.project_id == bindparam("project")
)
# Built once: every agent run reads its agent's state.
_AGENT_STATE = {
    True: Prepared(_AGENT_STATE_OF.where(AgentRow.id == bindparam("ref"))),
    False: Prepared(_AGENT_STATE_OF.where(AgentRow.name == bindparam("ref"))),
}
NO_AGENT: tuple[None, None, str] = (None, None, "active")  # a step given a spec, no agent


def load_setup(
    tx: Session,
    ctx: StepContext,
    secret: bytes,
    agent_ref: str | None,
    version: int | str | None,
    pinned: dict[str, Any] | None,
    thread_id: str | None,
) -> Setup:
    """Everything the loop needs, read in one transaction (what the step recorded in earlier
    tries only when it may have: `ctx.fresh`)."""
    run_id, project_id, step_id = ctx.run_id, ctx.project_id, ctx.step_id
    agent: dict[str, Any] | None = None
    if agent_ref is not None:
        by_id = looks_like_id(agent_ref, "agt")
        agent = _AGENT_STATE[by_id].read(tx, {"project": project_id, "ref": agent_ref})
        if agent is None:
            raise LookupError(f"agent '{agent_ref}' not found")
    if pinned is not None:
        spec_json = pinned
    else:
        assert agent is not None
        row = tx.get_one(AgentRow, agent["id"])
        if version == "draft":
            spec_json = row.spec
        else:
            number = version if isinstance(version, int) else row.published_version
            if number is None:
                raise LookupError(f"agent '{row.name}' has no published version")
            spec_json = agents._version_row(tx, row, number).spec
    spec = schemas.AgentSpec.model_validate(spec_json)
    provider = providers.resolve(tx, project_id, secret, spec.runtime.provider)
    history = agents.thread_history(tx, thread_id) if thread_id else []
    agent_id, name, status = (agent["id"], agent["name"], agent["status"]) if agent else NO_AGENT
    verdict = budgets.verdict(tx, project_id, agent_id)
    recorded = _Recorded({}, {}, {}) if ctx.fresh else _recorded(tx, run_id, step_id)
    return Setup(
        agent_id,
        name,
        status,
        spec,
        provider,
        recorded.model_calls,
        recorded.tool_calls,
        recorded.decisions,
        ctx.facts,
        history,
        verdict,
    )


@dataclass
class _Recorded:
    model_calls: dict[str, ModelReply]
    tool_calls: dict[str, ToolCallRow]
    decisions: dict[str, tuple[str, str, str]]


def _recorded(tx: Session, run_id: str, step_id: str) -> _Recorded:
    """What earlier tries of the step recorded: model calls, tool calls, approvals."""
    prefix = f"{step_id}:"
    models = {
        key: ModelReply(
            row.reply,
            row.finish_reason,
            Usage(
                row.input_tokens,
                row.output_tokens,
                row.cached_input_tokens,
                row.reasoning_tokens,
                row.total_tokens,
            ),
            row.model,
        )
        for key, row in usage_records.recorded_calls(tx, run_id, prefix).items()
    }
    tool_rows = {
        row.call_key: row
        for row in tx.execute(
            select(ToolCallRow).where(
                ToolCallRow.run_id == run_id, ToolCallRow.call_key.startswith(prefix)
            )
        ).scalars()
    }
    return _Recorded(models, tool_rows, _decisions(tx, run_id, step_id))


_INSERT_TOOL_CALL = Prepared(insert(cast(Table, ToolCallRow.__table__)))


def store_tool_call(
    tx: Session,
    run: fencing.FencedRun,
    call_key: str,
    call: dict[str, Any],
    arguments: Any,
    status: str,
    result: Any,
    emitted: list[tuple[str, dict[str, Any]]],
    approval_id: str | None = None,
) -> None:
    _INSERT_TOOL_CALL.run(
        tx,
        {
            "id": new_id("tcl"),
            "project_id": run.project_id,
            "run_id": run.id,
            "call_key": call_key,
            "tool_call_id": str(call.get("id") or call_key)[:200],
            "name": str(call.get("function", {}).get("name", ""))[:100],
            "arguments": arguments,
            "status": status,
            "result": result,
            "approval_id": approval_id,
            "create_time": utcnow(),
        },
    )
    who = system_principal(run)
    for event_type, data in [
        *emitted,
        (
            "run.tool_call",
            {"call_key": call_key, "name": call.get("function", {}).get("name"), "status": status},
        ),
    ]:
        run_log.emit_on_run(tx, who, run, event_type, data)


def store_turn(
    tx: Session, run: fencing.FencedRun, thread_id: str, turn: list[dict[str, Any]]
) -> None:
    agents.append_to_thread(tx, thread_id, run.id, turn)


def store_notifications(tx: Session, run: fencing.FencedRun, items: list[tuple[str, Any]]) -> None:
    budgets.record_notifications(tx, system_principal(run), items)


Entry = Callable[[Session, fencing.FencedRun], Any]  # a record written on the run, fenced


def write_entries(
    tx: Session,
    run_id: str,
    attempt: int,
    entries: list[Entry],
    budgets_of: tuple[str, str | None] | None = None,
) -> budgets.Verdict | None:
    """Write `entries` while the run is ours; with `budgets_of` (project, agent), the budgets'
    verdict after them."""
    run = fencing.fenced_run(tx, run_id, attempt)
    totals = (run.usage, run.cost_usd)
    for entry in entries:
        entry(tx, run)
    if (run.usage, run.cost_usd) != totals:
        fencing.save_totals(tx, run)
    return None if budgets_of is None else budgets.verdict(tx, *budgets_of)


@dataclass
class Ledger:
    """The records a run of the loop owes, written as late as is safe.

    A finished model call's record (and a tool call's) waits for the loop's next write as
    long as only computation follows it: before anything that costs money or reaches
    outside — the next model call, a tool that does I/O, parking the run — what is owed is
    written in one transaction, and what is owed when the step ends goes in the transaction
    of its checkpoint (`Done.effects`). So a crash can lose only records whose calls were
    followed by nothing but computation, and a run of N calls costs about N transactions."""

    ctx: StepContext
    agent_id: str | None
    verdict: budgets.Verdict | None  # the budgets' verdict; None: stale
    entries: list[Entry] = field(default_factory=list)

    def add(self, entry: Entry) -> None:
        self.entries.append(entry)

    async def write(self) -> None:
        """Write what is owed (nothing to do when nothing is)."""
        if self.entries:
            await self._write(None)

    async def verdict_now(self) -> budgets.Verdict:
        """The budgets' verdict now (written records count)."""
        if self.entries:
            self.verdict = await self._write((self.ctx.project_id, self.agent_id))
        elif self.verdict is None:
            db = self.ctx.services.kanri.db
            self.verdict = await db.read(budgets.verdict, self.ctx.project_id, self.agent_id)
        assert self.verdict is not None
        return self.verdict

    async def _write(self, budgets_of: tuple[str, str | None] | None) -> budgets.Verdict | None:
        entries, self.entries = self.entries, []
        db = self.ctx.services.kanri.db
        verdict: budgets.Verdict | None = await db.write(
            write_entries, self.ctx.run_id, self.ctx.attempt, entries, budgets_of
        )
        return verdict

    def done(self, output: Any) -> Done:
        """The step's outcome, carrying what is still owed into its checkpoint."""
        entries, self.entries = self.entries, []
        if not entries:
            return Done(output)
        effect = partial(
            write_entries, run_id=self.ctx.run_id, attempt=self.ctx.attempt, entries=entries
        )
        return Done(output, effects=(effect,))


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
            if budget is not None and budget[0] != "approved":
                return Fail(
                    "continuing over budget was refused",
                    retryable=False,
                    details={"stop_reason": "budget_exceeded"},
                )
            request = ModelRequest(model, list(messages), tool_schemas, _params(spec))
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
) -> evaluator.Decision | None:
    """The project's policies on this call (action `tool_call`; for `http_request` also
    `http` with its host), each evaluation audited; the first verdict that is not
    `approved`, else None."""
    facts = setup.facts
    if facts is None or not facts.policies.targets_calls:
        return None
    host = None
    actions = ["tool_call"]
    if name == "http_request":
        host = urlsplit(str(arguments.get("url") or "")).hostname
        actions.append("http")
    for action in actions:
        context = gate.context(facts, action, agent=setup.agent_name, tool=name, http_host=host)
        decision = evaluator.decide(facts.policies, context)
        if decision.considered:
            await ctx.services.kanri.db.write(
                gate.record, ctx.run_id, ctx.attempt, ctx.step_id, context, decision
            )
        if decision.decision != "approved":
            return decision
    return None


def _refusal(decision: tuple[str, str, str]) -> dict[str, Any]:
    status, comment, _ = decision
    if status == "expired":
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
            return gate.wait_for(verdict, f"{message}{IN_STEP_MARK}{tool_key}{POLICY}")
        elif by_policy is not None and by_policy[0] != "approved":
            status, result, approval_id = "rejected", _refusal(by_policy), by_policy[2]
        elif spec.requires_approval and decision is None and by_policy is None:
            return _ask(
                f"The agent asks to call {name} with {shown}",
                tool_key,
                [],
                allow_self=bool(spec.config.get("allow_self_approval", False)),
            )
        elif decision is not None and decision[0] != "approved":
            status, result, approval_id = "rejected", _refusal(decision), decision[2]
        elif child is not None:
            status = "completed" if child.get("status") == "completed" else "failed"
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

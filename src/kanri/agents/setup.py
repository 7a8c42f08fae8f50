"""What a run of the agent loop reads before its first call: the agent and its spec, the
provider, the thread's history, the budgets' verdict, and what earlier tries of the step
recorded (model calls, tool calls, approval decisions), so a resumed run replays them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from kanri.agents import schemas
from kanri.agents import service as agents
from kanri.agents.models import AgentRow, ToolCallRow
from kanri.core.scoping import PreparedByRef
from kanri.costs import budgets
from kanri.costs import usage as usage_records
from kanri.engine.models import ApprovalRow
from kanri.engine.registry import IN_STEP_MARK, StepContext
from kanri.providers import service as providers
from kanri.providers.clients import ModelReply, Usage

_CALL_MARK = re.compile(re.escape(IN_STEP_MARK) + r"(\S+)$")


@dataclass(kw_only=True)
class Setup:
    agent_id: str | None
    agent_name: str | None
    agent_status: str
    spec: schemas.AgentSpec
    provider: providers.ProviderConfig
    model_calls: dict[str, ModelReply]
    tool_calls: dict[str, ToolCallRow]
    decisions: dict[str, tuple[str, str, str]]  # call key → (status, comment, approval id)
    facts: Any  # what the run's policies read (the engine's `Policies` port's; None: no rules)
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


# Built once: every agent run reads its agent's state.
_AGENT_STATE = PreparedByRef(
    select(AgentRow.id, AgentRow.name, AgentRow.status).where(
        AgentRow.project_id == bindparam("project")
    ),
    prefix="agt",
    id_column=AgentRow.id,
    name_column=AgentRow.name,
)
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
        agent = _AGENT_STATE.read(tx, agent_ref, {"project": project_id})
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
    provider = providers.resolve(tx, project_id, secret, spec.runtime.provider, ctx.environment_id)
    history = agents.thread_history(tx, thread_id) if thread_id else []
    agent_id, name, status = (agent["id"], agent["name"], agent["status"]) if agent else NO_AGENT
    verdict = budgets.verdict(tx, project_id, agent_id)
    recorded = _Recorded({}, {}, {}) if ctx.fresh else _recorded(tx, run_id, step_id)
    return Setup(
        agent_id=agent_id,
        agent_name=name,
        agent_status=status,
        spec=spec,
        provider=provider,
        model_calls=recorded.model_calls,
        tool_calls=recorded.tool_calls,
        decisions=recorded.decisions,
        facts=ctx.facts,
        history=history,
        verdict=verdict,
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
            message=row.reply,
            finish_reason=row.finish_reason,
            usage=Usage(
                input_tokens=row.input_tokens,
                output_tokens=row.output_tokens,
                cached_input_tokens=row.cached_input_tokens,
                reasoning_tokens=row.reasoning_tokens,
                total_tokens=row.total_tokens,
            ),
            model=row.model,
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

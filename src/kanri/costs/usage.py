"""Recording model calls: usage and cost stored with the call and summed on the run."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any, cast

from sqlalchemy import Table, func, insert, select
from sqlalchemy.orm import Session

from kanri.core.auth import Principal
from kanri.core.ids import new_id
from kanri.core.scoping import scoped
from kanri.core.time import utcnow
from kanri.costs import prices
from kanri.costs.models import ModelCallRow
from kanri.db.prepared import Prepared
from kanri.engine import fencing, run_log
from kanri.engine.models import RunRow
from kanri.engine.states import system_principal
from kanri.providers.clients import ModelReply, add_usage

DELTA_EVENT = "run.delta"


def recorded_calls(tx: Session, run_id: str, prefix: str) -> dict[str, ModelCallRow]:
    """The run's finished model calls whose key starts with `prefix`, by key."""
    rows = tx.execute(
        select(ModelCallRow).where(
            ModelCallRow.run_id == run_id, ModelCallRow.call_key.startswith(prefix)
        )
    ).scalars()
    return {row.call_key: row for row in rows}


CallingRun = RunRow | fencing.FencedRun  # the run a model call is stored on


_INSERT_CALL = Prepared(insert(cast(Table, ModelCallRow.__table__)))


def _store_call(
    tx: Session,
    run: CallingRun,
    call_key: str,
    provider_id: str,
    provider_name: str,
    reply: ModelReply,
) -> Decimal:
    """Store a finished model call of `run`, priced at the price in force; returns its cost."""
    now = utcnow()
    usage = reply.usage
    terms = prices.terms_for(tx, run.project_id, provider_id, provider_name, reply.model, now)
    cost = prices.cost_of(terms, usage.input_tokens, usage.cached_input_tokens, usage.output_tokens)
    _INSERT_CALL.run(
        tx,
        {
            "id": new_id("mcl"),
            "project_id": run.project_id,
            "environment_id": run.environment_id,
            "run_id": run.id,
            "call_key": call_key,
            "agent_id": run.agent_id,
            "automation_id": run.automation_id,
            "provider_id": provider_id,
            "provider_name": provider_name,
            "model": reply.model,
            "reply": reply.message,
            "finish_reason": reply.finish_reason,
            "input_tokens": usage.input_tokens,
            "output_tokens": usage.output_tokens,
            "cached_input_tokens": usage.cached_input_tokens,
            "reasoning_tokens": usage.reasoning_tokens,
            "total_tokens": usage.total_tokens,
            "cost_usd": cost,
            "price_id": terms.id if terms else None,
            "latency_ms": reply.latency_ms,
            "create_time": now,
        },
    )
    return cost


def store_model_call(
    tx: Session,
    run: CallingRun,
    call_key: str,
    provider_id: str,
    provider_name: str,
    reply: ModelReply,
    pending_delta: dict[str, Any] | None,
) -> dict[str, Any]:
    """Store a finished call of a run already fenced (locked, ours) and add its usage and
    cost to the run (the caller saves the run's new `usage` and `cost_usd`; the ORM does
    for a row); returns the call's summary."""
    who = system_principal(run)
    if pending_delta is not None:
        run_log.emit_on_run(tx, who, run, DELTA_EVENT, pending_delta)
    usage = reply.usage
    cost = _store_call(tx, run, call_key, provider_id, provider_name, reply)
    run.usage = add_usage(run.usage, usage.as_dict())
    run.cost_usd = (run.cost_usd or Decimal(0)) + cost
    summary = {
        "call_key": call_key,
        "provider": provider_name,
        "model": reply.model,
        "latency_ms": reply.latency_ms,
        "usage": usage.as_dict(),
        "cost_usd": str(cost),
    }
    run_log.emit_on_run(tx, who, run, "run.model_call", summary)
    return summary


def emit_delta(tx: Session, run_id: str, attempt: int, data: dict[str, Any]) -> None:
    """A batch of streamed tokens as a run event (fenced)."""
    run = fencing.fenced(tx, run_id, attempt)
    run_log.emit_on_run(tx, system_principal(run), run, DELTA_EVENT, data)


def record_judge_call(
    tx: Session,
    run_id: str,
    judge_id: str,
    provider_id: str,
    provider_name: str,
    reply: ModelReply,
) -> None:
    """Store an llm judge's call on the run it scored: in the project's (and the run's
    agent's) costs and budgets, not in the finished run's own totals. Once per judge and run."""
    run = tx.get(RunRow, run_id)
    call_key = f"judge:{judge_id}"
    if (
        run is None
        or tx.execute(
            select(ModelCallRow.id).where(
                ModelCallRow.run_id == run_id, ModelCallRow.call_key == call_key
            )
        ).first()
    ):
        return
    _store_call(tx, run, call_key, provider_id, provider_name, reply)


def spend_by_agent(tx: Session, who: Principal, since: datetime) -> dict[str, tuple[int, Decimal]]:
    """Per agent of who's project: the tokens and the cost (USD) of its model calls since
    `since`."""
    found = tx.execute(
        scoped(
            select(
                ModelCallRow.agent_id,
                func.sum(ModelCallRow.total_tokens),
                func.sum(ModelCallRow.cost_usd),
            ),
            who,
        )
        .where(ModelCallRow.create_time >= since, ModelCallRow.agent_id.is_not(None))
        .group_by(ModelCallRow.agent_id)
    ).all()
    return {str(r[0]): (int(r[1] or 0), Decimal(str(r[2] or 0))) for r in found}

"""Fenced writes: every write a worker makes for a run is fenced by `attempt`: it only
applies while the run is still `running` under the attempt the worker claimed. A worker
that lost its lease (paused, partitioned) changes nothing once another has claimed the run.
Here: the fence itself, and the fenced writes that end a run or hand it back to the queue.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, cast

from sqlalchemy import Table, bindparam, select, update
from sqlalchemy.orm import Session, defer

from kanri.db.prepared import Prepared
from kanri.engine.models import RunRow
from kanri.engine.states import transition
from kanri.engine.statuses import RunStatus


class LostLease(Exception):
    """The run is no longer this worker's (cancelled, or claimed by another after a lease)."""


_RUNS = cast(Table, RunRow.__table__)


# Built once (compiled-cache hits); a fenced write sets the JSON columns but seldom reads
# them: they are not loaded unless used.
_FENCED = (
    select(RunRow)
    .options(
        defer(RunRow.definition),
        defer(RunRow.inputs),
        defer(RunRow.outputs),
        defer(RunRow.error),
        defer(RunRow.labels),
    )
    .where(RunRow.id == bindparam("run_id"))
    .with_for_update()
)


@dataclass(kw_only=True)
class FencedRun:
    """A run locked by a fenced write, read with Core: what records about it need. Its
    `usage` and `cost_usd` may be changed; `save_totals` writes them."""

    id: str
    organization_id: str
    project_id: str
    environment_id: str | None
    automation_id: str | None
    agent_id: str | None
    usage: dict[str, Any] | None
    cost_usd: Decimal | None


_FENCED_TOTALS = Prepared(
    select(
        _RUNS.c.id,
        _RUNS.c.status,
        _RUNS.c.attempt,
        _RUNS.c.organization_id,
        _RUNS.c.project_id,
        _RUNS.c.environment_id,
        _RUNS.c.automation_id,
        _RUNS.c.agent_id,
        _RUNS.c.usage,
        _RUNS.c.cost_usd,
    )
    .where(_RUNS.c.id == bindparam("run_id"))
    .with_for_update()
)
_SAVE_TOTALS = (
    update(_RUNS)
    .where(_RUNS.c.id == bindparam("b_id"))
    .values(
        usage=bindparam("b_usage", type_=_RUNS.c.usage.type),
        cost_usd=bindparam("b_cost", type_=_RUNS.c.cost_usd.type),
    )
)


def fenced_run(tx: Session, run_id: str, attempt: int) -> FencedRun:
    """`fenced` without the ORM (one prepared read): for writes that only add records."""
    row = _FENCED_TOTALS.read(tx, {"run_id": run_id})
    if row is None or row.pop("status") != RunStatus.RUNNING or row.pop("attempt") != attempt:
        raise LostLease(run_id)
    return FencedRun(**row)


def save_totals(tx: Session, run: FencedRun) -> None:
    tx.execute(_SAVE_TOTALS, {"b_id": run.id, "b_usage": run.usage, "b_cost": run.cost_usd})


def fenced(tx: Session, run_id: str, attempt: int) -> RunRow:
    """The run, locked, if it is still running under `attempt`; LostLease otherwise."""
    run = tx.execute(_FENCED, {"run_id": run_id}).scalar_one_or_none()
    if run is None or run.status != RunStatus.RUNNING or run.attempt != attempt:
        raise LostLease(run_id)
    return run


def finish(tx: Session, run_id: str, attempt: int, outputs: Any) -> None:
    run = fenced(tx, run_id, attempt)
    transition(tx, run, RunStatus.COMPLETED, stop_reason="completed", outputs=outputs)


def fail(
    tx: Session, run_id: str, attempt: int, error: dict[str, Any], stop_reason: str = "error"
) -> None:
    run = fenced(tx, run_id, attempt)
    transition(tx, run, RunStatus.FAILED, stop_reason=stop_reason, error=error)


def backoff(tx: Session, run_id: str, attempt: int, until: datetime) -> None:
    """Hand the run back to the queue until `until` (a step retry with a long backoff)."""
    run = fenced(tx, run_id, attempt)
    transition(
        tx, run, RunStatus.PENDING, available_at=until, lease_owner=None, lease_expires_at=None
    )

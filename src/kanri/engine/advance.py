"""The batched completer's writes: the completed steps of several runs checkpointed, their
cursors moved and their completions written, in one transaction of a few statements."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, bindparam, insert, select, update
from sqlalchemy.orm import Session

from kanri.core import events
from kanri.core.ids import new_id
from kanri.core.time import utcnow
from kanri.engine import states
from kanri.engine.models import RunLogRow, RunRow, RunStepRow
from kanri.engine.run_log import emit_on_run
from kanri.engine.statuses import RunStatus, StepStatus

_RUNS = cast(Table, RunRow.__table__)
_STEPS = cast(Table, RunStepRow.__table__)
_UTC = _RUNS.c.update_time.type


@dataclass(frozen=True, kw_only=True)
class Done:
    """A completed step waiting to be checkpointed (with the logs and events it made)."""

    seq: int
    step_id: str
    kind: str
    output: Any
    step_attempt: int
    started: datetime
    ended: datetime
    cursor: str | None
    resumed_seq: int | None = None
    logs: tuple[tuple[str, str], ...] = ()
    emitted: tuple[tuple[str, dict[str, Any]], ...] = ()
    effects: tuple[Callable[[Session], Any], ...] = ()  # registry.Done.effects


@dataclass(frozen=True)
class Advance:
    """A run's completed steps to checkpoint and, unless `outputs` is UNFINISHED, its
    completion with those outputs."""

    run_id: str
    attempt: int
    done: tuple[Done, ...]
    outputs: Any


_INSERT_STEP = insert(_STEPS)
_INSERT_LOG = insert(cast(Table, RunLogRow.__table__))
UNFINISHED: Any = object()
# The runs a batch of advances writes, locked in one order (id) by every writer.
_LOCK_RUNS = (
    select(
        _RUNS.c.id,
        _RUNS.c.status,
        _RUNS.c.attempt,
        _RUNS.c.stop_reason,
        _RUNS.c.cursor,
        _RUNS.c.organization_id,
        _RUNS.c.project_id,
        _RUNS.c.environment_id,
        _RUNS.c.automation_id,
        _RUNS.c.parent_run_id,
        _RUNS.c.parent_step_id,
    )
    .where(_RUNS.c.id.in_(bindparam("ids", expanding=True)))
    .order_by(_RUNS.c.id)
    .with_for_update()
)
_MOVE_CURSOR = (
    update(_RUNS)
    .where(_RUNS.c.id == bindparam("b_id"))
    .values(cursor=bindparam("b_cursor"), update_time=bindparam("b_now", type_=_UTC))
)
_COMPLETE = (
    update(_RUNS)
    .where(_RUNS.c.id == bindparam("b_id"))
    .values(
        status=RunStatus.COMPLETED,
        stop_reason="completed",
        outputs=bindparam("b_outputs", type_=_RUNS.c.outputs.type),
        cursor=bindparam("b_cursor"),
        lease_owner=None,
        lease_expires_at=None,
        end_time=bindparam("b_now", type_=_UTC),
        update_time=bindparam("b_now", type_=_UTC),
    )
)
_RESUMED_STEP = (
    update(_STEPS)
    .where(_STEPS.c.run_id == bindparam("b_run"), _STEPS.c.seq == bindparam("b_seq"))
    .values(
        status=StepStatus.COMPLETED,
        output=bindparam("b_output", type_=_STEPS.c.output.type),
        error=None,
        end_time=bindparam("b_now", type_=_UTC),
    )
)


def advance(tx: Session, batch: list[Advance]) -> list[bool]:
    """Checkpoint the completed steps of several runs (their logs and events first, each),
    move each run's cursor past its last, and complete the runs that have outputs: one
    transaction, a few statements for the whole batch. Fenced per run: an advance applies
    only while its run is `running` under its attempt; the result says, per advance in
    order, whether it did (False: the run is no longer the worker's)."""
    now = utcnow()  # a checkpoint's end_time is when it was written
    rows = {row.id: row for row in tx.execute(_LOCK_RUNS, {"ids": [a.run_id for a in batch]})}
    applied: list[bool] = []
    effected = False
    new_steps: list[dict[str, Any]] = []
    resumed_steps: list[dict[str, Any]] = []
    logs: list[dict[str, Any]] = []
    cursors: list[dict[str, Any]] = []
    completions: list[dict[str, Any]] = []
    for item in batch:
        run = rows.get(item.run_id)
        if run is None or run.status != RunStatus.RUNNING or run.attempt != item.attempt:
            applied.append(False)
            continue
        applied.append(True)
        ref = states.RunRef(
            id=run.id,
            organization_id=run.organization_id,
            project_id=run.project_id,
            environment_id=run.environment_id,
            automation_id=run.automation_id,
        )
        who = states.system_principal(ref)
        for step in item.done:
            for effect in step.effects:
                effect(tx)
                effected = True
            for level, message in step.logs:
                logs.append(
                    {
                        "id": new_id("log"),
                        "run_id": run.id,
                        "step_id": step.step_id,
                        "level": level,
                        "message": message[:10_000],
                        "create_time": step.ended,
                    }
                )
            for event_type, data in step.emitted:
                emit_on_run(tx, who, run, event_type, data)
            if step.resumed_seq is not None:
                resumed_steps.append(
                    {"b_run": run.id, "b_seq": step.resumed_seq, "b_output": step.output}
                )
            else:
                new_steps.append(
                    {
                        "id": new_id("stp"),
                        "run_id": run.id,
                        "seq": step.seq,
                        "step_id": step.step_id,
                        "kind": step.kind,
                        "status": StepStatus.COMPLETED,
                        "output": step.output,
                        "error": None,
                        "attempt": step.step_attempt,
                        "run_attempt": item.attempt,
                        "start_time": step.started,
                        "end_time": now,
                    }
                )
            events.emit(
                tx,
                who,
                "run.step_completed",
                "run",
                run.id,
                {
                    "run_id": run.id,
                    "step_id": step.step_id,
                    "kind": step.kind,
                    "status": StepStatus.COMPLETED,
                    "error": None,
                },
                project_id=run.project_id,
                environment_id=run.environment_id,
            )
        cursor = item.done[-1].cursor if item.done else run.cursor
        if item.outputs is UNFINISHED:
            if item.done:
                cursors.append({"b_id": run.id, "b_cursor": cursor})
            continue
        states.check(run.status, RunStatus.COMPLETED, "completed")
        completions.append({"b_id": run.id, "b_cursor": cursor, "b_outputs": item.outputs})
        states.record(tx, who, ref, run.status, RunStatus.COMPLETED, run.stop_reason, "completed")
        if run.parent_run_id is not None:
            states.wake_parent(tx, run.parent_run_id, run.parent_step_id)
    if effected:  # what the effects changed through the ORM, before the statements below
        tx.flush()
    if logs:
        tx.execute(_INSERT_LOG, logs)
    if new_steps:
        tx.execute(_INSERT_STEP, new_steps)
    for values in (resumed_steps, cursors, completions):
        for row in values:
            row["b_now"] = now
    if resumed_steps:
        tx.execute(_RESUMED_STEP, resumed_steps)
    if cursors:
        tx.execute(_MOVE_CURSOR, cursors)
    if completions:
        tx.execute(_COMPLETE, completions)
    return applied

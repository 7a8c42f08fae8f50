"""Traces of kanri's own runs, in the span store OTLP spans use: a finished run is a trace
whose root span is the run and whose children are its steps, with status, kind, attempts,
tokens and cost as attributes.

They are written after the fact by the schedule leader (`RunTracer`), from the run
tables, never on the engine's path: a run costs the engine nothing more. Every tick looks
at the runs that ended in the last OVERLAP (and, when it starts, the last hour); a run
traced twice is stored once (the span store's unique trace and span ids). The trace id is
the run's ULID as 32 hexadecimal digits, so `GET /v1/traces/{hex}` of a run is known.
"""

from __future__ import annotations

import asyncio
import hashlib
import random
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import structlog
from sqlalchemy import select
from sqlalchemy.orm import Session

from kanri.core.ids import decode, new_id
from kanri.core.time import utcnow
from kanri.engine.models import RunRow, RunStepRow
from kanri.observability.otlp import store_spans

if TYPE_CHECKING:
    from kanri.runtime import Kanri

log = structlog.get_logger("observability")
SERVICE = "kanri"
TICK_SECONDS = 5.0
OVERLAP = timedelta(minutes=2)  # runs that ended this long before the last tick, again
FIRST_LOOK = timedelta(hours=1)
BATCH = 500
_FINISHED = ("completed", "failed", "cancelled")


def trace_id_of(run_id: str) -> str:
    """The trace id of a run: its ULID's 128 bits in hexadecimal."""
    return f"{decode(run_id.rpartition('_')[2]):032x}"


def _span_id(source: str) -> str:
    return hashlib.sha256(source.encode()).hexdigest()[:16]


def _status(status: str) -> str:
    return "ok" if status == "completed" else "error"


def _tokens(usage: dict[str, Any] | None) -> int | None:
    if not usage:
        return None
    total = usage.get("total_tokens")
    if total is None:
        total = (usage.get("input_tokens") or 0) + (usage.get("output_tokens") or 0)
    return int(total)


def run_spans(run: RunRow, steps: list[RunStepRow], now: datetime) -> list[dict[str, Any]]:
    """The spans of one finished run: the run, then each step execution under it."""
    trace_id = trace_id_of(run.id)
    root = _span_id(run.id)
    start = run.start_time or run.create_time
    end = run.end_time or start
    attributes: dict[str, Any] = {
        "run_id": run.id,
        "status": run.status,
        "triggered_by": run.triggered_by,
        "attempts": run.attempt,
    }
    for key, value in (
        ("automation_id", run.automation_id),
        ("agent_id", run.agent_id),
        ("stop_reason", run.stop_reason),
        ("tokens", _tokens(run.usage)),
        ("cost_usd", float(run.cost_usd) if run.cost_usd is not None else None),
    ):
        if value is not None:
            attributes[key] = value
    common = {
        "project_id": run.project_id,
        "environment_id": run.environment_id or "",
        "trace_id": trace_id,
        "kind": "internal",
        "service": SERVICE,
        "create_time": now,
    }
    spans = [
        {
            **common,
            "id": new_id("spn"),
            "span_id": root,
            "parent_span_id": None,
            "name": f"run {run.automation_id or run.agent_id or run.id}",
            "start_time": start,
            "end_time": end,
            "duration_ms": max((end - start).total_seconds() * 1000, 0.0),
            "status": _status(run.status),
            "status_message": (run.error or {}).get("message") if run.error else None,
            "attributes": attributes,
        }
    ]
    for step in steps:
        step_end = step.end_time or end
        spans.append(
            {
                **common,
                "id": new_id("spn"),
                "span_id": _span_id(step.id),
                "parent_span_id": root,
                "name": f"step {step.step_id}",
                "start_time": step.start_time,
                "end_time": step_end,
                "duration_ms": max((step_end - step.start_time).total_seconds() * 1000, 0.0),
                "status": _status(step.status) if step.status != "waiting" else "unset",
                "status_message": (step.error or {}).get("message") if step.error else None,
                "attributes": {
                    "step_id": step.step_id,
                    "kind": step.kind,
                    "status": step.status,
                    "attempt": step.attempt,
                },
            }
        )
    return spans


def trace_runs(tx: Session, since: datetime, limit: int = BATCH) -> tuple[int, datetime | None]:
    """Store the spans of up to `limit` runs that finished at or after `since`; how many
    spans were new, and the end time of the last run read (None when there was none)."""
    runs = list(
        tx.execute(
            select(RunRow)
            .where(RunRow.status.in_(_FINISHED), RunRow.end_time >= since)
            .order_by(RunRow.end_time, RunRow.id)
            .limit(limit)
        ).scalars()
    )
    if not runs:
        return 0, None
    steps: dict[str, list[RunStepRow]] = {run.id: [] for run in runs}
    for step in tx.execute(
        select(RunStepRow)
        .where(RunStepRow.run_id.in_(list(steps)))
        .order_by(RunStepRow.run_id, RunStepRow.seq)
    ).scalars():
        steps[step.run_id].append(step)
    now = utcnow()
    rows = [span for run in runs for span in run_spans(run, steps[run.id], now)]
    return store_spans(tx, rows), runs[-1].end_time


class RunTracer:
    """Every TICK_SECONDS, while `leading()`, stores the traces of runs that finished."""

    def __init__(self, kanri: Kanri, leading: Callable[[], bool]) -> None:
        self.db = kanri.db
        self.leading = leading
        self.since = utcnow() - FIRST_LOOK
        self._task: asyncio.Task[None] | None = None

    async def tick(self) -> int:
        """Trace what finished since the last tick (less OVERLAP); how many spans were new."""
        start = utcnow()
        since, total = self.since, 0
        while True:
            stored, last = await self.db.write(trace_runs, since)
            total += stored
            if last is None or last <= since:
                break
            since = last
        self.since = start - OVERLAP
        return total

    async def start(self) -> None:
        self._task = asyncio.create_task(self._loop(), name="kanri-run-tracer")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None

    async def _loop(self) -> None:
        while True:
            await asyncio.sleep(TICK_SECONDS * (0.8 + 0.4 * random.random()))
            if not self.leading():
                continue
            try:
                await self.tick()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("run_tracing_failed")

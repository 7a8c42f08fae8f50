"""Workers and the leases of their runs: a worker's registration and stop, heartbeats that
extend the leases of its in-flight runs, and the sweep that re-queues runs whose lease
expired."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from kanri.core.time import utcnow
from kanri.engine.models import RunRow, WorkerRow
from kanri.engine.states import transition
from kanri.engine.statuses import RunStatus


def heartbeat(
    tx: Session, worker_id: str, runs: list[tuple[str, int]], lease_seconds: float
) -> list[tuple[str, int]]:
    """Extend the leases of in-flight runs; returns the (id, attempt) pairs no longer ours."""
    now = utcnow()
    tx.execute(update(WorkerRow).where(WorkerRow.id == worker_id).values(heartbeat_time=now))
    lost = []
    for run_id, attempt in runs:
        result = tx.execute(
            update(RunRow)
            .where(
                RunRow.id == run_id, RunRow.attempt == attempt, RunRow.status == RunStatus.RUNNING
            )
            .values(lease_expires_at=now + timedelta(seconds=lease_seconds))
        )
        if result.rowcount == 0:  # type: ignore[attr-defined]
            lost.append((run_id, attempt))
    return lost


def sweep(tx: Session) -> int:
    """Re-queue runs whose lease expired (their worker died or stalled)."""
    now = utcnow()
    # Lock what we take (skipping rows a worker is writing right now) so the sweep never
    # overwrites a run claimed or heartbeated after our look, and takes locks in the same
    # order as everyone else: the run row first, then the audit head.
    stale_query = select(RunRow).where(
        RunRow.status == RunStatus.RUNNING,
        or_(RunRow.lease_expires_at.is_(None), RunRow.lease_expires_at < now),
    )
    if tx.get_bind().dialect.name == "postgresql":
        stale_query = stale_query.with_for_update(skip_locked=True)
    stale = list(tx.execute(stale_query.limit(500)).scalars())
    for run in stale:
        transition(
            tx, run, RunStatus.PENDING, available_at=now, lease_owner=None, lease_expires_at=None
        )
    return len(stale)


def register_worker(tx: Session, worker_id: str, hostname: str, pid: int, concurrency: int) -> None:
    now = utcnow()
    tx.add(
        WorkerRow(
            id=worker_id,
            hostname=hostname,
            pid=pid,
            concurrency=concurrency,
            start_time=now,
            heartbeat_time=now,
            stop_time=None,
        )
    )


def stop_worker(tx: Session, worker_id: str) -> None:
    tx.execute(update(WorkerRow).where(WorkerRow.id == worker_id).values(stop_time=utcnow()))

"""What a run leaves in its log and in the outbox: log lines and events about it."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from kanri.core import events
from kanri.core.auth import Principal
from kanri.core.ids import new_id
from kanri.core.time import utcnow
from kanri.engine.models import RunLogRow, RunRow
from kanri.engine.states import system_principal


def log(tx: Session, run_id: str, step_id: str | None, level: str, message: str) -> None:
    tx.add(
        RunLogRow(
            id=new_id("log"),
            run_id=run_id,
            step_id=step_id,
            level=level,
            message=message[:10_000],
            create_time=utcnow(),
        )
    )


def emit_on_run(
    tx: Session, who: Principal, run: Any, event_type: str, data: dict[str, Any]
) -> None:
    """An outbox event about `run` (a row with its id, project and environment)."""
    events.emit(
        tx,
        who,
        event_type,
        "run",
        run.id,
        data,
        project_id=run.project_id,
        environment_id=run.environment_id,
    )


def emit_for_run(tx: Session, run_id: str, event_type: str, data: dict[str, Any]) -> None:
    run = tx.get(RunRow, run_id)
    if run is not None:
        emit_on_run(tx, system_principal(run), run, event_type, data)

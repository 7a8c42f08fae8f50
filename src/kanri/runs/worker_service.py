"""The deployment's workers as the API sees them."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from kanri.core.auth import Principal
from kanri.engine.models import WorkerRow
from kanri.runs import schemas


def workers(tx: Session, who: Principal) -> list[schemas.Worker]:
    """Workers of this deployment with their last heartbeat (admin keys)."""
    rows = tx.execute(
        select(WorkerRow).where(WorkerRow.stop_time.is_(None)).order_by(WorkerRow.start_time)
    ).scalars()
    return [schemas.Worker.model_validate(r) for r in rows]

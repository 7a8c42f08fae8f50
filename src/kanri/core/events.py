"""The outbox: a mutation appends its domain event in the same transaction.

Events are inserted together (one multi-row INSERT) just before the transaction commits;
nothing reads the outbox inside the transaction that writes it.
"""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import Table, event, insert
from sqlalchemy.orm import Session

from kanri.core.auth import Principal
from kanri.core.canonical import plain
from kanri.core.ids import new_id
from kanri.core.models import OutboxEventRow
from kanri.core.time import utcnow
from kanri.db.prepared import Prepared

_INSERT_EVENT = Prepared(insert(cast(Table, OutboxEventRow.__table__)))
# tx.info key: this transaction's events, inserted before its commit. A list in tx.info
# rolls back with the SQLite writer's per-command savepoint (db/database.py).
_BUFFER = "kanri.events.pending"


def emit(
    tx: Session,
    who: Principal,
    event_type: str,
    resource_type: str,
    resource_id: str,
    data: dict[str, Any],
    *,
    project_id: str | None = None,
    environment_id: str | None = None,
    json_ready: bool = False,
) -> str:
    """Append an event (`environment.created`, …) to the outbox; returns its id.

    `json_ready`: `data` holds JSON values only (no datetimes) and is not changed after
    this call, so it is stored as given instead of as a converted copy."""
    project = project_id or who.project_id
    event_id = new_id("evt")
    tx.info.setdefault(_BUFFER, []).append(
        {
            "id": event_id,
            "scope_id": project or who.organization_id,
            "organization_id": who.organization_id,
            "project_id": project,
            "environment_id": environment_id,
            "type": event_type,
            "resource_type": resource_type,
            "resource_id": resource_id,
            "data": data if json_ready else plain(data),
            "request_id": who.request_id,
            "create_time": utcnow(),
        }
    )
    return event_id


def _insert_pending(session: Session) -> None:
    rows: list[dict[str, Any]] | None = session.info.pop(_BUFFER, None)
    if rows:
        _INSERT_EVENT.run_many(session.connection(), rows)


event.listen(Session, "before_commit", _insert_pending)


def _discard(session: Session, previous: Any) -> None:
    if not previous.nested:  # the transaction is gone: so are its buffered rows
        session.info.pop(_BUFFER, None)


event.listen(Session, "after_soft_rollback", _discard)


def emit_many(
    tx: Session,
    who: Principal,
    entries: list[tuple[str, str, str, dict[str, Any]]],
    *,
    project_id: str | None = None,
    environment_id: str | None = None,
    json_ready: bool = False,
) -> None:
    """Append several (type, resource_type, resource_id, data) events (one insert at commit);
    `json_ready` as for `emit`."""
    for event_type, resource_type, resource_id, data in entries:
        emit(
            tx,
            who,
            event_type,
            resource_type,
            resource_id,
            data,
            project_id=project_id,
            environment_id=environment_id,
            json_ready=json_ready,
        )

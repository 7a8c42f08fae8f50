"""The outbox: a mutation appends its domain event in the same transaction."""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import Table, insert
from sqlalchemy.orm import Session

from kanri.core.auth import Principal
from kanri.core.canonical import plain
from kanri.core.ids import new_id
from kanri.core.models import OutboxEventRow
from kanri.core.time import utcnow

_INSERT_EVENT = insert(cast(Table, OutboxEventRow.__table__))


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
) -> str:
    """Append an event (`environment.created`, …) to the outbox; returns its id."""
    project = project_id or who.project_id
    event_id = new_id("evt")
    tx.connection().execute(
        _INSERT_EVENT,
        {
            "id": event_id,
            "scope_id": project or who.organization_id,
            "organization_id": who.organization_id,
            "project_id": project,
            "environment_id": environment_id,
            "type": event_type,
            "resource_type": resource_type,
            "resource_id": resource_id,
            "data": plain(data),
            "request_id": who.request_id,
            "create_time": utcnow(),
        },
    )
    return event_id


def emit_many(
    tx: Session,
    who: Principal,
    entries: list[tuple[str, str, str, dict[str, Any]]],
    *,
    project_id: str | None = None,
    environment_id: str | None = None,
) -> None:
    """Append several (type, resource_type, resource_id, data) events in one insert."""
    if not entries:
        return
    project = project_id or who.project_id
    now = utcnow()
    tx.connection().execute(
        _INSERT_EVENT,
        [
            {
                "id": new_id("evt"),
                "scope_id": project or who.organization_id,
                "organization_id": who.organization_id,
                "project_id": project,
                "environment_id": environment_id,
                "type": event_type,
                "resource_type": resource_type,
                "resource_id": resource_id,
                "data": plain(data),
                "request_id": who.request_id,
                "create_time": now,
            }
            for event_type, resource_type, resource_id, data in entries
        ],
    )

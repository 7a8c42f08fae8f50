"""The audit trail: every mutation writes a row in the same transaction, hash-chained per scope.

A scope is a project (its data) or an organization (its projects and admin keys). The
chain head row is the serialisation point: PostgreSQL writers lock it (`FOR UPDATE`);
SQLite writes are already serial through the one writer.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from kanri.core.auth import Principal
from kanri.core.canonical import canonical_json, plain
from kanri.core.ids import new_id
from kanri.core.models import AuditHeadRow, AuditLogRow
from kanri.core.time import rfc3339, utcnow

GENESIS = "0" * 64


def changes_between(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """`{field: {"from": old, "to": new}}` for the fields whose value differs."""
    return {
        key: {"from": before.get(key), "to": after.get(key)}
        for key in sorted(set(before) | set(after))
        if before.get(key) != after.get(key)
    }


def row_hash(prev_hash: str, row: AuditLogRow) -> str:
    """SHA-256 over the previous hash and the row's canonical JSON."""
    body = {
        "id": row.id,
        "scope_id": row.scope_id,
        "seq": row.seq,
        "action": row.action,
        "resource_type": row.resource_type,
        "resource_id": row.resource_id,
        "actor": row.actor,
        "changes": row.changes,
        "request_id": row.request_id,
        "ip": row.ip,
        "create_time": rfc3339(row.create_time),
    }
    return hashlib.sha256(prev_hash.encode() + canonical_json(body)).hexdigest()


def _lock_head(tx: Session, scope_id: str) -> AuditHeadRow:
    dialect = tx.get_bind().dialect.name
    stmt = select(AuditHeadRow).where(AuditHeadRow.scope_id == scope_id).with_for_update()
    head = tx.execute(stmt).scalar_one_or_none()
    if head is not None:
        return head
    values = {"scope_id": scope_id, "seq": 0, "hash": GENESIS}
    ins: Any = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(AuditHeadRow)
    tx.execute(ins.values(**values).on_conflict_do_nothing(index_elements=["scope_id"]))
    return tx.execute(stmt.execution_options(populate_existing=True)).scalar_one()


def record(
    tx: Session,
    who: Principal,
    action: str,
    resource_type: str,
    resource_id: str,
    changes: dict[str, Any] | None = None,
    *,
    project_id: str | None = None,
) -> AuditLogRow:
    """Append one audit row to the chain of `project_id` (default: who's project, else org)."""
    project = project_id or who.project_id
    scope_id = project or who.organization_id
    head = _lock_head(tx, scope_id)
    row = AuditLogRow(
        id=new_id("aud"),
        scope_id=scope_id,
        organization_id=who.organization_id,
        project_id=project,
        seq=head.seq + 1,
        action=action,
        resource_type=resource_type,
        resource_id=resource_id,
        actor=who.actor,
        actor_id=who.actor["id"],
        changes=plain(changes or {}),
        request_id=who.request_id,
        ip=who.ip,
        create_time=utcnow(),
        prev_hash=head.hash,
    )
    row.hash = row_hash(head.hash, row)
    head.seq, head.hash = row.seq, row.hash
    tx.execute(insert(AuditLogRow).values(**_columns(row)))
    return row


def _columns(row: AuditLogRow) -> dict[str, Any]:
    return {c.key: getattr(row, c.key) for c in AuditLogRow.__table__.columns}


@dataclass(frozen=True)
class Verification:
    valid: bool
    checked: int
    first_broken: dict[str, Any] | None = None


def verify(tx: Session, scope_id: str, batch: int = 2000) -> Verification:
    """Recompute the chain of a scope; report the first row whose hash or link is wrong."""
    prev, checked, last_seq = GENESIS, 0, 0
    while True:
        rows = (
            tx.execute(
                select(AuditLogRow)
                .where(AuditLogRow.scope_id == scope_id, AuditLogRow.seq > last_seq)
                .order_by(AuditLogRow.seq)
                .limit(batch)
            )
            .scalars()
            .all()
        )
        for row in rows:
            reason = None
            if row.seq != last_seq + 1:
                reason = f"sequence gap: expected {last_seq + 1}, found {row.seq}"
            elif row.prev_hash != prev:
                reason = "prev_hash does not match the previous row's hash"
            elif row_hash(prev, row) != row.hash:
                reason = "hash does not match the row's content"
            if reason:
                broken = {"id": row.id, "seq": row.seq, "reason": reason}
                return Verification(False, checked, broken)
            prev, last_seq, checked = row.hash, row.seq, checked + 1
        if len(rows) < batch:
            break
    head = tx.get(AuditHeadRow, scope_id)
    if head is not None and (head.seq != last_seq or head.hash != prev):
        broken = {"id": None, "seq": head.seq, "reason": "rows are missing after the last one"}
        return Verification(False, checked, broken)
    return Verification(True, checked)

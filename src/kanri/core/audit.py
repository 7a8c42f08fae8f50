"""The audit trail: every mutation writes a row in the same transaction, hash-chained per scope.

A scope is a project (its data) or an organization (its projects and admin keys). The
chain head row is the serialisation point: PostgreSQL writers lock it (`FOR UPDATE`);
SQLite writes are already serial through the one writer.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Connection, Table, bindparam, insert, select, update
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


HASHED_FIELDS = (
    "id",
    "scope_id",
    "seq",
    "action",
    "resource_type",
    "resource_id",
    "actor",
    "changes",
    "request_id",
    "ip",
    "create_time",
)


def row_hash(prev_hash: str, row: Mapping[str, Any]) -> str:
    """SHA-256 over the previous hash and the canonical JSON of the row's hashed fields."""
    body = {name: row[name] for name in HASHED_FIELDS}
    body["create_time"] = rfc3339(body["create_time"])
    return hashlib.sha256(prev_hash.encode() + canonical_json(body)).hexdigest()


_HEADS = cast(Table, AuditHeadRow.__table__)
_LOGS = cast(Table, AuditLogRow.__table__)
# Built once: the hot write path executes these with parameters (compiled-cache hits).
_SELECT_HEAD = (
    select(_HEADS.c.seq, _HEADS.c.hash)
    .where(_HEADS.c.scope_id == bindparam("scope_id"))
    .with_for_update()
)
_UPDATE_HEAD = (
    update(_HEADS)
    .where(_HEADS.c.scope_id == bindparam("scope"))
    .values(seq=bindparam("seq"), hash=bindparam("hash"))
)
_INSERT_LOG = insert(_LOGS)


def _lock_head(connection: Connection, scope_id: str) -> tuple[int, str]:
    """The chain head of `scope_id`, locked until commit (created at genesis if absent)."""
    head = connection.execute(_SELECT_HEAD, {"scope_id": scope_id}).first()
    if head is not None:
        return head.seq, head.hash
    dialect = connection.dialect.name
    ins: Any = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(_HEADS)
    connection.execute(
        ins.values(scope_id=scope_id, seq=0, hash=GENESIS).on_conflict_do_nothing(
            index_elements=["scope_id"]
        )
    )
    head = connection.execute(_SELECT_HEAD, {"scope_id": scope_id}).one()
    return head.seq, head.hash


def record(
    tx: Session,
    who: Principal,
    action: str,
    resource_type: str,
    resource_id: str,
    changes: dict[str, Any] | None = None,
    *,
    project_id: str | None = None,
) -> str:
    """Append one audit row to the chain of `project_id` (default: who's project, else org)."""
    project = project_id or who.project_id
    scope_id = project or who.organization_id
    connection = tx.connection()
    seq, prev_hash = _lock_head(connection, scope_id)
    actor = who.actor
    row: dict[str, Any] = {
        "id": new_id("aud"),
        "scope_id": scope_id,
        "organization_id": who.organization_id,
        "project_id": project,
        "seq": seq + 1,
        "action": action,
        "resource_type": resource_type,
        "resource_id": resource_id,
        "actor": actor,
        "actor_id": actor["id"],
        "changes": plain(changes or {}),
        "request_id": who.request_id,
        "ip": who.ip,
        "create_time": utcnow(),
        "prev_hash": prev_hash,
    }
    row["hash"] = row_hash(prev_hash, row)
    connection.execute(_INSERT_LOG, row)
    connection.execute(_UPDATE_HEAD, {"scope": scope_id, "seq": row["seq"], "hash": row["hash"]})
    return str(row["id"])


def record_many(
    tx: Session,
    who: Principal,
    entries: list[tuple[str, str, str, dict[str, Any] | None]],
    *,
    project_id: str | None = None,
) -> None:
    """Append several (action, resource_type, resource_id, changes) rows to one chain with a
    single head lock and one multi-row insert (batch endpoints)."""
    if not entries:
        return
    project = project_id or who.project_id
    scope_id = project or who.organization_id
    connection = tx.connection()
    seq, prev_hash = _lock_head(connection, scope_id)
    actor = who.actor
    now = utcnow()
    rows: list[dict[str, Any]] = []
    for action, resource_type, resource_id, changes in entries:
        seq += 1
        row: dict[str, Any] = {
            "id": new_id("aud"),
            "scope_id": scope_id,
            "organization_id": who.organization_id,
            "project_id": project,
            "seq": seq,
            "action": action,
            "resource_type": resource_type,
            "resource_id": resource_id,
            "actor": actor,
            "actor_id": actor["id"],
            "changes": plain(changes or {}),
            "request_id": who.request_id,
            "ip": who.ip,
            "create_time": now,
            "prev_hash": prev_hash,
        }
        row["hash"] = prev_hash = row_hash(prev_hash, row)
        rows.append(row)
    connection.execute(_INSERT_LOG, rows)
    connection.execute(_UPDATE_HEAD, {"scope": scope_id, "seq": seq, "hash": prev_hash})


@dataclass(frozen=True)
class Verification:
    valid: bool
    checked: int
    first_broken: dict[str, Any] | None = None


def verify(tx: Session, scope_id: str, batch: int = 2000) -> Verification:
    """Recompute the chain of a scope up to its head; report the first wrong row.

    The head is read first, so rows appended while verifying are simply not checked
    (reads need no snapshot).
    """
    head = tx.execute(
        select(_HEADS.c.seq, _HEADS.c.hash).where(_HEADS.c.scope_id == scope_id)
    ).first()
    head_seq = head.seq if head else 0
    prev, checked, last_seq = GENESIS, 0, 0
    while last_seq < head_seq:
        rows = (
            tx.execute(
                select(AuditLogRow)
                .where(
                    AuditLogRow.scope_id == scope_id,
                    AuditLogRow.seq > last_seq,
                    AuditLogRow.seq <= head_seq,
                )
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
            elif row_hash(prev, _as_mapping(row)) != row.hash:
                reason = "hash does not match the row's content"
            if reason:
                return Verification(
                    False, checked, {"id": row.id, "seq": row.seq, "reason": reason}
                )
            prev, last_seq, checked = row.hash, row.seq, checked + 1
        if len(rows) < batch:
            break
    if head is not None and (last_seq != head_seq or head.hash != prev):
        broken = {
            "id": None,
            "seq": last_seq + 1,
            "reason": "rows are missing before the chain head",
        }
        return Verification(False, checked, broken)
    return Verification(True, checked)


def _as_mapping(row: AuditLogRow) -> dict[str, Any]:
    return {name: getattr(row, name) for name in HASHED_FIELDS}

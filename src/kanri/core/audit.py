"""The audit trail: every mutation writes a row in the same transaction, hash-chained per scope.

A scope is a project (its data) or an organization (its projects and admin keys). A row is
inserted when the mutation happens, without its chain position (`seq`, `prev_hash` and
`hash` empty); it is *chained* later under the scope's head row (`audit_heads`), the one
serialisation point:

- by default at the end of the mutation's own transaction (`before_commit`: the rows are
  inserted there, already chained), so the head lock is the transaction's last statement
  and is held only for its commit, and the row is never visible unchained;
- with `chained=False` (the run engine's transitions, on the hot path of every run) the
  row is inserted unchained at commit and a background chainer (`complete`) chains it,
  one chainer at a time (an advisory lock on PostgreSQL), within
  `KANRI_AUDIT_CHAIN_SECONDS`; reading or verifying the trail completes the chain first.
  On SQLite the single writer has no lock to wait for: such rows are chained at commit.

The chain order is the order rows are chained in; a row's `seq` is its place in it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Connection, Table, bindparam, event, func, insert, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from kanri.core import events  # noqa: F401  (its commit hook runs before ours: lock last)
from kanri.core.auth import Principal
from kanri.core.canonical import canonical_json, plain
from kanri.core.ids import new_id
from kanri.core.models import AuditHeadRow, AuditLogRow
from kanri.core.time import rfc3339, utcnow
from kanri.db.prepared import Prepared

GENESIS = "0" * 64
# tx.info key: this transaction's rows, (row, chain now?), inserted before its commit. A
# list in tx.info rolls back with the SQLite writer's per-command savepoint.
_BUFFER = "kanri.audit.pending"
# PostgreSQL advisory lock key of the background chainer (one at a time across processes).
CHAINER_LOCK = 0x6B616E7269_01


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
_INSERT_LOG = Prepared(insert(_LOGS))
_CHAIN_ROW = (
    update(_LOGS)
    .where(_LOGS.c.id == bindparam("row_id"), _LOGS.c.seq.is_(None))
    .values(seq=bindparam("seq"), prev_hash=bindparam("prev"), hash=bindparam("hash"))
)
_HASHED_COLUMNS = [_LOGS.c[name] for name in HASHED_FIELDS if name != "seq"]


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
    chained: bool = True,
) -> str:
    """Append one audit row to the trail of `project_id` (default: who's project, else org).

    `chained` (default): the row takes its place in the chain when this transaction
    commits. False: a background chainer places it shortly after (hot paths whose writers
    would otherwise queue on the scope's head; SQLite chains it at commit all the same).
    """
    project = project_id or who.project_id
    scope_id = project or who.organization_id
    row = _unchained_row(
        who,
        scope_id=scope_id,
        project_id=project,
        action=action,
        resource_type=resource_type,
        resource_id=resource_id,
        changes=plain(changes or {}),
        created=utcnow(),
    )
    now = chained or tx.get_bind().dialect.name == "sqlite"
    tx.info.setdefault(_BUFFER, []).append((row, now))
    return str(row["id"])


def _unchained_row(
    who: Principal,
    *,
    scope_id: str,
    project_id: str | None,
    action: str,
    resource_type: str,
    resource_id: str,
    changes: dict[str, Any],
    created: datetime,
) -> dict[str, Any]:
    """An audit row not yet in its chain (no `seq`, no hashes); `changes` as stored."""
    actor = who.actor
    return {
        "id": new_id("aud"),
        "scope_id": scope_id,
        "organization_id": who.organization_id,
        "project_id": project_id,
        "seq": None,
        "action": action,
        "resource_type": resource_type,
        "resource_id": resource_id,
        "actor": actor,
        "actor_id": actor["id"],
        "changes": changes,
        "request_id": who.request_id,
        "ip": who.ip,
        "create_time": created,
        "prev_hash": None,
        "hash": None,
    }


def _chain(connection: Connection, scope_id: str, limit: int | None = None) -> int:
    """Give the unchained rows of `scope_id` (oldest first) their places after its head.

    The head is locked before the rows are read: another chainer that got there first has
    already placed them, and they are not read again."""
    waiting = select(_LOGS.c.id).where(_LOGS.c.seq.is_(None), _LOGS.c.scope_id == scope_id)
    if connection.execute(waiting.limit(1)).first() is None:
        return 0  # nothing to chain: no lock taken
    seq, prev = _lock_head(connection, scope_id)
    rows = _pending(connection, _LOGS.c.scope_id == scope_id, limit=limit)
    if not rows:
        return 0
    updates = []
    for row in rows:
        seq += 1
        values = {name: getattr(row, name) for name in HASHED_FIELDS if name != "seq"}
        values["seq"] = seq
        digest = row_hash(prev, values)
        updates.append({"row_id": row.id, "seq": seq, "prev": prev, "hash": digest})
        prev = digest
    connection.execute(_CHAIN_ROW, updates)
    connection.execute(_UPDATE_HEAD, {"scope": scope_id, "seq": seq, "hash": prev})
    return len(rows)


def _pending(connection: Connection, *where: Any, limit: int | None = None) -> list[Any]:
    query = (
        select(*_HASHED_COLUMNS)
        .where(_LOGS.c.seq.is_(None), *where)
        .order_by(_LOGS.c.create_time, _LOGS.c.id)
    )
    return list(connection.execute(query.limit(limit) if limit else query))


def _insert_at_commit(session: Session) -> None:
    """Insert this transaction's rows; chain those that are chained now, in memory, as the
    transaction's last statements (the head lock is held only for the commit)."""
    buffered: list[tuple[dict[str, Any], bool]] | None = session.info.pop(_BUFFER, None)
    if not buffered:
        return
    session.flush()
    connection = session.connection()
    by_scope: dict[str, list[dict[str, Any]]] = {}
    for row, now in buffered:
        if now:
            by_scope.setdefault(row["scope_id"], []).append(row)
    heads = []
    for scope_id in sorted(by_scope):  # one lock order for every writer
        seq, prev = _lock_head(connection, scope_id)
        for row in by_scope[scope_id]:
            seq += 1
            row["seq"], row["prev_hash"] = seq, prev
            row["hash"] = prev = row_hash(prev, row)
        heads.append({"scope": scope_id, "seq": seq, "hash": prev})
    _INSERT_LOG.run_many(connection, [row for row, _ in buffered])
    if heads:
        connection.execute(_UPDATE_HEAD, heads)


event.listen(Session, "before_commit", _insert_at_commit)


def _discard(session: Session, previous: Any) -> None:
    if not previous.nested:  # the transaction is gone: so are its buffered rows
        session.info.pop(_BUFFER, None)


event.listen(Session, "after_soft_rollback", _discard)


CHAIN_BATCH = 5000  # rows per background pass


def complete(tx: Session, scope_id: str | None = None, limit: int = CHAIN_BATCH) -> int:
    """Chain rows written with `chained=False` (of one scope, or of all); how many.

    For all scopes on PostgreSQL, only one caller at a time does the work (an advisory
    lock held until commit); the others return 0 at once.
    """
    connection = tx.connection()
    if scope_id is not None:
        return _chain(connection, scope_id)
    if connection.dialect.name == "postgresql":
        locked = connection.execute(
            text("SELECT pg_try_advisory_xact_lock(:key)"), {"key": CHAINER_LOCK}
        ).scalar_one()
        if not locked:
            return 0
    scopes = connection.execute(
        select(_LOGS.c.scope_id).where(_LOGS.c.seq.is_(None)).distinct().limit(limit)
    ).scalars()
    return sum(_chain(connection, scope, limit) for scope in sorted(scopes))


def pending_count(tx: Session, scope_id: str) -> int:
    """Rows of `scope_id` not chained yet."""
    return int(
        tx.execute(
            select(func.count()).where(_LOGS.c.scope_id == scope_id, _LOGS.c.seq.is_(None))
        ).scalar_one()
    )


def record_many(
    tx: Session,
    who: Principal,
    entries: list[tuple[str, str, str, dict[str, Any] | None]],
    *,
    project_id: str | None = None,
    chained: bool = True,
    json_ready: bool = False,
) -> None:
    """Append several (action, resource_type, resource_id, changes) rows to one chain with a
    single head lock and one multi-row insert (batch endpoints).

    `chained=False`: the rows are inserted at commit and placed in the chain by the
    background chainer, as `record(..., chained=False)` does (SQLite chains them at commit).
    `json_ready`: the changes hold JSON values only and are stored as given."""
    if not entries:
        return
    project = project_id or who.project_id
    scope_id = project or who.organization_id
    if not chained:
        at_commit = tx.get_bind().dialect.name == "sqlite"
        created = utcnow()
        buffer = tx.info.setdefault(_BUFFER, [])
        for action, resource_type, resource_id, changes in entries:
            stored = (changes or {}) if json_ready else plain(changes or {})
            pending = _unchained_row(
                who,
                scope_id=scope_id,
                project_id=project,
                action=action,
                resource_type=resource_type,
                resource_id=resource_id,
                changes=stored,
                created=created,
            )
            buffer.append((pending, at_commit))
        return
    connection = tx.connection()
    seq, prev_hash = _lock_head(connection, scope_id)
    now = utcnow()
    rows: list[dict[str, Any]] = []
    for action, resource_type, resource_id, changes in entries:
        seq += 1
        stored = (changes or {}) if json_ready else plain(changes or {})
        row = _unchained_row(
            who,
            scope_id=scope_id,
            project_id=project,
            action=action,
            resource_type=resource_type,
            resource_id=resource_id,
            changes=stored,
            created=now,
        )
        row["seq"] = seq
        row["prev_hash"] = prev_hash
        row["hash"] = prev_hash = row_hash(prev_hash, row)
        rows.append(row)
    _INSERT_LOG.run_many(connection, rows)
    connection.execute(_UPDATE_HEAD, {"scope": scope_id, "seq": seq, "hash": prev_hash})


@dataclass(frozen=True)
class Verification:
    valid: bool
    checked: int
    first_broken: dict[str, Any] | None = None


def verify(tx: Session, scope_id: str, batch: int = 2000) -> Verification:
    """Recompute the chain of a scope up to its head; report the first wrong row.

    The head is read first, so rows chained while verifying are simply not checked
    (reads need no snapshot); rows not chained yet are not part of the chain (callers
    `complete` it first).
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
            assert row.hash is not None
            assert row.seq is not None
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

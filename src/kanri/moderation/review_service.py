"""The review queue: flagged items oldest first, claims with a lease (one reviewer per item),
human decisions (409 when someone else decided since your claim), appeals (decided once),
warnings and what an author's record looks like."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from kanri.core import audit, events
from kanri.core.auth import Principal
from kanri.core.errors import Conflict, not_found
from kanri.core.filtering import FilterField, FilterSpec
from kanri.core.pagination import ListParams, Page, paginate
from kanri.core.scoping import scoped
from kanri.core.time import utcnow
from kanri.moderation import schemas, service, settings_service
from kanri.moderation.models import ModerationItemRow, ModerationWarningRow

QUEUE_FILTERS = FilterSpec(
    {
        **service.ITEM_FIELDS,
        "queue_time": FilterField(ModerationItemRow.queue_time, "timestamp"),
    }
)
AUTHOR_ITEMS = 20
AUTHOR_WARNINGS = 50


def _reviewer(who: Principal) -> str:
    return str(who.actor["id"])


def queue(tx: Session, who: Principal, params: ListParams) -> Page[schemas.Item]:
    stmt = scoped(select(ModerationItemRow), who, environment=True).where(
        ModerationItemRow.status == "flagged"
    )
    page = paginate(
        tx, stmt, QUEUE_FILTERS, params, id_column=ModerationItemRow.id, default_order="queue_time"
    )
    return page.map(service.view)


def claim(tx: Session, who: Principal, ref: str, body: schemas.Claim) -> schemas.Item:
    """Take the item for `lease_seconds`: no other reviewer can claim or decide it meanwhile.
    Claiming again extends your own lease."""
    row = service.item_row(tx, who, ref)
    if row.status != "flagged":
        raise Conflict(f"the item is {row.status}, not in the review queue", item_status=row.status)
    me = _reviewer(who)
    now = utcnow()
    taken = tx.execute(
        update(ModerationItemRow)
        .where(
            ModerationItemRow.id == row.id,
            ModerationItemRow.status == "flagged",
            or_(
                ModerationItemRow.claim_owner.is_(None),
                ModerationItemRow.claim_owner == me,
                ModerationItemRow.claim_expire_time < now,
            ),
        )
        .values(
            claim_owner=me,
            claim_time=now,
            claim_expire_time=now + timedelta(seconds=body.lease_seconds),
        )
        .execution_options(synchronize_session=False)
    )
    if taken.rowcount != 1:  # type: ignore[attr-defined]
        tx.refresh(row)
        raise Conflict(
            "another reviewer holds the item's claim",
            claimed_by=row.claim_owner or "",
            claim_expire_time=row.claim_expire_time.isoformat() if row.claim_expire_time else "",
        )
    tx.refresh(row)
    audit.record(
        tx, who, "moderation.item.claimed", "moderation_item", row.id, {"lease": body.lease_seconds}
    )
    return service.view(row)


def decide(tx: Session, who: Principal, ref: str, body: schemas.Decide) -> schemas.Item:
    row = service.item_row(tx, who, ref)
    me = _reviewer(who)
    now = utcnow()
    live = row.claim_expire_time is not None and row.claim_expire_time > now
    if row.claim_owner not in (None, me) and live:
        raise Conflict("another reviewer holds the item's claim", claimed_by=row.claim_owner)
    if (
        row.claim_owner == me
        and row.claim_time is not None
        and row.decide_time is not None
        and row.decide_time > row.claim_time
        and row.decided_by != me
    ):
        raise Conflict(
            "the item was decided by someone else since you claimed it",
            decided_by=row.decided_by or "",
            decide_time=row.decide_time.isoformat(),
        )
    revision = row.revision
    status = schemas.STATUS_OF[body.action]
    entered = row.queue_time or row.create_time
    outcome = service.Outcome(
        action=body.action,
        status=status,
        category=body.category or row.category,
        severity=row.severity,
        rule_id=None,
        rule_name=None,
        reason=(body.reason or "")[:2000],
    )
    values: dict[str, Any] = {
        "status": status,
        "action": body.action,
        "category": outcome.category,
        "reason": outcome.reason,
        "queue_time": now if status == "flagged" else None,
        "decided_by": me,
        "decide_time": now,
        "revision": revision + 1,
        "update_time": now,
    }
    if row.claim_owner in (None, me):
        values |= {"claim_owner": None, "claim_time": None, "claim_expire_time": None}
    # Else another reviewer's lapsed claim stays: their decision will be the 409 above.
    if row.appeal_status == "pending":
        values["appeal_status"] = "decided"
    done = tx.execute(
        update(ModerationItemRow)
        .where(ModerationItemRow.id == row.id, ModerationItemRow.revision == revision)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if done.rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict("the item changed while it was being decided; read it and try again")
    tx.refresh(row)
    source = "appeal" if values.get("appeal_status") == "decided" else "manual"
    wait = max(0, int((now - entered).total_seconds()))
    service.record_decision(
        tx, who, row, outcome, source=source, automatic=False, now=now, wait_seconds=wait
    )
    if body.action == "warn":
        service.warn(tx, who, row, outcome.reason or "warned by a reviewer", now)
    audit.record(
        tx,
        who,
        "moderation.item.decided",
        "moderation_item",
        row.id,
        {"action": body.action, "reason": outcome.reason, "source": source},
    )
    data = {**service.event_data(row), "decided_by": me}
    entries = [("moderation.item.decided", "moderation_item", row.id, data)]
    follow = service.EVENT_OF_STATUS.get(status)
    if follow is not None:
        entries.append((follow, "moderation_item", row.id, service.event_data(row)))
    events.emit_many(tx, who, entries, environment_id=who.environment_id, json_ready=True)
    tx.flush()
    return service.view(row)


def appeal(tx: Session, who: Principal, ref: str, body: schemas.AppealCreate) -> schemas.Item:
    """Put a hidden or rejected item back in the queue with the appeal; once per item."""
    row = service.item_row(tx, who, ref)
    if row.appeal_status is not None:
        raise Conflict("the item was already appealed; an appeal is decided once")
    if row.status not in ("hidden", "rejected"):
        raise Conflict(f"only hidden or rejected items can be appealed (this one is {row.status})")
    now = utcnow()
    row.appeal_reason = body.reason
    row.appeal_status = "pending"
    row.appeal_time = now
    row.status = "flagged"
    row.queue_time = now
    row.claim_owner = row.claim_time = row.claim_expire_time = None
    row.revision += 1
    row.update_time = now
    audit.record(
        tx, who, "moderation.item.appealed", "moderation_item", row.id, {"reason": body.reason}
    )
    events.emit(
        tx,
        who,
        "moderation.item.appealed",
        "moderation_item",
        row.id,
        {**service.event_data(row), "reason": body.reason},
        environment_id=who.environment_id,
    )
    tx.flush()
    return service.view(row)


def author(tx: Session, who: Principal, author_id: str) -> schemas.AuthorView:
    items = scoped(select(ModerationItemRow), who, environment=True).where(
        ModerationItemRow.author_id == author_id
    )
    statuses = {
        status: int(count)
        for status, count in tx.execute(
            items.with_only_columns(ModerationItemRow.status, func.count()).group_by(
                ModerationItemRow.status
            )
        )
    }
    warnings = list(
        tx.execute(
            scoped(select(ModerationWarningRow), who, environment=True)
            .where(ModerationWarningRow.author_id == author_id)
            .order_by(ModerationWarningRow.create_time.desc())
            .limit(AUTHOR_WARNINGS)
        ).scalars()
    )
    if not statuses and not warnings:
        raise not_found("moderation author", author_id)
    settings = settings_service.settings_of(tx, who.project(), who.environment_id)
    since = utcnow() - timedelta(seconds=settings.warning_window_seconds)
    in_window = sum(1 for w in warnings if w.create_time >= since)
    total_warnings = tx.execute(
        select(func.count()).where(
            ModerationWarningRow.project_id == who.project(),
            ModerationWarningRow.environment_id == who.environment_id,
            ModerationWarningRow.author_id == author_id,
        )
    ).scalar_one()
    latest = list(
        tx.execute(
            items.order_by(ModerationItemRow.create_time.desc()).limit(AUTHOR_ITEMS)
        ).scalars()
    )
    restricted = 0 < settings.warnings_to_hide <= in_window
    return schemas.AuthorView(
        id=author_id,
        name=next((i.author_name for i in latest if i.author_name), None),
        status="restricted" if restricted else "active",
        item_count=sum(statuses.values()),
        warning_count=int(total_warnings),
        window_warning_count=in_window,
        statuses=statuses,
        warnings=[
            {"id": w.id, "item_id": w.item_id, "reason": w.reason, "create_time": w.create_time}
            for w in warnings
        ],
        items=[service.view(i) for i in latest],
    )

"""Moderation's async entry points: classify (a model call, outside any transaction), then
moderate in one database command. The API, the `moderate` step kind, the scan and the
agents' `moderation_submit` tool all submit through `submit`."""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kanri.core.auth import Principal
from kanri.moderation import classifier, schemas, service, settings_service
from kanri.moderation.models import ModerationItemRow

if TYPE_CHECKING:
    from kanri.runtime import Kanri

SCAN_PAGE = 200
MAX_SCAN_ACTIONS = 1000


async def scores_for(
    kanri: Kanri, who: Principal, bodies: Sequence[schemas.ItemSubmit]
) -> list[dict[str, Any] | None]:
    """The classifier's scores of each item; 413 first for an item over the content cap."""
    settings = await kanri.db.read(settings_service.settings_of, who.project(), who.environment_id)
    for index, body in enumerate(bodies):
        field = "body.content" if len(bodies) == 1 else f"body.items.{index}.content"
        settings_service.check_size(body, settings.max_content_bytes, field)
    return await classifier.classify(kanri, who.project(), settings, [b.content for b in bodies])


async def submit(
    kanri: Kanri, who: Principal, bodies: Sequence[schemas.ItemSubmit], *, source: str = "rules"
) -> list[schemas.Item]:
    scores = await scores_for(kanri, who, bodies)
    command = partial(service.moderate, source=source)
    items: list[schemas.Item] = await kanri.db.write(command, who, bodies, scores)
    return items


def _scan_page(
    tx: Session, who: Principal, spec: dict[str, Any], after: tuple[Any, str] | None, size: int
) -> list[schemas.ItemSubmit]:
    stmt = (
        service.scoped_items(who)
        .where(ModerationItemRow.decided_by.is_(None))
        .order_by(ModerationItemRow.create_time, ModerationItemRow.id)
        .limit(size)
    )
    condition = service.ITEM_FILTERS.compile(spec.get("filter"))
    if condition is not None:
        stmt = stmt.where(condition)
    if spec.get("since") is not None:
        stmt = stmt.where(ModerationItemRow.create_time >= spec["since"])
    if after is not None:
        time, last_id = after
        stmt = stmt.where(
            (ModerationItemRow.create_time > time)
            | ((ModerationItemRow.create_time == time) & (ModerationItemRow.id > last_id))
        )
    return [service.as_submit(row) for row in tx.execute(stmt).scalars()]


def _position(tx: Session, who: Principal, external_id: str) -> tuple[Any, str]:
    row = tx.execute(
        service.scoped_items(who).where(ModerationItemRow.external_id == external_id)
    ).scalar_one()
    return row.create_time, row.id


def _statuses(tx: Session, who: Principal, external_ids: list[str]) -> dict[str, str]:
    stmt = (
        select(ModerationItemRow.external_id, ModerationItemRow.status)
        .where(
            ModerationItemRow.project_id == who.project(),
            ModerationItemRow.environment_id == who.environment_id,
        )
        .where(ModerationItemRow.external_id.in_(external_ids))
    )
    found: dict[str, str] = {}
    for external_id, status in tx.execute(stmt):
        found[external_id] = status
    return found


async def scan(
    kanri: Kanri,
    who: Principal,
    spec: dict[str, Any],
    progress: Any = None,
) -> dict[str, Any]:
    """Moderate the chosen items again with the current rules and classifier (items a
    reviewer decided keep their decision): `{scanned, flagged, actions}`."""
    limit = int(spec.get("limit") or 1000)
    scanned = flagged = 0
    actions: list[dict[str, Any]] = []
    after: tuple[Any, str] | None = None
    while scanned < limit:
        page = await kanri.db.read(_scan_page, who, spec, after, min(SCAN_PAGE, limit - scanned))
        if not page:
            break
        before = await kanri.db.read(_statuses, who, [b.external_id for b in page])
        after = await kanri.db.read(_position, who, page[-1].external_id)
        items = await submit(kanri, who, page, source="scan")
        scanned += len(items)
        for item in items:
            if item.status == "flagged":
                flagged += 1
            if before.get(item.external_id) != item.status and len(actions) < MAX_SCAN_ACTIONS:
                actions.append(
                    {
                        "id": item.id,
                        "external_id": item.external_id,
                        "from": before.get(item.external_id),
                        "to": item.status,
                        "action": item.action,
                        "rule": item.rule_name,
                    }
                )
        if progress is not None:
            progress(f"scanned {scanned} items, {flagged} flagged")
    return {"scanned": scanned, "flagged": flagged, "actions": actions}

"""Business rules of moderation items: submitting (one or a batch, idempotent on
`external_id`), moderating with the rules, listing and reading with the decision history,
and the settings of a project environment.

Submitting is one database command: the classifier's scores (an async model call) are
computed before it (`classifier.py`), everything else inside it — the rules read the
author's recent items and warnings in the same transaction.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from types import SimpleNamespace
from typing import Any, cast

from sqlalchemy import Select, Table, func, insert, select
from sqlalchemy.orm import Session

from kanri.core import audit, events
from kanri.core.auth import Principal
from kanri.core.errors import FieldError, ValidationFailed
from kanri.core.filtering import FilterField, FilterSpec
from kanri.core.ids import new_id
from kanri.core.pagination import ListParams, Page, paginate
from kanri.core.scoping import by_ref, scoped
from kanri.core.time import utcnow
from kanri.db.prepared import Prepared
from kanri.moderation import matching, rule_service, schemas, settings_service
from kanri.moderation.models import (
    ModerationDecisionRow,
    ModerationItemRow,
    ModerationWarningRow,
)
from kanri.runs import service as runs
from kanri.tenancy import service as tenancy

ITEM_FIELDS = {
    "id": FilterField(ModerationItemRow.id),
    "external_id": FilterField(ModerationItemRow.external_id),
    "kind": FilterField(ModerationItemRow.kind),
    "status": FilterField(ModerationItemRow.status),
    "action": FilterField(ModerationItemRow.action),
    "category": FilterField(ModerationItemRow.category),
    "rule_id": FilterField(ModerationItemRow.rule_id),
    "author.id": FilterField(ModerationItemRow.author_id),
    "create_time": FilterField(ModerationItemRow.create_time, "timestamp"),
    "update_time": FilterField(ModerationItemRow.update_time, "timestamp"),
}
ITEM_FILTERS = FilterSpec(ITEM_FIELDS)
EVENT_OF_STATUS = {"flagged": "moderation.item.flagged", "hidden": "moderation.item.hidden"}
WARNINGS_RULE = "author_warnings"
# A batch's new items and decisions: one executemany each (no ORM object per row).
_INSERT_ITEM = Prepared(insert(cast(Table, ModerationItemRow.__table__)))
_INSERT_DECISION = Prepared(insert(cast(Table, ModerationDecisionRow.__table__)))


# ---------------------------------------------------------------- views


def _scoped(who: Principal) -> Select[ModerationItemRow]:
    return scoped(select(ModerationItemRow), who, environment=True)


def scoped_items(who: Principal) -> Select[ModerationItemRow]:
    """Items of who's project and environment."""
    return _scoped(who)


def as_submit(row: ModerationItemRow) -> schemas.ItemSubmit:
    """A stored item as it would be submitted again (to moderate it anew)."""
    fields: dict[str, Any] = {
        "external_id": row.external_id,
        "kind": row.kind,
        "content": row.content,
        "author": schemas.Author.model_construct(id=row.author_id, name=row.author_name),
        "context": schemas.Context.model_construct(**row.context),
        "metadata": row.item_metadata,
    }
    return schemas.ItemSubmit.model_construct(**fields)


SCAN_KIND = "moderation.scan"
# How long a scan may run before it fails.
SCAN_TIMEOUT_SECONDS = 6 * 3600


def start_scan(tx: Session, who: Principal, body: schemas.ScanCreate) -> schemas.ScanStarted:
    """A pending engine run whose one `moderation.scan` step re-moderates the items: durable,
    retried, its progress in the run's logs, visible under /v1/runs."""
    ITEM_FILTERS.compile(body.filter)  # a bad filter is the caller's 400, not the run's failure
    step: dict[str, Any] = {"id": "scan", "kind": SCAN_KIND, "limit": body.limit}
    if body.filter:
        step["filter"] = body.filter
    if body.since is not None:
        step["since"] = body.since.isoformat()
    run = runs.create_run(
        tx,
        who,
        definition={"steps": [step], "timeout_seconds": SCAN_TIMEOUT_SECONDS},
        inputs={},
        labels={"kanri.moderation": "scan"},
    )
    audit.record(tx, who, "moderation.scan.started", "run", run.id, {"limit": body.limit})
    return schemas.ScanStarted(id=run.id, run_id=run.id, status=str(run.status))


def item_row(tx: Session, who: Principal, ref: str) -> ModerationItemRow:
    return by_ref(
        tx,
        ModerationItemRow,
        ref,
        who,
        prefix="mod",
        name_column=ModerationItemRow.external_id,
        noun="moderation item",
        environment=True,
    )


def view(row: ModerationItemRow) -> schemas.Item:
    live_claim = row.claim_expire_time is not None and row.claim_expire_time > utcnow()
    appeal = None
    if row.appeal_status is not None and row.appeal_time is not None:
        shown: dict[str, Any] = {
            "reason": row.appeal_reason or "",
            "status": row.appeal_status,
            "create_time": row.appeal_time,
        }
        appeal = schemas.Appeal.model_construct(**shown)
    fields: dict[str, Any] = {
        "id": row.id,
        "external_id": row.external_id,
        "kind": row.kind,
        "content": row.content,
        "author": {"id": row.author_id, "name": row.author_name},
        "context": row.context,
        "metadata": row.item_metadata,
        "status": row.status,
        "action": row.action,
        "category": row.category,
        "severity": row.severity,
        "rule_id": row.rule_id,
        "rule_name": row.rule_name,
        "reason": row.reason,
        "scores": row.scores,
        "claimed_by": row.claim_owner if live_claim else None,
        "claim_expire_time": row.claim_expire_time if live_claim else None,
        "decided_by": row.decided_by,
        "decide_time": row.decide_time,
        "appeal": appeal,
        "create_time": row.create_time,
        "update_time": row.update_time,
    }
    return schemas.Item.model_construct(**fields)


def decision_view(row: ModerationDecisionRow) -> schemas.ModerationDecision:
    return schemas.ModerationDecision.model_validate(row, from_attributes=True)


def get(tx: Session, who: Principal, ref: str) -> schemas.ItemWithHistory:
    row = item_row(tx, who, ref)
    decisions = tx.execute(
        select(ModerationDecisionRow)
        .where(ModerationDecisionRow.item_id == row.id)
        .order_by(ModerationDecisionRow.create_time, ModerationDecisionRow.id)
    ).scalars()
    return schemas.ItemWithHistory.model_construct(
        **dict(view(row)), decisions=[decision_view(d) for d in decisions]
    )


def list_items(tx: Session, who: Principal, params: ListParams) -> Page[schemas.Item]:
    page = paginate(
        tx,
        _scoped(who),
        ITEM_FILTERS,
        params,
        id_column=ModerationItemRow.id,
        default_order="create_time desc",
    )
    return page.map(view)


# ---------------------------------------------------------------- moderating


@dataclass
class _AuthorFacts:
    first_seen: datetime | None = None
    last_minute: int = 0
    warnings: int = 0
    hashes: Counter[str] | None = None


def _author_facts(
    tx: Session,
    who: Principal,
    authors: set[str],
    now: datetime,
    rules: Sequence[matching.Compiled],
    settings: schemas.Settings,
    repeat_window: int,
    hashes: set[str],
) -> dict[str, _AuthorFacts]:
    facts = {a: _AuthorFacts(hashes=Counter()) for a in authors}
    if not authors:
        return facts
    base = (
        ModerationItemRow.project_id == who.project(),
        ModerationItemRow.environment_id == who.environment_id,
        ModerationItemRow.author_id.in_(authors),
    )
    needs_first = any(r.new_author is not None for r in rules)
    needs_rate = any(r.author_rate is not None for r in rules)
    needs_repeat = any(r.repeated is not None for r in rules)
    if needs_first:
        for author, first in tx.execute(
            select(ModerationItemRow.author_id, func.min(ModerationItemRow.create_time))
            .where(*base)
            .group_by(ModerationItemRow.author_id)
        ):
            facts[author].first_seen = first
    if needs_rate:
        for author, count in tx.execute(
            select(ModerationItemRow.author_id, func.count())
            .where(*base, ModerationItemRow.create_time >= now - timedelta(minutes=1))
            .group_by(ModerationItemRow.author_id)
        ):
            facts[author].last_minute = int(count)
    if needs_repeat:
        for author, digest, count in tx.execute(
            select(ModerationItemRow.author_id, ModerationItemRow.content_hash, func.count())
            .where(
                *base,
                ModerationItemRow.content_hash.in_(hashes),
                ModerationItemRow.create_time >= now - timedelta(seconds=repeat_window),
            )
            .group_by(ModerationItemRow.author_id, ModerationItemRow.content_hash)
        ):
            counts = facts[author].hashes
            assert counts is not None
            counts[digest] = int(count)
    if settings.warnings_to_hide > 0:
        since = now - timedelta(seconds=settings.warning_window_seconds)
        for author, count in tx.execute(
            select(ModerationWarningRow.author_id, func.count())
            .where(
                ModerationWarningRow.project_id == who.project(),
                ModerationWarningRow.environment_id == who.environment_id,
                ModerationWarningRow.author_id.in_(authors),
                ModerationWarningRow.create_time >= since,
            )
            .group_by(ModerationWarningRow.author_id)
        ):
            facts[author].warnings = int(count)
    return facts


@dataclass(frozen=True)
class Outcome:
    """What moderation decided for one item."""

    action: str
    status: str
    category: str | None
    severity: str | None
    rule_id: str | None
    rule_name: str | None
    reason: str


def _outcome(verdict: matching.Verdict, settings: schemas.Settings, warnings: int) -> Outcome:
    action = verdict.action
    reason = verdict.reason
    rule_id, rule_name, category, severity = (
        verdict.rule_id,
        verdict.rule_name,
        verdict.category,
        verdict.severity,
    )
    if settings.warnings_to_hide and warnings >= settings.warnings_to_hide and action != "reject":
        action, rule_id, rule_name = "hide", None, WARNINGS_RULE
        reason = f"the author has {warnings} warnings in the window"
        severity = severity or "medium"
    if not settings.auto_moderate and action not in ("approve", "flag"):
        reason = f"proposed: {action}; {reason}"
        action = "flag"
    return Outcome(
        action, schemas.STATUS_OF[action], category, severity, rule_id, rule_name, reason[:2000]
    )


def moderate_one(
    tx: Session, who: Principal, body: schemas.ItemSubmit, scores: dict[str, Any] | None
) -> schemas.Item:
    return moderate(tx, who, [body], [scores])[0]


def moderate(
    tx: Session,
    who: Principal,
    bodies: Sequence[schemas.ItemSubmit],
    scores: Sequence[dict[str, Any] | None],
    *,
    source: str = "rules",
) -> list[schemas.Item]:
    """Store (or update) each item and decide it with the rules: the first matching rule in
    order decides. One transaction for the whole batch."""
    now = utcnow()
    settings = settings_service.settings_of(tx, who.project(), who.environment_id)
    for index, body in enumerate(bodies):
        field = "body.content" if len(bodies) == 1 else f"body.items.{index}.content"
        settings_service.check_size(body, settings.max_content_bytes, field)
    seen: set[str] = set()
    for index, body in enumerate(bodies):
        if body.external_id in seen:
            raise ValidationFailed(
                f"external_id '{body.external_id}' appears twice in the batch",
                errors=[FieldError(f"body.items.{index}.external_id", "already in the batch")],
            )
        seen.add(body.external_id)
    ruleset = rule_service.rule_set(tx, who)
    rules, repeat_window = ruleset.rules, ruleset.repeat_window
    existing = {
        row.external_id: row
        for row in tx.execute(
            _scoped(who).where(ModerationItemRow.external_id.in_({b.external_id for b in bodies}))
        ).scalars()
    }
    digests = [matching.content_hash(b.content) for b in bodies]
    facts = _author_facts(
        tx, who, {b.author.id for b in bodies}, now, rules, settings, repeat_window, set(digests)
    )
    timeout = settings.rule_timeout_ms / 1000
    repeat_since = now - timedelta(seconds=repeat_window)
    out: list[schemas.Item] = []
    made: list[tuple[str, str, str, dict[str, Any]]] = []
    decided: list[tuple[Any, Outcome]] = []
    inserts: list[dict[str, Any]] = []
    for index, (body, item_scores) in enumerate(zip(bodies, scores, strict=True)):
        author = facts[body.author.id]
        digest = digests[index]
        assert author.hashes is not None
        row = existing.get(body.external_id)
        # An item moderated again does not count as its own earlier copy or first item.
        same = author.hashes[digest]
        recent = author.last_minute
        first = author.first_seen
        if row is not None and row.author_id == body.author.id:
            same -= int(row.content_hash == digest and row.create_time >= repeat_since)
            recent -= int(row.create_time >= now - timedelta(minutes=1))
            if first is not None and first >= row.create_time:
                first = None
        verdict = matching.evaluate(
            rules,
            body.content,
            body.kind,
            matching.Facts(
                author_items_last_minute=max(recent, 0) + 1,
                author_same_content=max(same, 0),
                author_first_seen_seconds=None if first is None else (now - first).total_seconds(),
                scores=(item_scores or {}).get("categories", {}),
            ),
            default_action=settings.default_action,
            timeout_seconds=timeout,
            patterns=ruleset.patterns,
        )
        outcome = _outcome(verdict, settings, author.warnings)
        row, fresh = _store(who, row, body, digest, item_scores, outcome, now)
        if fresh is not None:
            inserts.append(fresh)
            existing[body.external_id] = row
        decided.append((row, outcome))
        if outcome.action == "warn":
            author.warnings += 1
        if fresh is not None:  # a new item: it counts for the batch's later ones
            author.last_minute += 1
            author.hashes[digest] += 1
            author.first_seen = author.first_seen or now
        event = EVENT_OF_STATUS.get(outcome.status)
        if event is not None:
            made.append((event, "moderation_item", row.id, event_data(row)))
        out.append(view(row))
    tx.flush()  # the items first: decisions and warnings refer to them
    connection = tx.connection()
    if inserts:
        for values in inserts:
            values["metadata"] = values.pop("item_metadata")
        _INSERT_ITEM.run_many(connection, inserts)
    decisions = [
        decision_values(who, row, outcome, source=source, automatic=True, now=now)
        for row, outcome in decided
    ]
    _INSERT_DECISION.run_many(connection, decisions)
    warnings = [
        warning_values(row, outcome.reason, now)
        for row, outcome in decided
        if outcome.action == "warn"
    ]
    if warnings:
        tx.execute(insert(ModerationWarningRow), warnings)
    if made:
        events.emit_many(tx, who, made, environment_id=who.environment_id, json_ready=True)
    tx.flush()
    return out


def event_data(row: ModerationItemRow) -> dict[str, Any]:
    return {
        "id": row.id,
        "external_id": row.external_id,
        "status": row.status,
        "action": row.action,
        "category": row.category,
        "rule_name": row.rule_name,
        "author_id": row.author_id,
    }


def _store(
    who: Principal,
    row: ModerationItemRow | None,
    body: schemas.ItemSubmit,
    digest: str,
    item_scores: dict[str, Any] | None,
    outcome: Outcome,
    now: datetime,
) -> tuple[Any, dict[str, Any] | None]:
    """The item updated, or a new item's values (inserted with the batch's others: one
    multi-row INSERT instead of an ORM object per item) and a view of them."""
    fields: dict[str, Any] = {
        "kind": body.kind,
        "content": body.content,
        "content_hash": digest,
        "author_id": body.author.id,
        "author_name": body.author.name,
        "context": body.context.model_dump(exclude_none=True),
        "item_metadata": body.metadata,
        "scores": item_scores or {},
        **_outcome_fields(outcome, now),
    }
    if row is not None:
        row.revision += 1
        row.claim_owner = row.claim_time = row.claim_expire_time = None
        for name, value in fields.items():
            setattr(row, name, value)
        return row, None
    values = {
        "id": new_id("mod"),
        "project_id": who.project(),
        "environment_id": who.environment_id or "",
        "external_id": body.external_id,
        "revision": 0,
        "create_time": now,
        "claim_owner": None,
        "claim_time": None,
        "claim_expire_time": None,
        "decided_by": None,
        "decide_time": None,
        "appeal_reason": None,
        "appeal_status": None,
        "appeal_time": None,
        **fields,
    }
    return SimpleNamespace(**values), values


def _outcome_fields(outcome: Outcome, now: datetime) -> dict[str, Any]:
    return {
        "status": outcome.status,
        "action": outcome.action,
        "category": outcome.category,
        "severity": outcome.severity,
        "rule_id": outcome.rule_id,
        "rule_name": outcome.rule_name,
        "reason": outcome.reason,
        "queue_time": now if outcome.status == "flagged" else None,
        "update_time": now,
    }


def decision_values(
    who: Principal,
    row: Any,
    outcome: Outcome,
    *,
    source: str,
    automatic: bool,
    now: datetime,
    wait_seconds: int | None = None,
) -> dict[str, Any]:
    return {
        "id": new_id("mdd"),
        "project_id": row.project_id,
        "environment_id": row.environment_id,
        "item_id": row.id,
        "action": outcome.action,
        "status": outcome.status,
        "source": source,
        "automatic": automatic,
        "category": outcome.category,
        "rule_id": outcome.rule_id,
        "rule_name": outcome.rule_name,
        "reason": outcome.reason,
        "actor": str(who.actor["id"]),
        "wait_seconds": wait_seconds,
        "create_time": now,
    }


def record_decision(
    tx: Session,
    who: Principal,
    row: ModerationItemRow,
    outcome: Outcome,
    *,
    source: str,
    automatic: bool,
    now: datetime,
    wait_seconds: int | None = None,
) -> None:
    values = decision_values(
        who,
        row,
        outcome,
        source=source,
        automatic=automatic,
        now=now,
        wait_seconds=wait_seconds,
    )
    tx.execute(insert(ModerationDecisionRow), [values])


def warn(tx: Session, who: Principal, row: Any, reason: str, now: datetime) -> None:
    tx.execute(insert(ModerationWarningRow), [warning_values(row, reason, now)])


def warning_values(row: Any, reason: str, now: datetime) -> dict[str, Any]:
    return {
        "id": new_id("mwn"),
        "project_id": row.project_id,
        "environment_id": row.environment_id,
        "author_id": row.author_id,
        "item_id": row.id,
        "reason": reason[:2000],
        "create_time": now,
    }


def organization_of(tx: Session, project_id: str) -> str:
    """The organization of a project (for the step kinds' and tools' principal)."""
    project = tenancy.project_settings(tx, project_id)
    assert project is not None  # the run's own project
    return project.organization_id

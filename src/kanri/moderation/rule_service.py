"""Moderation rules: CRUD, and the project environment's enabled rules compiled in order
(cached per process by id and update time, so a keyword list of thousands of words is
built once, not per item)."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from kanri.core import audit, events, regex
from kanri.core.auth import Principal
from kanri.core.errors import Conflict, FieldError, ValidationFailed
from kanri.core.filtering import FilterField, FilterSpec
from kanri.core.ids import new_id
from kanri.core.pagination import ListParams, Page, paginate
from kanri.core.scoping import by_ref, scoped
from kanri.core.time import utcnow
from kanri.moderation import matching, schemas
from kanri.moderation.models import ModerationRuleRow

RULE_FILTERS = FilterSpec(
    {
        "id": FilterField(ModerationRuleRow.id),
        "name": FilterField(ModerationRuleRow.name),
        "enabled": FilterField(ModerationRuleRow.enabled, "boolean"),
        "action": FilterField(ModerationRuleRow.action),
        "category": FilterField(ModerationRuleRow.category),
        "order": FilterField(ModerationRuleRow.position, "number"),
        "create_time": FilterField(ModerationRuleRow.create_time, "timestamp"),
    }
)
MAX_RULES = 200
_CACHE: OrderedDict[tuple[str, datetime], matching.Compiled] = OrderedDict()
_CACHE_SIZE = 1000


def _scoped(who: Principal) -> Select[ModerationRuleRow]:
    return scoped(select(ModerationRuleRow), who, environment=True)


def rule_row(tx: Session, who: Principal, ref: str) -> ModerationRuleRow:
    return by_ref(
        tx,
        ModerationRuleRow,
        ref,
        who,
        prefix="mru",
        name_column=ModerationRuleRow.name,
        noun="moderation rule",
        environment=True,
    )


def view(row: ModerationRuleRow) -> schemas.ModerationRule:
    return schemas.ModerationRule(
        id=row.id,
        name=row.name,
        enabled=row.enabled,
        order=row.position,
        when=row.when,
        action=row.action,
        category=row.category,
        severity=row.severity,
        create_time=row.create_time,
        update_time=row.update_time,
    )


def _when(when: schemas.When) -> dict[str, Any]:
    stored = when.model_dump(mode="json", exclude_none=True, exclude_defaults=True)
    if when.regex is not None:
        stored["regex"] = when.regex.model_dump(mode="json")
        try:  # the case-insensitive form is what runs
            matching.compile_rule(None, "check", stored, "flag", None, None)
        except regex.UnsupportedPattern as exc:
            raise ValidationFailed(
                str(exc), errors=[FieldError("body.when.regex.pattern", str(exc))]
            ) from None
    return stored


def create(tx: Session, who: Principal, body: schemas.RuleCreate) -> schemas.ModerationRule:
    if tx.execute(_scoped(who).where(ModerationRuleRow.name == body.name)).first() is not None:
        raise Conflict(
            f"a moderation rule named '{body.name}' already exists",
            errors=[FieldError("body.name", "already used in this environment")],
        )
    count = len(tx.execute(_scoped(who).with_only_columns(ModerationRuleRow.id)).all())
    if count >= MAX_RULES:
        raise Conflict(f"an environment has at most {MAX_RULES} moderation rules")
    now = utcnow()
    row = ModerationRuleRow(
        id=new_id("mru"),
        project_id=who.project(),
        environment_id=who.environment_id or "",
        name=body.name,
        enabled=body.enabled,
        position=body.order,
        when=_when(body.when),
        action=body.action,
        category=body.category,
        severity=body.severity,
        create_time=now,
        update_time=now,
    )
    tx.add(row)
    tx.flush()
    audit.record(tx, who, "moderation.rule.created", "moderation_rule", row.id, {"name": row.name})
    events.emit(
        tx,
        who,
        "moderation.rule.created",
        "moderation_rule",
        row.id,
        {"id": row.id},
        environment_id=who.environment_id,
    )
    return view(row)


def get(tx: Session, who: Principal, ref: str) -> schemas.ModerationRule:
    return view(rule_row(tx, who, ref))


def list_rules(tx: Session, who: Principal, params: ListParams) -> Page[schemas.ModerationRule]:
    page = paginate(
        tx,
        _scoped(who),
        RULE_FILTERS,
        params,
        id_column=ModerationRuleRow.id,
        default_order="order",
    )
    return page.map(view)


def update(
    tx: Session, who: Principal, ref: str, body: schemas.RuleUpdate
) -> schemas.ModerationRule:
    row = rule_row(tx, who, ref)
    changes: dict[str, Any] = {}
    given = body.model_dump(exclude_unset=True)
    for name in ("enabled", "action", "category", "severity"):
        if name in given and given[name] != getattr(row, name):
            changes[name] = {"from": getattr(row, name), "to": given[name]}
            setattr(row, name, given[name])
    if body.order is not None and body.order != row.position:
        changes["order"] = {"from": row.position, "to": body.order}
        row.position = body.order
    if body.when is not None:
        row.when = _when(body.when)
        changes["when"] = {"changed": True}
    if changes:
        row.update_time = utcnow()
        audit.record(tx, who, "moderation.rule.updated", "moderation_rule", row.id, changes)
        events.emit(
            tx,
            who,
            "moderation.rule.updated",
            "moderation_rule",
            row.id,
            {"id": row.id},
            environment_id=who.environment_id,
        )
    tx.flush()
    return view(row)


def delete(tx: Session, who: Principal, ref: str) -> None:
    row = rule_row(tx, who, ref)
    audit.record(tx, who, "moderation.rule.deleted", "moderation_rule", row.id, {"name": row.name})
    events.emit(
        tx,
        who,
        "moderation.rule.deleted",
        "moderation_rule",
        row.id,
        {"id": row.id},
        environment_id=who.environment_id,
    )
    tx.delete(row)


def compile_row(row: ModerationRuleRow) -> matching.Compiled:
    key = (row.id, row.update_time)
    found = _CACHE.get(key)
    if found is None:
        found = matching.compile_rule(
            row.id, row.name, row.when, row.action, row.category, row.severity
        )
        _CACHE[key] = found
        if len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    return found


@dataclass(frozen=True)
class RuleSet:
    rules: list[matching.Compiled]
    repeat_window: int  # the longest window of its repeated-content rules (seconds)
    patterns: Any  # matching.prefilter of its rules


_SETS: OrderedDict[tuple[tuple[str, datetime], ...], Any] = OrderedDict()


def _patterns(rows: list[ModerationRuleRow], rules: list[matching.Compiled]) -> Any:
    key = tuple((row.id, row.update_time) for row in rows)
    if key not in _SETS:
        _SETS[key] = matching.prefilter(rules)
        if len(_SETS) > 100:
            _SETS.popitem(last=False)
    return _SETS[key]


def rule_set(tx: Session, who: Principal) -> RuleSet:
    """The environment's enabled rules in order, compiled, with their patterns' prefilter."""
    rules, window, rows = _compiled(tx, who)
    return RuleSet(rules, window, _patterns(rows, rules))


def _compiled(
    tx: Session, who: Principal
) -> tuple[list[matching.Compiled], int, list[ModerationRuleRow]]:
    rows = tx.execute(
        _scoped(who)
        .where(ModerationRuleRow.enabled.is_(True))
        .order_by(ModerationRuleRow.position, ModerationRuleRow.create_time)
    ).scalars()
    rules: list[matching.Compiled] = []
    used: list[ModerationRuleRow] = []
    window = 0
    for row in rows:
        try:
            rules.append(compile_row(row))
        except regex.UnsupportedPattern:  # saved before RE2 refused it: skipped
            continue
        used.append(row)
        repeated = row.when.get("repeated_content")
        if repeated:
            window = max(window, int(repeated.get("window_seconds", 3600)))
    return rules, window, used

"""Budgets: spend per period for a project or an agent, thresholds that notify, block, or
ask a person before a model call goes ahead."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, bindparam, func, select
from sqlalchemy.orm import Session

from kanri.core import audit, events, ownership
from kanri.core.auth import Principal
from kanri.core.errors import FieldError, KanriError, ValidationFailed
from kanri.core.filtering import FilterField, FilterSpec
from kanri.core.ids import new_id
from kanri.core.pagination import ListParams, Page, paginate
from kanri.core.scoping import by_ref, scoped
from kanri.core.time import utcnow
from kanri.costs import schemas
from kanri.costs.models import BudgetRow, ModelCallRow
from kanri.db.prepared import Prepared

BUDGET_FILTERS = FilterSpec(
    {
        "id": FilterField(BudgetRow.id),
        "name": FilterField(BudgetRow.name),
        "agent_id": FilterField(BudgetRow.agent_id),
        "period": FilterField(BudgetRow.period),
        "create_time": FilterField(BudgetRow.create_time, "timestamp"),
    }
)


class BudgetExceeded(KanriError):
    status = 402
    code = "BUDGET_EXCEEDED"
    title = "Budget exceeded"


def period_start(period: str, now: datetime) -> datetime:
    """The UTC start of the day, ISO week (Monday) or month containing `now`."""
    day = now.replace(hour=0, minute=0, second=0, microsecond=0)
    if period == "week":
        return day - timedelta(days=day.weekday())
    if period == "month":
        return day.replace(day=1)
    return day


def spent(tx: Session, row: BudgetRow, since: datetime) -> Decimal:
    stmt = select(func.coalesce(func.sum(ModelCallRow.cost_usd), 0)).where(
        ModelCallRow.project_id == row.project_id, ModelCallRow.create_time >= since
    )
    if row.agent_id is not None:
        stmt = stmt.where(ModelCallRow.agent_id == row.agent_id)
    return Decimal(str(tx.execute(stmt).scalar_one()))


@dataclass
class Verdict:
    """What the budgets say before a model call."""

    block: str | None = None
    approval: str | None = None  # a message for the person asked
    notify: list[tuple[str, Decimal]] = field(default_factory=list)  # (budget id, percent)


def _applicable(tx: Session, project_id: str, agent_id: str | None) -> list[BudgetRow]:
    stmt = select(BudgetRow).where(BudgetRow.project_id == project_id)
    rows = tx.execute(stmt).scalars()
    return [r for r in rows if r.agent_id is None or r.agent_id == agent_id]


# Whether a project has any budget (built once: asked before every model call).
_ANY = Prepared(select(BudgetRow.id).where(BudgetRow.project_id == bindparam("project")).limit(1))


def verdict(tx: Session, project_id: str, agent_id: str | None) -> Verdict:
    """The budgets of the project (and agent) evaluated now."""
    out = Verdict()
    if _ANY.read(tx, {"project": project_id}) is None:
        return out
    now = utcnow()
    for row in _applicable(tx, project_id, agent_id):
        start = period_start(row.period, now)
        used = spent(tx, row, start)
        percent = used * 100 / row.limit_usd
        notified = row.notified if row.notified.get("period_start") == start.isoformat() else {}
        for threshold in sorted(row.thresholds, key=lambda t: Decimal(str(t["percent"]))):
            level = Decimal(str(threshold["percent"]))
            if percent < level:
                continue
            what = (
                f"budget '{row.name}' is at {percent:.1f} % of "
                f"{row.limit_usd} USD this {row.period}"
            )
            if threshold["action"] == "block":
                out.block = out.block or what
            elif threshold["action"] == "require_approval":
                out.approval = out.approval or what
            elif str(level) not in notified.get("percents", []):
                out.notify.append((row.id, level))
    return out


def record_notifications(tx: Session, who: Principal, items: list[tuple[str, Decimal]]) -> None:
    """Emit `budget.threshold_reached` once per budget, period and threshold."""
    now = utcnow()
    for budget_id, level in items:
        row = tx.execute(
            select(BudgetRow).where(BudgetRow.id == budget_id).with_for_update()
        ).scalar_one_or_none()
        if row is None:
            continue
        start = period_start(row.period, now).isoformat()
        notified = row.notified if row.notified.get("period_start") == start else {}
        percents = list(notified.get("percents", []))
        if str(level) in percents:
            continue
        row.notified = {"period_start": start, "percents": [*percents, str(level)]}
        events.emit(
            tx,
            who,
            "budget.threshold_reached",
            "budget",
            row.id,
            {"id": row.id, "name": row.name, "percent": str(level), "period_start": start},
            project_id=row.project_id,
        )


def check_new_run(tx: Session, project_id: str, agent_id: str | None) -> None:
    """Refuse a new run (402) while a blocking threshold of its budgets is reached."""
    blocked = verdict(tx, project_id, agent_id).block
    if blocked:
        raise BudgetExceeded(f"{blocked}: new runs are refused until the next period")


# ---------------------------------------------------------------- CRUD


def _scoped(who: Principal) -> Select[BudgetRow]:
    return scoped(select(BudgetRow), who)


def _view(tx: Session, row: BudgetRow) -> schemas.Budget:
    start = period_start(row.period, utcnow())
    return schemas.Budget(
        id=row.id,
        name=row.name,
        agent_id=row.agent_id,
        period=row.period,
        limit_usd=row.limit_usd,
        thresholds=[schemas.BudgetThreshold.model_validate(t) for t in row.thresholds],
        spent_usd=spent(tx, row, start),
        period_start=start,
        create_time=row.create_time,
        update_time=row.update_time,
    )


def budget_row(tx: Session, who: Principal, budget_id: str) -> BudgetRow:
    return by_ref(tx, BudgetRow, budget_id, who, prefix="bdg", noun="budget")


def _thresholds(items: list[schemas.Threshold]) -> list[dict[str, Any]]:
    return [{"percent": str(t.percent), "action": t.action} for t in items]


def create(tx: Session, who: Principal, body: schemas.BudgetCreate) -> schemas.Budget:
    agent_id = None
    if body.agent is not None:
        agent_id = ownership.resolve(tx, who.project(), "agt", body.agent)
        if agent_id is None:
            raise ValidationFailed(
                f"agent '{body.agent}' not found",
                errors=[FieldError("body.agent", "no such agent")],
            )
    now = utcnow()
    row = BudgetRow(
        id=new_id("bdg"),
        project_id=who.project(),
        name=body.name,
        agent_id=agent_id,
        period=body.period,
        limit_usd=body.limit_usd,
        thresholds=_thresholds(body.thresholds),
        notified={},
        create_time=now,
        update_time=now,
    )
    tx.add(row)
    tx.flush()
    audit.record(
        tx, who, "budget.created", "budget", row.id, {"limit_usd": {"to": str(row.limit_usd)}}
    )
    events.emit(tx, who, "budget.created", "budget", row.id, {"id": row.id})
    return _view(tx, row)


def get(tx: Session, who: Principal, budget_id: str) -> schemas.Budget:
    return _view(tx, budget_row(tx, who, budget_id))


def list_budgets(tx: Session, who: Principal, params: ListParams) -> Page[schemas.Budget]:
    page = paginate(
        tx,
        _scoped(who),
        BUDGET_FILTERS,
        params,
        id_column=BudgetRow.id,
        default_order="create_time",
    )
    return page.map(lambda row: _view(tx, row))


def update(
    tx: Session, who: Principal, budget_id: str, body: schemas.BudgetUpdate
) -> schemas.Budget:
    row = budget_row(tx, who, budget_id)
    summary: dict[str, Any] = {}
    if body.period is not None and body.period != row.period:
        summary["period"] = {"from": row.period, "to": body.period}
        row.period = body.period
    if body.limit_usd is not None and body.limit_usd != row.limit_usd:
        summary["limit_usd"] = {"from": str(row.limit_usd), "to": str(body.limit_usd)}
        row.limit_usd = body.limit_usd
    if body.thresholds is not None:
        row.thresholds = _thresholds(body.thresholds)
        summary["thresholds"] = {"changed": True}
    if summary:
        row.update_time = utcnow()
        audit.record(tx, who, "budget.updated", "budget", row.id, summary)
        events.emit(tx, who, "budget.updated", "budget", row.id, {"id": row.id})
    tx.flush()
    return _view(tx, row)


def delete(tx: Session, who: Principal, budget_id: str) -> None:
    row = budget_row(tx, who, budget_id)
    audit.record(tx, who, "budget.deleted", "budget", row.id, {"name": {"from": row.name}})
    events.emit(tx, who, "budget.deleted", "budget", row.id, {"id": row.id})
    tx.delete(row)

"""Moderation statistics: totals of the decisions made in a time range (K0nsult's four among
them) and one series grouped by day, category, action or rule."""

from __future__ import annotations

import statistics
from collections import Counter
from datetime import datetime
from typing import Literal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kanri.core.auth import Principal
from kanri.moderation import schemas
from kanri.moderation.models import ModerationDecisionRow, ModerationItemRow

GroupBy = Literal["day", "category", "action", "rule"]


def stats(
    tx: Session,
    who: Principal,
    start: datetime | None,
    end: datetime | None,
    group_by: GroupBy,
) -> schemas.Stats:
    where = [
        ModerationDecisionRow.project_id == who.project(),
        ModerationDecisionRow.environment_id == who.environment_id,
    ]
    if start is not None:
        where.append(ModerationDecisionRow.create_time >= start)
    if end is not None:
        where.append(ModerationDecisionRow.create_time < end)
    rows = tx.execute(
        select(
            ModerationDecisionRow.status,
            ModerationDecisionRow.action,
            ModerationDecisionRow.automatic,
            ModerationDecisionRow.category,
            ModerationDecisionRow.rule_name,
            ModerationDecisionRow.wait_seconds,
            ModerationDecisionRow.create_time,
        ).where(*where)
    ).all()
    by_status = Counter(r.status for r in rows)
    automatic = sum(1 for r in rows if r.automatic)
    waits = [r.wait_seconds for r in rows if not r.automatic and r.wait_seconds is not None]
    appeal_where = [
        ModerationItemRow.project_id == who.project(),
        ModerationItemRow.environment_id == who.environment_id,
        ModerationItemRow.appeal_time.is_not(None),
    ]
    if start is not None:
        appeal_where.append(ModerationItemRow.appeal_time >= start)
    if end is not None:
        appeal_where.append(ModerationItemRow.appeal_time < end)
    appeals = tx.execute(select(func.count()).where(*appeal_where)).scalar_one()
    queue_size = tx.execute(
        select(func.count()).where(
            ModerationItemRow.project_id == who.project(),
            ModerationItemRow.environment_id == who.environment_id,
            ModerationItemRow.status == "flagged",
        )
    ).scalar_one()
    series: Counter[str] = Counter()
    for r in rows:
        if group_by == "day":
            key = r.create_time.date().isoformat()
        elif group_by == "category":
            key = r.category or "none"
        elif group_by == "action":
            key = r.action
        else:
            key = r.rule_name or ("manual" if not r.automatic else "none")
        series[key] += 1
    totals = schemas.Totals(
        total_actions=len(rows),
        auto_moderated=automatic,
        manual_review=len(rows) - automatic,
        flagged=by_status["flagged"],
        hidden=by_status["hidden"],
        approved=by_status["approved"],
        rejected=by_status["rejected"],
        warned=by_status["warned"],
        appeals=int(appeals),
        median_time_to_decision=float(statistics.median(waits)) if waits else None,
        queue_size=int(queue_size),
    )
    return schemas.Stats(
        totals=totals,
        series=[schemas.SeriesPoint(key=k, count=series[k]) for k in sorted(series)],
        totalActions=totals.total_actions,
        autoModerated=totals.auto_moderated,
        manualReview=totals.manual_review,
        flagged=totals.flagged,
    )

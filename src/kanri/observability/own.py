"""kanri's own metrics under the reserved `kanri.` prefix, read from the run tables when
asked (nothing is written on the engine's path): `metrics:query` takes them like any other
metric name, with `filter` on `labels.<name>` and `group_by` their labels.

- `kanri.runs.started`, `.completed`, `.failed` (counters): 1 per run at its creation, or
  at its end with that status; labels automation_id, agent_id.
- `kanri.runs.cost_usd`, `kanri.runs.tokens` (counters): a finished run's cost and model
  tokens at its end; the same labels.
- `kanri.steps.duration_seconds` (gauge): each finished step's duration at its end; labels
  kind, status, automation_id (percentiles over the raw values).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, select
from sqlalchemy.orm import Session

from kanri.core.auth import Principal
from kanri.core.filtering import FilterField, FilterSpec
from kanri.engine.models import RunRow, RunStepRow
from kanri.observability import schemas

Point = tuple[datetime, float | None, dict[str, Any] | None, dict[str, str]]
_RUN_LABELS = {
    "labels.automation_id": FilterField(RunRow.automation_id),
    "labels.agent_id": FilterField(RunRow.agent_id),
}
RUN_FILTERS = FilterSpec(_RUN_LABELS)
STEP_FILTERS = FilterSpec(
    {
        "labels.automation_id": FilterField(RunRow.automation_id),
        "labels.kind": FilterField(RunStepRow.kind),
        "labels.status": FilterField(RunStepRow.status),
    }
)


@dataclass(frozen=True)
class OwnMetric:
    type: str
    unit: str | None
    labels: tuple[str, ...]
    spec: FilterSpec
    points: Callable[
        [Session, Principal, datetime, datetime, ColumnElement[bool] | None], list[Point]
    ]


def _runs(who: Principal, time: Any, start: datetime, end: datetime) -> Select[Any]:
    return select(time, RunRow.automation_id, RunRow.agent_id, RunRow.cost_usd, RunRow.usage).where(
        RunRow.project_id == who.project(),
        RunRow.environment_id == who.environment_id,
        time >= start,
        time < end,
    )


def _run_labels(automation_id: str | None, agent_id: str | None) -> dict[str, str]:
    labels = {}
    if automation_id:
        labels["automation_id"] = automation_id
    if agent_id:
        labels["agent_id"] = agent_id
    return labels


def _tokens(usage: dict[str, Any] | None) -> float | None:
    if not usage:
        return None
    total = usage.get("total_tokens") or (
        (usage.get("input_tokens") or 0) + (usage.get("output_tokens") or 0)
    )
    return float(total) if total else None


def _run_points(
    value: Callable[[Any], float | None], *, status: str | None = None, at_end: bool = True
) -> Callable[[Session, Principal, datetime, datetime, ColumnElement[bool] | None], list[Point]]:
    def points(
        tx: Session,
        who: Principal,
        start: datetime,
        end: datetime,
        condition: ColumnElement[bool] | None,
    ) -> list[Point]:
        time = RunRow.end_time if at_end else RunRow.create_time
        stmt = _runs(who, time, start, end)
        if status is not None:
            stmt = stmt.where(RunRow.status == status)
        if condition is not None:
            stmt = stmt.where(condition)
        found: list[Point] = []
        for moment, automation_id, agent_id, cost, usage in tx.execute(stmt):
            number = value((cost, usage))
            if number is not None:
                found.append((moment, number, None, _run_labels(automation_id, agent_id)))
        return found

    return points


def _step_points(
    tx: Session,
    who: Principal,
    start: datetime,
    end: datetime,
    condition: ColumnElement[bool] | None,
) -> list[Point]:
    stmt = (
        select(
            RunStepRow.start_time,
            RunStepRow.end_time,
            RunStepRow.kind,
            RunStepRow.status,
            RunRow.automation_id,
        )
        .join(RunRow, RunRow.id == RunStepRow.run_id)
        .where(
            RunRow.project_id == who.project(),
            RunRow.environment_id == who.environment_id,
            RunStepRow.end_time >= start,
            RunStepRow.end_time < end,
        )
    )
    if condition is not None:
        stmt = stmt.where(condition)
    found: list[Point] = []
    for started, ended, kind, status, automation_id in tx.execute(stmt):
        if ended is None:  # the WHERE on end_time keeps these out
            continue
        labels = {"kind": kind, "status": status}
        if automation_id:
            labels["automation_id"] = automation_id
        found.append((ended, (ended - started).total_seconds(), None, labels))
    return found


_RUN_KEYS = ("automation_id", "agent_id")
OWN: dict[str, OwnMetric] = {
    "kanri.runs.started": OwnMetric(
        "counter", None, _RUN_KEYS, RUN_FILTERS, _run_points(lambda _: 1.0, at_end=False)
    ),
    "kanri.runs.completed": OwnMetric(
        "counter", None, _RUN_KEYS, RUN_FILTERS, _run_points(lambda _: 1.0, status="completed")
    ),
    "kanri.runs.failed": OwnMetric(
        "counter", None, _RUN_KEYS, RUN_FILTERS, _run_points(lambda _: 1.0, status="failed")
    ),
    "kanri.runs.cost_usd": OwnMetric(
        "counter",
        "USD",
        _RUN_KEYS,
        RUN_FILTERS,
        _run_points(lambda row: float(row[0]) if row[0] is not None else None),
    ),
    "kanri.runs.tokens": OwnMetric(
        "counter", None, _RUN_KEYS, RUN_FILTERS, _run_points(lambda row: _tokens(row[1]))
    ),
    "kanri.steps.duration_seconds": OwnMetric(
        "gauge", "s", ("kind", "status", "automation_id"), STEP_FILTERS, _step_points
    ),
}


def names() -> list[schemas.MetricName]:
    """kanri's own metric names for `GET /v1/metrics` (label values are not listed)."""
    return [
        schemas.MetricName(
            name=name,
            type=metric.type,
            unit=metric.unit,
            series_count=0,
            labels={key: [] for key in metric.labels},
        )
        for name, metric in OWN.items()
    ]

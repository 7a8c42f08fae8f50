"""Queries of observability data: log search (AIP-160, keyset pages), metric series with
steps, aggregations and percentiles, event counts and funnels, the list of metric names.

Aggregation is done in the process over the points of the window, read through the
(project, environment, name, time) index: at most MAX_POINTS points per query.
"""

from __future__ import annotations

import math
from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.orm import Session

from kanri.core.auth import Principal
from kanri.core.errors import BadRequest, FieldError, ValidationFailed
from kanri.core.filtering import FilterField, FilterSpec
from kanri.core.pagination import ListParams, Page, paginate
from kanri.observability import own, schemas
from kanri.observability.ingest import environment_of
from kanri.observability.models import (
    BusinessEventRow,
    LogLineRow,
    MetricPointRow,
    MetricSeriesRow,
)

MAX_POINTS = 1_000_000
MAX_BUCKETS = 10_000
LOG_FILTERS = FilterSpec(
    {
        "id": FilterField(LogLineRow.id),
        "client_id": FilterField(LogLineRow.client_id),
        "time": FilterField(LogLineRow.time, "timestamp"),
        "level": FilterField(LogLineRow.level),
        "service": FilterField(LogLineRow.service),
        "message": FilterField(LogLineRow.message, "text"),
        "attributes": FilterField(LogLineRow.attributes, "map"),
        "trace_id": FilterField(LogLineRow.trace_id),
        "span_id": FilterField(LogLineRow.span_id),
    }
)
LABEL_FILTERS = FilterSpec({"labels": FilterField(MetricPointRow.labels, "map")})
EVENT_FILTERS = FilterSpec(
    {
        "name": FilterField(BusinessEventRow.name),
        "user_id": FilterField(BusinessEventRow.user_id),
        "session_id": FilterField(BusinessEventRow.session_id),
        "value": FilterField(BusinessEventRow.value, "number"),
        "properties": FilterField(BusinessEventRow.properties, "map"),
    }
)


def _scoped(stmt: Any, row: Any, who: Principal) -> Any:
    return stmt.where(row.project_id == who.project(), row.environment_id == environment_of(who))


def _body_filter(spec: FilterSpec, text: str | None) -> ColumnElement[bool] | None:
    """A query body's `filter`: its errors are on `body.filter`, a 400 as in lists."""
    try:
        return spec.compile(text)
    except BadRequest as exc:
        detail = exc.detail or "invalid filter"
        raise BadRequest(detail, errors=[FieldError("body.filter", detail)]) from exc


# ------------------------------------------------------------------------------------ logs


def log_statement(
    who: Principal, start: datetime | None, end: datetime | None
) -> Select[LogLineRow]:
    stmt: Select[LogLineRow] = _scoped(select(LogLineRow), LogLineRow, who)
    if start is not None:
        stmt = stmt.where(LogLineRow.time >= start)
    if end is not None:
        stmt = stmt.where(LogLineRow.time < end)
    return stmt


def list_logs(
    tx: Session,
    who: Principal,
    params: ListParams,
    start: datetime | None,
    end: datetime | None,
) -> Page[schemas.LogLine]:
    """Log lines, newest first unless `order_by` says otherwise."""
    page = paginate(
        tx,
        log_statement(who, start, end),
        LOG_FILTERS,
        params,
        id_column=LogLineRow.id,
        default_order="time desc",
    )
    return page.map(schemas.LogLine.model_validate)


def tail_start(tx: Session, who: Principal) -> str:
    """Where a tail opened now starts: after the newest line stored so far."""
    newest = tx.execute(
        _scoped(select(func.max(LogLineRow.id)), LogLineRow, who)
    ).scalar_one_or_none()
    return newest or ""


def tail_logs(
    tx: Session, who: Principal, condition: ColumnElement[bool] | None, after: str, limit: int
) -> list[schemas.LogLine]:
    """Lines stored after id `after` (ids grow with insertion), oldest first."""
    stmt = _scoped(select(LogLineRow), LogLineRow, who).where(LogLineRow.id > after)
    if condition is not None:
        stmt = stmt.where(condition)
    rows = tx.execute(stmt.order_by(LogLineRow.id).limit(limit)).scalars().all()
    return [schemas.LogLine.model_validate(row) for row in rows]


# --------------------------------------------------------------------------------- buckets


def _buckets(start: datetime, end: datetime, step: int) -> int:
    count = math.ceil((end - start).total_seconds() / step)
    if count > MAX_BUCKETS:
        message = f"{count} steps between from and to; at most {MAX_BUCKETS}: take a longer step"
        raise ValidationFailed(message, errors=[FieldError("body.step", message, "too_many_steps")])
    return count


def _bucket(moment: datetime, start: datetime, step: int) -> int:
    return int((moment - start).total_seconds() // step)


def _too_many(count: int) -> None:
    if count > MAX_POINTS:
        message = f"more than {MAX_POINTS} points in the window: narrow from/to or the filter"
        raise ValidationFailed(message, errors=[FieldError("body.to", message, "too_many_points")])


def _series(
    groups: dict[tuple[str | None, ...], dict[int, Any]],
    group_by: list[str],
    start: datetime,
    step: int,
    count: int,
    reduce: Any,
) -> list[schemas.Series]:
    series = []
    for key in sorted(groups, key=lambda k: tuple("" if v is None else v for v in k)):
        buckets = groups[key]
        points: list[tuple[datetime, float | None]] = []
        for index in range(count):
            values = buckets.get(index)
            moment = start + timedelta(seconds=index * step)
            points.append((moment, None if values is None else reduce(values)))
        series.append(schemas.Series(group=dict(zip(group_by, key, strict=True)), points=points))
    return series


# --------------------------------------------------------------------------------- metrics


def quantile(values: list[float], q: float) -> float:
    """The q-quantile of raw values, linear between closest ranks (as numpy's default)."""
    ordered = sorted(values)
    position = (len(ordered) - 1) * q
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def histogram_quantile(bounds: list[float], counts: list[float], q: float) -> float | None:
    """Prometheus' histogram_quantile: linear within the bucket holding the rank; the +Inf
    bucket answers the highest finite bound."""
    total = sum(counts)
    if total <= 0:
        return None
    rank = q * total
    seen = 0.0
    for index, count in enumerate(counts):
        if seen + count >= rank and count > 0:
            if index >= len(bounds):
                return bounds[-1] if bounds else None
            lower = bounds[index - 1] if index > 0 else min(0.0, bounds[0])
            upper = bounds[index]
            return lower + (upper - lower) * (rank - seen) / count
        seen += count
    return bounds[-1] if bounds else None


class _Histograms:
    """Histogram points of one bucket merged: counts added per upper bound."""

    def __init__(self) -> None:
        self.counts: dict[float, float] = defaultdict(float)
        self.infinite = 0.0
        self.sum = 0.0
        self.count = 0.0

    def add(self, histogram: dict[str, Any]) -> None:
        counts = histogram["counts"]
        for bound, count in zip(histogram["buckets"], counts, strict=False):
            self.counts[float(bound)] += count
        self.infinite += counts[-1]
        self.sum += histogram["sum"]
        self.count += histogram["count"]

    def quantile(self, q: float) -> float | None:
        bounds = sorted(self.counts)
        return histogram_quantile(bounds, [*(self.counts[b] for b in bounds), self.infinite], q)


_QUANTILES = {"p50": 0.5, "p90": 0.9, "p95": 0.95, "p99": 0.99}


def _reducer(aggregation: str, step: int) -> Any:
    if aggregation in _QUANTILES:
        q = _QUANTILES[aggregation]

        def percentile(values: Any) -> float | None:
            if isinstance(values, _Histograms):
                return values.quantile(q)
            return quantile(values, q)

        return percentile

    def plain(values: Any) -> float | None:
        if isinstance(values, _Histograms):
            numbers = {"sum": values.sum, "count": values.count}
            if aggregation == "avg":
                return values.sum / values.count if values.count else None
            if aggregation == "rate":
                return values.count / step
            return numbers.get(aggregation, values.sum)
        if aggregation == "sum":
            return float(sum(values))
        if aggregation == "avg":
            return float(sum(values) / len(values))
        if aggregation == "min":
            return float(min(values))
        if aggregation == "max":
            return float(max(values))
        if aggregation == "count":
            return float(len(values))
        return float(sum(values) / step)  # rate: increments per second

    return plain


def query_metrics(tx: Session, who: Principal, body: schemas.MetricsQuery) -> schemas.MetricsResult:
    """Series of `[bucket start, value]` per group_by label values. Counters and gauges
    reduce their values per bucket; histograms merge their buckets (percentiles
    interpolate, as Prometheus' histogram_quantile); `rate` is per second of the step."""
    step = body.step_seconds
    count = _buckets(body.start, body.end, step)
    rows = _points(tx, who, body)
    groups: dict[tuple[str | None, ...], dict[int, Any]] = defaultdict(dict)
    for moment, value, histogram, labels in rows:
        key = tuple(labels.get(name) for name in body.group_by)
        index = _bucket(moment, body.start, step)
        buckets = groups[key]
        if histogram is not None:
            merged = buckets.get(index)
            if not isinstance(merged, _Histograms):
                merged = buckets[index] = _Histograms()
            merged.add(histogram)
        elif value is not None:
            buckets.setdefault(index, []).append(value)
    series = _series(
        groups, body.group_by, body.start, step, count, _reducer(body.aggregation, step)
    )
    return schemas.MetricsResult(
        name=body.name, aggregation=body.aggregation, step_seconds=step, series=series
    )


def _points(tx: Session, who: Principal, body: schemas.MetricsQuery) -> list[Any]:
    """(time, value, histogram, labels) of the metric's points in the window: kanri's own
    metrics from the run tables, the others from the points ingested."""
    if body.name.startswith(schemas.RESERVED_PREFIX):
        metric = own.OWN.get(body.name)
        if metric is None:
            return []
        found = metric.points(tx, who, body.start, body.end, _body_filter(metric.spec, body.filter))
        _too_many(len(found))
        return found
    stmt = _scoped(
        select(
            MetricPointRow.time,
            MetricPointRow.value,
            MetricPointRow.histogram,
            MetricPointRow.labels,
        ),
        MetricPointRow,
        who,
    ).where(
        MetricPointRow.name == body.name,
        MetricPointRow.time >= body.start,
        MetricPointRow.time < body.end,
    )
    condition = _body_filter(LABEL_FILTERS, body.filter)
    if condition is not None:
        stmt = stmt.where(condition)
    rows = list(tx.execute(stmt.limit(MAX_POINTS + 1)).all())
    _too_many(len(rows))
    return rows


def metric_names(tx: Session, who: Principal) -> schemas.MetricNameList:
    """Every metric name of the environment with its type, unit and labels' values."""
    rows = tx.execute(
        _scoped(select(MetricSeriesRow), MetricSeriesRow, who).order_by(
            MetricSeriesRow.name, MetricSeriesRow.create_time
        )
    ).scalars()
    names: dict[str, schemas.MetricName] = {}
    for row in rows:
        entry = names.get(row.name)
        if entry is None:
            entry = names[row.name] = schemas.MetricName(
                name=row.name, type=row.type, unit=row.unit, series_count=0, labels={}
            )
        entry.series_count += 1
        for key, value in row.labels.items():
            values = entry.labels.setdefault(key, [])
            if value not in values and len(values) < 100:
                values.append(value)
    return schemas.MetricNameList(data=[*names.values(), *own.names()])


# ---------------------------------------------------------------------------------- events


def _event_rows(
    tx: Session,
    who: Principal,
    start: datetime,
    end: datetime,
    names: list[str] | None,
    text: str | None,
) -> list[Any]:
    stmt = _scoped(
        select(
            BusinessEventRow.time,
            BusinessEventRow.name,
            BusinessEventRow.user_id,
            BusinessEventRow.value,
            BusinessEventRow.properties,
        ),
        BusinessEventRow,
        who,
    ).where(BusinessEventRow.time >= start, BusinessEventRow.time < end)
    if names:
        stmt = stmt.where(BusinessEventRow.name.in_(names))
    condition = _body_filter(EVENT_FILTERS, text)
    if condition is not None:
        stmt = stmt.where(condition)
    rows = tx.execute(stmt.limit(MAX_POINTS + 1)).all()
    _too_many(len(rows))
    return list(rows)


def _group_value(term: str, name: str, properties: dict[str, Any]) -> str | None:
    if term == "name":
        return name
    value = properties.get(term.removeprefix("properties."))
    if value is None:
        return None
    return value if isinstance(value, str) else str(value)


def query_events(tx: Session, who: Principal, body: schemas.EventsQuery) -> schemas.EventsResult:
    """Counts, sums of `value` or distinct users per step and group."""
    step = body.step_seconds
    count = _buckets(body.start, body.end, step)
    rows = _event_rows(
        tx, who, body.start, body.end, [body.name] if body.name else None, body.filter
    )
    groups: dict[tuple[str | None, ...], dict[int, Any]] = defaultdict(dict)
    for moment, name, user_id, value, properties in rows:
        key = tuple(_group_value(term, name, properties) for term in body.group_by)
        groups[key].setdefault(_bucket(moment, body.start, step), []).append((user_id, value))

    def reduce(items: list[tuple[str | None, float | None]]) -> float:
        if body.aggregation == "count":
            return float(len(items))
        if body.aggregation == "sum":
            return float(sum(value for _, value in items if value is not None))
        return float(len({user for user, _ in items if user is not None}))

    series = _series(groups, body.group_by, body.start, step, count, reduce)
    return schemas.EventsResult(aggregation=body.aggregation, step_seconds=step, series=series)


def funnel(tx: Session, who: Principal, body: schemas.FunnelQuery) -> schemas.FunnelResult:
    """Users who did the steps in order, each step after the previous one and all within
    `within_seconds` of the user's first step (the earliest start that gets furthest)."""
    rows = _event_rows(tx, who, body.start, body.end, sorted(set(body.steps)), None)
    by_user: dict[str, list[tuple[datetime, str]]] = defaultdict(list)
    for moment, name, user_id, _value, _properties in rows:
        if user_id is not None:
            by_user[user_id].append((moment, name))
    window = timedelta(seconds=body.within_seconds)
    reached = [0] * len(body.steps)
    for events in by_user.values():
        events.sort()
        best = 0
        for begin, (first_time, first_name) in enumerate(events):
            if first_name != body.steps[0]:
                continue
            done = 1
            for moment, name in events[begin + 1 :]:
                if moment - first_time > window or done == len(body.steps):
                    break
                if name == body.steps[done]:
                    done += 1
            best = max(best, done)
            if best == len(body.steps):
                break
        for index in range(best):
            reached[index] += 1
    steps = []
    for index, name in enumerate(body.steps):
        first = reached[0]
        previous = reached[index - 1] if index else reached[0]
        steps.append(
            schemas.FunnelStep(
                name=name,
                users=reached[index],
                conversion=reached[index] / first if first else 0.0,
                conversion_from_previous=reached[index] / previous if previous else 0.0,
            )
        )
    return schemas.FunnelResult(steps=steps)


# --------------------------------------------------------------------------------- summary


def summary(tx: Session, who: Principal, start: datetime, end: datetime) -> dict[str, Any]:
    """What the `observability` report shows: log lines by level and service (errors and
    fatals first), and the metric names with the most points, in [start, end)."""
    logs = tx.execute(
        _scoped(
            select(LogLineRow.level, LogLineRow.service, func.count()),
            LogLineRow,
            who,
        )
        .where(LogLineRow.time >= start, LogLineRow.time < end)
        .group_by(LogLineRow.level, LogLineRow.service)
    ).all()
    metrics = tx.execute(
        _scoped(select(MetricPointRow.name, func.count()), MetricPointRow, who)
        .where(MetricPointRow.time >= start, MetricPointRow.time < end)
        .group_by(MetricPointRow.name)
        .order_by(func.count().desc(), MetricPointRow.name)
        .limit(20)
    ).all()
    rank = {level: index for index, level in enumerate(reversed(schemas.LEVELS))}
    return {
        "logs": sorted(
            (
                {"level": level, "service": service, "count": count}
                for level, service, count in logs
            ),
            key=lambda row: (rank.get(row["level"], 99), -row["count"]),
        ),
        "metrics": [{"name": name, "points": count} for name, count in metrics],
    }

"""The span store as an API: root spans as the list of traces, one trace as a span tree."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from kanri.core.auth import Principal
from kanri.core.errors import not_found
from kanri.core.filtering import FilterField, FilterSpec
from kanri.core.pagination import ListParams, Page, paginate
from kanri.observability import schemas
from kanri.observability.ingest import environment_of
from kanri.observability.models import SpanRow

MAX_SPANS = 10_000  # spans of one trace returned as a tree
SPAN_FILTERS = FilterSpec(
    {
        "id": FilterField(SpanRow.id),
        "trace_id": FilterField(SpanRow.trace_id),
        "name": FilterField(SpanRow.name),
        "kind": FilterField(SpanRow.kind),
        "service": FilterField(SpanRow.service),
        "status": FilterField(SpanRow.status),
        "duration_ms": FilterField(SpanRow.duration_ms, "number"),
        "attributes": FilterField(SpanRow.attributes, "map"),
        "start_time": FilterField(SpanRow.start_time, "timestamp"),
    }
)


def _scoped(who: Principal) -> Select[SpanRow]:
    return select(SpanRow).where(
        SpanRow.project_id == who.project(), SpanRow.environment_id == environment_of(who)
    )


def list_traces(
    tx: Session,
    who: Principal,
    params: ListParams,
    start: datetime | None,
    end: datetime | None,
) -> Page[schemas.Span]:
    stmt = _scoped(who).where(SpanRow.parent_span_id.is_(None))
    if start is not None:
        stmt = stmt.where(SpanRow.start_time >= start)
    if end is not None:
        stmt = stmt.where(SpanRow.start_time < end)
    page = paginate(
        tx, stmt, SPAN_FILTERS, params, id_column=SpanRow.id, default_order="start_time desc"
    )
    return page.map(schemas.Span.model_validate)


def get_trace(tx: Session, who: Principal, trace_id: str) -> schemas.Trace:
    rows = (
        tx.execute(
            _scoped(who)
            .where(SpanRow.trace_id == trace_id.lower())
            .order_by(SpanRow.start_time, SpanRow.id)
            .limit(MAX_SPANS)
        )
        .scalars()
        .all()
    )
    if not rows:
        raise not_found("trace", trace_id)
    nodes = {row.span_id: schemas.SpanNode.model_validate(row) for row in rows}
    roots: list[schemas.SpanNode] = []
    for node in nodes.values():
        parent = nodes.get(node.parent_span_id) if node.parent_span_id else None
        if parent is None or parent is node:
            roots.append(node)
        else:
            parent.children.append(node)
    first = min(row.start_time for row in rows)
    last = max(row.end_time for row in rows)
    return schemas.Trace(
        trace_id=trace_id.lower(),
        span_count=len(rows),
        duration_ms=(last - first).total_seconds() * 1000,
        roots=roots,
    )

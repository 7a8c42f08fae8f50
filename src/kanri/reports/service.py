"""Business rules of reports: submit (HTML sanitised with nh3), list by type, author and
date, get, delete, and the standalone HTML page of one report."""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import datetime

import nh3
from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from kanri.core import audit, events
from kanri.core.auth import Principal
from kanri.core.filtering import FilterField, FilterSpec
from kanri.core.ids import new_id
from kanri.core.pagination import ListParams, Page, paginate
from kanri.core.scoping import by_ref, scoped
from kanri.core.time import rfc3339, utcnow
from kanri.reports import schemas
from kanri.reports.models import ReportRow

REPORT_FILTERS = FilterSpec(
    {
        "id": FilterField(ReportRow.id),
        "type": FilterField(ReportRow.type),
        "title": FilterField(ReportRow.title),
        "format": FilterField(ReportRow.format),
        "author": FilterField(ReportRow.author),
        "labels": FilterField(ReportRow.labels, "map"),
        "metadata": FilterField(ReportRow.extra, "map"),
        "period_start": FilterField(ReportRow.period_start, "timestamp"),
        "period_end": FilterField(ReportRow.period_end, "timestamp"),
        "create_time": FilterField(ReportRow.create_time, "timestamp"),
    }
)


def sanitise(content: str) -> str:
    """`content` as HTML safe to show in a page: ammonia's (nh3) allow-list of tags and
    attributes, so no script, style element, event handler, `javascript:` or `data:` URL,
    frame or form survives; links get `rel="noopener noreferrer"`."""
    return nh3.clean(content)


@dataclass(frozen=True, kw_only=True)
class ReportQuery:
    """K0nsult's list parameters, next to the AIP-160 filter of ListParams."""

    type: str | None = None
    author: str | None = None
    start: datetime | None = None  # create_time >= start
    end: datetime | None = None  # create_time < end


def _row(tx: Session, who: Principal, report_id: str) -> ReportRow:
    return by_ref(tx, ReportRow, report_id, who, prefix="rpt", noun="report")


def create(
    tx: Session, who: Principal, body: schemas.ReportCreate, *, generated: bool = False
) -> schemas.Report:
    """Store a report; HTML content is sanitised first (what is stored is what is served).
    `generated`: HTML kanri rendered itself from autoescaped templates (its inline SVG
    charts would not pass the sanitiser), stored as it is."""
    sanitised = body.format == "html" and not generated
    content = sanitise(body.content) if sanitised else body.content
    row = ReportRow(
        id=new_id("rpt"),
        project_id=who.project(),
        type=body.type,
        title=body.title,
        format=body.format,
        content=content,
        author=body.author or who.key_id or who.kind,
        period_start=body.period_start,
        period_end=body.period_end,
        extra=body.metadata,
        labels=body.labels,
        created_by=who.actor,
        create_time=utcnow(),
    )
    tx.add(row)
    tx.flush()
    audit.record(
        tx,
        who,
        "report.created",
        "report",
        row.id,
        {
            "type": {"to": row.type},
            "title": {"to": row.title},
            "author": {"to": row.author},
            "sanitised": {"to": content != body.content},
        },
    )
    events.emit(
        tx,
        who,
        "report.created",
        "report",
        row.id,
        {"id": row.id, "type": row.type, "title": row.title, "author": row.author},
    )
    return schemas.Report.model_validate(row)


def get(tx: Session, who: Principal, report_id: str) -> schemas.Report:
    return schemas.Report.model_validate(_row(tx, who, report_id))


def list_reports(
    tx: Session, who: Principal, params: ListParams, query: ReportQuery
) -> Page[schemas.ReportSummary]:
    """The project's reports, newest first, narrowed by K0nsult's parameters and `filter`."""
    stmt: Select[ReportRow] = scoped(select(ReportRow), who)
    if query.type is not None:
        stmt = stmt.where(ReportRow.type == query.type)
    if query.author is not None:
        stmt = stmt.where(ReportRow.author == query.author)
    if query.start is not None:
        stmt = stmt.where(ReportRow.create_time >= query.start)
    if query.end is not None:
        stmt = stmt.where(ReportRow.create_time < query.end)
    page = paginate(
        tx,
        stmt,
        REPORT_FILTERS,
        params,
        id_column=ReportRow.id,
        default_order="create_time desc",
    )
    return page.map(schemas.ReportSummary.model_validate)


def delete(tx: Session, who: Principal, report_id: str) -> None:
    row = _row(tx, who, report_id)
    audit.record(tx, who, "report.deleted", "report", row.id, {"title": {"from": row.title}})
    events.emit(tx, who, "report.deleted", "report", row.id, {"id": row.id})
    tx.delete(row)


_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
body {{ font-family: system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem;
  line-height: 1.5; color: #1b1f24; }}
header {{ border-bottom: 1px solid #d0d7de; margin-bottom: 1.5rem; }}
header p {{ color: #57606a; margin: .25rem 0 1rem; }}
pre.report {{ white-space: pre-wrap; font-family: inherit; }}
table {{ border-collapse: collapse; }}
td, th {{ border: 1px solid #d0d7de; padding: .25rem .5rem; }}
</style>
</head>
<body>
<header>
<h1>{title}</h1>
<p>{kind} report · {author} · {period} · submitted {created}</p>
</header>
<main>
{body}
</main>
</body>
</html>
"""


def page(report: schemas.Report) -> str:
    """A standalone HTML page of the report: its sanitised HTML as is, text and markdown
    escaped and kept as written (no external assets, no script)."""
    if report.format == "html":
        body = report.content  # sanitised when it was submitted (or rendered by kanri)
    else:
        body = f'<pre class="report">{html.escape(report.content)}</pre>'
    if report.period_start and report.period_end:
        period = f"{rfc3339(report.period_start)} – {rfc3339(report.period_end)}"
    elif report.period_start:
        period = f"from {rfc3339(report.period_start)}"
    else:
        period = "no period"
    return _PAGE.format(
        title=html.escape(report.title),
        kind=html.escape(report.type),
        author=html.escape(report.author),
        period=html.escape(period),
        created=html.escape(rfc3339(report.create_time)),
        body=body,
    )

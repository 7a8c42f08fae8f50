"""Routes of reports (section `reports`): a `reports:read` key lists and reads, submitting
and deleting need `reports:write`."""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated

from fastapi import APIRouter, Header, Path, Query, Request, Response
from fastapi.responses import HTMLResponse

from kanri.core import idempotency
from kanri.core.auth import Principal, RequireSection
from kanri.core.deps import Db, Listing, Runtime
from kanri.core.errors import BadRequest, FieldError
from kanri.core.openapi import BODY_ID, link_to, operation_id
from kanri.core.pagination import MAX_PAGE_SIZE
from kanri.core.schemas import ListResponse, UtcDatetime
from kanri.reports import schemas, service

router = APIRouter(tags=["reports"], generate_unique_id_function=operation_id)
ReportId = Annotated[str, Path(description="report id", max_length=100)]
Reader = Annotated[Principal, RequireSection("reports", "read")]
Writer = Annotated[Principal, RequireSection("reports", "write")]


@router.post(
    "/v1/reports",
    status_code=201,
    responses=link_to("reports_get", report_id=BODY_ID),
)
async def create_report(
    body: schemas.ReportCreate,
    request: Request,
    response: Response,
    kanri: Runtime,
    who: Writer,
    idempotency_key: idempotency.IdempotencyKey = None,
) -> schemas.Report:
    """Submit a report (daily, weekly, audit, incident or custom). HTML content is sanitised
    on the way in: scripts, event handlers, `javascript:` URLs, frames and forms are
    removed, and what is stored is what every reader gets. Emits `report.created`."""
    return await idempotency.create(
        request,
        response,
        kanri.db,
        who,
        idempotency_key,
        service.create,
        who,
        body,
        location=lambda r: f"/v1/reports/{r.id}",
    )


@router.get("/v1/reports")
async def list_reports(
    request: Request,
    db: Db,
    params: Listing,
    who: Reader,
    type: Annotated[schemas.ReportType | None, Query(description="only this type")] = None,
    author: Annotated[str | None, Query(max_length=200, description="only this author")] = None,
    start: Annotated[
        UtcDatetime | None, Query(alias="from", description="submitted at or after (RFC 3339)")
    ] = None,
    end: Annotated[
        UtcDatetime | None, Query(alias="to", description="submitted before (RFC 3339)")
    ] = None,
    limit: Annotated[
        int | None,
        Query(ge=1, le=MAX_PAGE_SIZE, description="another name of page_size (K0nsult's)"),
    ] = None,
) -> ListResponse[schemas.ReportSummary]:
    """The project's reports without their content, newest first. K0nsult's parameters
    (`type`, `author`, `from`, `to`, `limit`) and an AIP-160 `filter` on type, title,
    format, author, labels.*, metadata.*, period_start, period_end, create_time."""
    if limit is not None:
        if "page_size" in request.query_params and params.page_size != limit:
            message = "limit and page_size differ; give one of them"
            raise BadRequest(message, errors=[FieldError("query.limit", message)])
        params = replace(params, page_size=limit)
    query = service.ReportQuery(type=type, author=author, start=start, end=end)
    return ListResponse.of(await db.read(service.list_reports, who, params, query))


@router.get(
    "/v1/reports/{report_id}",
    responses={200: {"content": {"text/html": {"schema": {"type": "string"}}}}},
)
async def get_report(
    report_id: ReportId,
    db: Db,
    who: Reader,
    accept: Annotated[
        str | None,
        Header(max_length=1000, description="`text/html` for a standalone page of the report"),
    ] = None,
) -> schemas.Report:
    """One report with its content, as JSON; with `Accept: text/html`, a standalone HTML
    page of it (no script, no external assets)."""
    report = await db.read(service.get, who, report_id)
    if _wants_html(accept):
        return HTMLResponse(service.page(report))  # type: ignore[return-value]
    return report


def _wants_html(accept: str | None) -> bool:
    if not accept:
        return False
    for part in accept.split(","):
        media = part.split(";", 1)[0].strip().lower()
        if media == "text/html":
            return True
        if media in ("application/json", "*/*", "application/*"):
            return False
    return False


@router.delete("/v1/reports/{report_id}", status_code=204)
async def delete_report(report_id: ReportId, db: Db, who: Writer) -> None:
    """Delete a report."""
    await db.write(service.delete, who, report_id)

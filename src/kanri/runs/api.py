"""Routes of runs, exceptions and approvals (section `runs`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Path, Query, Request, Response
from fastapi.responses import StreamingResponse

from kanri.audit import service as audit_service
from kanri.audit.schemas import AuditLog
from kanri.core import idempotency, sse
from kanri.core.auth import Principal, RequireSection
from kanri.core.deps import Db, Listing, Runtime
from kanri.core.openapi import BODY_ID, link_to, operation_id
from kanri.core.schemas import ListResponse
from kanri.engine.statuses import ApprovalStatus
from kanri.runs import approval_service, schemas, service, stream, worker_service
from kanri.runs.wait import wait_for

router = APIRouter(tags=["runs"], generate_unique_id_function=operation_id)
RunId = Annotated[str, Path(description="run id", max_length=100)]
ApprovalId = Annotated[str, Path(description="approval id", max_length=100)]
Reader = Annotated[Principal, RequireSection("runs", "read")]
Writer = Annotated[Principal, RequireSection("runs", "write")]


@router.post(
    "/v1/automations/{automation_id}/runs",
    status_code=202,
    responses=link_to("runs_get", status=202, run_id=BODY_ID),
)
async def start_run(
    automation_id: Annotated[str, Path(description="automation id or name", max_length=100)],
    body: schemas.RunCreate,
    request: Request,
    response: Response,
    kanri: Runtime,
    who: Writer,
    idempotency_key: idempotency.IdempotencyKey = None,
    wait: Annotated[
        float, Query(ge=0, le=60, description="hold the answer until the run ends (seconds)")
    ] = 0,
) -> schemas.Run:
    """Start a run of the published version (or `version`); 202 with the pending run."""
    run = await idempotency.create(
        request,
        response,
        kanri.db,
        who,
        idempotency_key,
        service.trigger,
        who,
        automation_id,
        body,
        location=lambda r: f"/v1/runs/{r.id}",
        status_code=202,
    )
    kanri.wake_engine()
    if wait > 0:
        run = await wait_for(kanri, who, run, wait)
    return run


@router.get("/v1/runs")
async def list_runs(db: Db, params: Listing, who: Reader) -> ListResponse[schemas.Run]:
    """Runs of the environment, newest first. Filter on status, stop_reason, automation_id,
    version, labels.*, create_time, end_time."""
    return ListResponse.of(await db.read(service.list_runs, who, params))


@router.get("/v1/runs/{run_id}")
async def get_run(run_id: RunId, db: Db, who: Reader) -> schemas.Run:
    """The run: status, stop reason, inputs, outputs, error, usage and times."""
    return await db.read(service.get, who, run_id)


@router.get("/v1/runs/{run_id}/steps")
async def list_run_steps(run_id: RunId, db: Db, who: Reader) -> ListResponse[schemas.RunStep]:
    """Executed steps in order: the checkpoints."""
    return ListResponse(data=await db.read(service.steps, who, run_id))


@router.get("/v1/runs/{run_id}/logs")
async def list_run_logs(run_id: RunId, db: Db, who: Reader) -> ListResponse[schemas.RunLog]:
    """The run's log lines in order (up to 10,000)."""
    return ListResponse(data=await db.read(service.logs, who, run_id))


@router.get(
    "/v1/runs/{run_id}/events",
    operation_id="runs_events_stream",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/event-stream": {}}, "description": "the run's events"}},
)
async def stream_run_events(
    run_id: RunId,
    kanri: Runtime,
    who: Reader,
    last_event_id: Annotated[
        str | None, Header(alias="Last-Event-ID", max_length=100, description="resume after")
    ] = None,
) -> StreamingResponse:
    """Server-sent events: state changes, steps completed or failed, approvals; the stream
    ends after the run does. Reconnect with `Last-Event-ID` to resume."""
    await kanri.db.read(service.get, who, run_id)  # 404 before the stream starts
    return sse.response(stream.run_events(kanri.db, who, run_id, last_event_id, kanri.closing))


@router.post("/v1/runs/{run_id}/cancel")
async def cancel_run(run_id: RunId, db: Db, who: Writer) -> schemas.Run:
    """Cancel; a running step stops at its next checkpoint."""
    return await db.write(service.cancel, who, run_id)


@router.post("/v1/runs/{run_id}/pause")
async def pause_run(run_id: RunId, db: Db, who: Writer) -> schemas.Run:
    """Park the run as `waiting` with stop_reason `paused` until it is resumed."""
    return await db.write(service.pause, who, run_id)


@router.post("/v1/runs/{run_id}/resume")
async def resume_run(run_id: RunId, kanri: Runtime, who: Writer) -> schemas.Run:
    """Resume a paused run where it stood (its approval, timer or child run, else queued)."""
    run = await kanri.db.write(service.resume, who, run_id)
    kanri.wake_engine()
    return run


@router.post(
    "/v1/runs/{run_id}/escalate",
    status_code=201,
    responses=link_to("approvals_get", location=True, approval_id=BODY_ID),
)
async def escalate_run(
    run_id: RunId, body: schemas.Escalation, response: Response, db: Db, who: Writer
) -> schemas.Approval:
    """Record an escalation (severity, reason) as an approval people acknowledge; emits
    `run.escalated`. The run carries on."""
    approval = await db.write(approval_service.escalate, who, run_id, body)
    response.headers["Location"] = f"/v1/approvals/{approval.id}"
    return approval


@router.get("/v1/runs/{run_id}/audit")
async def run_audit(
    run_id: RunId,
    db: Db,
    params: Listing,
    who: Annotated[Principal, RequireSection("audit-logs", "read")],
) -> ListResponse[AuditLog]:
    """Every transition, policy evaluation, approval request, decision and escalation of
    the run, oldest first; the rows are links of the project's audit chain."""
    await db.write(audit_service.complete, who)  # rows the background chainer has not reached
    return ListResponse.of(await db.read(service.audit_trail, who, run_id, params))


@router.post("/v1/runs/{run_id}/retry")
async def retry_run(run_id: RunId, kanri: Runtime, who: Writer) -> schemas.Run:
    """Re-queue a failed run from its first failed step."""
    run = await kanri.db.write(service.retry, who, run_id)
    kanri.wake_engine()
    return run


@router.post(
    "/v1/runs/{run_id}/fork",
    status_code=202,
    responses=link_to("runs_get", status=202, location=True, run_id=BODY_ID),
)
async def fork_run(
    run_id: RunId, body: schemas.RunFork, response: Response, kanri: Runtime, who: Writer
) -> schemas.Run:
    """A new run that keeps the checkpoints before `from_step` and starts there."""
    run = await kanri.db.write(service.fork, who, run_id, body)
    response.headers["Location"] = f"/v1/runs/{run.id}"
    kanri.wake_engine()
    return run


@router.post("/v1/runs:batchCancel")
async def batch_cancel_runs(body: schemas.RunBatch, db: Db, who: Writer) -> schemas.RunBatchResult:
    """Cancel up to `limit` active runs matching `filter`; returns the counts."""
    return await db.write(service.batch_cancel, who, body)


@router.post("/v1/runs:batchRetry")
async def batch_retry_runs(
    body: schemas.RunBatch, kanri: Runtime, who: Writer
) -> schemas.RunBatchResult:
    """Retry up to `limit` failed runs matching `filter`; returns the counts."""
    result = await kanri.db.write(service.batch_retry, who, body)
    kanri.wake_engine()
    return result


@router.get("/v1/workers")
async def list_workers(
    db: Db, who: Annotated[Principal, RequireSection("runs", "read", reach="organization")]
) -> ListResponse[schemas.Worker]:
    """Live workers of this deployment and their heartbeats (organization admin keys)."""
    return ListResponse(data=await db.read(worker_service.workers, who))


@router.get("/v1/exceptions")
async def list_exceptions(
    db: Db, params: Listing, who: Reader
) -> ListResponse[schemas.RunException]:
    """Runs that failed or wait for a person, newest first, with the reason."""
    return ListResponse.of(await db.read(service.exceptions, who, params))


@router.get("/v1/approvals")
async def list_approvals(db: Db, params: Listing, who: Reader) -> ListResponse[schemas.Approval]:
    """Approvals, newest first (`order_by=deadline`: soonest deadline first). Filter on
    status, severity, source, run_id, external_execution_id, automation_id, policy_id,
    deadline, create_time."""
    return ListResponse.of(await db.read(approval_service.list_approvals, who, params))


@router.get("/v1/approvals/{approval_id}")
async def get_approval(approval_id: ApprovalId, db: Db, who: Reader) -> schemas.Approval:
    """The approval: its terms, status, decisions and deadline."""
    return await db.read(approval_service.get_approval, who, approval_id)


@router.post("/v1/approvals/{approval_id}/approve")
async def approve(
    approval_id: ApprovalId, kanri: Runtime, who: Writer, body: schemas.Decision | None = None
) -> schemas.Approval:
    """Approve; the run resumes once enough approvers agreed."""
    approval = await kanri.db.write(
        approval_service.decide,
        who,
        approval_id,
        ApprovalStatus.APPROVED,
        body or schemas.Decision(),
    )
    kanri.wake_engine()
    return approval


@router.post("/v1/approvals/{approval_id}/reject")
async def reject(
    approval_id: ApprovalId, kanri: Runtime, who: Writer, body: schemas.Decision | None = None
) -> schemas.Approval:
    """Reject; the run fails with stop_reason `rejected`."""
    approval = await kanri.db.write(
        approval_service.decide,
        who,
        approval_id,
        ApprovalStatus.REJECTED,
        body or schemas.Decision(),
    )
    kanri.wake_engine()
    return approval

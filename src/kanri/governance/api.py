"""Routes of governance (section `governance`): policies, the default policy, exceptions,
pre-checks and external executions."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request, Response

from kanri.audit.schemas import AuditLog
from kanri.core import idempotency
from kanri.core.auth import Principal, RequireSection
from kanri.core.deps import Db, Listing
from kanri.core.openapi import BODY_ID, link_to, operation_id, sets_location
from kanri.core.schemas import ListResponse
from kanri.governance import (
    external_execution_service,
    policy_exception_service,
    policy_service,
    schemas,
)
from kanri.runs import schemas as run_schemas

router = APIRouter(tags=["governance"], generate_unique_id_function=operation_id)
Reader = Annotated[Principal, RequireSection("governance", "read")]
Writer = Annotated[Principal, RequireSection("governance", "write")]
PolicyId = Annotated[str, Path(description="policy id or name", max_length=100)]
ExceptionId = Annotated[str, Path(description="policy exception id", max_length=100)]
ExecutionId = Annotated[str, Path(description="external execution id", max_length=100)]


@router.post("/v1/policies", status_code=201, responses=link_to("policies_get", policy_id=BODY_ID))
async def create_policy(
    body: schemas.PolicyCreate,
    request: Request,
    response: Response,
    db: Db,
    who: Writer,
    idempotency_key: idempotency.IdempotencyKey = None,
) -> schemas.Policy:
    """A policy: ordered rules (`when` over the run context, `effect`) and attachments."""
    return await idempotency.create(
        request,
        response,
        db,
        who,
        idempotency_key,
        policy_service.create_policy,
        who,
        body,
        location=lambda p: f"/v1/policies/{p.id}",
    )


@router.get("/v1/policies")
async def list_policies(db: Db, params: Listing, who: Reader) -> ListResponse[schemas.Policy]:
    """Policies of the project. Filter on id, name, enabled, create_time, update_time."""
    return ListResponse.of(await db.read(policy_service.list_policies, who, params))


@router.get("/v1/policies/default", operation_id="policies_get_default")
async def get_default_policy(db: Db, who: Reader) -> schemas.DefaultPolicy:
    """The project's default policy (null: none)."""
    return await db.read(policy_service.get_default, who)


@router.put("/v1/policies/default", operation_id="policies_set_default")
async def set_default_policy(
    body: schemas.DefaultPolicy, db: Db, who: Writer
) -> schemas.DefaultPolicy:
    """Make a policy (id or name) the project's default; null removes it."""
    return await db.write(policy_service.set_default, who, body)


@router.get("/v1/policies/{policy_id}")
async def get_policy(policy_id: PolicyId, db: Db, who: Reader) -> schemas.Policy:
    """The policy with its rules and attachments."""
    return await db.read(policy_service.get_policy, who, policy_id)


@router.patch("/v1/policies/{policy_id}")
async def update_policy(
    policy_id: PolicyId, body: schemas.PolicyUpdate, db: Db, who: Writer
) -> schemas.Policy:
    """Change fields; `rules` replaces the whole ordered list."""
    return await db.write(policy_service.update_policy, who, policy_id, body)


@router.delete("/v1/policies/{policy_id}", status_code=204)
async def delete_policy(policy_id: PolicyId, db: Db, who: Writer) -> None:
    """Delete a policy and its exceptions (not the default policy: 409)."""
    await db.write(policy_service.delete_policy, who, policy_id)


@router.post("/v1/governance/pre-check")
async def pre_check(body: schemas.PreCheck, db: Db, who: Writer) -> schemas.PreCheckResult:
    """What policy decides for an automation, agent or external workflow doing `action`:
    approved, needs_approval (with the approval terms) or denied (with reasons)."""
    return await db.write(policy_service.pre_check, who, body)


@router.post(
    "/v1/policy-exceptions",
    status_code=201,
    responses=link_to("policy_exceptions_get", exception_id=BODY_ID),
)
async def create_policy_exception(
    body: schemas.PolicyExceptionCreate,
    request: Request,
    response: Response,
    db: Db,
    who: Writer,
    idempotency_key: idempotency.IdempotencyKey = None,
) -> schemas.PolicyException:
    """While unexpired, the rule (id or 1-based position) does not match within the scope."""
    return await idempotency.create(
        request,
        response,
        db,
        who,
        idempotency_key,
        policy_exception_service.create_exception,
        who,
        body,
        location=lambda e: f"/v1/policy-exceptions/{e.id}",
    )


@router.get("/v1/policy-exceptions")
async def list_policy_exceptions(
    db: Db, params: Listing, who: Reader
) -> ListResponse[schemas.PolicyException]:
    """Exceptions, newest first. Filter on policy_id, rule_id, expires_at, create_time."""
    return ListResponse.of(await db.read(policy_exception_service.list_exceptions, who, params))


@router.get("/v1/policy-exceptions/{exception_id}")
async def get_policy_exception(
    exception_id: ExceptionId, db: Db, who: Reader
) -> schemas.PolicyException:
    """The exception: the rule it lifts, its scope and expiry."""
    return await db.read(policy_exception_service.get_exception, who, exception_id)


@router.delete("/v1/policy-exceptions/{exception_id}", status_code=204)
async def delete_policy_exception(exception_id: ExceptionId, db: Db, who: Writer) -> None:
    """Delete the exception; the rule applies again at once."""
    await db.write(policy_exception_service.delete_exception, who, exception_id)


@router.post(
    "/v1/external-executions",
    status_code=201,
    operation_id="external_executions_report",
    responses={
        200: {"model": schemas.ExternalExecution, "description": "updated"},
        **sets_location(200, 201),
    },
)
async def report_external_execution(
    body: schemas.ExternalExecutionReport, response: Response, db: Db, who: Writer
) -> schemas.ExternalExecution:
    """An external engine reports an execution: 201 when new, 200 when it updated the one
    with the same engine and execution_id."""
    execution, created = await db.write(external_execution_service.report, who, body)
    response.headers["Location"] = f"/v1/external-executions/{execution.id}"
    if not created:
        response.status_code = 200
    return execution


@router.get("/v1/external-executions")
async def list_external_executions(
    db: Db, params: Listing, who: Reader
) -> ListResponse[schemas.ExternalExecution]:
    """Newest first. Filter on engine, workflow_id, execution_id, status, started_at."""
    return ListResponse.of(await db.read(external_execution_service.list_external, who, params))


@router.get("/v1/external-executions/{execution_id}")
async def get_external_execution(
    execution_id: ExecutionId, db: Db, who: Reader
) -> schemas.ExternalExecution:
    """The external execution as last reported: status, times, output or error."""
    return await db.read(external_execution_service.get_external, who, execution_id)


@router.post(
    "/v1/external-executions/{execution_id}/request-approval",
    status_code=201,
    responses={
        200: {"model": run_schemas.Approval, "description": "the open approval"},
        **sets_location(200, 201),
    },
)
async def request_external_approval(
    execution_id: ExecutionId,
    response: Response,
    db: Db,
    who: Writer,
    body: schemas.ApprovalAsk | None = None,
) -> run_schemas.Approval:
    """An approval for the execution (terms from the workflow's policy rule, overridden by
    the body); 200 with the open one if it exists. Poll `GET /v1/approvals/{id}`."""
    approval, created = await db.write(
        external_execution_service.request_approval,
        who,
        execution_id,
        body or schemas.ApprovalAsk(),
    )
    response.headers["Location"] = f"/v1/approvals/{approval.id}"
    if not created:
        response.status_code = 200
    return approval


@router.post("/v1/external-executions/{execution_id}/cancel")
async def cancel_external_execution(
    execution_id: ExecutionId, db: Db, who: Writer
) -> schemas.ExternalExecution:
    """Mark it cancelled and expire its open approvals; the engine sees it on its next poll."""
    return await db.write(external_execution_service.cancel_external, who, execution_id)


@router.post(
    "/v1/external-executions/{execution_id}/escalate",
    status_code=201,
    responses=link_to("approvals_get", location=True, approval_id=BODY_ID),
)
async def escalate_external_execution(
    execution_id: ExecutionId, body: schemas.Escalation, response: Response, db: Db, who: Writer
) -> run_schemas.Approval:
    """An escalation record (severity, reason) and an `external_execution.escalated` event."""
    approval = await db.write(external_execution_service.escalate_external, who, execution_id, body)
    response.headers["Location"] = f"/v1/approvals/{approval.id}"
    return approval


@router.get("/v1/external-executions/{execution_id}/audit")
async def external_execution_audit(
    execution_id: ExecutionId,
    db: Db,
    params: Listing,
    who: Annotated[Principal, RequireSection("audit-logs", "read")],
) -> ListResponse[AuditLog]:
    """The execution's audit rows (reports, evaluations, approvals), oldest first."""
    return ListResponse.of(
        await db.read(external_execution_service.audit_trail, who, execution_id, params)
    )

"""Business rules of runs as the API sees them: start, read, cancel, retry, pause, resume,
fork, batches, exceptions (approvals are in approval_service.py; the engine is in kanri.engine)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import Select, Table, insert, select
from sqlalchemy.orm import Session

from kanri.audit import service as audit_service
from kanri.audit.schemas import AuditLog
from kanri.automations import service as automations
from kanri.core import audit, events, regex
from kanri.core.auth import Principal
from kanri.core.errors import Conflict, FieldError, ValidationFailed
from kanri.core.filtering import FilterField, FilterSpec
from kanri.core.ids import new_id
from kanri.core.pagination import ListParams, Page, paginate
from kanri.core.scoping import by_ref, scoped
from kanri.core.time import utcnow
from kanri.db.database import notify_runs_ready
from kanri.db.prepared import Prepared
from kanri.engine import approvals, templates
from kanri.engine.approval_states import OPEN
from kanri.engine.models import ApprovalRow, RunLogRow, RunRow, RunStepRow
from kanri.engine.states import ACTIVE, RUN_GATE, transition
from kanri.engine.statuses import RunStatus, StepStatus
from kanri.engine.template_budget import Limits
from kanri.runs import schemas

RUN_FILTERS = FilterSpec(
    {
        "id": FilterField(RunRow.id),
        "status": FilterField(RunRow.status),
        "stop_reason": FilterField(RunRow.stop_reason),
        "automation_id": FilterField(RunRow.automation_id),
        "version": FilterField(RunRow.version, "integer"),
        "parent_run_id": FilterField(RunRow.parent_run_id, sortable=False),
        "labels": FilterField(RunRow.labels, "map"),
        "create_time": FilterField(RunRow.create_time, "timestamp"),
        "end_time": FilterField(RunRow.end_time, "timestamp", sortable=False),
    }
)


def _runs(who: Principal) -> Select[RunRow]:
    return scoped(select(RunRow), who, environment=True)


def run_row(tx: Session, who: Principal, run_id: str) -> RunRow:
    return by_ref(tx, RunRow, run_id, who, prefix="run", environment=True, noun="run")


def _input_errors(schema: dict[str, Any], inputs: dict[str, Any]) -> list[FieldError]:
    validator = regex.schema_validator(schema)
    return [
        FieldError(
            ".".join(["body", "inputs", *(str(p) for p in error.absolute_path)]), error.message
        )
        for error in sorted(validator.iter_errors(inputs), key=lambda e: list(e.absolute_path))
    ]


# A key is rendered inside the transaction that creates the run: a short budget.
_CONCURRENCY_KEY_LIMITS = Limits(
    seconds=0.25,
    max_output_chars=10_000,
    max_iterations=10_000,
    seconds_source="a concurrency key's limit",
)


def _concurrency_key(
    definition: dict[str, Any], body: schemas.RunCreate, project_id: str
) -> str | None:
    """The rendered key, scoped to the project (keys never collide across tenants)."""
    template = definition.get("concurrency_key")
    if not template:
        return None
    try:
        context = {"inputs": body.inputs, "labels": body.labels}
        value = templates.render(template, context, limits=_CONCURRENCY_KEY_LIMITS)
    except templates.TemplateError as exc:
        raise ValidationFailed(
            f"the automation's concurrency_key cannot be rendered: {exc.message}",
            errors=[FieldError("body.inputs", exc.message)],
        ) from None
    return f"{project_id}:{value}"[:200]


_INSERT_RUN = Prepared(insert(cast(Table, RunRow.__table__)))


def create_run(
    tx: Session,
    who: Principal,
    *,
    definition: dict[str, Any],
    inputs: dict[str, Any],
    labels: dict[str, str],
    automation_id: str | None = None,
    agent_id: str | None = None,
    version: int | None = None,
    project_id: str | None = None,
    environment_id: str | None = None,
    concurrency_key: str | None = None,
    run_id: str | None = None,
) -> schemas.Run:
    """A pending run of `definition` (automations, agents, background jobs alike): stored,
    audited as `run.created`, announced to the workers and to the outbox. Its deadline is
    the definition's `timeout_seconds`, if any."""
    now = utcnow()
    timeout = definition.get("timeout_seconds")
    row: dict[str, Any] = {
        "id": run_id or new_id("run"),
        "organization_id": who.organization_id,
        "project_id": project_id or who.project(),
        "environment_id": environment_id or who.environment_id,
        "automation_id": automation_id,
        "agent_id": agent_id,
        "version": version,
        "definition": definition,
        "status": RunStatus.PENDING,
        "stop_reason": None,
        "inputs": inputs,
        "outputs": None,
        "error": None,
        "labels": labels,
        "cursor": None,
        "restart_step": None,
        "concurrency_key": concurrency_key,
        "parent_run_id": None,
        "parent_step_id": None,
        "triggered_by": who.actor["id"],
        "priority": 0,
        "available_at": now,
        "lease_owner": None,
        "lease_expires_at": None,
        "attempt": 0,
        "deadline": now + timedelta(seconds=timeout) if timeout else None,
        "create_time": now,
        "start_time": None,
        "end_time": None,
        "update_time": now,
        "usage": None,
        "cost_usd": None,
    }
    _INSERT_RUN.run(tx, row)  # a statement, not an ORM flush: runs are made in bulk
    owner = {"automation_id": automation_id} if automation_id else {}
    if agent_id:
        owner["agent_id"] = agent_id
    audit.record(
        tx,
        who,
        "run.created",
        "run",
        row["id"],
        {key: {"to": value} for key, value in owner.items()},
        project_id=row["project_id"],
        chained=False,  # as the run's transitions: by the background chainer
    )
    notify_runs_ready(tx)
    events.emit(
        tx,
        who,
        "run.created",
        "run",
        row["id"],
        {"id": row["id"], **owner, "version": version},
        project_id=row["project_id"],
        environment_id=row["environment_id"],
    )
    return schemas.Run.model_validate(row)


def trigger(
    tx: Session,
    who: Principal,
    automation_ref: str,
    body: schemas.RunCreate,
    *,
    run_id: str | None = None,
) -> schemas.Run:
    """A pending run of the published (or named) version; inputs checked against its schema."""
    automation_id, version, definition = automations.definition_for_run(
        tx, who, automation_ref, body.version
    )
    if definition.get("inputs"):
        errors = _input_errors(definition["inputs"], body.inputs)
        if errors:
            raise ValidationFailed("inputs do not match the automation's schema", errors=errors)
    return create_run(
        tx,
        who,
        definition=definition,
        inputs=body.inputs,
        labels=body.labels,
        automation_id=automation_id,
        version=version,
        concurrency_key=_concurrency_key(definition, body, who.project()),
        run_id=run_id,
    )


def get(tx: Session, who: Principal, run_id: str) -> schemas.Run:
    return schemas.Run.model_validate(run_row(tx, who, run_id))


def status_of(tx: Session, who: Principal, run_id: str) -> str:
    return run_row(tx, who, run_id).status


def list_runs(tx: Session, who: Principal, params: ListParams) -> Page[schemas.Run]:
    page = paginate(
        tx, _runs(who), RUN_FILTERS, params, id_column=RunRow.id, default_order="create_time desc"
    )
    return page.map(schemas.Run.model_validate)


def steps(tx: Session, who: Principal, run_id: str) -> list[schemas.RunStep]:
    run = run_row(tx, who, run_id)
    rows = tx.execute(
        select(RunStepRow).where(RunStepRow.run_id == run.id).order_by(RunStepRow.seq)
    ).scalars()
    return [schemas.RunStep.model_validate(r) for r in rows]


def logs(tx: Session, who: Principal, run_id: str) -> list[schemas.RunLog]:
    run = run_row(tx, who, run_id)
    rows = tx.execute(
        select(RunLogRow).where(RunLogRow.run_id == run.id).order_by(RunLogRow.id).limit(10_000)
    ).scalars()
    return [schemas.RunLog.model_validate(r) for r in rows]


def cancel(tx: Session, who: Principal, run_id: str) -> schemas.Run:
    """Cancel a pending, running or waiting run; a running worker stops at its next checkpoint."""
    row = run_row(tx, who, run_id)
    if row.status not in ACTIVE:
        raise Conflict(f"the run is already {row.status}")
    transition(tx, row, RunStatus.CANCELLED, who=who, stop_reason="cancelled")
    approvals.expire_open(tx, who, ApprovalRow.run_id == row.id, utcnow())
    tx.flush()
    return schemas.Run.model_validate(row)


def retry(tx: Session, who: Principal, run_id: str) -> schemas.Run:
    """Re-queue a failed run from its first failed step; completed checkpoints are kept."""
    row = run_row(tx, who, run_id)
    if row.status != RunStatus.FAILED:
        raise Conflict(f"only failed runs can be retried; this one is {row.status}")
    tx.execute(
        RunStepRow.__table__.delete().where(  # type: ignore[attr-defined]
            RunStepRow.run_id == row.id, RunStepRow.status == StepStatus.FAILED
        )
    )
    transition(
        tx,
        row,
        RunStatus.PENDING,
        who=who,
        available_at=utcnow(),
        error=None,
        end_time=None,
        outputs=None,
    )
    _through_gate(row)
    tx.flush()
    return schemas.Run.model_validate(row)


def _through_gate(row: RunRow, step: str | None = None) -> None:
    """Restart `row` at `step` (default: where it stands) only after its start is checked
    against the project's policies again: a retry, resume or fork is a new start."""
    step = step if step is not None else row.cursor
    if step in (None, RUN_GATE):
        return  # not begun, or stopped at the gate itself: the gate is asked anyway
    row.restart_step = step
    row.cursor = RUN_GATE


def exceptions(tx: Session, who: Principal, params: ListParams) -> Page[schemas.RunException]:
    """Failed runs and runs waiting for a person, newest first."""
    stmt = _runs(who).where(RunRow.status.in_((RunStatus.FAILED, RunStatus.WAITING)))
    page = paginate(
        tx, stmt, RUN_FILTERS, params, id_column=RunRow.id, default_order="create_time desc"
    )
    out: list[schemas.RunException] = []
    for row in page.items:
        run = schemas.Run.model_validate(row)
        if row.status == RunStatus.FAILED:
            reason = (row.error or {}).get("message") or row.stop_reason or "failed"
            out.append(schemas.RunException(run=run, reason=str(reason)))
            continue
        approval = tx.execute(
            select(ApprovalRow)
            .where(
                ApprovalRow.run_id == row.id,
                ApprovalRow.status.in_(OPEN),
                ApprovalRow.source != "escalation",
            )
            .limit(1)
        ).scalar_one_or_none()
        if approval is not None:
            reason = f"waiting for approval at step '{approval.step_id}'"
            out.append(schemas.RunException(run=run, reason=reason, approval_id=approval.id))
    return Page(out, page.next_page_token, page.total_size)


# ---------------------------------------------------------------- run control


def pause(tx: Session, who: Principal, run_id: str) -> schemas.Run:
    """Park the run as `waiting` (stop_reason `paused`); a running step's worker loses the
    run at its next checkpoint and the step runs again on resume."""
    row = run_row(tx, who, run_id)
    if row.status not in ACTIVE:
        raise Conflict(f"the run is already {row.status}")
    if row.stop_reason == "paused":
        raise Conflict("the run is already paused")
    transition(
        tx,
        row,
        RunStatus.WAITING,
        who=who,
        stop_reason="paused",
        available_at=None,
        lease_owner=None,
        lease_expires_at=None,
    )
    tx.flush()
    return schemas.Run.model_validate(row)


def resume(tx: Session, who: Principal, run_id: str) -> schemas.Run:
    """Undo a pause: back to the wait it was in (approval, timer, child run), else queued."""
    row = run_row(tx, who, run_id)
    if row.status != RunStatus.WAITING or row.stop_reason != "paused":
        raise Conflict(f"only paused runs can be resumed; this one is {row.status}")
    open_approval = tx.execute(
        select(ApprovalRow)
        .where(
            ApprovalRow.run_id == row.id,
            ApprovalRow.status.in_(OPEN),
            ApprovalRow.source.in_(("step", "policy")),
        )
        .limit(1)
    ).scalar_one_or_none()
    last = tx.execute(
        select(RunStepRow).where(RunStepRow.run_id == row.id).order_by(RunStepRow.seq.desc())
    ).first()
    step = last[0] if last else None
    parked = step is not None and step.status == StepStatus.WAITING and step.step_id == row.cursor
    if open_approval is not None:
        wake = open_approval.deadline if open_approval.on_timeout != "escalate" else None
        transition(tx, row, RunStatus.WAITING, who=who, available_at=wake)
    elif parked and step is not None and _child_active(tx, row, step):
        transition(tx, row, RunStatus.WAITING, who=who, available_at=None)
    elif parked and step is not None and (step.output or {}).get("until"):
        until = datetime.fromisoformat(str((step.output or {})["until"]))
        transition(tx, row, RunStatus.WAITING, who=who, available_at=max(until, utcnow()))
    else:
        transition(tx, row, RunStatus.PENDING, who=who, available_at=utcnow())
        if not parked:  # a finished wait (decided, timer passed) is read by its own step
            _through_gate(row)
    tx.flush()
    return schemas.Run.model_validate(row)


def _child_active(tx: Session, run: RunRow, step: RunStepRow) -> bool:
    child_id = (step.output or {}).get("child_run_id")
    if not child_id:
        return False
    child = tx.get(RunRow, child_id)
    return child is not None and child.status in ACTIVE


def audit_trail(tx: Session, who: Principal, run_id: str, params: ListParams) -> Page[AuditLog]:
    """The run's audit rows (transitions, policy evaluations, approvals), oldest first."""
    run = run_row(tx, who, run_id)
    return audit_service.list_resource(tx, who, "run", run.id, params)


# ---------------------------------------------------------------- fork, batches

BATCH_LIMIT = 1000


def fork(tx: Session, who: Principal, run_id: str, body: schemas.RunFork) -> schemas.Run:
    """A new pending run of the same definition that keeps the checkpoints made before
    `from_step` first ran, and starts there (with new inputs if given).

    A fork is a new start and never goes around governance: its inputs are checked against
    the automation's schema, the project's policies are evaluated on it (with its inputs)
    before any step runs, and it never starts past an approval step (one before
    `from_step` in the definition, or among the checkpoints it would keep): an approval is
    given once, for one run, and a fork asks for it again from that step."""
    source = run_row(tx, who, run_id)
    steps = source.definition.get("steps", [])
    step_ids = [step.get("id") for step in steps]
    if body.from_step not in step_ids:
        raise ValidationFailed(
            f"the run's definition has no step '{body.from_step}'",
            errors=[FieldError("body.from_step", f"one of: {', '.join(map(str, step_ids))}")],
        )
    inputs = body.inputs if body.inputs is not None else source.inputs
    schema = source.definition.get("inputs")
    if body.inputs is not None and schema and (errors := _input_errors(schema, inputs)):
        raise ValidationFailed("inputs do not match the automation's schema", errors=errors)
    checkpoints = list(
        tx.execute(
            select(RunStepRow).where(RunStepRow.run_id == source.id).order_by(RunStepRow.seq)
        ).scalars()
    )
    kept: list[RunStepRow] = []
    for step in checkpoints:
        if step.step_id == body.from_step:
            break
        if step.status == StepStatus.COMPLETED and step.step_id != RUN_GATE:
            kept.append(step)
    before = steps[: step_ids.index(body.from_step)]
    gates = [s.get("id") for s in before if s.get("kind") == "approval"]
    gates += [s.step_id for s in kept if s.kind == "approval" and s.step_id not in gates]
    if gates:
        raise ValidationFailed(
            f"a fork cannot start past the approval step '{gates[0]}'",
            errors=[
                FieldError(
                    "body.from_step",
                    f"must be '{gates[0]}' or an earlier step: an approval is given once, "
                    "and a fork asks for it again",
                )
            ],
        )
    now = utcnow()
    fork_row = RunRow(
        **{c.key: getattr(source, c.key) for c in RunRow.__table__.columns},
    )
    fork_row.id = new_id("run")
    fork_row.status = RunStatus.PENDING
    fork_row.stop_reason = None
    fork_row.inputs = inputs
    fork_row.outputs = None
    fork_row.error = None
    fork_row.cursor = RUN_GATE
    fork_row.restart_step = body.from_step
    fork_row.parent_run_id = source.id
    fork_row.parent_step_id = None
    fork_row.triggered_by = who.actor["id"]
    fork_row.available_at = now
    fork_row.lease_owner = None
    fork_row.lease_expires_at = None
    fork_row.attempt = 0
    timeout = source.definition.get("timeout_seconds")
    fork_row.deadline = now + timedelta(seconds=timeout) if timeout else None
    fork_row.create_time = fork_row.update_time = now
    fork_row.start_time = fork_row.end_time = None
    tx.add(fork_row)
    for seq, step in enumerate(kept, start=1):
        tx.add(
            RunStepRow(
                id=new_id("stp"),
                run_id=fork_row.id,
                seq=seq,
                step_id=step.step_id,
                kind=step.kind,
                status=StepStatus.COMPLETED,
                output=step.output,
                error=None,
                attempt=step.attempt,
                run_attempt=0,
                start_time=step.start_time,
                end_time=step.end_time,
            )
        )
    tx.flush()
    audit.record(
        tx,
        who,
        "run.forked",
        "run",
        fork_row.id,
        {"parent_run_id": {"to": source.id}, "from_step": {"to": body.from_step}},
    )
    events.emit(
        tx,
        who,
        "run.created",
        "run",
        fork_row.id,
        {"id": fork_row.id, "automation_id": fork_row.automation_id, "forked_from": source.id},
        environment_id=fork_row.environment_id,
    )
    notify_runs_ready(tx)
    return schemas.Run.model_validate(fork_row)


def _batch(
    tx: Session, who: Principal, body: schemas.RunBatch, statuses: tuple[str, ...]
) -> list[RunRow]:
    stmt = _runs(who).where(RunRow.status.in_(statuses))
    condition = RUN_FILTERS.compile(body.filter)
    if condition is not None:
        stmt = stmt.where(condition)
    return list(tx.execute(stmt.order_by(RunRow.create_time).limit(body.limit)).scalars())


def batch_cancel(tx: Session, who: Principal, body: schemas.RunBatch) -> schemas.RunBatchResult:
    """Cancel up to `limit` active runs matching the filter."""
    rows = _batch(tx, who, body, tuple(ACTIVE))
    for row in rows:
        cancel(tx, who, row.id)
    return schemas.RunBatchResult(matched=len(rows), changed=len(rows))


def batch_retry(tx: Session, who: Principal, body: schemas.RunBatch) -> schemas.RunBatchResult:
    """Retry up to `limit` failed runs matching the filter."""
    rows = _batch(tx, who, body, (RunStatus.FAILED,))
    for row in rows:
        retry(tx, who, row.id)
    return schemas.RunBatchResult(matched=len(rows), changed=len(rows))


def start_child(
    tx: Session,
    who: Principal,
    automation: str,
    inputs: dict[str, Any],
    version: int | str | None,
) -> str:
    """An `automation` step's run (the engine's `ChildRuns` port): its id."""
    # Validated as a request is: the port's `version` is a step's VersionChoice.
    body = schemas.RunCreate.model_validate({"inputs": inputs, "version": version})
    return trigger(tx, who, automation, body).id

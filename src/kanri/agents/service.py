"""Business rules of agents: drafts, versions, suspension, runs, threads."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy import update as sql_update
from sqlalchemy.orm import Session

from kanri.agents import schemas
from kanri.agents.models import (
    AgentRow,
    AgentVersionRow,
    ThreadMessageRow,
    ThreadRow,
    ToolCallRow,
)
from kanri.agents.tools import tools
from kanri.core import audit, events, ownership, versioning
from kanri.core.auth import Principal
from kanri.core.errors import Conflict, FieldError, NotFound, ValidationFailed, not_found
from kanri.core.filtering import FilterField, FilterSpec
from kanri.core.ids import new_id
from kanri.core.pagination import ListParams, Page, paginate
from kanri.core.scoping import by_ref, scoped
from kanri.core.time import utcnow
from kanri.costs import budgets
from kanri.costs import usage as usage_records
from kanri.db.database import notify_runs_ready
from kanri.engine.models import RunRow
from kanri.engine.states import ACTIVE
from kanri.engine.statuses import RunStatus
from kanri.providers import service as providers
from kanri.runs import schemas as run_schemas
from kanri.runs import service as runs
from kanri.runs.service import create_run

AGENT_FILTERS = FilterSpec(
    {
        "id": FilterField(AgentRow.id),
        "name": FilterField(AgentRow.name),
        "status": FilterField(AgentRow.status),
        "published_version": FilterField(AgentRow.published_version, "integer"),
        "labels": FilterField(AgentRow.labels, "map"),
        "create_time": FilterField(AgentRow.create_time, "timestamp"),
        "update_time": FilterField(AgentRow.update_time, "timestamp"),
    }
)
THREAD_FILTERS = FilterSpec(
    {
        "id": FilterField(ThreadRow.id),
        "agent_id": FilterField(ThreadRow.agent_id),
        "labels": FilterField(ThreadRow.labels, "map"),
        "create_time": FilterField(ThreadRow.create_time, "timestamp"),
    }
)
SPEC_FIELDS = ("instructions", "runtime", "tools", "knowledge_namespaces", "max_steps")
AGENT_STEP = "agent"
MAX_THREAD_MESSAGES = 200  # the history an agent run sees of its thread


def _scoped(who: Principal) -> Select[AgentRow]:
    return scoped(select(AgentRow), who)


def agent_row(tx: Session, who: Principal, ref: str) -> AgentRow:
    """The agent `ref` (id or name) of who's project; NotFound otherwise."""
    return by_ref(tx, AgentRow, ref, who, prefix="agt", name_column=AgentRow.name, noun="agent")


def _view(tx: Session, row: AgentRow) -> schemas.Agent:
    spec = schemas.AgentSpec.model_validate(row.spec)
    published = None
    if row.published_version is not None:
        published = _version_row(tx, row, row.published_version).spec
    return schemas.Agent(
        id=row.id,
        project_id=row.project_id,
        name=row.name,
        description=row.description,
        labels=row.labels,
        concurrency=row.concurrency,
        status=row.status,
        published_version=row.published_version,
        latest_version=row.latest_version,
        draft_changed=published != row.spec,
        create_time=row.create_time,
        update_time=row.update_time,
        **{name: getattr(spec, name) for name in SPEC_FIELDS},
    )


def _check_spec(tx: Session, who: Principal, spec: schemas.AgentSpec, field: str = "body") -> None:
    """Tools exist (search_knowledge with namespaces); the provider exists and a model is
    known."""
    known = tools()
    errors = [
        FieldError(f"{field}.tools.{i}.name", f"unknown tool; one of: {', '.join(sorted(known))}")
        for i, tool in enumerate(spec.tools)
        if tool.name not in known
    ]
    if not spec.knowledge_namespaces and any(t.name == "search_knowledge" for t in spec.tools):
        errors.append(
            FieldError(f"{field}.knowledge_namespaces", "the search_knowledge tool needs one")
        )
    errors += ownership.outside(
        tx,
        who.project(),
        [
            (f"{field}.knowledge_namespaces.{i}", ns)
            for i, ns in enumerate(spec.knowledge_namespaces)
        ],
    )
    try:
        provider = providers.provider_row(tx, who, spec.runtime.provider)
    except NotFound:
        errors.append(FieldError(f"{field}.runtime.provider", "no such provider in the project"))
    else:
        if spec.runtime.model is None and provider.default_model is None:
            errors.append(
                FieldError(f"{field}.runtime.model", "required: the provider has no default_model")
            )
    if errors:
        raise ValidationFailed("the agent's definition is invalid", errors=errors)


def _spec_json(tx: Session, who: Principal, spec: schemas.AgentSpec) -> dict[str, Any]:
    out = spec.model_dump(mode="json", include=set(SPEC_FIELDS))
    # Pin the provider by id: renaming a provider does not break agents.
    out["runtime"]["provider"] = providers.provider_row(tx, who, spec.runtime.provider).id
    return out


def _name_free(tx: Session, who: Principal, name: str) -> None:
    if tx.execute(_scoped(who).where(AgentRow.name == name)).first() is not None:
        raise Conflict(
            f"an agent named '{name}' already exists",
            errors=[FieldError("body.name", "already used in this project")],
        )


def create(tx: Session, who: Principal, body: schemas.AgentCreate) -> schemas.Agent:
    """A new agent, runnable at once: its definition is published as version 1."""
    _check_spec(tx, who, body)
    _name_free(tx, who, body.name)
    now = utcnow()
    row = AgentRow(
        id=new_id("agt"),
        project_id=who.project(),
        name=body.name,
        description=body.description,
        spec=_spec_json(tx, who, body),
        status="active",
        published_version=None,
        latest_version=0,
        labels=body.labels,
        concurrency=body.concurrency,
        create_time=now,
        update_time=now,
    )
    tx.add(row)
    tx.flush()
    audit.record(tx, who, "agent.created", "agent", row.id, {"name": {"to": row.name}})
    events.emit(tx, who, "agent.created", "agent", row.id, {"id": row.id, "name": row.name})
    _publish(tx, who, row)
    return _view(tx, row)


def get(tx: Session, who: Principal, ref: str) -> schemas.Agent:
    return _view(tx, agent_row(tx, who, ref))


def list_agents(tx: Session, who: Principal, params: ListParams) -> Page[schemas.Agent]:
    page = paginate(
        tx, _scoped(who), AGENT_FILTERS, params, id_column=AgentRow.id, default_order="create_time"
    )
    return page.map(lambda row: _view(tx, row))


def update(tx: Session, who: Principal, ref: str, body: schemas.AgentUpdate) -> schemas.Agent:
    """Change the agent; definition changes stay in the draft until published."""
    row = agent_row(tx, who, ref)
    summary: dict[str, Any] = {}
    if body.name is not None and body.name != row.name:
        _name_free(tx, who, body.name)
        summary["name"] = {"from": row.name, "to": body.name}
        row.name = body.name
    if body.description is not None and body.description != row.description:
        summary["description"] = {"changed": True}
        row.description = body.description
    if body.labels is not None and body.labels != row.labels:
        summary["labels"] = {"from": row.labels, "to": body.labels}
        row.labels = body.labels
    if "concurrency" in body.model_fields_set and body.concurrency != row.concurrency:
        summary["concurrency"] = {"from": row.concurrency, "to": body.concurrency}
        row.concurrency = body.concurrency
    changed = {name: getattr(body, name) for name in SPEC_FIELDS if getattr(body, name) is not None}
    if changed:
        draft = schemas.AgentSpec.model_validate(row.spec).model_copy(update=changed)
        spec = schemas.AgentSpec.model_validate(draft.model_dump())
        _check_spec(tx, who, spec)
        new = _spec_json(tx, who, spec)
        if new != row.spec:
            row.spec = new
            summary["draft"] = {"changed": sorted(changed)}
    if summary:
        row.update_time = utcnow()
        audit.record(tx, who, "agent.updated", "agent", row.id, summary)
        events.emit(tx, who, "agent.updated", "agent", row.id, {"id": row.id})
    tx.flush()
    return _view(tx, row)


def agent_limits(tx: Session, agent_ids: set[str]) -> dict[str, tuple[str, int | None]]:
    """Each agent's name and `concurrency` (the engine's `Agents` port)."""
    rows = tx.execute(
        select(AgentRow.id, AgentRow.name, AgentRow.concurrency).where(
            AgentRow.id.in_(sorted(agent_ids))
        )
    )
    return {row.id: (row.name, row.concurrency) for row in rows}


def delete(tx: Session, who: Principal, ref: str) -> None:
    """Delete an agent with no run in flight."""
    row = agent_row(tx, who, ref)
    busy = tx.execute(
        select(func.count()).where(RunRow.agent_id == row.id, RunRow.status.in_(tuple(ACTIVE)))
    ).scalar_one()
    if busy:
        raise Conflict(f"the agent has {busy} run(s) in flight: cancel them first")
    audit.record(tx, who, "agent.deleted", "agent", row.id, {"name": {"from": row.name}})
    events.emit(tx, who, "agent.deleted", "agent", row.id, {"id": row.id})
    tx.delete(row)


def _publish(tx: Session, who: Principal, row: AgentRow) -> AgentVersionRow:
    version = AgentVersionRow(
        id=new_id("agv"),
        agent_id=row.id,
        version=row.latest_version + 1,
        spec=row.spec,
        created_by=who.actor["id"],
        create_time=utcnow(),
    )
    tx.add(version)
    before = row.published_version
    row.latest_version = version.version
    row.published_version = version.version
    row.update_time = version.create_time
    tx.flush()
    audit.record(
        tx,
        who,
        "agent.published",
        "agent",
        row.id,
        {"published_version": {"from": before, "to": version.version}},
    )
    events.emit(
        tx, who, "agent.published", "agent", row.id, {"id": row.id, "version": version.version}
    )
    return version


def _version(version: AgentVersionRow, row: AgentRow) -> schemas.AgentVersion:
    out = schemas.AgentVersion.model_validate(version)
    out.published = version.version == row.published_version
    return out


def publish(tx: Session, who: Principal, ref: str) -> schemas.AgentVersion:
    """Freeze the draft as the next version and publish it."""
    row = agent_row(tx, who, ref)
    _check_spec(tx, who, schemas.AgentSpec.model_validate(row.spec))
    return _version(_publish(tx, who, row), row)


def _version_row(tx: Session, row: AgentRow, number: int) -> AgentVersionRow:
    return versioning.find(tx, AgentVersionRow, AgentVersionRow.agent_id, row.id, number)


def versions(tx: Session, who: Principal, ref: str) -> list[schemas.AgentVersion]:
    row = agent_row(tx, who, ref)
    found = versioning.newest_first(tx, AgentVersionRow, AgentVersionRow.agent_id, row.id)
    return [_version(v, row) for v in found]


def version(tx: Session, who: Principal, ref: str, number: int) -> schemas.AgentVersion:
    row = agent_row(tx, who, ref)
    return _version(_version_row(tx, row, number), row)


def rollback(tx: Session, who: Principal, ref: str, body: schemas.Rollback) -> schemas.Agent:
    """Make an earlier version the published one again."""
    row = agent_row(tx, who, ref)
    _version_row(tx, row, body.version)
    versioning.republish(tx, who, row, "agent", body.version)
    return _view(tx, row)


def map_runtime(tx: Session, who: Principal, ref: str, body: schemas.MapRuntime) -> schemas.Agent:
    """Switch provider/model: the draft changes and is published at once."""
    row = agent_row(tx, who, ref)
    spec = schemas.AgentSpec.model_validate(row.spec)
    runtime = spec.runtime.model_copy(update={"provider": body.provider, "model": body.model})
    spec = spec.model_copy(update={"runtime": runtime})
    _check_spec(tx, who, spec)
    row.spec = _spec_json(tx, who, spec)
    _publish(tx, who, row)
    return _view(tx, row)


def set_status(tx: Session, who: Principal, ref: str, status: str) -> schemas.Agent:
    """Suspend (new runs refused, queued runs wait) or resume an agent."""
    row = agent_row(tx, who, ref)
    if row.status != status:
        before = row.status
        row.status = status
        row.update_time = utcnow()
        action = "agent.suspended" if status == "suspended" else "agent.resumed"
        audit.record(tx, who, action, "agent", row.id, {"status": {"from": before, "to": status}})
        events.emit(tx, who, action, "agent", row.id, {"id": row.id})
        if status == "active":
            # Runs parked while suspended poll on a timer; wake them now.
            tx.execute(
                sql_update(RunRow)
                .where(
                    RunRow.agent_id == row.id,
                    RunRow.status == RunStatus.WAITING,
                    RunRow.available_at.is_not(None),
                )
                .values(available_at=utcnow())
            )
            notify_runs_ready(tx)
    tx.flush()
    return _view(tx, row)


def runtime_status(tx: Session, who: Principal) -> list[schemas.AgentRuntimeStatus]:
    """Per agent: status, runs in flight, the last run, tokens and cost today (UTC)."""
    rows = list(tx.execute(_scoped(who).order_by(AgentRow.name).limit(1000)).scalars())
    inflight = dict(
        tx.execute(
            scoped(select(RunRow.agent_id, func.count()), who)
            .where(RunRow.agent_id.is_not(None), RunRow.status.in_(tuple(ACTIVE)))
            .group_by(RunRow.agent_id)
        ).all()
    )
    last: dict[str, tuple[str, Any]] = {}
    for agent in rows:
        found = tx.execute(
            select(RunRow.id, RunRow.create_time)
            .where(RunRow.agent_id == agent.id)
            .order_by(RunRow.create_time.desc())
            .limit(1)
        ).first()
        if found is not None:
            last[agent.id] = (found[0], found[1])
    today = utcnow().replace(hour=0, minute=0, second=0, microsecond=0)
    spend = usage_records.spend_by_agent(tx, who, today)
    return [
        schemas.AgentRuntimeStatus(
            id=agent.id,
            name=agent.name,
            status=agent.status,
            runs_in_flight=int(inflight.get(agent.id, 0)),
            last_run_id=last.get(agent.id, (None, None))[0],
            last_run_time=last.get(agent.id, (None, None))[1],
            tokens_today=spend.get(agent.id, (0, Decimal(0)))[0],
            cost_usd_today=spend.get(agent.id, (0, Decimal(0)))[1],
        )
        for agent in rows
    ]


def agents_using_provider(tx: Session, who: Principal, provider_id: str) -> list[str]:
    """Names of agents whose draft or published version calls this provider."""
    names = []
    for row in tx.execute(_scoped(who)).scalars():
        specs = [row.spec]
        if row.published_version is not None:
            specs.append(_version_row(tx, row, row.published_version).spec)
        if any(spec.get("runtime", {}).get("provider") == provider_id for spec in specs):
            names.append(row.name)
    return names


# ---------------------------------------------------------------- runs


_PUBLISHED = versioning.PublishedRead(
    AgentRow,
    AgentVersionRow,
    AgentVersionRow.agent_id,
    AgentVersionRow.spec,
    (AgentRow.status,),
    prefix="agt",
)


def spec_for_run(
    tx: Session, who: Principal, ref: str, wanted: int | str | None
) -> tuple[Mapping[str, Any], int | None, dict[str, Any]]:
    """The agent (`id`, `name`, `status`), the version number (None: draft) and the spec a
    new run pins."""
    if wanted is None:  # the published version: one read, as every trigger asks for it
        found = _PUBLISHED.first(tx, who, ref)
        if found is None:
            raise not_found("agent", ref)
        if found["published_version"] is None:
            raise Conflict(f"agent '{found['name']}' has no published version")
        if found["spec"] is None:
            raise not_found("version", str(found["published_version"]))
        return found, found["published_version"], found["spec"]
    row = agent_row(tx, who, ref)
    agent = {"id": row.id, "name": row.name, "status": row.status}
    if wanted == "draft":
        return agent, None, row.spec
    assert isinstance(wanted, int)
    return agent, wanted, _version_row(tx, row, wanted).spec


def trigger(tx: Session, who: Principal, ref: str, body: schemas.AgentRunCreate) -> run_schemas.Run:
    """A pending run of the agent's published (or named) version."""
    agent, version, spec = spec_for_run(tx, who, ref, body.version)
    if agent["status"] == "suspended":
        raise Conflict(f"agent '{agent['name']}' is suspended: resume it to start runs")
    if body.thread_id is not None:
        thread_row(tx, who, body.thread_id, field="body.thread_id")
    budgets.check_new_run(tx, who.project(), agent["id"])
    definition = {
        "steps": [
            {
                "id": AGENT_STEP,
                "kind": "agent",
                "agent": agent["id"],
                "version": version if version is not None else "draft",
                "spec": spec,
                "from_run_inputs": True,
            }
        ]
    }
    row = create_run(
        tx,
        who,
        definition=definition,
        inputs={
            "messages": body.conversation(),
            "inputs": body.inputs,
            "thread_id": body.thread_id,
        },
        labels=body.labels,
        agent_id=agent["id"],
        version=version,
    )
    return run_schemas.Run.model_validate(row)


def tool_calls(tx: Session, who: Principal, run_id: str) -> list[schemas.ToolCall]:
    run = runs.run_row(tx, who, run_id)
    rows = tx.execute(
        select(ToolCallRow).where(ToolCallRow.run_id == run.id).order_by(ToolCallRow.create_time)
    ).scalars()
    return [schemas.ToolCall.model_validate(r) for r in rows]


# ---------------------------------------------------------------- threads


def thread_row(
    tx: Session, who: Principal, thread_id: str, *, field: str | None = None
) -> ThreadRow:
    row = tx.execute(
        scoped(select(ThreadRow), who).where(ThreadRow.id == thread_id)
    ).scalar_one_or_none()
    if row is None:
        if field is not None:
            raise ValidationFailed(
                f"thread '{thread_id}' not found", errors=[FieldError(field, "no such thread")]
            )
        raise not_found("thread", thread_id)
    return row


def create_thread(tx: Session, who: Principal, body: schemas.ThreadCreate) -> schemas.Thread:
    agent_id = None
    if body.agent is not None:
        try:
            agent_id = agent_row(tx, who, body.agent).id
        except NotFound:
            raise ValidationFailed(
                f"agent '{body.agent}' not found",
                errors=[FieldError("body.agent", "no such agent")],
            ) from None
    now = utcnow()
    row = ThreadRow(
        id=new_id("thr"),
        project_id=who.project(),
        agent_id=agent_id,
        title=body.title,
        labels=body.labels,
        message_count=0,
        create_time=now,
        update_time=now,
    )
    tx.add(row)
    tx.flush()
    audit.record(tx, who, "thread.created", "thread", row.id, {})
    return schemas.Thread.model_validate(row)


def get_thread(tx: Session, who: Principal, thread_id: str) -> schemas.Thread:
    return schemas.Thread.model_validate(thread_row(tx, who, thread_id))


def list_threads(tx: Session, who: Principal, params: ListParams) -> Page[schemas.Thread]:
    page = paginate(
        tx,
        scoped(select(ThreadRow), who),
        THREAD_FILTERS,
        params,
        id_column=ThreadRow.id,
        default_order="create_time desc",
    )
    return page.map(schemas.Thread.model_validate)


def delete_thread(tx: Session, who: Principal, thread_id: str) -> None:
    row = thread_row(tx, who, thread_id)
    audit.record(tx, who, "thread.deleted", "thread", row.id, {})
    tx.delete(row)


def thread_messages(tx: Session, who: Principal, thread_id: str) -> list[schemas.ThreadMessage]:
    row = thread_row(tx, who, thread_id)
    found = tx.execute(
        select(ThreadMessageRow)
        .where(ThreadMessageRow.thread_id == row.id)
        .order_by(ThreadMessageRow.seq)
        .limit(10_000)
    ).scalars()
    return [schemas.ThreadMessage.model_validate(m) for m in found]


def thread_history(tx: Session, thread_id: str) -> list[dict[str, Any]]:
    """The last messages of a thread, oldest first (what an agent run sees)."""
    found = list(
        tx.execute(
            select(ThreadMessageRow.message)
            .where(ThreadMessageRow.thread_id == thread_id)
            .order_by(ThreadMessageRow.seq.desc())
            .limit(MAX_THREAD_MESSAGES)
        ).scalars()
    )
    return list(reversed(found))


def append_to_thread(
    tx: Session, thread_id: str, run_id: str, messages: list[dict[str, Any]]
) -> None:
    """Append a finished run's turn to its thread, once (a resumed run appends nothing)."""
    done = tx.execute(
        select(ThreadMessageRow.id).where(ThreadMessageRow.run_id == run_id).limit(1)
    ).first()
    thread = tx.execute(
        select(ThreadRow).where(ThreadRow.id == thread_id).with_for_update()
    ).scalar_one_or_none()
    if done is not None or thread is None:
        return
    now = utcnow()
    for position, message in enumerate(messages):
        thread.message_count += 1
        tx.add(
            ThreadMessageRow(
                id=new_id("msg"),
                thread_id=thread.id,
                seq=thread.message_count,
                run_id=run_id,
                position=position,
                role=str(message.get("role")),
                message=message,
                create_time=now,
            )
        )
    thread.update_time = now

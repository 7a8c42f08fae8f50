"""Routes of agents (section `agents`), their versions (`deployments`), agent runs (`runs`)
and threads (`agents`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

from fastapi import APIRouter, Path, Query, Request, Response

from kanri.agents import schemas, service
from kanri.core import idempotency
from kanri.core.auth import Principal, RequireSection
from kanri.core.deps import Db, Listing, Runtime
from kanri.core.openapi import BODY_ID, link_to, operation_id, problem_responses
from kanri.core.schemas import ListResponse
from kanri.runs import schemas as run_schemas
from kanri.runs.wait import wait_for

if TYPE_CHECKING:
    pass

router = APIRouter(tags=["agents"], generate_unique_id_function=operation_id)
AgentId = Annotated[str, Path(description="agent id or name", max_length=100)]
ThreadId = Annotated[str, Path(description="thread id", max_length=100)]
Reader = Annotated[Principal, RequireSection("agents", "read")]
Writer = Annotated[Principal, RequireSection("agents", "write")]
Deployer = Annotated[Principal, RequireSection("deployments", "write")]
DeploymentReader = Annotated[Principal, RequireSection("deployments", "read")]
RunWriter = Annotated[Principal, RequireSection("runs", "write")]
RunReader = Annotated[Principal, RequireSection("runs", "read")]


@router.post("/v1/agents", status_code=201, responses=link_to("agents_get", agent_id=BODY_ID))
async def create_agent(
    body: schemas.AgentCreate,
    request: Request,
    response: Response,
    kanri: Runtime,
    who: Writer,
    idempotency_key: idempotency.IdempotencyKey = None,
) -> schemas.Agent:
    """Create an agent; it is runnable at once (its definition is published as version 1)."""
    return await idempotency.create(
        request,
        response,
        kanri.db,
        who,
        idempotency_key,
        service.create,
        who,
        body,
        location=lambda a: f"/v1/agents/{a.id}",
    )


@router.get("/v1/agents")
async def list_agents(db: Db, params: Listing, who: Reader) -> ListResponse[schemas.Agent]:
    """Agents of the project. Filter on id, name, status, published_version, labels.*, times."""
    return ListResponse.of(await db.read(service.list_agents, who, params))


@router.get("/v1/agents/runtime-status")
async def agents_runtime_status(db: Db, who: Reader) -> ListResponse[schemas.AgentRuntimeStatus]:
    """Per agent: active or suspended, runs in flight, last run, tokens and cost today (UTC)."""
    return ListResponse(data=await db.read(service.runtime_status, who))


@router.get("/v1/agents/{agent_id}")
async def get_agent(agent_id: AgentId, db: Db, who: Reader) -> schemas.Agent:
    """The agent with its draft definition."""
    return await db.read(service.get, who, agent_id)


@router.patch("/v1/agents/{agent_id}")
async def update_agent(
    agent_id: AgentId, body: schemas.AgentUpdate, db: Db, who: Writer
) -> schemas.Agent:
    """Change the agent; instructions, runtime, tools and limits stay a draft until published."""
    return await db.write(service.update, who, agent_id, body)


@router.delete("/v1/agents/{agent_id}", status_code=204)
async def delete_agent(agent_id: AgentId, db: Db, who: Writer) -> None:
    """Delete an agent with no run in flight (409 while one is)."""
    await db.write(service.delete, who, agent_id)


@router.post("/v1/agents/{agent_id}/publish", status_code=201, tags=["deployments"])
async def publish_agent(
    agent_id: AgentId,
    request: Request,
    response: Response,
    db: Db,
    who: Deployer,
    idempotency_key: idempotency.IdempotencyKey = None,
) -> schemas.AgentVersion:
    """Freeze the draft as the next version and publish it (once per Idempotency-Key)."""
    return await idempotency.create(
        request,
        response,
        db,
        who,
        idempotency_key,
        service.publish,
        who,
        agent_id,
        location=lambda v: f"/v1/agents/{v.agent_id}/versions/{v.version}",
    )


@router.get("/v1/agents/{agent_id}/versions", tags=["deployments"])
async def list_agent_versions(
    agent_id: AgentId, db: Db, who: DeploymentReader
) -> ListResponse[schemas.AgentVersion]:
    """Every published version, newest first."""
    return ListResponse(data=await db.read(service.versions, who, agent_id))


@router.get("/v1/agents/{agent_id}/versions/{version}", tags=["deployments"])
async def get_agent_version(
    agent_id: AgentId,
    version: Annotated[int, Path(ge=1, le=1_000_000)],
    db: Db,
    who: DeploymentReader,
) -> schemas.AgentVersion:
    """One published version of the agent, its definition frozen."""
    return await db.read(service.version, who, agent_id, version)


@router.post("/v1/agents/{agent_id}/rollback", tags=["deployments"])
async def rollback_agent(
    agent_id: AgentId, body: schemas.Rollback, db: Db, who: Deployer
) -> schemas.Agent:
    """Make an earlier version the published one."""
    return await db.write(service.rollback, who, agent_id, body)


@router.post("/v1/agents/{agent_id}/map-runtime", tags=["deployments"])
async def map_agent_runtime(
    agent_id: AgentId, body: schemas.MapRuntime, db: Db, who: Deployer
) -> schemas.Agent:
    """Switch the agent's provider and model; published as a new version at once."""
    return await db.write(service.map_runtime, who, agent_id, body)


@router.post("/v1/agents/{agent_id}/suspend")
async def suspend_agent(agent_id: AgentId, db: Db, who: Writer) -> schemas.Agent:
    """New runs are refused (409); queued runs wait until the agent is resumed."""
    return await db.write(service.set_status, who, agent_id, "suspended")


@router.post("/v1/agents/{agent_id}/resume")
async def resume_agent(agent_id: AgentId, kanri: Runtime, who: Writer) -> schemas.Agent:
    """Accept new runs again; runs queued while it was suspended start."""
    agent = await kanri.db.write(service.set_status, who, agent_id, "active")
    kanri.wake_engine()
    return agent


@router.post(
    "/v1/agents/{agent_id}/runs",
    status_code=202,
    tags=["runs"],
    responses={
        **link_to("runs_get", status=202, run_id=BODY_ID),
        **problem_responses(402),
    },
)
async def start_agent_run(
    agent_id: AgentId,
    body: schemas.AgentRunCreate,
    request: Request,
    response: Response,
    kanri: Runtime,
    who: RunWriter,
    idempotency_key: idempotency.IdempotencyKey = None,
    wait: Annotated[
        float, Query(ge=0, le=60, description="hold the answer until the run ends (seconds)")
    ] = 0,
) -> run_schemas.Run:
    """Start a run of the agent with `message` or `messages` (and a `thread_id` to continue a
    conversation); 202 with the pending run. Tokens stream on `/v1/runs/{id}/events`."""
    run = await idempotency.create(
        request,
        response,
        kanri.db,
        who,
        idempotency_key,
        service.trigger,
        who,
        agent_id,
        body,
        location=lambda r: f"/v1/runs/{r.id}",
        status_code=202,
    )
    kanri.wake_engine()
    if wait > 0:
        run = await wait_for(kanri, who, run, wait)
    return run


@router.get("/v1/runs/{run_id}/tool-calls", tags=["runs"])
async def list_run_tool_calls(
    run_id: Annotated[str, Path(description="run id", max_length=100)], db: Db, who: RunReader
) -> ListResponse[schemas.ToolCall]:
    """The tool calls an agent run made, with arguments and results."""
    return ListResponse(data=await db.read(service.tool_calls, who, run_id))


@router.post("/v1/threads", status_code=201, responses=link_to("threads_get", thread_id=BODY_ID))
async def create_thread(
    body: schemas.ThreadCreate,
    request: Request,
    response: Response,
    kanri: Runtime,
    who: Writer,
    idempotency_key: idempotency.IdempotencyKey = None,
) -> schemas.Thread:
    """A conversation: runs started with its `thread_id` see its history and add their turn."""
    return await idempotency.create(
        request,
        response,
        kanri.db,
        who,
        idempotency_key,
        service.create_thread,
        who,
        body,
        location=lambda t: f"/v1/threads/{t.id}",
    )


@router.get("/v1/threads")
async def list_threads(db: Db, params: Listing, who: Reader) -> ListResponse[schemas.Thread]:
    """Threads, newest first. Filter on agent_id, labels.*, create_time."""
    return ListResponse.of(await db.read(service.list_threads, who, params))


@router.get("/v1/threads/{thread_id}")
async def get_thread(thread_id: ThreadId, db: Db, who: Reader) -> schemas.Thread:
    """The thread: its agent, title, labels and message count."""
    return await db.read(service.get_thread, who, thread_id)


@router.delete("/v1/threads/{thread_id}", status_code=204)
async def delete_thread(thread_id: ThreadId, db: Db, who: Writer) -> None:
    """Delete the thread and its messages."""
    await db.write(service.delete_thread, who, thread_id)


@router.get("/v1/threads/{thread_id}/messages")
async def list_thread_messages(
    thread_id: ThreadId, db: Db, who: Reader
) -> ListResponse[schemas.ThreadMessage]:
    """The thread's messages in order."""
    return ListResponse(data=await db.read(service.thread_messages, who, thread_id))

"""Routes of judges and scores (section `judges`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request, Response

from kanri.core import idempotency
from kanri.core.auth import Principal, RequireSection
from kanri.core.deps import Db, Listing, Runtime
from kanri.core.openapi import BODY_ID, link_to, operation_id
from kanri.core.schemas import ListResponse
from kanri.judges import schemas, service

router = APIRouter(tags=["judges"], generate_unique_id_function=operation_id)
JudgeId = Annotated[str, Path(description="judge id or name", max_length=100)]
Reader = Annotated[Principal, RequireSection("judges", "read")]
Writer = Annotated[Principal, RequireSection("judges", "write")]


@router.post(
    "/v1/judges",
    status_code=201,
    responses=link_to("judges_get", judge_id=BODY_ID),
)
async def create_judge(
    body: schemas.JudgeCreate,
    request: Request,
    response: Response,
    kanri: Runtime,
    who: Writer,
    idempotency_key: idempotency.IdempotencyKey = None,
) -> schemas.Judge:
    """A judge for an agent's or an automation's completed runs (`rule` checks on the
    outputs, or an `llm` rubric scored 0-1), sampled at `sample_rate`."""
    return await idempotency.create(
        request,
        response,
        kanri.db,
        who,
        idempotency_key,
        service.create,
        who,
        body,
        location=lambda j: f"/v1/judges/{j.id}",
    )


@router.get("/v1/judges")
async def list_judges(db: Db, params: Listing, who: Reader) -> ListResponse[schemas.Judge]:
    """Judges of the project. Filter on id, name, kind, agent_id, automation_id,
    create_time."""
    return ListResponse.of(await db.read(service.list_judges, who, params))


@router.get("/v1/judges/{judge_id}")
async def get_judge(judge_id: JudgeId, db: Db, who: Reader) -> schemas.Judge:
    """The judge with its checks or rubric and sample rate."""
    return await db.read(service.get, who, judge_id)


@router.patch("/v1/judges/{judge_id}")
async def update_judge(
    judge_id: JudgeId, body: schemas.JudgeUpdate, db: Db, who: Writer
) -> schemas.Judge:
    """Change the judge's config, sample rate or whether it is enabled."""
    return await db.write(service.update, who, judge_id, body)


@router.delete("/v1/judges/{judge_id}", status_code=204)
async def delete_judge(judge_id: JudgeId, db: Db, who: Writer) -> None:
    """Delete the judge and the scores it gave."""
    await db.write(service.delete, who, judge_id)


@router.get("/v1/judges/{judge_id}/scores")
async def list_judge_scores(judge_id: JudgeId, db: Db, who: Reader) -> schemas.JudgeScores:
    """The judge's latest scores (up to 1000) with mean and pass rate, overall and per day."""
    return await db.read(service.judge_scores, who, judge_id)


@router.get("/v1/runs/{run_id}/scores", tags=["runs"])
async def list_run_scores(
    run_id: Annotated[str, Path(description="run id", max_length=100)], db: Db, who: Reader
) -> ListResponse[schemas.Score]:
    """The scores judges gave this run."""
    return ListResponse(data=await db.read(service.run_scores, who, run_id))

"""The baseline: a bare FastAPI app answering the same JSON as kanri's environment routes.

No authentication, rate limiting, database, middleware or error handlers; just FastAPI's
own work (routing, body validation, response-model serialization) so the ratio shows
what kanri adds on top of the framework. Served by uvicorn exactly like kanri.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Annotated

from fastapi import FastAPI, Path
from pydantic import BaseModel, ConfigDict, StringConstraints

Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{0,62}$")]

_CREATED = datetime(2026, 1, 1, 12, 0, 0, 123456, tzinfo=UTC)
_PROJECT_ID = "prj_01JBENCH0000000000000000000"


class EnvironmentCreate(BaseModel):
    """Same constraints as kanri's request body (unknown fields are errors)."""

    model_config = ConfigDict(extra="forbid")

    name: Slug
    description: Annotated[str, StringConstraints(max_length=2000)] = ""


class Environment(BaseModel):
    """Same shape as kanri's `Environment`."""

    id: str
    project_id: str
    name: str
    description: str
    create_time: datetime
    update_time: datetime


app = FastAPI(title="bare", docs_url=None, redoc_url=None, openapi_url=None)


@app.get("/health")
async def health() -> dict[str, bool]:
    return {"ok": True}


@app.get("/v1/environments/{environment_id}")
async def get_environment(
    environment_id: Annotated[str, Path(max_length=100)],
) -> Environment:
    return Environment(
        id=environment_id,
        project_id=_PROJECT_ID,
        name="production",
        description="",
        create_time=_CREATED,
        update_time=_CREATED,
    )


@app.post("/v1/environments", status_code=201)
async def create_environment(body: EnvironmentCreate) -> Environment:
    now = datetime.now(UTC)
    return Environment(
        id="env_" + uuid.uuid4().hex[:26].upper(),
        project_id=_PROJECT_ID,
        name=body.name,
        description=body.description,
        create_time=now,
        update_time=now,
    )

"""`/health` (liveness), `/ready` (database and migrations), `/metrics` (Prometheus)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pydantic import BaseModel

from kanri.core.auth import PublicRoute
from kanri.core.deps import Runtime
from kanri.core.errors import ServiceUnavailable
from kanri.core.http import problem_responses
from kanri.core.time import rfc3339, utcnow
from kanri.db import migrations

router = APIRouter(tags=["system"])
Public = Annotated[None, PublicRoute(per_ip=False)]


class Health(BaseModel):
    ok: bool
    status: Literal["healthy"]
    ts: str


class Ready(BaseModel):
    ok: bool
    database: str
    revision: str | None


@router.get("/health")
async def health(_: Public) -> Health:
    """Liveness: the process answers."""
    return Health(ok=True, status="healthy", ts=rfc3339(utcnow()))


@router.get("/ready", responses=problem_responses(429, 503))
async def ready(kanri: Runtime, _: Public) -> Ready:
    """Readiness: the database answers and its schema is at the newest migration."""
    try:
        revision = await kanri.db.read(migrations.current_revision)
    except Exception as exc:
        raise ServiceUnavailable("the database does not answer") from exc
    if revision != migrations.head_revision():
        raise ServiceUnavailable(
            f"database at migration {revision}, expected {migrations.head_revision()}"
        )
    return Ready(ok=True, database=kanri.db.dialect, revision=revision)


@router.get("/metrics", response_class=Response, responses={200: {"content": {"text/plain": {}}}})
async def metrics(_: Public) -> Response:
    """Prometheus metrics of this process."""
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

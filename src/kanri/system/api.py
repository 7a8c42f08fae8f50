"""`/health` (liveness), `/ready` (database and migrations), `/metrics` (Prometheus).

`/health` alone is not limited per address: load balancers and orchestrators poll it from
a few addresses, and it reads nothing (no database, no data) to answer. `/metrics` is
served only when configured (`metrics_enabled`, or `metrics_token` for a bearer token).
"""

from __future__ import annotations

import hmac
from typing import Annotated, Literal

from fastapi import APIRouter, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pydantic import BaseModel, SecretStr

from kanri.core.auth import PublicRoute
from kanri.core.deps import Runtime
from kanri.core.errors import NotFound, ServiceUnavailable, Unauthorized
from kanri.core.openapi import operation_id, problem_responses
from kanri.core.time import rfc3339, utcnow
from kanri.db import migrations

router = APIRouter(tags=["system"], generate_unique_id_function=operation_id)
Unlimited = Annotated[None, PublicRoute(per_ip=False)]
Public = Annotated[None, PublicRoute()]


class Health(BaseModel):
    ok: bool
    status: Literal["healthy"]
    ts: str


class Ready(BaseModel):
    ok: bool
    database: str
    revision: str | None


@router.get("/health", operation_id="health_get")
async def health(_: Unlimited) -> Health:
    """Liveness: the process answers."""
    return Health(ok=True, status="healthy", ts=rfc3339(utcnow()))


@router.get("/ready", operation_id="ready_get", responses=problem_responses(503))
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


@router.get(
    "/metrics",
    operation_id="metrics_get",
    response_class=Response,
    responses={200: {"content": {"text/plain": {}}}, **problem_responses(401, 404)},
)
async def metrics(kanri: Runtime, request: Request, _: Public) -> Response:
    """Prometheus metrics of this process: 404 unless enabled; with a metrics token set,
    only for `Authorization: Bearer <token>`."""
    settings = kanri.settings
    token = settings.metrics_token
    if token is None and not settings.metrics_enabled:
        raise NotFound(f"no route for GET {request.url.path}")
    if token is not None and not _bears(request, token):
        raise Unauthorized("/metrics needs `Authorization: Bearer <metrics token>`")
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)


def _bears(request: Request, token: SecretStr) -> bool:
    """Whether the request's `Authorization: Bearer …` is `token` (compared in constant time)."""
    scheme, _, presented = (request.headers.get("authorization") or "").partition(" ")
    expected = token.get_secret_value().encode()
    return scheme.lower() == "bearer" and hmac.compare_digest(presented.strip().encode(), expected)

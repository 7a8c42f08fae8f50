"""Who is calling: API key resolution, the Principal, and per-route section checks.

A route declares its section with `RequireSection("environments", "write")` (or
`PublicRoute()`); the dependency answers 401 for a missing/unknown/expired/revoked key,
403 for a key lacking the section, spends rate-limit quota only after both pass, answers
400 for a query parameter the route does not declare, and yields the Principal the
service uses to scope every query. Every 401 counts against the
caller's address: past `auth_failure_limit_per_minute` it gets 429 before any key is read.
"""

from __future__ import annotations

import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal, Protocol

from fastapi import Depends, FastAPI, Request
from fastapi.routing import APIRoute
from sqlalchemy.orm import Session
from starlette.routing import Mount, Route

from kanri.core import keys
from kanri.core.errors import (
    BadRequest,
    FieldError,
    Forbidden,
    NotFound,
    RateLimited,
    Unauthorized,
)
from kanri.core.permissions import ADMIN_ONLY_SECTIONS, Action, allows
from kanri.core.ratelimit import RateLimiter, RateState, refuse
from kanri.core.routing import reject_unknown_query
from kanri.core.time import utcnow

if TYPE_CHECKING:
    from kanri.runtime import Kanri

Reach = Literal["project", "organization", "either"]

AUTH_FAILURES = "auth-failures"  # the rate-limit policy of failed authentications per address
PROJECT_HEADER = "Kanri-Project"
ENVIRONMENT_HEADER = "Kanri-Environment"
GUARD_HEADER_MAX = 100  # characters of Kanri-Project and Kanri-Environment
SECURITY_SCHEMES: dict[str, Any] = {
    "bearerAuth": {
        "type": "http",
        "scheme": "bearer",
        "description": "`Authorization: Bearer kanri_sk_…`",
    },
    "apiKeyHeader": {
        "type": "apiKey",
        "in": "header",
        "name": "x-api-key",
        "description": "`x-api-key: kanri_sk_…`",
    },
}
PROJECT_PARAMETER: dict[str, Any] = {
    "name": PROJECT_HEADER,
    "in": "header",
    "required": False,
    "description": "admin keys: the project (id or name) to act on; other keys' is their own",
    "schema": {"type": "string", "maxLength": GUARD_HEADER_MAX},
}
ENVIRONMENT_PARAMETER: dict[str, Any] = {
    "name": ENVIRONMENT_HEADER,
    "in": "header",
    "required": False,
    "description": "the environment (id or name) to act in; default: the key's; an unknown "
    "one is a 400",
    "schema": {"type": "string", "pattern": r"^[A-Za-z0-9_.-]{1,100}$"},
}


@dataclass(frozen=True, kw_only=True)
class KeyRecord:
    """What authentication needs to know of a stored key (cached briefly)."""

    id: str
    kind: keys.KeyKind
    organization_id: str
    project_id: str | None
    environment_id: str | None
    scopes: frozenset[str]
    expires_at: datetime | None
    revoked_at: datetime | None
    # Publishable keys: the browser origins allowed to call with the key (CORS); () = none.
    allowed_origins: tuple[str, ...] = ()


@dataclass(frozen=True)
class ProjectRecord:
    """A project as authentication sees it."""

    id: str
    organization_id: str
    rate_limit_per_minute: int | None


class TenancyStore(Protocol):
    """Read functions the tenancy feature provides to authentication."""

    def key_by_hash(self, tx: Session, key_hash: str) -> KeyRecord | None: ...

    def project_for_auth(
        self, tx: Session, organization_id: str, ref: str
    ) -> ProjectRecord | None: ...

    def environment_for_auth(self, tx: Session, project_id: str, ref: str | None) -> str | None:
        """The id of environment `ref` (id or name) of the project; None: the default one."""
        ...


@dataclass(frozen=True, kw_only=True)
class Principal:
    """The caller, resolved once per request. Services scope every query with it."""

    organization_id: str
    project_id: str | None
    environment_id: str | None
    key_id: str | None
    kind: Literal["secret", "publishable", "admin", "system"]
    scopes: frozenset[str]
    request_id: str | None = None
    ip: str | None = None

    @property
    def actor(self) -> dict[str, str]:
        if self.kind == "system":
            return {"type": "system", "id": self.key_id or "kanri"}
        return {"type": "api_key", "id": self.key_id or "", "kind": self.kind}

    @property
    def is_admin(self) -> bool:
        return self.kind in ("admin", "system")

    def project(self) -> str:
        """The project this request acts in (every project route has one)."""
        if self.project_id is None:
            raise Forbidden("this operation acts on a project: use a project key")
        return self.project_id

    @classmethod
    def system(
        cls, organization_id: str, project_id: str | None = None, name: str = "cli"
    ) -> Principal:
        """The principal of an operator acting from the command line."""
        return cls(
            organization_id=organization_id,
            project_id=project_id,
            environment_id=None,
            key_id=name,
            kind="system",
            scopes=frozenset({"*"}),
        )


class AuthCache:
    """Short-lived cache of key and project lookups; this process clears it on change."""

    def __init__(self, ttl_seconds: float) -> None:
        self.ttl = ttl_seconds
        self._entries: dict[tuple[str, str], tuple[float, Any]] = {}

    def get(self, kind: str, ref: str) -> tuple[bool, Any]:
        hit = self._entries.get((kind, ref))
        if hit is None or hit[0] < time.monotonic():
            return False, None
        return True, hit[1]

    def put(self, kind: str, ref: str, value: Any) -> None:
        if self.ttl > 0:
            if len(self._entries) > 50_000:
                self._entries.clear()
            self._entries[(kind, ref)] = (time.monotonic() + self.ttl, value)

    def invalidate(self, *kinds: str) -> None:
        """Forget entries of these kinds (`key`, `project`, `environment`), or all."""
        if not kinds:
            self._entries.clear()
            return
        for entry in [e for e in self._entries if e[0] in kinds]:
            del self._entries[entry]


_SANE_HEADER = re.compile(r"^[A-Za-z0-9_.-]{1,100}$")
_MALFORMED = "malformed API key (bad prefix, length or checksum)"
_GUARD_HEADERS = {
    b"authorization": 0,
    b"x-api-key": 1,
    PROJECT_HEADER.lower().encode(): 2,
    ENVIRONMENT_HEADER.lower().encode(): 3,
}


def _guard_headers(request: Request) -> list[str | None]:
    """Authorization, x-api-key, Kanri-Project and Kanri-Environment in one pass over the
    raw headers (the first of each, as Starlette's `headers.get` answers)."""
    found: list[str | None] = [None, None, None, None]
    for name, value in request.scope["headers"]:
        slot = _GUARD_HEADERS.get(name)
        if slot is not None and found[slot] is None:
            found[slot] = value.decode("latin-1")
    return found


def _presented_key(authorization: str | None, api_key: str | None) -> str | None:
    if authorization:
        scheme, _, credentials = authorization.partition(" ")
        if scheme.lower() == "bearer" and credentials.strip():
            return credentials.strip()
    if api_key:
        return api_key.strip()
    return None


class SectionGuard:
    """Dependency: a key allowed to `action` in `section`, reaching the given tenancy level."""

    def __init__(
        self, section: str, action: Action, *, reach: Reach = "project", publishable: bool = False
    ) -> None:
        self.section = section
        self.action = action
        self.reach = reach
        self.publishable = publishable

    async def __call__(self, request: Request) -> Principal:
        kanri = request.app.state.kanri
        ip = client_ip(request)
        if (refused := kanri.limiter.refusal(f"auth:{ip}")) is not None:
            raise _too_many_failures(refused)
        try:
            principal = await self._authenticate(request, kanri, ip)
        except Unauthorized:
            limit = kanri.settings.auth_failure_limit_per_minute
            await kanri.limiter.strike(AUTH_FAILURES, f"auth:{ip}", limit)
            raise
        reject_unknown_query(request)
        return principal

    async def _authenticate(self, request: Request, kanri: Kanri, ip: str | None) -> Principal:
        # Headers are read here rather than declared as parameters and sub-dependencies:
        # each FastAPI dependant costs tens of microseconds per request. OpenAPI documents
        # them through `openapi_security` below.
        authorization, api_key, project_header, environment_header = _guard_headers(request)
        raw = _presented_key(authorization, api_key)
        if raw is None:
            raise Unauthorized("missing API key: send `Authorization: Bearer <key>` or `x-api-key`")
        if len(raw) != keys.KEY_LENGTH:
            raise Unauthorized(_MALFORMED)
        key_hash = keys.hash_key(raw, kanri.key_pepper)
        # Only a key whose checksum passed was ever looked up and cached under its hash.
        found, record = kanri.auth_cache.get("key", key_hash)
        if not found:
            if keys.parse(raw) is None:
                raise Unauthorized(_MALFORMED)
            record = await _lookup_key(kanri, key_hash)
        if record is None:
            raise Unauthorized("unknown API key")
        if record.revoked_at is not None or record.expires_at is not None:
            now = utcnow()
            if record.revoked_at is not None and record.revoked_at <= now:
                raise Unauthorized("this API key was revoked")
            if record.expires_at is not None and record.expires_at <= now:
                raise Unauthorized("this API key has expired")
        if record.kind == "publishable" and not self.publishable:
            raise Forbidden("publishable keys reach public endpoints only")
        self._check_permission(record)
        request.state.key_origins = record.allowed_origins
        _check_length(PROJECT_HEADER, project_header)
        _check_length(ENVIRONMENT_HEADER, environment_header)

        project: ProjectRecord | None = None
        project_ref = project_header
        if record.kind == "admin":
            if self.reach == "project" and not project_ref:
                raise Forbidden(
                    "organization admin keys act on a project only with the Kanri-Project header"
                )
            if project_ref and self.reach != "organization":
                project = await _lookup_project(kanri, record.organization_id, project_ref)
                if project is None:
                    raise NotFound(f"project '{project_ref}' not found")
        elif record.project_id is not None:
            project = await _lookup_project(kanri, record.organization_id, record.project_id)
            if project is None:
                raise Unauthorized("this API key's project no longer exists")

        if record.kind == "admin":
            limit = kanri.settings.admin_rate_limit_per_minute
            state = await kanri.limiter.hit("organization", f"org:{record.organization_id}", limit)
        else:
            assert project is not None
            limit = project.rate_limit_per_minute or kanri.settings.default_rate_limit_per_minute
            state = await kanri.limiter.hit("project", f"project:{project.id}", limit)
        request.state.ratelimit = state

        environment_id = await _environment(kanri, environment_header, record, project)
        return Principal(
            organization_id=record.organization_id,
            project_id=project.id if project else None,
            environment_id=environment_id,
            key_id=record.id,
            kind=record.kind,
            scopes=record.scopes,
            request_id=getattr(request.state, "request_id", None),
            ip=ip,
        )

    def _check_permission(self, record: KeyRecord) -> None:
        if record.kind == "admin":
            return
        if self.reach == "organization" or self.section in ADMIN_ONLY_SECTIONS:
            raise Forbidden("this operation needs an organization admin key")
        if record.kind == "publishable" and not record.scopes:
            return  # a publishable key without scopes reads every public (delivery) route
        if not allows(record.scopes, self.section, self.action):
            raise Forbidden(f"this key lacks the '{self.section}:{self.action}' scope")


def _check_length(header: str, value: str | None) -> None:
    """The documented bound of a Kanri-* header holds whether or not the key reads it."""
    if value is not None and len(value) > GUARD_HEADER_MAX:
        message = f"at most {GUARD_HEADER_MAX} characters"
        raise BadRequest(f"{header} is too long", errors=[FieldError(f"header.{header}", message)])


async def _environment(
    kanri: Kanri, wanted: str | None, record: KeyRecord, project: ProjectRecord | None
) -> str | None:
    if project is None:
        return None
    if wanted is None and record.kind != "admin" and record.environment_id:
        return record.environment_id
    if wanted is not None and not _SANE_HEADER.match(wanted):
        found = None
    else:
        found = await _cached(
            kanri,
            "environment",
            f"{project.id}/{wanted}",
            kanri.tenancy.environment_for_auth,
            project.id,
            wanted,
        )
    if found is None and wanted is not None:
        raise BadRequest(
            f"unknown environment '{wanted[:100]}' in the Kanri-Environment header",
            errors=[FieldError("header.Kanri-Environment", "no environment of that name or id")],
        )
    return found


async def _cached(kanri: Kanri, kind: str, ref: str, fn: Callable[..., Any], *args: Any) -> Any:
    found, value = kanri.auth_cache.get(kind, ref)
    if not found:
        value = await kanri.db.read(fn, *args)
        kanri.auth_cache.put(kind, ref, value)
    return value


async def _lookup_key(kanri: Kanri, key_hash: str) -> KeyRecord | None:
    record: KeyRecord | None = await _cached(
        kanri, "key", key_hash, kanri.tenancy.key_by_hash, key_hash
    )
    return record


async def _lookup_project(kanri: Kanri, organization_id: str, ref: str) -> ProjectRecord | None:
    record: ProjectRecord | None = await _cached(
        kanri,
        "project",
        f"{organization_id}/{ref}",
        kanri.tenancy.project_for_auth,
        organization_id,
        ref,
    )
    return record


def _too_many_failures(state: RateState) -> RateLimited:
    retry = max(1, state.reset_seconds)
    message = f"more than {state.limit} failed authentications a minute from this address"
    return refuse(
        state,
        f"{message}; retry in {retry} s",
        errors=[FieldError("header.Authorization", message)],
    )


def client_ip(request: Request) -> str | None:
    """The caller's address: the connection's peer or, with `trust_forwarded_for`, the
    client that a trusted proxy names in X-Forwarded-For (the app's proxy middleware puts
    it in the scope, see app.py)."""
    client = request.scope.get("client")
    return client[0] if client else None


async def spend_public_quota(request: Request) -> None:
    """Spend one request of the caller's address from the public (unauthenticated) quota;
    raise RateLimited when it is spent."""
    kanri = request.app.state.kanri
    ip = client_ip(request) or "unknown"
    request.state.ratelimit = await kanri.limiter.hit(
        "ip", f"ip:{ip}", kanri.settings.public_rate_limit_per_minute
    )


class PublicGuard:
    """Dependency for routes anyone may call; optionally limited per client IP."""

    def __init__(self, *, per_ip: bool = True) -> None:
        self.per_ip = per_ip

    async def __call__(self, request: Request) -> None:
        if self.per_ip:
            await spend_public_quota(request)
        reject_unknown_query(request)


def limit_unguarded_routes(app: FastAPI) -> None:
    """Put every route of `app` that declares no guard (the framework's `/openapi.json` and
    `/docs` pages, mounts) under the public per-address quota, as `PublicRoute()` does for
    kanri's own public routes."""
    for route in app.router.routes:
        if isinstance(route, Route | Mount) and not isinstance(route, APIRoute):
            route.app = _with_public_quota(route.app)


def _with_public_quota(app: Callable[..., Awaitable[None]]) -> Callable[..., Awaitable[None]]:
    async def limited(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            await spend_public_quota(Request(scope))
        await app(scope, receive, send)

    return limited


def RequireSection(
    section: str, action: Action, *, reach: Reach = "project", publishable: bool = False
) -> Any:
    """`Annotated[Principal, RequireSection("runs", "write")]`: the route's declared section
    (`publishable`: a public delivery route, which publishable keys reach too)."""
    return Depends(SectionGuard(section, action, reach=reach, publishable=publishable))


def PublicRoute(*, per_ip: bool = True) -> Any:
    """`Annotated[None, PublicRoute()]`: a route anyone may call (limited per IP)."""
    return Depends(PublicGuard(per_ip=per_ip))


def document_guards(schema: dict[str, Any], routes: list[tuple[str, set[str], Any]]) -> None:
    """Add security schemes, per-operation security, the Kanri-* headers the guard reads and
    the declared section (`x-kanri-section`) to an OpenAPI document, for every guarded route
    given as (path, methods, dependant)."""
    schema.setdefault("components", {}).setdefault("securitySchemes", {}).update(SECURITY_SCHEMES)
    for path, methods, dependant in routes:
        guard = guard_of(dependant)
        if guard is None:
            continue
        for method in methods:
            operation = schema["paths"].get(path, {}).get(method.lower())
            if operation is None:
                continue
            operation["security"] = [{name: []} for name in SECURITY_SCHEMES]
            operation.setdefault("parameters", []).extend(_guard_parameters(guard.reach))
            operation["x-kanri-section"] = f"{guard.section}:{guard.action}"


def _guard_parameters(reach: Reach) -> list[dict[str, Any]]:
    if reach == "organization":  # the organization's own resources: neither header counts
        return []
    if reach == "either":
        # An admin key without Kanri-Project acts on the organization and reads no
        # environment: the header's form is checked only with a project.
        loose = {
            **ENVIRONMENT_PARAMETER,
            "schema": {"type": "string", "maxLength": GUARD_HEADER_MAX},
        }
        return [PROJECT_PARAMETER, loose]
    return [PROJECT_PARAMETER, ENVIRONMENT_PARAMETER]


def guard_of(dependant: Any) -> SectionGuard | None:
    """The section guard among a route's dependencies, if any."""
    for sub in dependant.dependencies:
        if isinstance(sub.call, SectionGuard):
            return sub.call
        found = guard_of(sub)
        if found is not None:
            return found
    return None


def rate_limited(dependant: Any) -> bool:
    """Whether a route spends rate-limit quota: a guarded route, or a public one limited per
    address."""
    for sub in dependant.dependencies:
        if isinstance(sub.call, SectionGuard):
            return True
        if isinstance(sub.call, PublicGuard) and sub.call.per_ip:
            return True
        if rate_limited(sub):
            return True
    return False


def section_of(dependency: Callable[..., Any] | None) -> str | None:
    """The section a route dependency declares (`public` for public routes), for route walks."""
    if isinstance(dependency, SectionGuard):
        return dependency.section
    if isinstance(dependency, PublicGuard):
        return "public"
    return None


__all__ = [
    "AuthCache",
    "KeyRecord",
    "Principal",
    "ProjectRecord",
    "PublicGuard",
    "PublicRoute",
    "RateLimiter",
    "RequireSection",
    "SectionGuard",
    "TenancyStore",
    "client_ip",
    "document_guards",
    "guard_of",
    "limit_unguarded_routes",
    "rate_limited",
    "section_of",
    "spend_public_quota",
]

"""Who is calling: API key resolution, the Principal, and per-route section checks.

A route declares its section with `RequireSection("environments", "write")` (or
`PublicRoute()`); the dependency answers 401 for a missing/unknown/expired/revoked key,
403 for a key lacking the section, spends rate-limit quota only after both pass, and
yields the Principal the service uses to scope every query.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Annotated, Any, Literal, Protocol

from fastapi import Depends, Header, Request
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from kanri.core import keys
from kanri.core.errors import BadRequest, FieldError, Forbidden, NotFound, Unauthorized
from kanri.core.permissions import ADMIN_ONLY_SECTIONS, Action, allows
from kanri.core.ratelimit import RateLimiter
from kanri.core.time import utcnow

Reach = Literal["project", "organization", "either"]

bearer_scheme = HTTPBearer(auto_error=False, description="`Authorization: Bearer kanri_sk_…`")
api_key_scheme = APIKeyHeader(
    name="x-api-key", auto_error=False, description="`x-api-key: kanri_sk_…`"
)


@dataclass(frozen=True)
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


@dataclass(frozen=True)
class ProjectRecord:
    """A project as authentication sees it: its limit and its environments by name and id."""

    id: str
    organization_id: str
    rate_limit_per_minute: int | None
    environments: dict[str, str]  # name -> id, and id -> id
    default_environment_id: str | None


class TenancyStore(Protocol):
    """Read functions the tenancy feature provides to authentication."""

    def key_by_hash(self, tx: Session, key_hash: str) -> KeyRecord | None: ...

    def project_for_auth(
        self, tx: Session, organization_id: str, ref: str
    ) -> ProjectRecord | None: ...


@dataclass(frozen=True)
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
    extra: dict[str, Any] = field(default_factory=dict)

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
        return cls(organization_id, project_id, None, name, "system", frozenset({"*"}))


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

    def invalidate(self) -> None:
        self._entries.clear()


_SANE_HEADER = re.compile(r"^[A-Za-z0-9_.-]{1,100}$")


def _presented_key(bearer: HTTPAuthorizationCredentials | None, api_key: str | None) -> str | None:
    if bearer is not None and bearer.credentials:
        return bearer.credentials.strip()
    if api_key:
        return api_key.strip()
    return None


class SectionGuard:
    """Dependency: a key allowed to `action` in `section`, reaching the given tenancy level."""

    def __init__(self, section: str, action: Action, *, reach: Reach = "project") -> None:
        self.section = section
        self.action = action
        self.reach = reach

    async def __call__(
        self,
        request: Request,
        bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)],
        api_key: Annotated[str | None, Depends(api_key_scheme)],
        project_header: Annotated[
            str | None,
            Header(
                alias="Kanri-Project",
                max_length=100,
                description="admin keys: the project (id or name) to act on",
            ),
        ] = None,
        environment_header: Annotated[
            str | None,
            Header(
                alias="Kanri-Environment",
                max_length=100,
                description="the environment (id or name) to act in; default: the key's",
            ),
        ] = None,
    ) -> Principal:
        kanri = request.app.state.kanri
        raw = _presented_key(bearer, api_key)
        if raw is None:
            raise Unauthorized("missing API key: send `Authorization: Bearer <key>` or `x-api-key`")
        parsed = keys.parse(raw)
        if parsed is None:
            raise Unauthorized("malformed API key (bad prefix, length or checksum)")
        record = await _lookup_key(kanri, keys.hash_key(raw, kanri.key_pepper))
        now = utcnow()
        if record is None:
            raise Unauthorized("unknown API key")
        if record.revoked_at is not None and record.revoked_at <= now:
            raise Unauthorized("this API key was revoked")
        if record.expires_at is not None and record.expires_at <= now:
            raise Unauthorized("this API key has expired")
        if record.kind == "publishable":
            raise Forbidden("publishable keys reach public endpoints only")
        self._check_permission(record)

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

        environment_id = _environment(environment_header, record, project)
        return Principal(
            organization_id=record.organization_id,
            project_id=project.id if project else None,
            environment_id=environment_id,
            key_id=record.id,
            kind=record.kind,
            scopes=record.scopes,
            request_id=getattr(request.state, "request_id", None),
            ip=client_ip(request),
        )

    def _check_permission(self, record: KeyRecord) -> None:
        if record.kind == "admin":
            return
        if self.reach == "organization" or self.section in ADMIN_ONLY_SECTIONS:
            raise Forbidden("this operation needs an organization admin key")
        if not allows(record.scopes, self.section, self.action):
            raise Forbidden(f"this key lacks the '{self.section}:{self.action}' scope")


def _environment(
    wanted: str | None, record: KeyRecord, project: ProjectRecord | None
) -> str | None:
    if project is None:
        return None
    if wanted is None:
        if record.kind != "admin" and record.environment_id:
            return record.environment_id
        return project.default_environment_id
    if not _SANE_HEADER.match(wanted) or wanted not in project.environments:
        raise BadRequest(
            f"unknown environment '{wanted[:100]}' in the Kanri-Environment header",
            errors=[FieldError("header.Kanri-Environment", "no environment of that name or id")],
        )
    return project.environments[wanted]


async def _lookup_key(kanri: Any, key_hash: str) -> KeyRecord | None:
    found, value = kanri.auth_cache.get("key", key_hash)
    if found:
        return value  # type: ignore[no-any-return]
    record: KeyRecord | None = await kanri.db.read(kanri.tenancy.key_by_hash, key_hash)
    kanri.auth_cache.put("key", key_hash, record)
    return record


async def _lookup_project(kanri: Any, organization_id: str, ref: str) -> ProjectRecord | None:
    cache_ref = f"{organization_id}/{ref}"
    found, value = kanri.auth_cache.get("project", cache_ref)
    if found:
        return value  # type: ignore[no-any-return]
    record: ProjectRecord | None = await kanri.db.read(
        kanri.tenancy.project_for_auth, organization_id, ref
    )
    kanri.auth_cache.put("project", cache_ref, record)
    return record


def client_ip(request: Request) -> str | None:
    """The caller's address (the first X-Forwarded-For hop only when configured to trust it)."""
    if request.app.state.kanri.settings.trust_forwarded_for:
        forwarded = request.headers.get("x-forwarded-for")
        if forwarded:
            return forwarded.split(",")[0].strip()[:64]
    return request.client.host if request.client else None


class PublicGuard:
    """Dependency for routes anyone may call; optionally limited per client IP."""

    def __init__(self, *, per_ip: bool = True) -> None:
        self.per_ip = per_ip

    async def __call__(self, request: Request) -> None:
        if not self.per_ip:
            return
        kanri = request.app.state.kanri
        ip = client_ip(request) or "unknown"
        request.state.ratelimit = await kanri.limiter.hit(
            "ip", f"ip:{ip}", kanri.settings.public_rate_limit_per_minute
        )


def RequireSection(section: str, action: Action, *, reach: Reach = "project") -> Any:
    """`Annotated[Principal, RequireSection("runs", "write")]`: the route's declared section."""
    return Depends(SectionGuard(section, action, reach=reach))


def PublicRoute(*, per_ip: bool = True) -> Any:
    """`Annotated[None, PublicRoute()]`: a route anyone may call (limited per IP)."""
    return Depends(PublicGuard(per_ip=per_ip))


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
    "section_of",
]

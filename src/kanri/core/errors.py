"""Domain errors that carry their HTTP status; one handler turns them into RFC 9457 problems."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

PROBLEM_TYPE_BASE = "https://kanri.dev/problems/"


@dataclass(frozen=True)
class FieldError:
    """One offending input: `field` is a dotted path (`body.name`, `query.page_size`)."""

    field: str
    message: str
    code: str | None = None

    def as_dict(self) -> dict[str, str]:
        out = {"field": self.field, "message": self.message}
        if self.code:
            out["code"] = self.code
        return out


# Members every problem has; extensions (`conflicting_id`, …) take other names.
RESERVED_MEMBERS = frozenset({"type", "title", "status", "detail", "code", "errors", "request_id"})


class KanriError(Exception):
    """Base of every error a client may see. Subclasses fix `status`, `code` and `title`."""

    status: ClassVar[int] = 500
    code: ClassVar[str] = "INTERNAL_ERROR"
    title: ClassVar[str] = "Internal server error"

    def __init__(
        self,
        detail: str | None = None,
        *,
        errors: list[FieldError] | None = None,
        headers: dict[str, str] | None = None,
        **extra: Any,
    ) -> None:
        clash = RESERVED_MEMBERS & extra.keys()
        if clash:  # an extension member must not overwrite one of RFC 9457's (or ours)
            raise TypeError(f"problem members {sorted(clash)} are reserved")
        super().__init__(detail or self.title)
        self.detail = detail or self.title
        self.errors = errors or []
        self.headers = headers or {}
        self.extra = extra

    @property
    def type_uri(self) -> str:
        return PROBLEM_TYPE_BASE + self.code.lower().replace("_", "-")

    def problem(self, request_id: str | None) -> dict[str, Any]:
        """The problem+json body for this error."""
        body: dict[str, Any] = {
            "type": self.type_uri,
            "title": self.title,
            "status": self.status,
            "detail": self.detail,
            "code": self.code,
        }
        if self.errors:
            body["errors"] = [e.as_dict() for e in self.errors]
        body.update(self.extra)
        body["request_id"] = request_id
        return body


class BadRequest(KanriError):
    status = 400
    code = "BAD_REQUEST"
    title = "Bad request"


class UnknownParameter(BadRequest):
    """A query parameter the operation does not declare (as its OpenAPI document lists them)."""

    code = "UNKNOWN_PARAMETER"
    title = "Unknown parameter"


class Unauthorized(KanriError):
    status = 401
    code = "UNAUTHORIZED"
    title = "Unauthorized"

    def __init__(self, detail: str | None = None, **extra: Any) -> None:
        super().__init__(detail, headers={"WWW-Authenticate": 'Bearer realm="kanri"'}, **extra)


class Forbidden(KanriError):
    status = 403
    code = "FORBIDDEN"
    title = "Forbidden"


class NotFound(KanriError):
    status = 404
    code = "NOT_FOUND"
    title = "Not found"


class Conflict(KanriError):
    status = 409
    code = "CONFLICT"
    title = "Conflict"


class PreconditionFailed(KanriError):
    """A conditional write (`If-Match`) whose condition no longer holds."""

    status = 412
    code = "PRECONDITION_FAILED"
    title = "Precondition failed"


class PayloadTooLarge(KanriError):
    status = 413
    code = "PAYLOAD_TOO_LARGE"
    title = "Payload too large"


class UnsupportedMediaType(KanriError):
    status = 415
    code = "UNSUPPORTED_MEDIA_TYPE"
    title = "Unsupported media type"


class ValidationFailed(KanriError):
    status = 422
    code = "VALIDATION_ERROR"
    title = "Validation failed"


class RateLimited(KanriError):
    status = 429
    code = "RATE_LIMITED"
    title = "Too many requests"


class ServiceUnavailable(KanriError):
    status = 503
    code = "SERVICE_UNAVAILABLE"
    title = "Service unavailable"


def not_found(resource: str, ref: str) -> NotFound:
    """The one wording for a missing resource (also what another tenant's resource looks like)."""
    return NotFound(f"{resource} '{ref}' not found")

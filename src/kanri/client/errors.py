"""The SDK's exceptions: one per family of kanri's problems (RFC 9457), each carrying the
problem document and showing its `request_id`."""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import httpx


class KanriError(Exception):
    """Base of every error the SDK raises."""

    def __init__(self, message: str, *, request_id: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.request_id = request_id


class APIConnectionError(KanriError):
    """kanri could not be reached, or the connection broke before an answer."""


class APITimeoutError(APIConnectionError):
    """No answer within the timeout."""


class APIStatusError(KanriError):
    """kanri answered with a problem: `status`, `title`, `detail`, `code`, `errors` and the
    whole document as `problem`."""

    def __init__(self, response: httpx.Response, problem: dict[str, Any]) -> None:
        self.response = response
        self.problem = problem
        self.status: int = response.status_code
        self.title: str = str(problem.get("title") or response.reason_phrase)
        self.detail: str = str(problem.get("detail") or "")
        self.code: str | None = problem.get("code")
        raw = problem.get("errors")
        self.errors: list[dict[str, Any]] = raw if isinstance(raw, list) else []
        request_id = problem.get("request_id") or response.headers.get("X-Request-Id")
        message = f"{self.status} {self.title}"
        if self.detail and self.detail != self.title:
            message += f": {self.detail}"
        for error in self.errors:
            message += f"\n  {error.get('field', '?')}: {error.get('message', '')}"
        message += f" (request_id: {request_id})" if not self.errors else ""
        if self.errors:
            message += f"\n(request_id: {request_id})"
        super().__init__(message, request_id=request_id)


class BadRequest(APIStatusError):
    """400 (and 413, 415): the request is malformed."""


class AuthenticationError(APIStatusError):
    """401: no key, or a key kanri does not accept."""


class PaymentRequired(APIStatusError):
    """402: a budget refuses the run."""


class PermissionDenied(APIStatusError):
    """403: the key may not do this."""


class NotFound(APIStatusError):
    """404 (also what another project's resource looks like)."""


class Conflict(APIStatusError):
    """409: a duplicate or a state that forbids the change; `conflicting_id` when kanri
    names the resource in the way."""

    @property
    def conflicting_id(self) -> str | None:
        value = self.problem.get("conflicting_id")
        return str(value) if value is not None else None


class ValidationError(APIStatusError):
    """422: `errors` has one entry per offending field (`field`, `message`, `code`)."""


class RateLimited(APIStatusError):
    """429: `retry_after` seconds until a request frees up (from `Retry-After`)."""

    @property
    def retry_after(self) -> float | None:
        return parse_retry_after(self.response.headers.get("Retry-After"))


class ServerError(APIStatusError):
    """5xx."""


_BY_STATUS: dict[int, type[APIStatusError]] = {
    400: BadRequest,
    401: AuthenticationError,
    402: PaymentRequired,
    403: PermissionDenied,
    404: NotFound,
    409: Conflict,
    413: BadRequest,
    415: BadRequest,
    422: ValidationError,
    429: RateLimited,
}


def parse_retry_after(value: str | None) -> float | None:
    """Seconds from a `Retry-After` of seconds or of an HTTP date."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def from_response(response: httpx.Response) -> APIStatusError:
    """The exception for an answer of 400 or more (its body already read)."""
    try:
        body = response.json()
    except ValueError:
        body = None
    problem: dict[str, Any]
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        # /v1/openai/ answers in OpenAI's shape
        error = body["error"]
        problem = {"title": error.get("type"), "detail": error.get("message")}
        problem["code"] = error.get("code")
    elif isinstance(body, dict):
        problem = body
    else:
        problem = {"detail": response.text[:500]}
    cls = _BY_STATUS.get(response.status_code)
    if cls is None:
        cls = ServerError if response.status_code >= 500 else APIStatusError
    return cls(response, problem)

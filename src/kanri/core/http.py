"""The HTTP edge shared by every route: request ids, body and JSON caps, problem responses,
rate-limit and security headers, access logs and metrics. Pure ASGI, so it costs
microseconds."""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import re
import time
from collections.abc import Awaitable, Callable, Mapping, MutableMapping, Sequence
from typing import Any

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from prometheus_client import Counter, Histogram
from sqlalchemy.exc import IntegrityError
from starlette.exceptions import HTTPException as StarletteHTTPException

from kanri import logging as kanri_logging
from kanri.core.canonical import non_finite_in_json
from kanri.core.errors import (
    BadRequest,
    Conflict,
    FieldError,
    KanriError,
    NotFound,
    PayloadTooLarge,
    ValidationFailed,
)
from kanri.core.idempotency import Replay
from kanri.core.ids import new_request_id
from kanri.core.routing import allowed_methods

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]
# An error's body in another shape than problem+json, made from the problem it stands for:
# routes whose clients expect their own (the OpenAI-compatible ones answer OpenAI's), by the
# path prefix they are under.
ErrorShape = Callable[[dict[str, Any]], dict[str, Any]]
ErrorShapes = Mapping[str, ErrorShape]

PROBLEM_JSON = "application/problem+json"
_REQUEST_ID_RE = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
# A JSON string, written as runs of plain characters between escapes ("unrolled"): the
# engine consumes a run in one step instead of trying an alternation per character, which
# made this scan 30x slower (35 ms for a 400 kB knowledge entry).
_STRING_RE = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_BRACKETS = re.compile(rb"[\[\]{}]")

log = structlog.get_logger("kanri.http")
access_log = structlog.get_logger("kanri.access")

REQUESTS = Counter("kanri_http_requests_total", "HTTP requests", ["method", "route", "status"])
LATENCY = Histogram(
    "kanri_http_request_duration_seconds",
    "HTTP request latency",
    ["method", "route"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)


# Query parameters whose invalid values are a bad request (400), not a validation failure:
# a list's filter, order and paging.
LISTING_PARAMETERS = frozenset({"filter", "order_by", "page_size", "page_token"})
_LISTING_QUERY = frozenset(f"query.{name}" for name in LISTING_PARAMETERS)


def problem_response(
    error: KanriError,
    request_id: str | None,
    headers: dict[str, str] | None = None,
    shape: ErrorShape | None = None,
) -> Response:
    """The error as problem+json, or as `shape` makes it (then `application/json`)."""
    problem = error.problem(request_id)
    merged = {**error.headers, **(headers or {})}
    if shape is not None:
        body = json.dumps(shape(problem), default=str).encode()
        return Response(
            body, status_code=error.status, media_type="application/json", headers=merged
        )
    body = json.dumps(problem, default=str).encode()
    return Response(body, status_code=error.status, media_type=PROBLEM_JSON, headers=merged)


def shape_for(shapes: ErrorShapes, path: str) -> ErrorShape | None:
    """The error shape of the routes `path` is under, if they have their own."""
    return next((shape for prefix, shape in shapes.items() if path.startswith(prefix)), None)


def _request_id(request: Request) -> str | None:
    return getattr(request.state, "request_id", None)


# A `\uD800`-`\uDFFF` escape: part of a surrogate pair, or a lone surrogate that no text
# column can store. Rare in real bodies: only then is the body parsed to tell which.
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")


def has_lone_surrogate(body: bytes) -> bool:
    """Whether a JSON text holds a string (or key) with an unpaired UTF-16 surrogate."""
    if not _SURROGATE_ESCAPE.search(body):
        return False
    try:
        text = json.dumps(json.loads(body), ensure_ascii=False)
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    except ValueError:  # not JSON at all: the route's own parsing says so
        return False
    return False


def json_depth(body: bytes) -> int:
    """Deepest nesting of arrays/objects in a JSON text (strings ignored)."""
    depth = deepest = 0
    for bracket in _BRACKETS.findall(_STRING_RE.sub(b'""', body)):
        if bracket in (b"[", b"{"):
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return deepest


def _field(loc: tuple[Any, ...] | list[Any]) -> str:
    return ".".join(str(part) for part in loc) or "body"


def install_error_handlers(app: FastAPI, shapes: ErrorShapes | None = None) -> None:
    """One place that turns every failure into problem+json (or, under a prefix of `shapes`,
    the error shape of those routes)."""
    shapes = shapes or {}

    def answer(
        error: KanriError, request: Request, headers: dict[str, str] | None = None
    ) -> Response:
        shape = shape_for(shapes, request.scope["path"])
        return problem_response(error, _request_id(request), headers, shape)

    @app.exception_handler(KanriError)
    async def _kanri(request: Request, exc: KanriError) -> Response:
        return answer(exc, request)

    @app.exception_handler(Replay)
    async def _replay(request: Request, exc: Replay) -> Response:
        headers = {"Idempotent-Replayed": "true"}
        if exc.location:
            headers["Location"] = exc.location
        return Response(
            exc.body, status_code=exc.status_code, media_type="application/json", headers=headers
        )

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> Response:
        errors = list(exc.errors())
        if any(e.get("type") == "json_invalid" for e in errors):
            first = errors[0]
            message = f"request body is not valid JSON: {first.get('ctx', {}).get('error', '')}"
            return answer(
                BadRequest(message.strip().rstrip(":"), errors=[FieldError("body", message)]),
                request,
            )
        field_errors = [
            FieldError(_field(e.get("loc", ())), str(e.get("msg", "invalid")), str(e.get("type")))
            for e in errors
        ]
        names = ", ".join(sorted({f.field for f in field_errors}))
        if all(f.field in _LISTING_QUERY for f in field_errors):
            # A list's filter, order or page token out of bounds is a bad request (400), as
            # are a bad syntax, an unknown field or a tampered token.
            # (A filter's errors name `filter`, as those of its grammar do.)
            named = [
                FieldError("filter", e.message, e.code) if e.field == "query.filter" else e
                for e in field_errors
            ]
            return answer(BadRequest(f"invalid {names}", errors=named), request)
        return answer(ValidationFailed(f"invalid value for {names}", errors=field_errors), request)

    @app.exception_handler(IntegrityError)
    async def _integrity(request: Request, exc: IntegrityError) -> Response:
        log.warning("integrity_conflict", error=type(exc.orig).__name__)
        return answer(Conflict("the change conflicts with an existing resource"), request)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        kinds: dict[int, type[KanriError]] = {400: BadRequest, 409: Conflict, 413: PayloadTooLarge}
        error: KanriError
        if exc.status_code == 404:
            error = NotFound(f"no route for {request.method} {request.url.path}")
        elif exc.status_code == 405:
            return _method_not_allowed(request, dict(exc.headers or {}))
        else:
            error = kinds.get(exc.status_code, KanriError)(str(exc.detail))
        return answer(error, request, dict(exc.headers or {}))


def _method_not_allowed(request: Request, headers: dict[str, str]) -> Response:
    """A 405 listing every method of the path in `Allow` (the router names one route's), or
    the answer to OPTIONS (RFC 9110 §9.3.7: the path's methods; kanri serves no CORS)."""
    if methods := allowed_methods(request.app.router.routes, request.scope):
        headers["Allow"] = ", ".join(methods)
    if request.method == "OPTIONS":
        if methods:
            headers.update(_preflight(request, methods))
        return Response(status_code=204, headers=headers)
    error = _MethodNotAllowed(f"{request.method} is not allowed on {request.url.path}")
    return problem_response(error, _request_id(request), headers)


# Path prefixes of routes browsers may call from other origins (the app sets them): their
# CORS preflight is answered here, and each route decides on the real request (for the
# content delivery API: the origins configured on the publishable key it is called with).
CORS_PREFIXES_STATE = "cors_prefixes"


def _preflight(request: Request, methods: list[str]) -> dict[str, str]:
    """The CORS preflight answer of a path under the app's CORS prefixes, else nothing."""
    origin = request.headers.get("origin")
    prefixes: tuple[str, ...] = getattr(request.app.state, CORS_PREFIXES_STATE, ())
    wanted = request.headers.get("access-control-request-method")
    if not origin or not wanted or not request.url.path.startswith(prefixes):
        return {}
    return {
        "Access-Control-Allow-Origin": origin,
        "Access-Control-Allow-Methods": ", ".join(m for m in methods if m != "OPTIONS"),
        "Access-Control-Allow-Headers": "Authorization, x-api-key, If-None-Match, "
        "Kanri-Environment",
        "Access-Control-Max-Age": "600",
        "Vary": "Origin",
    }


class _MethodNotAllowed(KanriError):
    status = 405
    code = "METHOD_NOT_ALLOWED"
    title = "Method not allowed"


_NOSNIFF = (b"x-content-type-options", b"nosniff")
# Responses are one caller's data and some carry a secret shown once (keys, signing secrets,
# their idempotent replays): no cache keeps any, unless a route says otherwise.
_NO_STORE = (b"cache-control", b"no-store")
_INLINE = re.compile(rb"<(script|style)\b([^>]*)>(.*?)</\1\s*>", re.DOTALL | re.IGNORECASE)
_SRC_ATTRIBUTE = re.compile(rb"\bsrc\s*=", re.IGNORECASE)
# Where `allow_on_page` keeps a page's additions to its policy, in the request's state.
_PAGE_SOURCES = "page_sources"


def csp_hash(content: bytes) -> str:
    """The Content-Security-Policy source that allows an inline script or style whose text is
    `content`: `'sha256-…'`."""
    return f"'sha256-{base64.b64encode(hashlib.sha256(content).digest()).decode()}'"


def allow_on_page(request: Request, directive: str, *sources: str) -> None:
    """Add `sources` to `directive` of the Content-Security-Policy of the page that answers
    `request` (`EdgeMiddleware` writes the policy when it sends the page). For what a page's
    own script needs and the pages' policy forbids; each use says why in docs/security.md."""
    added = request.scope.setdefault("state", {}).setdefault(_PAGE_SOURCES, {})
    added.setdefault(directive, []).extend(sources)


def page_headers(
    html: bytes, added: Mapping[str, Sequence[str]] | None = None
) -> list[tuple[bytes, bytes]]:
    """Content-Security-Policy and X-Frame-Options for an HTML page: its scripts, styles and
    everything else from kanri itself ('self'), its inline scripts and styles by their
    SHA-256, no framing; plus the sources `added` by the page's route (`allow_on_page`)."""
    hashes: dict[bytes, list[str]] = {b"script": [], b"style": []}
    for tag, attributes, content in _INLINE.findall(html):
        if tag.lower() == b"script" and _SRC_ATTRIBUTE.search(attributes):
            continue
        hashes[tag.lower()].append(csp_hash(content))
    directives = {
        "default-src": ["'self'"],
        "script-src": ["'self'", *hashes[b"script"]],
        "style-src": ["'self'", *hashes[b"style"]],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
    for directive, sources in (added or {}).items():
        directives.setdefault(directive, []).extend(sources)
    policy = "; ".join(" ".join([name, *sources]) for name, sources in directives.items())
    return [(b"content-security-policy", policy.encode()), (b"x-frame-options", b"DENY")]


class EdgeMiddleware:
    """Request id, body-size and JSON-depth caps, rate-limit and security headers, access
    log, metrics."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        max_body_bytes: int,
        max_json_depth: int,
        error_shapes: ErrorShapes | None = None,
        body_limits: Mapping[str, int] | None = None,
    ) -> None:
        self.app = app
        self.max_body = max_body_bytes
        # Paths whose bodies may be larger than max_body_bytes (batch ingest).
        self.body_limits = dict(body_limits or {})
        self.max_depth = max_json_depth
        self.error_shapes = error_shapes or {}
        self._series: dict[tuple[str, str, int], tuple[Any, Any]] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        request_id = _incoming_request_id(scope) or new_request_id()
        state = scope.setdefault("state", {})
        state["request_id"] = request_id
        status_holder = [500]
        started_response = [False]

        held: list[Message] = []  # an HTML page's start and body, until the body is whole

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                started_response[0] = True
                status_holder[0] = message["status"]
                headers = list(message.get("headers", []))
                html = cached = limited = False
                for name, value in headers:  # ASGI header names are lowercase
                    if name == b"content-type":
                        html = value.startswith(b"text/html")
                    elif name == b"cache-control":
                        cached = True
                    elif name == b"ratelimit":
                        limited = True
                headers.append((b"x-request-id", request_id.encode()))
                headers.append(_NOSNIFF)
                if not cached:
                    headers.append(_NO_STORE)
                rate = scope["state"].get("ratelimit")
                if rate is not None and not limited:
                    headers.extend((k.encode(), v.encode()) for k, v in rate.headers().items())
                message["headers"] = headers
                if html:
                    held.append(message)
                    return
            elif held and message["type"] == "http.response.body":
                held.append(message)
                if message.get("more_body", False):
                    return
                start, *parts = held
                held.clear()
                body = b"".join(part.get("body", b"") for part in parts)
                start["headers"].extend(page_headers(body, state.get(_PAGE_SOURCES)))
                await send(start)
                await send({"type": "http.response.body", "body": body, "more_body": False})
                return
            await send(message)

        try:
            receive = await self._guard_body(scope, receive)
        except KanriError as error:
            shape = shape_for(self.error_shapes, scope["path"])
            await problem_response(error, request_id, shape=shape)(scope, receive, send_wrapper)
            self._observe(scope, started, 413 if isinstance(error, PayloadTooLarge) else 400)
            return
        try:
            await self.app(scope, receive, send_wrapper)
        except Exception:
            # Answered here (not by Starlette's outermost handler) so the 500 carries our headers.
            log.exception("unhandled_error", path=scope["path"], request_id=request_id)
            status_holder[0] = 500
            if not started_response[0]:
                failure = KanriError(
                    "an unexpected error occurred; quote the request_id when reporting it"
                )
                shape = shape_for(self.error_shapes, scope["path"])
                response = problem_response(failure, request_id, shape=shape)
                await response(scope, receive, send_wrapper)
        self._observe(scope, started, status_holder[0])

    async def _guard_body(self, scope: Scope, receive: Receive) -> Receive:
        if "\x00" in scope["path"] or b"%00" in scope.get("query_string", b""):
            message_text = "NUL characters are not allowed in the path or query"
            raise BadRequest(message_text, errors=[FieldError("path", message_text)])
        if scope["method"] in ("GET", "HEAD", "DELETE", "OPTIONS"):
            return receive
        headers = dict(scope.get("headers", []))
        limit = (
            self.body_limits.get(scope["path"], self.max_body)
            if self.body_limits
            else self.max_body
        )
        length = headers.get(b"content-length")
        if length is not None and length.isdigit() and int(length) > limit:
            raise PayloadTooLarge(f"request body exceeds {limit} bytes")
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                raise PayloadTooLarge(f"request body exceeds {limit} bytes")
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        content_type = headers.get(b"content-type", b"")
        if b"json" in content_type and json_depth(body) > self.max_depth:
            message_text = f"JSON nested deeper than {self.max_depth} levels"
            raise BadRequest(message_text, errors=[FieldError("body", message_text)])
        if b"json" in content_type and has_lone_surrogate(body):
            message_text = "JSON strings must be valid Unicode (an unpaired surrogate escape)"
            raise BadRequest(message_text, errors=[FieldError("body", message_text)])
        if b"json" in content_type and (non_finite := non_finite_in_json(body)):
            message_text = "NaN and Infinity are not JSON numbers"
            raise ValidationFailed(
                f"{message_text}: {', '.join(non_finite[:10])}",
                errors=[FieldError(f, "must be a finite number") for f in non_finite[:50]],
            )
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        return replay

    def _observe(self, scope: Scope, started: float, status: int) -> None:
        elapsed = time.perf_counter() - started
        route = scope.get("route")
        template = getattr(route, "path", None) or "unmatched"
        method = scope["method"]
        series = self._series.get((method, template, status))
        if series is None:  # label lookups take a lock each: keep the children
            series = (
                REQUESTS.labels(method, template, str(status)),
                LATENCY.labels(method, template),
            )
            if len(self._series) < 10_000:
                self._series[(method, template, status)] = series
        series[0].inc()
        series[1].observe(elapsed)
        if kanri_logging.enabled(logging.INFO):
            access_log.info(
                "request",
                method=method,
                path=scope["path"],
                status=status,
                duration_ms=round(elapsed * 1000, 2),
                request_id=scope["state"]["request_id"],
            )


def _incoming_request_id(scope: Scope) -> str | None:
    for name, value in scope.get("headers", []):
        if name == b"x-request-id":
            text = value.decode("latin-1")
            return text if _REQUEST_ID_RE.match(text) else None
    return None

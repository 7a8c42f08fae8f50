"""Request dispatch for kanri's own routes: a prefix index over the route table and a
precompiled handler per route.

FastAPI walks every route of the table for each request and, once one matches, solves the
route's dependency tree generically (per-request checks of each dependency's kind, caches,
exit stacks, telemetry hooks). kanri's routes use a small subset of what FastAPI allows
(async endpoints and async dependencies, path/query/header parameters, one JSON body, the
`Request` and `Response` parameters), so for those the plan is worked out once at start:
the same FastAPI functions validate the parameters and the body and serialise the
response, in the same order (body parsed, dependencies — the auth guard — solved first,
then parameters), and the same exception handlers answer. A route outside that subset
keeps FastAPI's own handler. (Feature routes join the app's table directly, so FastAPI's
`dependency_overrides`, which only included routers consult, never applied to them.)
With `KANRI_PLANNED_ROUTES=false` the app is a plain FastAPI and none of this is used.

What both kinds of dispatch share is here too: the query parameters a route declares
(`reject_unknown_query`, called by every route's guard) and the methods a path answers
(`allowed_methods`, for 405 and OPTIONS).
"""

from __future__ import annotations

import copy
import inspect
import json
import re
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from typing import Any, Optional

from fastapi import FastAPI, HTTPException, params
from fastapi.datastructures import DefaultPlaceholder
from fastapi.dependencies.models import Dependant
from fastapi.dependencies.utils import (
    get_flat_params,
    get_validation_alias,
    request_body_to_args,
    request_params_to_args,
)
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.asyncexitstack import AsyncExitStackMiddleware
from fastapi.routing import APIRoute
from fastapi.utils import is_body_allowed_for_status_code
from starlette.middleware.errors import ServerErrorMiddleware
from starlette.middleware.exceptions import ExceptionMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Match, Route

from kanri.core.errors import FieldError, UnknownParameter

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

_UNDEFINED = object()
_OPTIONAL_STR: tuple[Any, ...] = (str | None, Optional[str])  # noqa: UP045 - both spellings


@dataclass(frozen=True, kw_only=True)
class _Plan:
    """How to call one dependant: its sub-dependencies first, then its own parameters."""

    call: Callable[..., Awaitable[Any]]
    name: str | None
    subs: tuple[_Plan, ...]
    path_params: list[Any]
    query_params: list[Any]
    header_params: list[Any]
    request_name: str | None
    response_name: str | None
    # Path parameters named as in the path (no alias): validated without FastAPI's lookup.
    simple_path: tuple[tuple[str, Any, tuple[str, str]], ...] = ()
    # Optional single-string headers with an explicit alias (`Idempotency-Key`), likewise.
    simple_headers: tuple[tuple[str, Any, tuple[str, str]], ...] = ()


def _plan(dependant: Dependant, *, top: bool) -> _Plan | None:
    """The plan of `dependant`, or None when it uses what only FastAPI's solver handles."""
    call = dependant.call
    if call is None:
        return None
    function = call if inspect.isfunction(call) or inspect.ismethod(call) else None
    function = function or getattr(call, "__call__", None)  # noqa: B004 - callable instances
    if function is None or not inspect.iscoroutinefunction(function):
        return None
    if (
        dependant.cookie_params
        or dependant.background_tasks_param_name
        or dependant.security_scopes_param_name
        or dependant.websocket_param_name
        or dependant.http_connection_param_name
        or (dependant.body_params and not top)
    ):
        return None
    subs: list[_Plan] = []
    seen: set[Any] = set()
    for sub in dependant.dependencies:
        if sub.call in seen:  # FastAPI would call it once and reuse the value
            return None
        seen.add(sub.call)
        plan = _plan(sub, top=False)
        if plan is None:
            return None
        subs.append(plan)
    simple_path = tuple(
        (field.name, field, ("path", field.name))
        for field in dependant.path_params
        if field.field_info.alias in (None, field.name)
        and field.field_info.validation_alias is None
        and isinstance(field.field_info, params.Path)
    )
    simple_headers = tuple(
        (field.name, field, ("header", field.field_info.alias))
        for field in dependant.header_params
        if isinstance(field.field_info, params.Header)
        and field.field_info.alias
        and field.field_info.validation_alias in (None, field.field_info.alias)
        and field.field_info.annotation in _OPTIONAL_STR
        and field.field_info.default is None
    )
    return _Plan(
        simple_headers=simple_headers
        if len(simple_headers) == len(dependant.header_params)
        else (),
        simple_path=simple_path if len(simple_path) == len(dependant.path_params) else (),
        call=call,
        name=dependant.name,
        subs=tuple(subs),
        path_params=dependant.path_params,
        query_params=dependant.query_params,
        header_params=dependant.header_params,
        request_name=dependant.request_param_name,
        response_name=dependant.response_param_name,
    )


async def _solve(
    plan: _Plan, request: Request, response: Response | None, errors: list[Any]
) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for sub in plan.subs:
        before = len(errors)
        sub_values = await _solve(sub, request, response, errors)
        if len(errors) == before:
            value = await sub.call(**sub_values)
            if sub.name is not None:
                values[sub.name] = value
    if plan.simple_path:
        path_params = request.scope["path_params"]
        for name, field, loc in plan.simple_path:
            value, failed = field.validate(path_params[name], values, loc=loc)
            if failed:
                errors.extend(failed)
            else:
                values[name] = value
    elif plan.path_params:
        found, failed = request_params_to_args(plan.path_params, request.path_params)
        values.update(found)
        errors.extend(failed)
    if plan.query_params:
        found, failed = request_params_to_args(plan.query_params, request.query_params)
        values.update(found)
        errors.extend(failed)
    if plan.simple_headers:
        headers = request.headers
        for name, field, loc in plan.simple_headers:
            raw = headers.get(loc[1])
            if raw is None:
                values[name] = None
                continue
            value, failed = field.validate(raw, values, loc=loc)
            if failed:
                errors.extend(failed)
            else:
                values[name] = value
    elif plan.header_params:
        found, failed = request_params_to_args(plan.header_params, request.headers)
        values.update(found)
        errors.extend(failed)
    if plan.request_name:
        values[plan.request_name] = request
    if plan.response_name:
        values[plan.response_name] = response
    return values


def _takes_response(plan: _Plan) -> bool:
    return plan.response_name is not None or any(_takes_response(sub) for sub in plan.subs)


def _is_json(content_type: str) -> bool:
    mime = content_type.partition(";")[0].strip().lower()
    maintype, _, subtype = mime.partition("/")
    return maintype == "application" and (subtype == "json" or subtype.endswith("+json"))


def compile_route(route: APIRoute) -> ASGIApp | None:
    """An ASGI app answering `route` like FastAPI's handler would, or None when the route
    needs FastAPI's general machinery (streams, forms, custom response classes, ...)."""
    if not isinstance(route.response_class, DefaultPlaceholder):
        return None
    if getattr(route, "is_json_stream", False) or getattr(route, "stream_item_field", None):
        return None
    endpoint = route.dependant.call
    if endpoint is None or inspect.isasyncgenfunction(endpoint):
        return None
    body_field = route.body_field
    if body_field is not None and isinstance(body_field.field_info, params.Form):
        return None
    plan = _plan(route.dependant, top=True)
    if plan is None:
        return None
    body_params = route.dependant.body_params
    embed_body = bool(getattr(route, "_embed_body_fields", False))
    strict_content_type = route.strict_content_type
    if isinstance(strict_content_type, DefaultPlaceholder):
        strict_content_type = strict_content_type.value
    response_field = route.response_field
    status_code = route.status_code
    takes_response = _takes_response(plan)

    async def handle(scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive, send)
        body: Any = _UNDEFINED
        if body_field is not None:
            raw = await request.body()
            if raw:
                content_type = request.headers.get("content-type")
                parse = (not strict_content_type) if not content_type else _is_json(content_type)
                body = raw
                if parse:
                    try:
                        body = json.loads(raw)
                    except json.JSONDecodeError as exc:
                        raise RequestValidationError(
                            [
                                {
                                    "type": "json_invalid",
                                    "loc": ("body", exc.pos),
                                    "msg": "JSON decode error",
                                    "input": {},
                                    "ctx": {"error": exc.msg},
                                }
                            ],
                            body=exc.doc,
                        ) from exc
                    except Exception as exc:  # not UTF-8, ...: as FastAPI answers it
                        raise HTTPException(400, "There was an error parsing the body") from exc
        sub_response: Response | None = None
        if takes_response:  # only a route that sets headers or a status needs one
            sub_response = Response()
            del sub_response.headers["content-length"]
            sub_response.status_code = None  # type: ignore[assignment]
        errors: list[Any] = []
        values = await _solve(plan, request, sub_response, errors)
        if body_params:
            found, failed = await request_body_to_args(
                body_fields=body_params,
                received_body=None if body is _UNDEFINED else body,
                embed_body_fields=embed_body,
            )
            values.update(found)
            errors.extend(failed)
        if errors:
            raise RequestValidationError(errors, body=None if body is _UNDEFINED else body)
        result = await endpoint(**values)
        if isinstance(result, Response):
            await result(scope, receive, send)
            return
        status: int = (sub_response and sub_response.status_code) or status_code or 200
        if response_field is not None:
            value, failures = response_field.validate(result, {}, loc=("response",))
            if failures:
                raise RequestValidationError(failures)  # never for kanri's own models
            content = response_field.serialize_json(value, by_alias=True)
            response: Response = Response(content, status, media_type="application/json")
        else:
            response = JSONResponse(jsonable_encoder(result), status)
        if not is_body_allowed_for_status_code(response.status_code):
            response.body = b""
            response.headers["content-length"] = "0"
        if sub_response is not None:
            response.headers.raw.extend(sub_response.headers.raw)
        await response(scope, receive, send)

    return handle


class RouteIndex:
    """The app's routes grouped by their first two literal path segments (`/v1/runs`), so a
    request tries the few routes that can match it; anything else (no full match, a 405, a
    trailing-slash redirect) goes to FastAPI's router unchanged."""

    def __init__(self, app: FastAPI) -> None:
        self._router = app.router
        self._fallback = app.router.middleware_stack
        self._size = -1
        self._groups: dict[str, list[BaseRoute]] = {}
        self.compiled: set[int] = set()
        self.outer_fallback: ASGIApp | None = None  # ids: routes define __eq__ and are unhashable

    @staticmethod
    def _key(path: str) -> str | None:
        parts = path.split("/", 3)[1:3]
        if any("{" in part for part in parts):
            return None
        return "/" + "/".join(parts)

    def _build(self) -> None:
        routes = list(self._router.routes)
        keys = [self._key(r.path) if isinstance(r, Route) else None for r in routes]
        known = {k for k in keys if k is not None}
        groups: dict[str, list[BaseRoute]] = {k: [] for k in known}
        for route, key in zip(routes, keys, strict=True):
            for name, group in groups.items():
                if key is None or key == name:
                    group.append(route)
        self._groups = groups
        self._size = len(routes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self._route(scope, receive, send, self._fallback)

    async def dispatch(self, scope: Scope, receive: Receive, send: Send) -> None:
        """The app-level entry (`KanriAPI`): what the index does not answer goes through
        FastAPI's exit stack to the router."""
        assert self.outer_fallback is not None
        await self._route(scope, receive, send, self.outer_fallback)

    async def _route(self, scope: Scope, receive: Receive, send: Send, fallback: ASGIApp) -> None:
        if scope["type"] != "http" or scope.get("root_path"):
            await fallback(scope, receive, send)
            return
        if len(self._router.routes) != self._size:
            self._build()
        if ":" in scope["path"].rsplit("/", 1)[-1]:
            # `PATCH /entries/x:publish` also fits `PATCH /entries/{id}` (an id "x:publish"),
            # but names the action's resource, which has no PATCH: a 405 as for any path.
            allowed = allowed_methods(self._router.routes, scope)
            if allowed and scope["method"] not in allowed:
                raise HTTPException(405)
        group = self._groups.get(self._key(scope["path"]) or "")
        if group is not None:
            for route in group:
                match, child_scope = route.matches(scope)
                if match is Match.FULL:
                    if id(route) not in self.compiled:  # FastAPI's own handler, its own path
                        break
                    scope.setdefault("router", self._router)
                    scope.update(child_scope)
                    await route.handle(scope, receive, send)
                    return
        await fallback(scope, receive, send)


class KanriAPI(FastAPI):
    """FastAPI with a shorter path to kanri's routes.

    Per request FastAPI asks whether its native telemetry is on and passes through two
    middlewares that do nothing here (its own body limit, unset, and telemetry's exception
    hook) and an exit stack that only its own handlers use. With telemetry off (decided
    when the stack is built), an HTTP request goes: server errors → the app's middleware
    (kanri's edge) → exception handlers → the route index; the index hands what it does not
    handle itself to the usual exit stack and router.
    """

    _short_path = False

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and self._short_path:
            scope["app"] = self
            assert self.middleware_stack is not None
            await self.middleware_stack(scope, receive, send)
            return
        await super().__call__(scope, receive, send)

    def build_middleware_stack(self) -> ASGIApp:
        index = self.router.middleware_stack
        if not isinstance(index, RouteIndex) or self.max_body_size is not None or self.root_path:
            self._short_path = False
            return super().build_middleware_stack()
        self._short_path = not self._native_telemetry.enabled()
        if not self._short_path:
            return super().build_middleware_stack()
        error_handler = None
        handlers: dict[Any, Any] = {}
        for key, value in self.exception_handlers.items():
            if key in (500, Exception):
                error_handler = value
            else:
                handlers[key] = value
        index.outer_fallback = AsyncExitStackMiddleware(self.router)
        app: ASGIApp = ExceptionMiddleware(index.dispatch, handlers=handlers, debug=self.debug)
        for cls, args, kwargs in reversed(self.user_middleware):
            app = cls(app, *args, **kwargs)
        return ServerErrorMiddleware(app, handler=error_handler, debug=self.debug)


def install(app: FastAPI) -> None:
    """Give every route of `app` that allows it a precompiled handler, and the router a
    prefix index. Call after all routes are added."""
    index = RouteIndex(app)
    routes = app.router.routes
    for position, route in enumerate(routes):
        if type(route) is APIRoute:
            handler = compile_route(route)
            if handler is not None:
                # A copy: the features' route objects, shared by every app of the process,
                # keep FastAPI's handler for an app that answers through FastAPI.
                planned = copy.copy(route)
                planned.app = handler
                routes[position] = planned
                index.compiled.add(id(planned))
    app.router.middleware_stack = index


# Declared query parameters by route dependant (kept alive with its entry, so ids stay unique):
# the planned copy of a route shares its dependant with the original.
_QUERY_NAMES: dict[int, tuple[Dependant, frozenset[str]]] = {}
_PARAMETER = re.compile(r"\{[^}]*\}")  # a path template's parameter
# The order in which `Allow` lists methods.
_METHOD_ORDER = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


def query_names(route: APIRoute) -> frozenset[str]:
    """The query parameters `route` takes (its own and its dependencies'), by the names a
    request uses: the operation's `in: query` parameters in the OpenAPI document."""
    entry = _QUERY_NAMES.get(id(route.dependant))
    if entry is None:
        names = frozenset(
            get_validation_alias(field)
            for field in get_flat_params(route.dependant)
            if isinstance(field.field_info, params.Query)
        )
        entry = _QUERY_NAMES[id(route.dependant)] = (route.dependant, names)
    return entry[1]


def reject_unknown_query(request: Request) -> None:
    """Raise UnknownParameter (400, one `query.<name>` error each) when the request names a
    query parameter its route does not declare."""
    if not request.scope.get("query_string"):
        return
    route = request.scope.get("route")
    if not isinstance(route, APIRoute):
        return
    declared = query_names(route)
    unknown = [name for name in request.query_params if name not in declared]
    if not unknown:
        return
    takes = ", ".join(sorted(declared)) or "none"
    raise UnknownParameter(
        f"unknown query parameter{'s' if len(unknown) > 1 else ''}: {', '.join(unknown)}",
        errors=[
            FieldError(f"query.{name}", f"not a parameter of this operation (it takes: {takes})")
            for name in unknown
        ],
    )


def allowed_methods(routes: list[BaseRoute], scope: Scope) -> list[str]:
    """The methods of the resource the scope's path names, OPTIONS included; empty when no
    route with methods has that path. Where templates overlap (`/v1/environments/current`,
    `/v1/environments/{environment_id}`) the path names the one with the fewest parameters,
    as a GET resolves it, and among those the one with the most literal text
    (`/items/{id}:claim` rather than `/items/{id}`)."""
    found: dict[tuple[int, int], set[str]] = {}
    for route in routes:
        if isinstance(route, Route) and route.methods:
            match, _ = route.matches(scope)
            if match is not Match.NONE:
                literal = len(_PARAMETER.sub("", route.path))
                key = (len(route.param_convertors), -literal)
                found.setdefault(key, set()).update(route.methods)
    if not found:
        return []
    methods = found[min(found)] | {"OPTIONS"}
    return sorted(methods, key=_method_rank)


_PARAMETER = re.compile(r"\{[^}]*\}")


def _method_rank(method: str) -> tuple[int, str]:
    rank = _METHOD_ORDER.index(method) if method in _METHOD_ORDER else len(_METHOD_ORDER)
    return rank, method

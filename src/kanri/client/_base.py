"""What every call shares: building the request, retries, errors, pages and event streams.

Retries: connection errors, timeouts, 429, 502, 503 and 504 are tried again with
exponential backoff and full jitter, or after `Retry-After` when kanri sends one. A call
that is not idempotent by its method (POST, PATCH) is tried again only when it carries an
`Idempotency-Key` (the SDK adds one to every create and trigger, the same for every try of
one call); a 429 is always tried again, since kanri refused it before doing anything.
"""

from __future__ import annotations

import asyncio
import random
import time
import uuid
from collections.abc import AsyncIterator, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final, TypeVar, overload
from urllib.parse import quote

import httpx
from pydantic import BaseModel

from kanri.client import errors
from kanri.client._pagination import AsyncPager, Page, SyncPager
from kanri.client._sse import Decoder, ServerSentEvent

__version__ = "0.1.0"
T = TypeVar("T")
M = TypeVar("M", bound=BaseModel)
FileTypes = tuple[str, bytes, str]  # (file name, content, content type)
RETRY_STATUSES: Final = frozenset({429, 502, 503, 504})
SAFE_METHODS: Final = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})


class NotGiven:
    """A body field left out (None is a value: it clears the field)."""

    def __repr__(self) -> str:
        return "NOT_GIVEN"

    def __bool__(self) -> bool:
        return False


NOT_GIVEN: Final = NotGiven()


@dataclass
class Config:
    base_url: str
    api_key: str | None
    timeout: float
    max_retries: int
    project: str | None
    environment: str | None
    backoff_base: float = 0.5
    backoff_max: float = 8.0
    retry_after_max: float = 60.0


def jsonable(value: Any) -> Any:
    """Models (only the fields set), datetimes and containers as JSON values."""
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json", by_alias=True, exclude_unset=True)
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items() if not isinstance(v, NotGiven)}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def _query_value(value: Any) -> Any:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.isoformat()
    return value


@dataclass
class Prepared:
    op_id: str
    method: str
    url: str
    params: dict[str, Any]
    headers: dict[str, str]
    json: Any
    files: list[tuple[str, FileTypes]] | None
    data: dict[str, str] | None
    timeout: float
    max_retries: int

    @property
    def retryable(self) -> bool:
        return self.method in SAFE_METHODS or "Idempotency-Key" in self.headers


class Transport:
    """Request building and the retry policy, shared by the sync and the async transport."""

    def __init__(self, config: Config, operations: Mapping[str, tuple[str, str, bool]]) -> None:
        self.config = config
        self.operations = operations

    def prepare(
        self,
        op_id: str,
        *,
        path: Mapping[str, str],
        query: Mapping[str, Any],
        body: Mapping[str, Any] | None = None,
        files: Any = None,
        form: Mapping[str, Any] | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
        idempotency_key: str | None = None,
        extra_headers: Mapping[str, str] | None = None,
    ) -> Prepared:
        method, template, idempotent = self.operations[op_id]
        url = template
        for name, value in path.items():
            url = url.replace("{" + name + "}", quote(str(value), safe=""))
        headers = {"Accept": "application/json", "User-Agent": f"kanri-client/{__version__}"}
        if self.config.api_key:
            headers["Authorization"] = f"Bearer {self.config.api_key}"
        if self.config.project:
            headers["Kanri-Project"] = self.config.project
        if self.config.environment:
            headers["Kanri-Environment"] = self.config.environment
        if idempotent:
            headers["Idempotency-Key"] = idempotency_key or str(uuid.uuid4())
        headers.update(extra_headers or {})
        params = {k: _query_value(v) for k, v in query.items() if v is not None}
        data = {k: str(v) for k, v in (form or {}).items() if v is not None} or None
        return Prepared(
            op_id=op_id,
            method=method,
            url=url,
            params=params,
            headers=headers,
            json=jsonable(body) if body is not None and not files else None,
            files=[("files", f) for f in files] if files else None,
            data=data,
            timeout=self.config.timeout if timeout is None else timeout,
            max_retries=self.config.max_retries if max_retries is None else max_retries,
        )

    def delay(self, attempt: int, response: httpx.Response | None) -> float:
        """Seconds before try `attempt + 2`: Retry-After when given, else backoff with jitter."""
        if response is not None:
            after = errors.parse_retry_after(response.headers.get("Retry-After"))
            if after is not None:
                return min(after, self.config.retry_after_max)
        ceiling = min(self.config.backoff_max, self.config.backoff_base * 2**attempt)
        return random.uniform(0, ceiling)  # full jitter

    def should_retry(self, prepared: Prepared, attempt: int, response: httpx.Response) -> bool:
        if attempt >= prepared.max_retries or response.status_code not in RETRY_STATUSES:
            return False
        return response.status_code == 429 or prepared.retryable

    @staticmethod
    def transport_error(exc: httpx.TransportError, prepared: Prepared) -> errors.KanriError:
        what = f"{prepared.method} {prepared.url}: {exc!r}"
        if isinstance(exc, httpx.TimeoutException):
            return errors.APITimeoutError(f"timed out: {what}")
        return errors.APIConnectionError(f"connection failed: {what}")

    @staticmethod
    def parse(response: httpx.Response, cast: Any) -> Any:
        if cast is None:
            if response.status_code == 204 or not response.content:
                return None
            return response.json()
        if cast is str:
            return response.text
        return cast.model_validate(response.json())

    @staticmethod
    def page(response: httpx.Response, model: type[M]) -> Page[M]:
        body = response.json()
        return Page(
            [model.model_validate(item) for item in body["data"]],
            body.get("next_page_token"),
            body.get("total_size"),
        )


class SyncTransport(Transport):
    def __init__(
        self, config: Config, operations: Mapping[str, tuple[str, str, bool]], http: httpx.Client
    ) -> None:
        super().__init__(config, operations)
        self.http = http

    def send(self, prepared: Prepared, *, stream: bool = False) -> httpx.Response:
        attempt = 0
        while True:
            request = self.http.build_request(
                prepared.method,
                prepared.url,
                params=prepared.params,
                headers=prepared.headers,
                json=prepared.json,
                files=prepared.files,
                data=prepared.data,
                timeout=httpx.Timeout(prepared.timeout, read=None if stream else prepared.timeout),
            )
            try:
                response = self.http.send(request, stream=stream)
            except httpx.TransportError as exc:
                if attempt < prepared.max_retries and prepared.retryable:
                    time.sleep(self.delay(attempt, None))
                    attempt += 1
                    continue
                raise self.transport_error(exc, prepared) from exc
            if response.status_code < 400:
                return response
            response.read()
            response.close()
            if self.should_retry(prepared, attempt, response):
                time.sleep(self.delay(attempt, response))
                attempt += 1
                continue
            raise errors.from_response(response)

    def events(self, prepared: Prepared) -> Iterator[ServerSentEvent]:
        prepared.headers["Accept"] = "text/event-stream"
        response = self.send(prepared, stream=True)
        decoder = Decoder()
        try:
            for line in response.iter_lines():
                event = decoder.feed(line)
                if event is not None:
                    yield event
        except httpx.TransportError as exc:
            raise self.transport_error(exc, prepared) from exc
        finally:
            response.close()


class AsyncTransport(Transport):
    def __init__(
        self,
        config: Config,
        operations: Mapping[str, tuple[str, str, bool]],
        http: httpx.AsyncClient,
    ) -> None:
        super().__init__(config, operations)
        self.http = http

    async def send(self, prepared: Prepared, *, stream: bool = False) -> httpx.Response:
        attempt = 0
        while True:
            request = self.http.build_request(
                prepared.method,
                prepared.url,
                params=prepared.params,
                headers=prepared.headers,
                json=prepared.json,
                files=prepared.files,
                data=prepared.data,
                timeout=httpx.Timeout(prepared.timeout, read=None if stream else prepared.timeout),
            )
            try:
                response = await self.http.send(request, stream=stream)
            except httpx.TransportError as exc:
                if attempt < prepared.max_retries and prepared.retryable:
                    await asyncio.sleep(self.delay(attempt, None))
                    attempt += 1
                    continue
                raise self.transport_error(exc, prepared) from exc
            if response.status_code < 400:
                return response
            await response.aread()
            await response.aclose()
            if self.should_retry(prepared, attempt, response):
                await asyncio.sleep(self.delay(attempt, response))
                attempt += 1
                continue
            raise errors.from_response(response)

    async def events(self, prepared: Prepared) -> AsyncIterator[ServerSentEvent]:
        prepared.headers["Accept"] = "text/event-stream"
        response = await self.send(prepared, stream=True)
        decoder = Decoder()
        try:
            async for line in response.aiter_lines():
                event = decoder.feed(line)
                if event is not None:
                    yield event
        except httpx.TransportError as exc:
            raise self.transport_error(exc, prepared) from exc
        finally:
            await response.aclose()


class SyncResource:
    def __init__(self, transport: SyncTransport) -> None:
        self._transport = transport

    @overload
    def _request(self, op_id: str, cast: type[T], **kwargs: Any) -> T: ...
    @overload
    def _request(self, op_id: str, cast: None, **kwargs: Any) -> Any: ...
    def _request(self, op_id: str, cast: Any, **kwargs: Any) -> Any:
        prepared = self._transport.prepare(op_id, **kwargs)
        return self._transport.parse(self._transport.send(prepared), cast)

    def _pager(self, op_id: str, model: type[M], **kwargs: Any) -> SyncPager[M]:
        base_query = dict(kwargs.pop("query"))

        def fetch(token: str | None) -> Page[M]:
            query = {**base_query, "page_token": token}
            prepared = self._transport.prepare(op_id, query=query, **kwargs)
            return self._transport.page(self._transport.send(prepared), model)

        return SyncPager(fetch)

    def _sse(
        self, op_id: str, *, last_event_id: str | None, **kwargs: Any
    ) -> Iterator[ServerSentEvent]:
        prepared = self._transport.prepare(op_id, **kwargs)
        if last_event_id:
            prepared.headers["Last-Event-ID"] = last_event_id
        return self._transport.events(prepared)


class AsyncResource:
    def __init__(self, transport: AsyncTransport) -> None:
        self._transport = transport

    @overload
    async def _request(self, op_id: str, cast: type[T], **kwargs: Any) -> T: ...
    @overload
    async def _request(self, op_id: str, cast: None, **kwargs: Any) -> Any: ...
    async def _request(self, op_id: str, cast: Any, **kwargs: Any) -> Any:
        prepared = self._transport.prepare(op_id, **kwargs)
        return self._transport.parse(await self._transport.send(prepared), cast)

    def _pager(self, op_id: str, model: type[M], **kwargs: Any) -> AsyncPager[M]:
        base_query = dict(kwargs.pop("query"))

        async def fetch(token: str | None) -> Page[M]:
            query = {**base_query, "page_token": token}
            prepared = self._transport.prepare(op_id, query=query, **kwargs)
            return self._transport.page(await self._transport.send(prepared), model)

        return AsyncPager(fetch)

    def _sse(
        self, op_id: str, *, last_event_id: str | None, **kwargs: Any
    ) -> AsyncIterator[ServerSentEvent]:
        prepared = self._transport.prepare(op_id, **kwargs)
        if last_event_id:
            prepared.headers["Last-Event-ID"] = last_event_id
        return self._transport.events(prepared)

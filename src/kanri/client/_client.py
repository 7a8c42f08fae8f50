"""`Kanri` and `AsyncKanri`: one attribute per API area (see _resources.py)."""

from __future__ import annotations

import os
from types import TracebackType
from typing import Self

import httpx

from kanri.client._base import AsyncTransport, Config, SyncTransport
from kanri.client._resources import OPERATIONS, AsyncResources, SyncResources

DEFAULT_BASE_URL = "http://127.0.0.1:8000"
DEFAULT_TIMEOUT = 30.0
DEFAULT_MAX_RETRIES = 3


def _config(
    base_url: str | None,
    api_key: str | None,
    timeout: float,
    max_retries: int,
    project: str | None,
    environment: str | None,
) -> Config:
    return Config(
        base_url=(base_url or os.environ.get("KANRI_BASE_URL") or DEFAULT_BASE_URL).rstrip("/"),
        api_key=api_key or os.environ.get("KANRI_API_KEY"),
        timeout=timeout,
        max_retries=max_retries,
        project=project or os.environ.get("KANRI_PROJECT"),
        environment=environment or os.environ.get("KANRI_ENVIRONMENT"),
    )


class Kanri(SyncResources):
    """The synchronous client. `base_url` and `api_key` default to `KANRI_BASE_URL` and
    `KANRI_API_KEY`; `project`/`environment` (an organization admin key's Kanri-Project,
    a project key's Kanri-Environment) to `KANRI_PROJECT`/`KANRI_ENVIRONMENT`."""

    def __init__(
        self,
        base_url: str | None = None,
        api_key: str | None = None,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        project: str | None = None,
        environment: str | None = None,
        http_client: httpx.Client | None = None,
    ) -> None:
        self.config = _config(base_url, api_key, timeout, max_retries, project, environment)
        self._http = http_client or httpx.Client(base_url=self.config.base_url)
        if http_client is not None:
            self._http.base_url = httpx.URL(self.config.base_url)
        self._mount(SyncTransport(self.config, OPERATIONS, self._http))

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


class AsyncKanri(AsyncResources):
    """The asynchronous client; the same areas and methods as `Kanri`, awaited."""

    def __init__(
        self,
        base_url: str | None = None,
        api_key: str | None = None,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        project: str | None = None,
        environment: str | None = None,
        http_client: httpx.AsyncClient | None = None,
    ) -> None:
        self.config = _config(base_url, api_key, timeout, max_retries, project, environment)
        self._http = http_client or httpx.AsyncClient(base_url=self.config.base_url)
        if http_client is not None:
            self._http.base_url = httpx.URL(self.config.base_url)
        self._mount(AsyncTransport(self.config, OPERATIONS, self._http))

    async def close(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.close()

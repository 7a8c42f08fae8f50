"""Hand-written conveniences over the generated operations: starting a run, a run's events
as typed objects, uploading files into a knowledge namespace."""

from __future__ import annotations

import base64
import mimetypes
import re
from collections.abc import AsyncIterator, Iterable, Iterator, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from kanri.client import models
from kanri.client._base import AsyncResource, SyncResource

TERMINAL_RUN_STATUSES = frozenset({"completed", "failed", "cancelled"})
TEXT_TYPES = {".md": "text/markdown", ".markdown": "text/markdown", ".txt": "text/plain"}


class RunEvent(BaseModel):
    """One event of a run's stream (`run.started`, `step.completed`, `run.completed`, …)."""

    id: str
    type: str
    time: datetime
    data: dict[str, Any]


def entry_id_for(path: Path, root: Path | None = None) -> str:
    """A stable entry id from a file's path (relative to `root`): uploading again replaces."""
    relative = path.relative_to(root) if root is not None else Path(path.name)
    slug = re.sub(r"[^A-Za-z0-9._:@-]", "-", relative.as_posix().replace("/", ":"))
    return slug.lstrip("._:@-")[:200] or "entry"


def entry_body(path: Path, metadata: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The body of `PUT …/entries/{id}` for a file: text for text files, base64 otherwise."""
    content_type = TEXT_TYPES.get(path.suffix.lower()) or mimetypes.guess_type(path.name)[0]
    content_type = content_type or "text/plain"
    body: dict[str, Any] = {"title": path.name, "metadata": dict(metadata or {})}
    raw = path.read_bytes()
    if content_type.startswith("text/plain") or content_type == "text/markdown":
        body["text"] = raw.decode("utf-8", errors="replace")
        body["content_type"] = content_type
    else:
        body["content_base64"] = base64.b64encode(raw).decode()
        body["content_type"] = content_type
    return body


def _start_body(inputs: Mapping[str, Any] | None, version: Any, labels: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"inputs": dict(inputs or {})}
    if version is not None:
        body["version"] = version
    if labels is not None:
        body["labels"] = dict(labels)
    return body


class SyncRunsExtras(SyncResource):
    def start(
        self,
        automation: str,
        inputs: Mapping[str, Any] | None = None,
        *,
        wait: float | None = None,
        version: int | str | None = None,
        labels: Mapping[str, str] | None = None,
        idempotency_key: str | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
    ) -> models.Run:
        """Start a run of `automation` (id or name); `wait` holds the answer until it ends
        (seconds, at most 60)."""
        return self._request(
            "runs_create",
            models.Run,
            path={"automation_id": automation},
            query={"wait": wait},
            body=_start_body(inputs, version, labels),
            idempotency_key=idempotency_key,
            timeout=timeout if timeout is not None else (wait or 0) + 30,
            max_retries=max_retries,
        )

    def stream(self, run_id: str, *, last_event_id: str | None = None) -> Iterator[RunEvent]:
        """The run's events as they happen, until it has ended."""
        for event in self._sse(
            "runs_events_stream",
            last_event_id=last_event_id,
            path={"run_id": run_id},
            query={},
        ):
            if event.data:
                yield RunEvent.model_validate_json(event.data)


class AsyncRunsExtras(AsyncResource):
    async def start(
        self,
        automation: str,
        inputs: Mapping[str, Any] | None = None,
        *,
        wait: float | None = None,
        version: int | str | None = None,
        labels: Mapping[str, str] | None = None,
        idempotency_key: str | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
    ) -> models.Run:
        """Start a run of `automation` (id or name); `wait` holds the answer until it ends
        (seconds, at most 60)."""
        return await self._request(
            "runs_create",
            models.Run,
            path={"automation_id": automation},
            query={"wait": wait},
            body=_start_body(inputs, version, labels),
            idempotency_key=idempotency_key,
            timeout=timeout if timeout is not None else (wait or 0) + 30,
            max_retries=max_retries,
        )

    async def stream(
        self, run_id: str, *, last_event_id: str | None = None
    ) -> AsyncIterator[RunEvent]:
        """The run's events as they happen, until it has ended."""
        async for event in self._sse(
            "runs_events_stream",
            last_event_id=last_event_id,
            path={"run_id": run_id},
            query={},
        ):
            if event.data:
                yield RunEvent.model_validate_json(event.data)


class SyncKnowledgeExtras(SyncResource):
    def upload(
        self,
        namespace: str,
        paths: Iterable[str | Path],
        *,
        root: str | Path | None = None,
        metadata: Mapping[str, Any] | None = None,
        wait: bool | None = None,
    ) -> list[models.Entry]:
        """Put each file as an entry whose id comes from its path (relative to `root`):
        uploading the same files again replaces them instead of adding copies."""
        base = Path(root) if root is not None else None
        out = []
        for raw in paths:
            path = Path(raw)
            out.append(
                self._request(
                    "knowledge_namespaces_entries_replace",
                    models.Entry,
                    path={"namespace": namespace, "entry_id": entry_id_for(path, base)},
                    query={"wait": wait},
                    body=entry_body(path, metadata),
                )
            )
        return out


class AsyncKnowledgeExtras(AsyncResource):
    async def upload(
        self,
        namespace: str,
        paths: Iterable[str | Path],
        *,
        root: str | Path | None = None,
        metadata: Mapping[str, Any] | None = None,
        wait: bool | None = None,
    ) -> list[models.Entry]:
        """Put each file as an entry whose id comes from its path (relative to `root`):
        uploading the same files again replaces them instead of adding copies."""
        base = Path(root) if root is not None else None
        out = []
        for raw in paths:
            path = Path(raw)
            out.append(
                await self._request(
                    "knowledge_namespaces_entries_replace",
                    models.Entry,
                    path={"namespace": namespace, "entry_id": entry_id_for(path, base)},
                    query={"wait": wait},
                    body=entry_body(path, metadata),
                )
            )
        return out

"""The SSE section's baseline: a bare FastAPI app streaming the frames kanri's streams send.

No authentication, database or middleware: the payloads are built in memory, serialized
with `json.dumps` and framed by hand (`id`, `event`, `data`) into a Starlette
`StreamingResponse`, one chunk per event, as a minimal SSE endpoint would. The two routes
carry payloads of the same shape and size as kanri's run-events stream and its events
stream (the values are those the bench writes into kanri's outbox). Served by uvicorn
exactly like kanri.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Annotated, Any

from fastapi import FastAPI, Query
from fastapi.responses import StreamingResponse

EVENT_TYPE = "run.delta"
EVENT_DATA: dict[str, Any] = {"call_key": "call_01", "delta": "streamed words arrive one by one "}
TIME = "2026-01-01T12:00:00.123456Z"  # kanri's RFC 3339 form, microseconds and `Z`
RUN_ID = "run_01JBENCH0000000000000000000"
ENVIRONMENT_ID = "env_01JBENCH0000000000000000000"
HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
MAX_EVENTS = 1_000_000

app = FastAPI(title="bare-sse", docs_url=None, redoc_url=None, openapi_url=None)


def _ids(n: int) -> list[str]:
    # 26 characters after the prefix, as a ULID has.
    return [f"evt_01JBENCH{i:018d}" for i in range(n)]


def _run_frames(n: int) -> Iterator[str]:
    yield "retry: 2000\n\n"
    for event_id in _ids(n):
        payload = {"id": event_id, "type": EVENT_TYPE, "time": TIME, "data": EVENT_DATA}
        yield f"id: {event_id}\nevent: {EVENT_TYPE}\ndata: {json.dumps(payload)}\n\n"


def _project_frames(n: int) -> Iterator[str]:
    yield "retry: 2000\n\n"
    for event_id in _ids(n):
        payload = {
            "id": event_id,
            "type": EVENT_TYPE,
            "resource_type": "run",
            "resource_id": RUN_ID,
            "environment_id": ENVIRONMENT_ID,
            "time": TIME,
            "data": EVENT_DATA,
        }
        yield f"id: {event_id}\nevent: {EVENT_TYPE}\ndata: {json.dumps(payload)}\n\n"


async def _stream(frames: Iterator[str]) -> Any:
    for frame in frames:
        yield frame


@app.get("/health")
async def health() -> dict[str, bool]:
    return {"ok": True}


@app.get("/v1/runs/{run_id}/events")
async def run_events(
    run_id: str, n: Annotated[int, Query(ge=0, le=MAX_EVENTS)] = 1000
) -> StreamingResponse:
    """`n` frames shaped like a run's events, then the end of the stream."""
    return StreamingResponse(
        _stream(_run_frames(n)), media_type="text/event-stream", headers=HEADERS
    )


@app.get("/v1/events/stream")
async def project_events(n: Annotated[int, Query(ge=0, le=MAX_EVENTS)] = 1000) -> StreamingResponse:
    """`n` frames shaped like the events stream's (the client stops after `n`)."""
    return StreamingResponse(
        _stream(_project_frames(n)), media_type="text/event-stream", headers=HEADERS
    )

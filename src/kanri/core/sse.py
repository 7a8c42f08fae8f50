"""Server-sent events: the frames and the response of kanri's three streams (a run's events,
the project's live events, OpenAI-compatible chat completion chunks).

Frames are written by hand into a Starlette `StreamingResponse`, one chunk per frame, lines
ending in `\\n`: `sse-starlette` was measured in their place and cost 35-40 % of a stream's
events per second (docs/architecture.md, "Server-sent events").
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterable, Mapping

from starlette.responses import StreamingResponse

HEARTBEAT = ": heartbeat\n\n"  # a comment: keeps an idle connection open through proxies
HEARTBEAT_SECONDS = 15.0  # a quiet stream sends HEARTBEAT this often
RETRY_MILLISECONDS = 2000  # a client's wait before it reconnects
HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}  # nginx: do not buffer
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def frame(data: str, *, id: str | None = None, event: str | None = None) -> str:
    """One event: its `id` and `event` lines when given, `data`, and the blank line that
    ends it. Data with line breaks becomes several `data:` lines (a client joins them with
    `\\n`); line breaks in `id` and `event` are dropped."""
    head = ""
    if id is not None:
        head = f"id: {id}\n"
    if event is not None:
        head += f"event: {event}\n"
    text = f"{head}data: {data}\n\n"
    if "\r" not in text and text.count("\n") == 2 + (id is not None) + (event is not None):
        return text  # the common case: no line break inside a field
    head = ""
    if id is not None:
        head = f"id: {_LINE_BREAK.sub('', id)}\n"
    if event is not None:
        head += f"event: {_LINE_BREAK.sub('', event)}\n"
    return head + "".join(f"data: {line}\n" for line in _LINE_BREAK.split(data)) + "\n"


def retry(milliseconds: int = RETRY_MILLISECONDS) -> str:
    """How long a client waits before it reconnects."""
    return f"retry: {milliseconds}\n\n"


def response(
    frames: AsyncIterable[str], headers: Mapping[str, str] | None = None
) -> StreamingResponse:
    """`text/event-stream` of `frames`, not cached and not buffered by proxies."""
    return StreamingResponse(
        frames, media_type="text/event-stream", headers={**HEADERS, **(headers or {})}
    )

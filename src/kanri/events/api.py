"""Routes of events: the outbox as an API, its live stream, and the type catalogue
(section `webhooks`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Path, Query, Request
from fastapi.responses import StreamingResponse

from kanri.core import sse
from kanri.core.auth import Principal, RequireSection
from kanri.core.deps import Db, Listing
from kanri.core.openapi import operation_id
from kanri.core.schemas import ListResponse
from kanri.events import schemas, service, stream
from kanri.events.schemas import EventTypePattern

router = APIRouter(tags=["events"], generate_unique_id_function=operation_id)
EventId = Annotated[str, Path(description="event id", max_length=100)]
Reader = Annotated[Principal, RequireSection("webhooks", "read")]


def _hub(request: Request) -> stream.EventHub:
    hub: stream.EventHub | None = getattr(request.app.state, "event_hub", None)
    if hub is None:
        kanri = request.app.state.kanri
        hub = stream.EventHub(kanri.db, kanri.closing)
        request.app.state.event_hub = hub
    return hub


@router.get("/v1/events")
async def list_events(db: Db, params: Listing, who: Reader) -> ListResponse[schemas.Event]:
    """The project's events, newest first; kept `KANRI_EVENT_RETENTION_DAYS` (30) days.
    Filter on type (`type = "run.*"`), resource_type, resource_id, environment_id,
    request_id, data.*, create_time."""
    return ListResponse.of(await db.read(service.list_events, who, params))


@router.get(
    "/v1/events/stream",
    operation_id="events_stream",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/event-stream": {}}, "description": "live events"}},
)
async def stream_events(
    request: Request,
    db: Db,
    who: Reader,
    type: Annotated[
        list[EventTypePattern] | None,
        Query(max_length=50, description="only these types (`run.*` matches a prefix)"),
    ] = None,
    last_event_id: Annotated[
        str | None, Header(alias="Last-Event-ID", max_length=100, description="resume after")
    ] = None,
) -> StreamingResponse:
    """Server-sent events of the project as they are written (`id`, `event` = type, `data`).
    Reconnect with `Last-Event-ID` to receive what was missed first. A comment line every
    15 s keeps idle connections open; a client that cannot keep up is disconnected."""
    who.project()  # a principal without a project is refused before the stream starts
    return sse.response(
        stream.project_events(db, _hub(request), who, list(type or []), last_event_id)
    )


@router.get("/v1/events/{event_id}")
async def get_event(event_id: EventId, db: Db, who: Reader) -> schemas.Event:
    """One event of the project with its data."""
    return await db.read(service.get, who, event_id)


@router.get("/v1/event-types")
async def list_event_types(who: Reader) -> schemas.EventTypeList:
    """Every event type kanri emits, with the JSON schema of its `data`."""
    return service.catalogue()

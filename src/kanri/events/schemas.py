"""Public contract of events and the event-type catalogue."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, Field, StringConstraints

from kanri.core.schemas import Resource

_EVENT_PATTERN = r"^(\*|[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*(\.\*)?)$"
EventTypePattern = Annotated[
    str,
    StringConstraints(min_length=1, max_length=100, pattern=_EVENT_PATTERN),
    Field(description="an event type, `resource.*`, or `*`", examples=["run.*"]),
]


class Event(Resource):
    id: str = Field(description="`evt_…`; ids sort in the order events were written")
    type: str = Field(examples=["run.completed"])
    resource_type: str
    resource_id: str
    project_id: str | None
    environment_id: str | None
    data: dict[str, Any]
    request_id: str | None = Field(description="the request that caused it, if any")
    create_time: datetime


class EventType(BaseModel):
    type: str
    description: str
    schema_: dict[str, Any] = Field(alias="schema", description="JSON Schema of `data`")

    model_config = {"populate_by_name": True, "serialize_by_alias": True}


class EventTypeList(BaseModel):
    data: list[EventType]

"""What the `records_*` tools share: argument fields, the object allow-list, the shape of a
record handed to the model."""

from __future__ import annotations

from typing import Any, Protocol, TypeVar, cast

from pydantic import BaseModel, Field

from kanri.agents.tools import ToolContext, ToolResult, parse
from kanri.records import schemas

ObjectArgument = Field(min_length=1, max_length=100)
RecordArgument = Field(min_length=1, max_length=100)
MAX_PAGE = 50

OBJECT_SCHEMA: dict[str, Any] = {
    "type": "string",
    "minLength": 1,
    "maxLength": 100,
    "description": "the object's slug (e.g. `contacts`) or id",
}
RECORD_SCHEMA: dict[str, Any] = {
    "type": "string",
    "minLength": 1,
    "maxLength": 100,
    "description": "the record's id (`rec_…`)",
}
FIELD_VALUES_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "field slug → value",
    "maxProperties": 500,
}


class ObjectArguments(Protocol):
    object: str


A = TypeVar("A", bound=BaseModel)


def checked(ctx: ToolContext, model: type[A], arguments: dict[str, Any]) -> A | ToolResult:
    """The arguments as `model`, or the failed result the model sees: invalid arguments, or
    an object the agent's tool config (`objects`) does not list."""
    args = parse(model, arguments)
    if isinstance(args, ToolResult):
        return args
    object_ref = cast(ObjectArguments, args).object
    allowed = ctx.config.get("objects")
    if allowed is not None and object_ref not in allowed:
        return ToolResult(
            {"error": f"this agent may not use object '{object_ref}'", "objects": allowed},
            ok=False,
        )
    return args


def shown(record: schemas.Record) -> dict[str, Any]:
    return record.model_dump(mode="json")

"""Pydantic types shared by every feature's public contract."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Annotated, Any, Generic, Literal, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    ValidatorFunctionWrapHandler,
    WrapValidator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from kanri.core.pagination import Page

T = TypeVar("T")

Slug = Annotated[
    str,
    StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{0,62}$"),
    Field(description="lowercase letters, digits and dashes; 1-63 characters", examples=["ops"]),
]
DisplayName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Description = Annotated[str, StringConstraints(max_length=2000)]
Ref = Annotated[str, StringConstraints(min_length=1, max_length=100)]
# Integers of request bodies are bounded so that none reaches a database column it overflows.
MAX_VERSION = 2**31 - 1
VersionNumber = Annotated[int, Field(ge=1, le=MAX_VERSION)]
Int64 = Annotated[int, Field(ge=-(2**63), le=2**63 - 1)]


def _one_version_error(value: Any, handler: ValidatorFunctionWrapHandler) -> Any:
    try:
        return handler(value)
    except ValidationError:
        raise PydanticCustomError(
            "version", f"a version number from 1 to {MAX_VERSION}, or 'draft'"
        ) from None


# Which version to run: one error on the field itself, not one per member of the union.
VersionChoice = Annotated[
    VersionNumber | Literal["draft"] | None, WrapValidator(_one_version_error)
]


def _utc(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("needs a UTC offset, e.g. 2030-01-01T00:00:00Z")
    try:
        return value.astimezone(UTC)
    except OverflowError:
        raise ValueError("lies outside the years 0001-9999 in UTC") from None


UtcDatetime = Annotated[datetime, AfterValidator(_utc)]


def _nul_free(value: Any, path: str = "") -> str | None:
    """The dotted path of the first string holding a NUL character, if any."""
    if not path:
        # One C-speed pass over the whole value first: a NUL is escaped as \u0000 in JSON
        # text (a false alarm such as a literal backslash-u0000 is settled by the walk).
        try:
            if "\\u0000" not in json.dumps(value, ensure_ascii=False):
                return None
        except (TypeError, ValueError):
            pass  # not plain JSON (a model instance, say): walk it
    if isinstance(value, str):
        return path if "\x00" in value else None
    if isinstance(value, dict):
        for key, item in value.items():
            where = f"{path}.{key}" if path else str(key)
            found = _nul_free(key, where) if isinstance(key, str) else None
            found = found or _nul_free(item, where)
            if found is not None:
                return found
    if isinstance(value, list):
        for index, item in enumerate(value):
            found = _nul_free(item, f"{path}.{index}" if path else str(index))
            if found is not None:
                return found
    return None


def examples(*items: dict[str, Any]) -> ConfigDict:
    """`model_config` of a request body shown with these examples in the API document."""
    return ConfigDict(json_schema_extra={"examples": list(items)})


class Model(BaseModel):
    """Base of request bodies: unknown fields are errors, not silently dropped; no string may
    hold a NUL character (PostgreSQL text cannot store one)."""

    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="before")
    @classmethod
    def _no_nul(cls, data: Any) -> Any:
        where = _nul_free(data)
        if where is not None:
            raise PydanticCustomError(
                "nul_character", "NUL characters are not allowed (at {where})", {"where": where}
            )
        return data


class Resource(BaseModel):
    """Base of response bodies, built from rows."""

    model_config = ConfigDict(from_attributes=True)


class ListResponse(BaseModel, Generic[T]):
    """A page of a list endpoint."""

    data: list[T]
    next_page_token: str | None = Field(
        default=None, description="pass as page_token for the next page; null on the last"
    )
    total_size: int | None = Field(default=None, description="all matches, when include_total")

    @classmethod
    def of(cls, page: Page[T]) -> ListResponse[T]:
        """The response body for a service's page."""
        return cls(
            data=page.items, next_page_token=page.next_page_token, total_size=page.total_size
        )

"""Pydantic types shared by every feature's public contract."""

from __future__ import annotations

from typing import Annotated, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

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


class Model(BaseModel):
    """Base of request bodies: unknown fields are errors, not silently dropped."""

    model_config = ConfigDict(extra="forbid")


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
